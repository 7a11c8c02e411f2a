package graphapi

import (
	"fmt"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// refundRequest is the decoded refund_order request. Amounts are minor
// units of Currency, so "5.5" and "5.50" decode (and hash) the same.
type refundRequest struct {
	ReasonCode string       `json:"reason_code"`
	ReasonText string       `json:"reason_text"`
	Items      []refundItem `json:"items"`
}

type refundItem struct {
	RetailerID     string `json:"retailer_id,omitempty"`
	ItemID         string `json:"item_id,omitempty"`
	Amount         int64  `json:"item_refund"`
	ShippingAmount *int64 `json:"shipping_refund,omitempty"`
	Currency       string `json:"currency"`
}

// decodeRefund reads reason_code, reason_text and the optional items
// [{retailer_id, item_refund, shipping_refund}] of a partial refund.
// Amounts must be in the order's currency (an amount without a currency is
// taken in it) and not negative.
func decodeRefund(p params, o *ordergraph.Order) (refundRequest, error) {
	root := p.root()
	var req refundRequest
	code, err := root.RequiredString("reason_code")
	if err != nil {
		return req, err
	}
	if req.ReasonCode, err = matchEnum("reason_code", code, ordergraph.RefundReasons); err != nil {
		return req, err
	}
	if req.ReasonText, err = root.String("reason_text"); err != nil {
		return req, err
	}
	raw, ok, err := root.List("items")
	if err != nil || !ok {
		return req, err
	}
	for i, v := range raw {
		e, err := root.Elem("items", i, v)
		if err != nil {
			return req, err
		}
		var it refundItem
		if it.RetailerID, err = e.String("retailer_id"); err != nil {
			return req, err
		}
		if it.ItemID, err = e.String("item_id"); err != nil {
			return req, err
		}
		if it.RetailerID == "" && it.ItemID == "" {
			return req, errRequired(e.name("retailer_id"))
		}
		if it.RetailerID != "" && it.ItemID != "" {
			return req, errParam(e.path, msgParamIDOrNot, e.path)
		}
		amt, ok, err := decodeAmount(e, "item_refund", o)
		if err != nil {
			return req, err
		}
		if !ok {
			return req, errRequired(e.name("item_refund"))
		}
		it.Amount = amt
		ship, ok, err := decodeAmount(e, "shipping_refund", o)
		if err != nil {
			return req, err
		}
		if ok {
			it.ShippingAmount = &ship
		}
		it.Currency = o.Currency
		req.Items = append(req.Items, it)
	}
	return req, nil
}

// decodeAmount reads a currency_amount {amount, currency} in the order's
// currency.
func decodeAmount(n node, key string, o *ordergraph.Order) (int64, bool, error) {
	m, ok, err := n.Object(key)
	if err != nil || !ok {
		return 0, false, err
	}
	amount, err := m.RequiredString("amount")
	if err != nil {
		return 0, true, err
	}
	cur, err := m.String("currency")
	if err != nil {
		return 0, true, err
	}
	if cur == "" {
		cur = o.Currency
	}
	canon, valid := ordergraph.ValidCurrency(cur)
	if !valid || !strings.EqualFold(canon, o.Currency) {
		msg := fmt.Sprintf(msgCurrencyMismatch, m.name("currency"), cur, o.ID, o.Currency)
		return 0, true, &ordergraph.Error{Code: ordergraph.EINVALID, Subcode: ordergraph.SubcodeCurrencyMismatch,
			Title: msgCurrencyTitle, Message: msg, Param: m.name("currency")}
	}
	v, err := ordergraph.ParseAmount(amount, canon)
	if err != nil {
		return 0, true, errParam(m.name("amount"), msgParamAmount, m.name("amount"), ordergraph.ErrorMessage(err))
	}
	if v < 0 {
		return 0, true, errParam(m.name("amount"), msgParamNegative, m.name("amount"), amount)
	}
	return v, true, nil
}

// refundOrder answers POST /{order_id}/refund_order: a full refund without
// items, else per-item amounts (and per-item shipping) before tax. It is a
// thin adapter onto the refunds command.
func refundOrder(c *call) error {
	req, err := decodeRefund(c.params, c.order)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(false, req, successResponse)
	if err != nil {
		return err
	}
	cmd := ordergraph.RefundCommand{
		PageID:      c.page.ID,
		OrderID:     c.order.ID,
		ReasonCode:  req.ReasonCode,
		ReasonText:  req.ReasonText,
		Idempotency: idem,
	}
	for _, it := range req.Items {
		amt := it.Amount
		cmd.Items = append(cmd.Items, ordergraph.RefundItemRequest{
			ItemID: it.ItemID, RetailerID: it.RetailerID, Amount: &amt, ShippingAmount: it.ShippingAmount,
		})
	}
	res, err := c.h.cfg.Orders.Refund(c.ctx, cmd)
	if err != nil {
		return err
	}
	return c.writeResult(res, successResponse)
}
