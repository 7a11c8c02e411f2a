package graphapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
)

// Returns (current-api.md §5.7): the CommerceReturn node (GET /{return_id}),
// an order's returns edge, the page's returns edge, and the writes that
// open a return and move it along.
var (
	returnType   = newType("CommerceReturn", true)
	keyValueType = newType("CommerceReturnKeyValue", false)
)

// returnRef is a return with its order, which renders its items, order and
// amounts.
type returnRef struct {
	order *ordergraph.Order
	r     *ordergraph.Return
}

// keyValue is one entry of item_return_quantities or item_return_reasons.
type keyValue struct {
	key   string
	value any
}

func declareReturnTypes() {
	kv := func(fn func(e *keyValue) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(func(_ *renderCtx, e *keyValue) (any, bool) { return fn(e) })
	}
	keyValueType.add(
		scalar("key", kv(func(e *keyValue) (any, bool) { return e.key, true })),
		scalar("value", kv(func(e *keyValue) (any, bool) { return e.value, true })),
	).setDefaults("key", "value")

	ret := func(fn func(rc *renderCtx, r *returnRef) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	returnType.add(
		scalar("id", ret(func(_ *renderCtx, r *returnRef) (any, bool) { return r.r.ID, true })),
		scalar("return_status", ret(func(_ *renderCtx, r *returnRef) (any, bool) { return string(r.r.Status), true })),
		scalar("return_message", ret(func(_ *renderCtx, r *returnRef) (any, bool) { return str(r.r.Message) })),
		scalar("merchant_return_id", ret(func(_ *renderCtx, r *returnRef) (any, bool) { return str(r.r.MerchantReturnID) })),
		list("item_return_quantities", keyValueType, ret(func(_ *renderCtx, r *returnRef) (any, bool) {
			out := make([]any, 0, len(r.r.Items))
			for _, it := range r.r.Items {
				out = append(out, &keyValue{key: it.ItemID, value: it.Quantity})
			}
			return out, true
		})),
		// Reasons in lower case, as the platform's sample shows them
		// ("too_small").
		list("item_return_reasons", keyValueType, ret(func(_ *renderCtx, r *returnRef) (any, bool) {
			out := make([]any, 0, len(r.r.Items))
			for _, it := range r.r.Items {
				out = append(out, &keyValue{key: it.ItemID, value: strings.ToLower(it.Reason)})
			}
			return out, true
		})),
		// Buyers attach no photos here.
		scalar("return_buyer_images", ret(func(_ *renderCtx, _ *returnRef) (any, bool) { return []string{}, true })),
		edge("items", itemType, ret(func(_ *renderCtx, r *returnRef) (any, bool) { return returnItems(r), true })),
		obj("order", currentOrderType, ret(func(_ *renderCtx, r *returnRef) (any, bool) { return r.order, true })),
		scalar("notes", ret(func(_ *renderCtx, r *returnRef) (any, bool) { return str(r.r.Notes) })),
	).setDefaults("id", "return_status")
}

// returnItems returns the order lines a return holds units of, in the
// order's line order.
func returnItems(r *returnRef) []any {
	var out []any
	for i := range r.order.Items {
		it := &r.order.Items[i]
		if slices.ContainsFunc(r.r.Items, func(ri ordergraph.ReturnItem) bool { return ri.ItemID == it.ID }) {
			out = append(out, it)
		}
	}
	return out
}

// returns lists the order's returns, oldest first.
func returns(o *ordergraph.Order) []any {
	out := make([]any, 0, len(o.Returns))
	for i := range o.Returns {
		out = append(out, &returnRef{order: o, r: &o.Returns[i]})
	}
	return out
}

// returnFilter is what the returns edges filter on.
type returnFilter struct {
	merchantReturnID string
	statuses         []ordergraph.ReturnStatus
	createdAfter     *time.Time
	createdBefore    *time.Time
}

// decodeReturnFilter reads merchant_return_id and statuses (any case; a
// comma list, a JSON array or statuses[]=), and with created the page
// edge's start_time_created and end_time_created.
func decodeReturnFilter(p params, created bool) (returnFilter, error) {
	root := p.root()
	var f returnFilter
	var err error
	if f.merchantReturnID, err = root.String("merchant_return_id"); err != nil {
		return f, err
	}
	names := make([]string, len(ordergraph.ReturnStatuses))
	for i, s := range ordergraph.ReturnStatuses {
		names[i] = string(s)
	}
	statuses, err := root.EnumList("statuses", names)
	if err != nil {
		return f, err
	}
	for _, s := range statuses {
		f.statuses = append(f.statuses, ordergraph.ReturnStatus(s))
	}
	if created {
		if f.createdAfter, err = root.Time("start_time_created"); err != nil {
			return f, err
		}
		if f.createdBefore, err = root.TimeEnd("end_time_created"); err != nil {
			return f, err
		}
	}
	return f, nil
}

// match filters one order's returns (the page's are filtered by the store).
func (f returnFilter) match(r *ordergraph.Return) bool {
	switch {
	case f.merchantReturnID != "" && r.MerchantReturnID != f.merchantReturnID:
		return false
	case len(f.statuses) > 0 && !slices.Contains(f.statuses, r.Status):
		return false
	}
	return true
}

// listOrderReturns answers GET /{order_id}/returns: the order's returns,
// filtered by merchant_return_id and statuses.
func listOrderReturns(c *call) error {
	f, err := decodeReturnFilter(c.params, false)
	if err != nil {
		return err
	}
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	rc = rc.withOrder(c.order)
	var srcs []any
	for _, s := range returns(c.order) {
		if f.match(s.(*returnRef).r) {
			srcs = append(srcs, s)
		}
	}
	return c.serveEdge(rc, currentOrderType.byName["returns"], srcs)
}

// getReturn answers GET /{return_id}.
func getReturn(c *call) error {
	sel, err := c.selection()
	if err != nil {
		return err
	}
	if err := validate(returnType, sel); err != nil {
		return err
	}
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	out, err := rc.withOrder(c.order).project(returnType, &returnRef{order: c.order, r: c.ret}, sel)
	if err != nil {
		return err
	}
	return c.respond(http.StatusOK, out)
}

// listPageReturns answers GET /{page_id|cms_id}/returns: the page's
// returns, oldest first, filtered by start_time_created, end_time_created,
// merchant_return_id and statuses, with keyset cursors.
func listPageReturns(c *call) error {
	f, err := decodeReturnFilter(c.params, true)
	if err != nil {
		return err
	}
	sel, err := c.selection()
	if err != nil {
		return err
	}
	if err := validate(returnType, sel); err != nil {
		return err
	}
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	rf := ordergraph.ReturnFilter{PageID: c.page.ID, CreatedAfter: f.createdAfter, CreatedBefore: f.createdBefore,
		MerchantReturnID: f.merchantReturnID, Statuses: f.statuses}
	if rf.Limit, rf.After, rf.Before, err = c.paging(); err != nil {
		return err
	}
	page, err := c.h.cfg.Orders.FindReturns(c.ctx, rf)
	if err != nil {
		return err
	}
	data := make([]any, 0, len(page.Returns))
	for _, r := range page.Returns {
		out, err := rc.withOrder(r.Order).project(returnType, &returnRef{order: r.Order, r: r.Return}, sel)
		if err != nil {
			return err
		}
		data = append(data, out)
	}
	return c.respond(http.StatusOK, c.list(data, pageInfo{
		before: page.Before, after: page.After, hasNext: page.HasNext, hasPrevious: page.HasPrevious, limit: rf.Limit,
	}))
}

// returnRequest is the decoded POST returns request.
type returnRequest struct {
	Items            []returnItem `json:"items"`
	MerchantReturnID string       `json:"merchant_return_id,omitempty"`
	ReturnMessage    string       `json:"return_message,omitempty"`
}

type returnItem struct {
	RetailerID string `json:"retailer_id,omitempty"`
	ItemID     string `json:"item_id,omitempty"`
	Quantity   int64  `json:"quantity"`
	Reason     string `json:"reason,omitempty"`
}

// decodeReturn reads items [{item_id|retailer_id, quantity, reason}]
// (required), merchant_return_id and return_message. update and
// return_status are accepted and ignored.
func decodeReturn(p params) (returnRequest, error) {
	root := p.root()
	var req returnRequest
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
		var it returnItem
		if it.RetailerID, it.ItemID, err = decodeItemRef(e); err != nil {
			return req, err
		}
		if it.Quantity, err = e.RequiredPositiveInt("quantity"); err != nil {
			return req, err
		}
		if it.Reason, err = e.String("reason"); err != nil {
			return req, err
		}
		it.Reason = strings.ToUpper(it.Reason)
		req.Items = append(req.Items, it)
	}
	if req.MerchantReturnID, err = root.String("merchant_return_id"); err != nil {
		return req, err
	}
	if req.ReturnMessage, err = root.String("return_message"); err != nil {
		return req, err
	}
	return req, nil
}

