// Package lifecycle holds the rules of the order lifecycle, written once:
// pure functions over an *ordergraph.Order and the page's clock that decide
// what each command may do in which state, how units move and what money
// moves, and the Engine that runs each of them in one store transaction.
package lifecycle

import (
	"encoding/json"
	"time"

	"github.com/ordergraph/ordergraph"
)

// Change is an event a rule produced; the engine stamps it with the order,
// sequence and time and saves it with the order.
type Change struct {
	Kind  string
	Actor string
	Data  any
}

func change(kind, actor string, data any) Change { return Change{Kind: kind, Actor: actor, Data: data} }

// Events turns changes into events of order o at time at, advancing
// o.EventSeq.
func Events(o *ordergraph.Order, at time.Time, changes []Change) []*ordergraph.Event {
	out := make([]*ordergraph.Event, 0, len(changes))
	for _, c := range changes {
		o.EventSeq++
		data, _ := json.Marshal(c.Data) // plain structs and maps: cannot fail
		if c.Data == nil {
			data = []byte("{}")
		}
		out = append(out, &ordergraph.Event{
			PageID: o.PageID, OrderID: o.ID, Seq: o.EventSeq,
			Kind: c.Kind, Actor: c.Actor, At: at, Data: data,
		})
	}
	return out
}

// Tick applies the timers of o that are due at now: the end of the hold
// (release, or the scripted buyer or fraud cancellation) and the
// acknowledgement deadline. autoAck says the page has no order management
// app, so released orders acknowledge themselves as Commerce Manager does.
func Tick(o *ordergraph.Order, now time.Time, autoAck bool, newID func() string) []Change {
	var out []Change
	if o.State() == ordergraph.StateFBProcessing && !now.Before(o.ReleaseAt) {
		at := o.ReleaseAt
		o.ReleasedAt = &at
		switch o.Outcome {
		case ordergraph.OutcomeBuyerCancel:
			cancelAll(o, newID(), at, ordergraph.ActorBuyer, ordergraph.CancelCustomerRequested, "Cancelled by the buyer during the processing period")
			out = append(out, change(ordergraph.EventBuyerCancel, ordergraph.ActorBuyer, nil))
		case ordergraph.OutcomeFraudCancel:
			cancelAll(o, newID(), at, ordergraph.ActorPlatform, ordergraph.CancelSuspiciousOrder, "Cancelled by the platform after fraud review")
			out = append(out, change(ordergraph.EventFraudCancel, ordergraph.ActorPlatform, nil))
		default:
			release(o, at)
			out = append(out, change(ordergraph.EventReleased, ordergraph.ActorPlatform, map[string]any{"ship_by_date": o.ShipByDate}))
			if autoAck {
				o.AckedAt = &at
				out = append(out, change(ordergraph.EventAcknowledged, ordergraph.ActorPlatform, map[string]any{"auto": true}))
			}
		}
	}
	if o.State() == ordergraph.StateCreated && !o.AckSLABreached && !o.AckDueAt.IsZero() && !now.Before(o.AckDueAt) {
		o.AckSLABreached = true
		out = append(out, change(ordergraph.EventAckSLABreach, ordergraph.ActorPlatform, map[string]any{"ack_due_at": o.AckDueAt}))
	}
	return out
}

// release finalizes o at time at: it becomes CREATED with its
// acknowledgement deadline and ship-by date.
func release(o *ordergraph.Order, at time.Time) {
	o.ReleasedAt = &at
	o.AckDueAt = at.Add(ordergraph.AckSLA)
	days := o.HandlingDays
	if days <= 0 {
		days = ordergraph.DefaultHandlingDays
	}
	o.ShipByDate = at.AddDate(0, 0, days).Format("2006-01-02")
}

