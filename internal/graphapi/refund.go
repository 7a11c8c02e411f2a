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
	idem, err := c.idempotency(c.page.StrictIdempotency, req, successResponse)
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

// The refunds edge (current-api.md §5.5): what each refund returned, line by
// line, and its totals as plain decimal strings.
var (
	refundType          = newType("CommerceOrderRefund", true)
	refundItemType      = newType("CommerceOrderRefundItem", false)
	refundReasonType    = newType("CommerceOrderRefundReason", false)
	refundAmountType    = newType("CommerceOrderRefundAmount", false)
	refundDeductionType = newType("CommerceOrderRefundDeduction", false)
)

// refundRef is a refund of an order with its lines resolved.
type refundRef struct {
	order *ordergraph.Order
	r     *ordergraph.Refund
	lines []any // *refundLine
}

type refundLine struct {
	item *ordergraph.Item
	ri   *ordergraph.RefundItem
}

func declareRefundTypes() {
	line := func(fn func(rc *renderCtx, l *refundLine) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	refundItemType.add(
		scalar("id", line(func(_ *renderCtx, l *refundLine) (any, bool) { return l.ri.ItemID, true })),
		scalar("product_id", line(func(_ *renderCtx, l *refundLine) (any, bool) { return str(l.item.ProductID) })),
		scalar("retailer_id", line(func(_ *renderCtx, l *refundLine) (any, bool) { return l.ri.RetailerID, true })),
		obj("refund_subtotal", moneyType, line(func(rc *renderCtx, l *refundLine) (any, bool) { return rc.money(l.ri.Amount), true })),
		// quantity only for refunds made by quantity.
		scalar("quantity", line(func(_ *renderCtx, l *refundLine) (any, bool) { return l.ri.Quantity, l.ri.Quantity > 0 })),
	).setDefaults("id", "product_id", "retailer_id", "refund_subtotal", "quantity")

	ref := func(fn func(rc *renderCtx, r *refundRef) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	dec := func(r *refundRef) string { return ordergraph.FormatAmount(r.r.Deduction, r.order.Currency) }
	refundReasonType.add(
		scalar("reason_code", ref(func(_ *renderCtx, r *refundRef) (any, bool) { return str(r.r.ReasonCode) })),
		scalar("reason_description", ref(func(_ *renderCtx, r *refundRef) (any, bool) { return str(r.r.ReasonText) })),
	).setDefaults("reason_code", "reason_description")
	decimal := func(fn func(r *ordergraph.Refund) int64) func(*renderCtx, any) (any, bool) {
		return ref(func(_ *renderCtx, r *refundRef) (any, bool) {
			return ordergraph.FormatAmount(fn(r.r), r.order.Currency), true
		})
	}
	refundAmountType.add(
		scalar("amount", decimal((*ordergraph.Refund).Total)),
		scalar("currency", ref(func(_ *renderCtx, r *refundRef) (any, bool) { return r.order.Currency, true })),
		scalar("subtotal", decimal((*ordergraph.Refund).Subtotal)),
		scalar("shipping", decimal(func(r *ordergraph.Refund) int64 { return r.Shipping })),
		// The tax refunded, negative as the platform shows it ("-1.02");
		// total still adds it.
		scalar("tax", decimal(func(r *ordergraph.Refund) int64 { return -r.Tax() })),
		scalar("total", decimal((*ordergraph.Refund).Total)),
	).setDefaults("amount", "currency")
	refundDeductionType.add(
		scalar("deduction_type", ref(func(_ *renderCtx, _ *refundRef) (any, bool) { return deductionReturnShipping, true })),
		obj("deduction_amount", moneyType, ref(func(_ *renderCtx, r *refundRef) (any, bool) {
			return object{{"amount", dec(r)}, {"currency", r.order.Currency}}, true
		})),
	).setDefaults("deduction_type", "deduction_amount")
	refundType.add(
		scalar("id", ref(func(_ *renderCtx, r *refundRef) (any, bool) { return r.r.ID, true })),
		edge("items", refundItemType, ref(func(_ *renderCtx, r *refundRef) (any, bool) { return r.lines, true })),
		obj("refund_reason", refundReasonType, ref(func(_ *renderCtx, r *refundRef) (any, bool) { return r, true })),
		obj("refund_amount", refundAmountType, ref(func(_ *renderCtx, r *refundRef) (any, bool) { return r, true })),
		scalar("return_id", ref(func(_ *renderCtx, r *refundRef) (any, bool) { return str(r.r.ReturnID) })),
		// What the refund request carried beyond items and shipping.
		list("deductions", refundDeductionType, ref(func(_ *renderCtx, r *refundRef) (any, bool) {
			if r.r.Deduction == 0 {
				return []any{}, true
			}
			return []any{r}, true
		})),
		obj("adjustment_amount", moneyType, ref(func(_ *renderCtx, r *refundRef) (any, bool) {
			return moneyObject(r.r.Adjustment, r.order.Currency), r.r.Adjustment != 0
		})),
	).setDefaults("id", "items", "refund_reason", "refund_amount", "return_id")
}

// refunds lists the order's refunds, oldest first.
func refunds(o *ordergraph.Order) []any {
	out := make([]any, 0, len(o.Refunds))
	for i := range o.Refunds {
		r := &o.Refunds[i]
		ref := &refundRef{order: o, r: r}
		for j := range r.Items {
			ri := &r.Items[j]
			it := o.Item(ri.ItemID)
			if it == nil {
				it = &ordergraph.Item{ID: ri.ItemID, RetailerID: ri.RetailerID}
			}
			ref.lines = append(ref.lines, &refundLine{item: it, ri: ri})
		}
		out = append(out, ref)
	}
	return out
}

// deductionReturnShipping is the only deduction type: the cost of the
// return label, kept back from the buyer.
const deductionReturnShipping = "RETURN_SHIPPING"

// refundsRequest is the decoded refunds request. Amounts are minor units
// of Currency, so 4.99, "4.99" and "4.990" decode (and hash) the same.
type refundsRequest struct {
	ReasonCode string        `json:"reason_code"`
	ReasonText string        `json:"reason_text,omitempty"`
	Items      []refundsItem `json:"items"`
	Shipping   *int64        `json:"shipping,omitempty"`
	Deduction  int64         `json:"deduction,omitempty"`
	Adjustment *int64        `json:"adjustment,omitempty"`
	ReturnID   string        `json:"return_id,omitempty"`
	Currency   string        `json:"currency"`
}

type refundsItem struct {
	RetailerID string `json:"retailer_id,omitempty"`
	ItemID     string `json:"item_id,omitempty"`
	Quantity   int64  `json:"item_refund_quantity,omitempty"`
	Amount     *int64 `json:"item_refund_amount,omitempty"`
}

// decodeRefunds reads the current API's refund: reason_code (required),
// reason_text, items [{retailer_id|item_id, item_refund_quantity |
// item_refund_amount}], shipping{shipping_refund}, deductions
// [{deduction_type: RETURN_SHIPPING, deduction_amount}], return_id and
// adjustment_amount (earlier arbitrary_refund_amount). Amounts are in the
// order's currency.
func decodeRefunds(p params, o *ordergraph.Order) (refundsRequest, error) {
	root := p.root()
	req := refundsRequest{Currency: o.Currency}
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
	if req.ReturnID, err = root.String("return_id"); err != nil {
		return req, err
	}
	raw, _, err := root.List("items")
	if err != nil {
		return req, err
	}
	for i, v := range raw {
		e, err := root.Elem("items", i, v)
		if err != nil {
			return req, err
		}
		var it refundsItem
		if it.RetailerID, it.ItemID, err = decodeItemRef(e); err != nil {
			return req, err
		}
		q, hasQ, err := e.Int("item_refund_quantity")
		if err != nil {
			return req, err
		}
		amt, hasAmt, err := decodeAmount(e, "item_refund_amount", o)
		if err != nil {
			return req, err
		}
		if hasQ == hasAmt {
			return req, errParam(e.path, msgParamQuantityOrAmount, e.path)
		}
		if hasQ {
			if q <= 0 {
				return req, errParam(e.name("item_refund_quantity"), msgParamPositiveInt, e.name("item_refund_quantity"))
			}
			it.Quantity = q
		} else {
			it.Amount = &amt
		}
		req.Items = append(req.Items, it)
	}
	if sh, ok, err := root.Object("shipping"); err != nil {
		return req, err
	} else if ok {
		// Magento sends {"shipping_refund":{"amount":null,...}} when it
		// refunds no shipping.
		if amt, ok, err := decodeOptionalAmount(sh, "shipping_refund", o); err != nil {
			return req, err
		} else if ok {
			req.Shipping = &amt
		}
	}
	rawDed, _, err := root.List("deductions")
	if err != nil {
		return req, err
	}
	for i, v := range rawDed {
		e, err := root.Elem("deductions", i, v)
		if err != nil {
			return req, err
		}
		typ, err := e.RequiredString("deduction_type")
		if err != nil {
			return req, err
		}
		if _, err := matchEnum(e.name("deduction_type"), typ, []string{deductionReturnShipping}); err != nil {
			return req, err
		}
		amt, ok, err := decodeAmount(e, "deduction_amount", o)
		if err != nil {
			return req, err
		}
		if !ok {
			return req, errRequired(e.name("deduction_amount"))
		}
		req.Deduction += amt
	}
	for _, key := range []string{"adjustment_amount", "arbitrary_refund_amount"} {
		amt, ok, err := decodeOptionalAmount(root, key, o)
		if err != nil {
			return req, err
		}
		if ok {
			req.Adjustment = &amt
			break
		}
	}
	return req, nil
}

// decodeOptionalAmount is decodeAmount for an amount that may be left out
// entirely or given with a null or empty amount.
func decodeOptionalAmount(n node, key string, o *ordergraph.Order) (int64, bool, error) {
	m, ok, err := n.Object(key)
	if err != nil || !ok || !m.has("amount") {
		return 0, false, err
	}
	return decodeAmount(n, key, o)
}

// createRefund answers POST /{order_id}/refunds: shipped units refunded by
// quantity or amount, with shipping, deductions and an adjustment; no
// items (and no shipping or adjustment) refunds everything still
// refundable, or with return_id the return's units.
func createRefund(c *call) error {
	req, err := decodeRefunds(c.params, c.order)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(true, req, successResponse)
	if err != nil {
		return err
	}
	cmd := ordergraph.RefundCommand{
		PageID: c.page.ID, OrderID: c.order.ID, ReasonCode: req.ReasonCode, ReasonText: req.ReasonText,
		Shipping: req.Shipping, Deduction: req.Deduction, Adjustment: req.Adjustment, ReturnID: req.ReturnID,
		Idempotency: idem,
	}
	for _, it := range req.Items {
		cmd.Items = append(cmd.Items, ordergraph.RefundItemRequest{ItemID: it.ItemID, RetailerID: it.RetailerID,
			Quantity: int(it.Quantity), Amount: it.Amount})
	}
	res, err := c.h.cfg.Orders.Refund(c.ctx, cmd)
	if err != nil {
		return err
	}
	return c.writeResult(res, successResponse)
}
