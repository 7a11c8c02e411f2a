package graphapi

import (
	"github.com/ordergraph/ordergraph"
)

// itemUpdatesRequest is the decoded item_updates request: an order
// snapshot (current-api.md §5.8).
type itemUpdatesRequest struct {
	MerchantOrderReference string           `json:"merchant_order_reference"`
	Items                  []itemUpdateLine `json:"items"`
}

type itemUpdateLine struct {
	ItemID                  string         `json:"item_id"`
	FulfillQuantity         int64          `json:"fulfill_quantity"`
	CancelQuantity          int64          `json:"cancel_quantity"`
	RefundQuantity          int64          `json:"refund_quantity"`
	Tracking                []trackingInfo `json:"tracking_info,omitempty"`
	CancelReason            string         `json:"cancel_reason,omitempty"`
	CancelReasonDescription string         `json:"cancel_reason_description,omitempty"`
	RefundReason            string         `json:"refund_reason,omitempty"`
	RefundReasonDescription string         `json:"refund_reason_description,omitempty"`
	ShippingRefund          *int64         `json:"shipping_refund,omitempty"`
}

// decodeItemUpdates reads merchant_order_reference (required) and items
// (required): per line item_id and the cumulative fulfill_quantity,
// cancel_quantity and refund_quantity (all required), with optional
// tracking_info (an array, or one object), cancel_reason and refund_reason
// {reason_code, reason_description} and shipping_refund{shipping_refund}.
// fulfillment and deductions are accepted and ignored.
func decodeItemUpdates(p params, o *ordergraph.Order) (itemUpdatesRequest, error) {
	root := p.root()
	var req itemUpdatesRequest
	var err error
	if req.MerchantOrderReference, err = root.RequiredString("merchant_order_reference"); err != nil {
		return req, err
	}
	raw, ok, err := root.List("items")
	if err != nil {
		return req, err
	}
	if !ok || len(raw) == 0 {
		return req, errRequired("items")
	}
	for i, v := range raw {
		e, err := root.Elem("items", i, v)
		if err != nil {
			return req, err
		}
		var u itemUpdateLine
		if u.ItemID, err = e.RequiredString("item_id"); err != nil {
			return req, err
		}
		for _, q := range []struct {
			key string
			dst *int64
		}{{"fulfill_quantity", &u.FulfillQuantity}, {"cancel_quantity", &u.CancelQuantity}, {"refund_quantity", &u.RefundQuantity}} {
			n, present, err := e.Int(q.key)
			if err != nil {
				return req, err
			}
			if !present {
				return req, errRequired(e.name(q.key))
			}
			if n < 0 {
				return req, errParam(e.name(q.key), msgParamNonNegativeInt, e.name(q.key))
			}
			*q.dst = n
		}
		if u.Tracking, err = decodeTrackingList(e); err != nil {
			return req, err
		}
		if u.CancelReason, u.CancelReasonDescription, err = decodeReason(e, "cancel_reason", ordergraph.CancelReasons); err != nil {
			return req, err
		}
		if u.RefundReason, u.RefundReasonDescription, err = decodeReason(e, "refund_reason", ordergraph.RefundReasons); err != nil {
			return req, err
		}
		if sh, ok, err := e.Object("shipping_refund"); err != nil {
			return req, err
		} else if ok {
			if amt, ok, err := decodeOptionalAmount(sh, "shipping_refund", o); err != nil {
				return req, err
			} else if ok {
				u.ShippingRefund = &amt
			}
		}
		req.Items = append(req.Items, u)
	}
	return req, nil
}

// decodeTrackingList reads tracking_info as an array of tracking objects,
// or a single one.
func decodeTrackingList(e node) ([]trackingInfo, error) {
	if one, ok, err := e.Object("tracking_info"); err == nil && ok {
		t, err := decodeTracking(one)
		if err != nil {
			return nil, err
		}
		return []trackingInfo{t}, nil
	}
	raw, _, err := e.List("tracking_info")
	if err != nil {
		return nil, err
	}
	var out []trackingInfo
	for i, v := range raw {
		tn, err := e.Elem("tracking_info", i, v)
		if err != nil {
			return nil, err
		}
		t, err := decodeTracking(tn)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// decodeReason reads an optional {reason_code, reason_description} whose
// code is one of codes (any case).
func decodeReason(e node, key string, codes []string) (code, description string, err error) {
	r, ok, err := e.Object(key)
	if err != nil || !ok {
		return "", "", err
	}
	if code, err = r.String("reason_code"); err != nil {
		return "", "", err
	}
	if code != "" {
		if code, err = matchEnum(r.name("reason_code"), code, codes); err != nil {
			return "", "", err
		}
	}
	if description, err = r.String("reason_description"); err != nil {
		return "", "", err
	}
	return code, description, nil
}

// applyItemUpdates answers POST /{order_id}/item_updates: the order
// brought to the snapshot (the latest snapshot is the truth, so sending it
// again changes nothing).
func applyItemUpdates(c *call) error {
	req, err := decodeItemUpdates(c.params, c.order)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(false, req, successResponse)
	if err != nil {
		return err
	}
	cmd := ordergraph.ItemUpdatesCommand{PageID: c.page.ID, OrderID: c.order.ID,
		MerchantOrderReference: req.MerchantOrderReference, Idempotency: idem}
	for _, u := range req.Items {
		iu := ordergraph.ItemUpdate{
			ItemID: u.ItemID, FulfillQuantity: int(u.FulfillQuantity), CancelQuantity: int(u.CancelQuantity), RefundQuantity: int(u.RefundQuantity),
			CancelReason: u.CancelReason, CancelReasonDescription: u.CancelReasonDescription,
			RefundReason: u.RefundReason, RefundReasonDescription: u.RefundReasonDescription,
			ShippingRefund: u.ShippingRefund,
		}
		for _, t := range u.Tracking {
			iu.Tracking = append(iu.Tracking, t.domain())
		}
		cmd.Items = append(cmd.Items, iu)
	}
	res, err := c.h.cfg.Orders.ApplyItemUpdates(c.ctx, cmd)
	if err != nil {
		return err
	}
	return c.writeResult(res, successResponse)
}