// cancelAll cancels every unit still in progress.
func cancelAll(o *ordergraph.Order, id string, at time.Time, actor, reason, description string) {
	c := ordergraph.Cancellation{ID: id, Created: at, Actor: actor, ReasonCode: reason, ReasonDescription: description}
	for i := range o.Items {
		it := &o.Items[i]
		if n := it.InProgress(); n > 0 {
			c.Items = append(c.Items, ordergraph.ItemQuantity{ItemID: it.ID, RetailerID: it.RetailerID, Quantity: n})
			it.Cancelled += n
		}
	}
	if len(c.Items) > 0 {
		o.Cancellations = append(o.Cancellations, c)
	}
}

// BuyerCancel is the buyer cancelling during the FB_PROCESSING hold
// (buyer's remorse). After the hold the buyer must ask the seller.
func BuyerCancel(o *ordergraph.Order, now time.Time, id string) ([]Change, error) {
	if o.State() != ordergraph.StateFBProcessing || !now.Before(o.ReleaseAt) {
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeNotInHold, "Cancellation Period Over",
			"order %s is %s; buyers can cancel only during the processing period, which ended at %s; after it the seller cancels on the buyer's request",
			o.ID, o.State(), o.ReleaseAt.Format(time.RFC3339))
	}
	at := now
	o.ReleasedAt = &at
	cancelAll(o, id, now, ordergraph.ActorBuyer, ordergraph.CancelCustomerRequested, "Cancelled by the buyer")
	return []Change{change(ordergraph.EventBuyerCancel, ordergraph.ActorBuyer, map[string]any{"cancellation_id": id})}, nil
}

// Acknowledge moves a CREATED order to IN_PROGRESS, recording the seller's
// merchant_order_reference. Acknowledging again is a safe retry that
// changes nothing, unless it names another reference.
func Acknowledge(o *ordergraph.Order, now time.Time, ref string) ([]Change, error) {
	switch o.State() {
	case ordergraph.StateFBProcessing:
		return nil, errProcessing(o, "acknowledged")
	case ordergraph.StateCompleted:
		if o.AckedAt == nil {
			return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeAlreadyCancelled, "Order Already Canceled",
				"order %s was cancelled before it was released (%s); there is nothing to acknowledge", o.ID, cancelActor(o))
		}
	}
	if o.AckedAt != nil {
		if ref == "" || ref == o.MerchantOrderReference {
			return nil, nil
		}
		if o.MerchantOrderReference != "" {
			return nil, errReference(o, ref)
		}
		o.MerchantOrderReference = ref
		return []Change{change(ordergraph.EventAcknowledged, ordergraph.ActorSeller, map[string]any{"merchant_order_reference": ref})}, nil
	}
	at := now
	o.AckedAt = &at
	o.MerchantOrderReference = ref
	return []Change{change(ordergraph.EventAcknowledged, ordergraph.ActorSeller, map[string]any{"merchant_order_reference": ref})}, nil
}

func cancelActor(o *ordergraph.Order) string {
	for _, c := range o.Cancellations {
		switch c.Actor {
		case ordergraph.ActorBuyer:
			return "by the buyer"
		case ordergraph.ActorPlatform:
			return "by the platform, " + c.ReasonCode
		}
	}
	return "by the seller"
}

func errProcessing(o *ordergraph.Order, verb string) error {
	return ordergraph.CommerceErrorf(ordergraph.SubcodeOrderProcessing, "Order Still Processing",
		"order %s is FB_PROCESSING; it can be %s once it is CREATED (its processing period ends at %s)",
		o.ID, verb, o.ReleaseAt.UTC().Format("2006-01-02T15:04:05+0000"))
}

func errNotAcknowledged(o *ordergraph.Order, verb string) error {
	return ordergraph.CommerceErrorf(ordergraph.SubcodeOrderNotAcknowledged, "Order Not Acknowledged",
		"order %s is CREATED; acknowledge it (POST /%s/acknowledge_order) before it can be %s", o.ID, o.ID, verb)
}

func errReference(o *ordergraph.Order, ref string) error {
	return ordergraph.CommerceErrorf(ordergraph.SubcodeReferenceMismatch, "Merchant Order Reference Mismatch",
		"order %s already has merchant_order_reference %q; it cannot change to %q (send the same value or none)",
		o.ID, o.MerchantOrderReference, ref)
}