// createdReturnResponse renders POST returns' answer, {"id": the return},
// from the saved order: the return just opened is its last.
func createdReturnResponse(o *ordergraph.Order) (int, []byte, error) {
	if o == nil || len(o.Returns) == 0 {
		return 0, nil, fmt.Errorf("returns: no return to render")
	}
	b, err := marshal(object{{"id", o.Returns[len(o.Returns)-1].ID}})
	return http.StatusOK, b, err
}

// createReturn answers POST /{order_id}/returns: a return of shipped units
// opened by the seller, answered with its id.
func createReturn(c *call) error {
	req, err := decodeReturn(c.params)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(false, req, createdReturnResponse)
	if err != nil {
		return err
	}
	cmd := ordergraph.ReturnCommand{PageID: c.page.ID, OrderID: c.order.ID, MerchantReturnID: req.MerchantReturnID,
		Message: req.ReturnMessage, Actor: ordergraph.ActorSeller, Idempotency: idem}
	for _, it := range req.Items {
		cmd.Items = append(cmd.Items, ordergraph.ReturnItem{ItemID: it.ItemID, RetailerID: it.RetailerID, Quantity: int(it.Quantity), Reason: it.Reason})
	}
	res, err := c.h.cfg.Orders.CreateReturn(c.ctx, cmd)
	if err != nil {
		return err
	}
	if res != nil && !res.Replayed && res.CreatedID != "" {
		return c.respond(http.StatusOK, object{{"id", res.CreatedID}})
	}
	return c.writeResult(res, createdReturnResponse)
}

