package lifecycle

import (
	"regexp"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
)

// ReturnParams is a return to open.
type ReturnParams struct {
	ID               string
	Items            []ordergraph.ReturnItem
	MerchantReturnID string
	Message          string
	Actor            string
}

var reasonRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)

// RequestReturn opens a return of fulfilled units: each line's units not
// already in an open return, within the return window of the line's last
// shipment.
func RequestReturn(o *ordergraph.Order, now time.Time, p ReturnParams) ([]Change, error) {
	if o.State() == ordergraph.StateFBProcessing {
		return nil, errProcessing(o, "returned")
	}
	if o.Fulfilled() == 0 {
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeNothingToReturn, "Nothing To Return",
			"order %s has no shipped unit; only shipped units can be returned", o.ID)
	}
	if len(p.Items) == 0 {
		return nil, invalid("items", "(#100) The parameter items is required: name the lines (item_id or retailer_id) and quantities returned")
	}
	for _, r := range o.Returns {
		if p.MerchantReturnID != "" && r.MerchantReturnID == p.MerchantReturnID {
			return nil, invalid("merchant_return_id", "(#100) order %s already has return %s with merchant_return_id %q", o.ID, r.ID, p.MerchantReturnID)
		}
	}
	req := make([]ordergraph.ItemQuantity, len(p.Items))
	for i, it := range p.Items {
		req[i] = ordergraph.ItemQuantity{ItemID: it.ItemID, RetailerID: it.RetailerID, Quantity: it.Quantity}
	}
	units, err := resolveUnits(o, req, func(it *ordergraph.Item) int { return it.Fulfilled - unitsInReturns(o, it.ID) },
		"returned", ordergraph.SubcodeUnknownItem)
	if err != nil {
		return nil, err
	}
	r := ordergraph.Return{ID: p.ID, MerchantReturnID: p.MerchantReturnID, Created: now, Updated: now,
		Actor: p.Actor, Status: ordergraph.ReturnRequested, Message: p.Message}
	if r.Actor == "" {
		r.Actor = ordergraph.ActorBuyer
	}
	// Reasons follow the request's lines onto the lines they resolved to.
	for k, ask := range p.Items {
		reason := strings.ToUpper(strings.TrimSpace(ask.Reason))
		if reason == "" {
			reason = "OTHER"
		}
		if !reasonRE.MatchString(reason) {
			return nil, invalid("reason", "(#100) items[%d].reason %q must be a return reason code such as TOO_SMALL, DAMAGED_ITEM or OTHER", k, ask.Reason)
		}
		for _, i := range matchLines(o, ask.ItemID, ask.RetailerID) {
			n := units[i]
			if n == 0 {
				continue
			}
			it := &o.Items[i]
			if last := lastShipped(o, it.ID); now.Sub(last) > ordergraph.ReturnWindow {
				return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeReturnWindowClosed, "Return Window Closed",
					"item %s of order %s shipped on %s; returns are accepted for %d days after shipment, until %s",
					it.ID, o.ID, last.Format("2006-01-02"), int(ordergraph.ReturnWindow.Hours()/24), last.Add(ordergraph.ReturnWindow).Format("2006-01-02"))
			}
			r.Items = append(r.Items, ordergraph.ReturnItem{ItemID: it.ID, RetailerID: it.RetailerID, Quantity: n, Reason: reason})
			units[i] = 0
		}
	}
	o.Returns = append(o.Returns, r)
	return []Change{change(ordergraph.EventReturnRequested, r.Actor, map[string]any{"return_id": r.ID, "items": r.Items})}, nil
}

// unitsInReturns counts a line's units in returns that were not declined.
func unitsInReturns(o *ordergraph.Order, itemID string) int {
	n := 0
	for _, r := range o.Returns {
		if !r.Open() {
			continue
		}
		for _, it := range r.Items {
			if it.ItemID == itemID {
				n += it.Quantity
			}
		}
	}
	return n
}

