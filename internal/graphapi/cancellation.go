package graphapi

import (
	"github.com/ordergraph/ordergraph"
)

// cancelRequest is the decoded cancel_order request.
type cancelRequest struct {
	ReasonCode        string `json:"reason_code"`
	ReasonDescription string `json:"reason_description"`
}

// decodeCancel reads order_cancel_reason{reason_code, reason_description};
// the current API's name cancel_reason is accepted too.
func decodeCancel(p params) (cancelRequest, error) {
	root := p.root()
	var req cancelRequest
	name := "order_cancel_reason"
	reason, ok, err := root.Object(name)
	if err != nil {
		return req, err
	}
	if !ok {
		if reason, ok, err = root.Object("cancel_reason"); err != nil {
			return req, err
		}
	}
	if !ok {
		return req, errRequired(name)
	}
	code, err := reason.RequiredString("reason_code")
	if err != nil {
		return req, err
	}
	if req.ReasonCode, err = matchEnum(reason.name("reason_code"), code, ordergraph.CancelReasons); err != nil {
		return req, err
	}
	if req.ReasonDescription, err = reason.String("reason_description"); err != nil {
		return req, err
	}
	return req, nil
}

// cancelOrder answers POST /{order_id}/cancel_order: the legacy whole-order
// cancellation, a thin adapter onto the cancellations command.
func cancelOrder(c *call) error {
	req, err := decodeCancel(c.params)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(c.page.StrictIdempotency, req, successResponse)
	if err != nil {
		return err
	}
	res, err := c.h.cfg.Orders.Cancel(c.ctx, ordergraph.CancelCommand{
		PageID:            c.page.ID,
		OrderID:           c.order.ID,
		ReasonCode:        req.ReasonCode,
		ReasonDescription: req.ReasonDescription,
		Idempotency:       idem,
	})
	if err != nil {
		return err
	}
	return c.writeResult(res, successResponse)
}

// The cancellations edge (current-api.md §5.4): who cancelled which units
// and why.
var (
	cancellationType = newType("CommerceOrderCancellation", true)
	cancelItemType   = newType("CommerceOrderCancellationItem", false)
	cancelReasonType = newType("CommerceOrderCancelReason", false)
)

// orderLine is some units of one line of an order, for the item lists of
// cancellations and returns.
type orderLine struct {
	item     *ordergraph.Item
	quantity int
}

// orderLines resolves quantities per item id to the order's lines.
func orderLines(o *ordergraph.Order, iqs []ordergraph.ItemQuantity) []any {
	out := make([]any, 0, len(iqs))
	for _, iq := range iqs {
		if it := o.Item(iq.ItemID); it != nil {
			out = append(out, &orderLine{item: it, quantity: iq.Quantity})
		}
	}
	return out
}

// cancellationRef is a cancellation of an order with its lines resolved.
type cancellationRef struct {
	c     *ordergraph.Cancellation
	lines []any
}

func declareCancellationTypes() {
	line := func(fn func(l *orderLine) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(func(_ *renderCtx, l *orderLine) (any, bool) { return fn(l) })
	}
	cancelItemType.add(
		scalar("id", line(func(l *orderLine) (any, bool) { return l.item.ID, true })),
		scalar("product_id", line(func(l *orderLine) (any, bool) { return str(l.item.ProductID) })),
		scalar("retailer_id", line(func(l *orderLine) (any, bool) { return l.item.RetailerID, true })),
		scalar("quantity", line(func(l *orderLine) (any, bool) { return l.quantity, true })),
	).setDefaults("id", "product_id", "retailer_id", "quantity")

	cancel := func(fn func(rc *renderCtx, r *cancellationRef) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	cancelReasonType.add(
		scalar("reason_code", cancel(func(_ *renderCtx, r *cancellationRef) (any, bool) { return str(r.c.ReasonCode) })),
		scalar("reason_description", cancel(func(_ *renderCtx, r *cancellationRef) (any, bool) { return str(r.c.ReasonDescription) })),
	).setDefaults("reason_code", "reason_description")
	cancellationType.add(
		scalar("id", cancel(func(_ *renderCtx, r *cancellationRef) (any, bool) { return r.c.ID, true })),
		edge("items", cancelItemType, cancel(func(_ *renderCtx, r *cancellationRef) (any, bool) { return r.lines, true })),
		obj("cancel_reason", cancelReasonType, cancel(func(_ *renderCtx, r *cancellationRef) (any, bool) { return r, true })),
		scalar("restock_items", cancel(func(_ *renderCtx, r *cancellationRef) (any, bool) { return r.c.RestockItems, true })),
	).setDefaults("id", "items", "cancel_reason")
}

// cancellations lists the order's cancellations, oldest first.
func cancellations(o *ordergraph.Order) []any {
	out := make([]any, 0, len(o.Cancellations))
	for i := range o.Cancellations {
		c := &o.Cancellations[i]
		out = append(out, &cancellationRef{c: c, lines: orderLines(o, c.Items)})
	}
	return out
}

// cancellationRequest is the decoded cancellations request.
type cancellationRequest struct {
	ReasonCode        string         `json:"reason_code,omitempty"`
	ReasonDescription string         `json:"reason_description,omitempty"`
	RestockItems      bool           `json:"restock_items"`
	Items             []itemQuantity `json:"items"`
}

// decodeCancellation reads the current API's cancellation: an optional
// cancel_reason{reason_code, reason_description}, restock_items and items
// [{retailer_id|item_id, quantity}] (none, null or []: the whole order).
func decodeCancellation(p params) (cancellationRequest, error) {
	root := p.root()
	var req cancellationRequest
	reason, ok, err := root.Object("cancel_reason")
	if err != nil {
		return req, err
	}
	if ok {
		code, err := reason.String("reason_code")
		if err != nil {
			return req, err
		}
		if code != "" {
			if req.ReasonCode, err = matchEnum(reason.name("reason_code"), code, ordergraph.CancelReasons); err != nil {
				return req, err
			}
		}
		if req.ReasonDescription, err = reason.String("reason_description"); err != nil {
			return req, err
		}
	}
	if req.RestockItems, _, err = root.Bool("restock_items"); err != nil {
		return req, err
	}
	if req.Items, err = decodeItemQuantities(root); err != nil {
		return req, err
	}
	return req, nil
}

// createCancellation answers POST /{order_id}/cancellations: units still in
// progress cancelled, item by item or the whole order.
func createCancellation(c *call) error {
	req, err := decodeCancellation(c.params)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(true, req, successResponse)
	if err != nil {
		return err
	}
	res, err := c.h.cfg.Orders.Cancel(c.ctx, ordergraph.CancelCommand{
		PageID: c.page.ID, OrderID: c.order.ID, Items: toItemQuantities(req.Items),
		ReasonCode: req.ReasonCode, ReasonDescription: req.ReasonDescription, RestockItems: req.RestockItems,
		Idempotency: idem,
	})
	if err != nil {
		return err
	}
	return c.writeResult(res, successResponse)
}
