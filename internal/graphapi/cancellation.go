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
	idem, err := c.idempotency(false, req, successResponse)
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
