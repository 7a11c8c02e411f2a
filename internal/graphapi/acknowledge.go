package graphapi

import (
	"fmt"
	"net/http"

	"github.com/ordergraph/ordergraph"
)

// ackRequest is the decoded acknowledge_order request.
type ackRequest struct {
	MerchantOrderReference string `json:"merchant_order_reference"`
}

// ackBatchRequest is the decoded acknowledge_orders request.
type ackBatchRequest struct {
	Orders []ackRequestEntry `json:"orders"`
}

type ackRequestEntry struct {
	ID                     string `json:"id"`
	MerchantOrderReference string `json:"merchant_order_reference"`
}

func decodeAck(p params) (ackRequest, error) {
	ref, err := p.root().String("merchant_order_reference")
	return ackRequest{MerchantOrderReference: ref}, err
}

// decodeAckBatch reads orders: 1 to 100 entries {id, merchant_order_reference};
// a bare id string is taken as {id}.
func decodeAckBatch(p params) (ackBatchRequest, error) {
	root := p.root()
	raw, ok, err := root.List("orders")
	if err != nil {
		return ackBatchRequest{}, err
	}
	if !ok {
		return ackBatchRequest{}, errRequired("orders")
	}
	if len(raw) == 0 {
		return ackBatchRequest{}, errParam("orders", msgParamTooFew, "orders", 1)
	}
	if len(raw) > ordergraph.MaxAcknowledgeBatch {
		return ackBatchRequest{}, errParam("orders", msgParamTooMany, "orders", ordergraph.MaxAcknowledgeBatch, len(raw))
	}
	req := ackBatchRequest{Orders: make([]ackRequestEntry, 0, len(raw))}
	for i, v := range raw {
		if s, isStr := v.(string); isStr && isNumericID(s) {
			req.Orders = append(req.Orders, ackRequestEntry{ID: s})
			continue
		}
		e, err := root.Elem("orders", i, v)
		if err != nil {
			return ackBatchRequest{}, err
		}
		id, err := e.RequiredString("id")
		if err != nil {
			return ackBatchRequest{}, err
		}
		ref, err := e.String("merchant_order_reference")
		if err != nil {
			return ackBatchRequest{}, err
		}
		req.Orders = append(req.Orders, ackRequestEntry{ID: id, MerchantOrderReference: ref})
	}
	return req, nil
}

// ackStatus is the acknowledgement answer of one order: its id, legacy
// status and current state (both keys, for both generations of clients).
func ackStatus(o *ordergraph.Order) object {
	return object{{"id", o.ID}, {"status", string(o.LegacyStatus())}, {"state", string(o.State())}}
}

// ackResponse renders acknowledge_order's answer from the saved order.
func ackResponse(o *ordergraph.Order) (int, []byte, error) {
	if o == nil {
		return 0, nil, fmt.Errorf("acknowledge_order: no order to render")
	}
	b, err := marshal(ackStatus(o))
	return http.StatusOK, b, err
}

// acknowledgeOrder answers POST /{order_id}/acknowledge_order.
func acknowledgeOrder(c *call) error {
	req, err := decodeAck(c.params)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(c.page.StrictIdempotency, req, ackResponse)
	if err != nil {
		return err
	}
	res, err := c.h.cfg.Orders.Acknowledge(c.ctx, ordergraph.AcknowledgeCommand{
		PageID: c.page.ID, OrderID: c.order.ID, MerchantOrderReference: req.MerchantOrderReference, Idempotency: idem,
	})
	if err != nil {
		return err
	}
	return c.writeResult(res, ackResponse)
}

// acknowledgeOrders answers POST /{page_id|cms_id}/acknowledge_orders: each
// order acknowledged on its own, one bad order never failing the others.
func acknowledgeOrders(c *call) error {
	req, err := decodeAckBatch(c.params)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(c.page.StrictIdempotency, req, nil)
	if err != nil {
		return err
	}
	if idem != nil {
		idem.RespondBatch = ackBatchResponse
	}
	cmd := ordergraph.AcknowledgeBatchCommand{PageID: c.page.ID, Idempotency: idem}
	for _, e := range req.Orders {
		cmd.Orders = append(cmd.Orders, ordergraph.AcknowledgeCommand{PageID: c.page.ID, OrderID: e.ID, MerchantOrderReference: e.MerchantOrderReference})
	}
	res, outcomes, err := c.h.cfg.Orders.AcknowledgeBatch(c.ctx, cmd)
	if err != nil {
		return err
	}
	if res != nil && res.Body != nil {
		c.write(res.Status, res.Body)
		return nil
	}
	status, b, err := ackBatchResponse(outcomes)
	if err != nil {
		return err
	}
	c.write(status, b)
	return nil
}

// ackBatchResponse renders acknowledge_orders' answer: per order its status,
// or an error with the platform's code (2361003 "Invalid Order ID" for an
// order that is not the page's). It is pure: it is also the batch's stored
// response for its idempotency key.
func ackBatchResponse(outcomes []ordergraph.AcknowledgeOutcome) (int, []byte, error) {
	orders := make([]any, 0, len(outcomes))
	for _, oc := range outcomes {
		if oc.Err == nil && oc.Order != nil {
			orders = append(orders, ackStatus(oc.Order))
			continue
		}
		code, msg := ackErrorCode(oc.Err)
		orders = append(orders, object{{"id", oc.OrderID}, {"error", object{{"error_code", code}, {"error_message", msg}}}})
	}
	b, err := marshal(object{{"orders", orders}})
	return http.StatusOK, b, err
}

// ackErrorCode is the per-order error of a batch acknowledgement: the
// commerce subcode (or 100) and the message.
func ackErrorCode(err error) (int, string) {
	msg := ordergraph.ErrorMessage(err)
	switch ordergraph.ErrorCode(err) {
	case ordergraph.ENOTFOUND, "":
		return ordergraph.SubcodeInvalidOrderID, msgInvalidOrderID
	case ordergraph.EINTERNAL:
		return 2, msgInternal
	case ordergraph.ECONFLICT:
		if msg == "" {
			msg = msgConcurrent
		}
		return ordergraph.SubcodeConcurrentModification, msg
	}
	if sub := ordergraph.ErrorSubcode(err); sub != 0 {
		return sub, msg
	}
	return 100, msg
}