// lastShipped returns when a line last shipped.
func lastShipped(o *ordergraph.Order, itemID string) time.Time {
	var t time.Time
	for _, s := range o.Shipments {
		for _, it := range s.Items {
			if it.ItemID == itemID && s.Created.After(t) {
				t = s.Created
			}
		}
	}
	return t
}

// UpdateReturn moves a return: ACCEPT_RETURN approves a requested one,
// DECLINE_RETURN disapproves it, CLOSE_RETURN marks its goods received.
// Repeating the event that led to the current status changes nothing.
func UpdateReturn(o *ordergraph.Order, now time.Time, returnID, event, notes, merchantReturnID string) ([]Change, error) {
	r := o.Return(returnID)
	if r == nil {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "return %s does not exist", returnID)
	}
	var to ordergraph.ReturnStatus
	var from []ordergraph.ReturnStatus
	switch strings.ToUpper(event) {
	case ordergraph.ReturnEventAccept:
		to, from = ordergraph.ReturnApproved, []ordergraph.ReturnStatus{ordergraph.ReturnRequested}
	case ordergraph.ReturnEventDecline, "DISAPPROVE_RETURN":
		to, from = ordergraph.ReturnDisapproved, []ordergraph.ReturnStatus{ordergraph.ReturnRequested}
	case ordergraph.ReturnEventClose:
		to, from = ordergraph.ReturnMerchantCompleted, []ordergraph.ReturnStatus{ordergraph.ReturnRequested, ordergraph.ReturnApproved}
	default:
		return nil, invalid("update_event", "(#100) update_event must be one of %s, %s, %s; got %q",
			ordergraph.ReturnEventAccept, ordergraph.ReturnEventDecline, ordergraph.ReturnEventClose, event)
	}
	if r.Status == to {
		return nil, nil
	}
	allowed := false
	for _, f := range from {
		allowed = allowed || r.Status == f
	}
	if !allowed {
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeReturnState, "Return Cannot Change",
			"return %s is %s; %s applies to a return that is %s", r.ID, r.Status, strings.ToUpper(event), joinStatuses(from))
	}
	if merchantReturnID != "" {
		r.MerchantReturnID = merchantReturnID
	}
	if notes != "" {
		r.Notes = notes
	}
	if to == ordergraph.ReturnMerchantCompleted {
		markReturned(o, r)
	}
	old := r.Status
	r.Status, r.Updated = to, now
	return []Change{change(ordergraph.EventReturnUpdated, ordergraph.ActorSeller, map[string]any{
		"return_id": r.ID, "from": old, "to": to,
	})}, nil
}

// markReturned counts a return's units as back with the seller.
func markReturned(o *ordergraph.Order, r *ordergraph.Return) {
	for _, ri := range r.Items {
		if it := o.Item(ri.ItemID); it != nil {
			it.ReturnedQuantity += ri.Quantity
		}
	}
}

func joinStatuses(ss []ordergraph.ReturnStatus) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " or ")
}

// refundableReturn checks that a refund may settle return id and returns
// it with the request items its units make, used when the refund names
// none.
func refundableReturn(o *ordergraph.Order, id string) (*ordergraph.Return, []ordergraph.RefundItemRequest, error) {
	r := o.Return(id)
	if r == nil {
		return nil, nil, invalid("return_id", "(#100) order %s has no return %s", o.ID, id)
	}
	switch r.Status {
	case ordergraph.ReturnRequested, ordergraph.ReturnApproved, ordergraph.ReturnMerchantCompleted:
	default:
		return nil, nil, ordergraph.CommerceErrorf(ordergraph.SubcodeReturnState, "Return Cannot Be Refunded",
			"return %s is %s; only a REQUESTED, APPROVED or MERCHANT_MARKED_COMPLETED return can be refunded", r.ID, r.Status)
	}
	items := make([]ordergraph.RefundItemRequest, len(r.Items))
	for i, it := range r.Items {
		items[i] = ordergraph.RefundItemRequest{ItemID: it.ItemID, Quantity: it.Quantity}
	}
	return r, items, nil
}