// Return update events, as update_event takes them.
var returnEvents = []string{ordergraph.ReturnEventAccept, ordergraph.ReturnEventDecline, ordergraph.ReturnEventClose}

// updateReturnRequest is the decoded update_return request.
type updateReturnRequest struct {
	Event            string `json:"update_event"`
	Notes            string `json:"notes,omitempty"`
	MerchantReturnID string `json:"merchant_return_id,omitempty"`
}

// decodeUpdateReturn reads update_event (required, any case), notes and
// merchant_return_id. return_shipping_labels [{carrier, service_name,
// tracking_number, file_handle, cost}] is checked and then ignored: labels
// are not kept.
func decodeUpdateReturn(p params, o *ordergraph.Order) (updateReturnRequest, error) {
	root := p.root()
	var req updateReturnRequest
	ev, err := root.RequiredString("update_event")
	if err != nil {
		return req, err
	}
	if req.Event, err = matchEnum("update_event", ev, returnEvents); err != nil {
		return req, err
	}
	if req.Notes, err = root.String("notes"); err != nil {
		return req, err
	}
	if req.MerchantReturnID, err = root.String("merchant_return_id"); err != nil {
		return req, err
	}
	labels, _, err := root.List("return_shipping_labels")
	if err != nil {
		return req, err
	}
	for i, v := range labels {
		e, err := root.Elem("return_shipping_labels", i, v)
		if err != nil {
			return req, err
		}
		if carrier, err := e.String("carrier"); err != nil {
			return req, err
		} else if carrier != "" && !carrierCodes[strings.ToLower(carrier)] {
			return req, errParam(e.name("carrier"), msgParamCarrier, e.name("carrier"), carrier)
		}
		for _, k := range []string{"service_name", "tracking_number", "file_handle"} {
			if _, err := e.String(k); err != nil {
				return req, err
			}
		}
		if _, _, err := e.Object("cost"); err == nil {
			if _, _, err := decodeAmount(e, "cost", o); err != nil {
				return req, err
			}
		} else if cost, err := e.String("cost"); err != nil {
			return req, err
		} else if _, err := ordergraph.ParseAmount(cost, o.Currency); cost != "" && err != nil {
			return req, errParam(e.name("cost"), msgParamAmount, e.name("cost"), ordergraph.ErrorMessage(err))
		}
	}
	return req, nil
}

// updateReturn answers POST /{return_id}/update_return: ACCEPT_RETURN,
// DECLINE_RETURN or CLOSE_RETURN.
func updateReturn(c *call) error {
	req, err := decodeUpdateReturn(c.params, c.order)
	if err != nil {
		return err
	}
	idem, err := c.idempotency(false, req, successResponse)
	if err != nil {
		return err
	}
	res, err := c.h.cfg.Orders.UpdateReturn(c.ctx, ordergraph.UpdateReturnCommand{
		PageID: c.page.ID, ReturnID: c.ret.ID, Event: req.Event, Notes: req.Notes,
		MerchantReturnID: req.MerchantReturnID, Idempotency: idem,
	})
	if err != nil {
		return err
	}
	return c.writeResult(res, successResponse)
}
