package lifecycle

import (
	"time"

	"github.com/ordergraph/ordergraph"
)

// CancelParams is a seller's cancellation.
type CancelParams struct {
	ID                string
	Items             []ordergraph.ItemQuantity // none: every unit in progress
	ReasonCode        string
	ReasonDescription string
	RestockItems      bool
}

// Cancel cancels in-progress units of an IN_PROGRESS order, by the seller.
// Cancelled units are never charged. A shipped unit cannot be cancelled; it
// is refunded instead.
func Cancel(o *ordergraph.Order, now time.Time, p CancelParams) ([]Change, error) {
	switch o.State() {
	case ordergraph.StateFBProcessing:
		return nil, errProcessing(o, "cancelled by the seller")
	case ordergraph.StateCreated:
		return nil, errNotAcknowledged(o, "cancelled")
	case ordergraph.StateCompleted:
		if o.Fulfilled() == 0 {
			return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeAlreadyCancelled, "Order Already Canceled",
				"This order has already been canceled: every unit of order %s is cancelled", o.ID)
		}
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeAlreadyShipped, "Order Already Shipped",
			"This order can't be canceled since it's already marked as shipped: order %s has no unit left in progress (%d shipped, %d cancelled); refund shipped units instead",
			o.ID, o.Fulfilled(), o.Cancelled())
	}
	reason := p.ReasonCode
	if reason == "" {
		reason = ordergraph.CancelReasonOther
	}
	var units map[int]int
	if len(p.Items) == 0 {
		units = make(map[int]int)
		for i := range o.Items {
			units[i] = o.Items[i].InProgress()
		}
	} else {
		var err error
		units, err = resolveUnits(o, p.Items, (*ordergraph.Item).InProgress, "cancelled", ordergraph.SubcodeUnknownItem)
		if err != nil {
			return nil, err
		}
	}
	c := ordergraph.Cancellation{
		ID: p.ID, Created: now, Actor: ordergraph.ActorSeller,
		ReasonCode: reason, ReasonDescription: p.ReasonDescription, RestockItems: p.RestockItems,
	}
	for i := range o.Items {
		if k := units[i]; k > 0 {
			it := &o.Items[i]
			it.Cancelled += k
			c.Items = append(c.Items, ordergraph.ItemQuantity{ItemID: it.ID, RetailerID: it.RetailerID, Quantity: k})
		}
	}
	o.Cancellations = append(o.Cancellations, c)
	return []Change{change(ordergraph.EventCancelled, ordergraph.ActorSeller, map[string]any{
		"cancellation_id": c.ID, "items": c.Items, "reason_code": c.ReasonCode,
	})}, nil
}
