package lifecycle

import (
	"fmt"
	"time"

	"github.com/ordergraph/ordergraph"
)

// ItemUpdatesParams is an order snapshot (item_updates).
type ItemUpdatesParams struct {
	MerchantOrderReference string
	Items                  []ordergraph.ItemUpdate
}

// ApplyItemUpdates brings an order to a snapshot: for each named line the
// total units fulfilled, cancelled and refunded. The snapshot is the
// truth, so sending it again changes nothing; it can only move forward, as
// units cannot be un-shipped. The differences are applied as the commands
// they stand for (cancel, then ship per tracking number, then refund by
// quantity), all or nothing.
func ApplyItemUpdates(o *ordergraph.Order, now time.Time, p ItemUpdatesParams, newID func() string) ([]Change, error) {
	if p.MerchantOrderReference == "" {
		return nil, invalid("merchant_order_reference", "(#100) The parameter merchant_order_reference is required")
	}
	if len(p.Items) == 0 {
		return nil, invalid("items", "(#100) The parameter items is required")
	}
	switch o.State() {
	case ordergraph.StateFBProcessing:
		return nil, errProcessing(o, "updated")
	case ordergraph.StateCreated:
		return nil, errNotAcknowledged(o, "updated")
	}
	if o.MerchantOrderReference != "" && o.MerchantOrderReference != p.MerchantOrderReference {
		return nil, errReference(o, p.MerchantOrderReference)
	}
	work := o.Clone()
	work.MerchantOrderReference = p.MerchantOrderReference
	var changes []Change
	seen := map[string]bool{}
	type shipGroup struct {
		tracking ordergraph.Tracking
		items    []ordergraph.ItemQuantity
	}
	var ships []*shipGroup
	groups := map[string]*shipGroup{}
	for k, u := range p.Items {
		it := work.Item(u.ItemID)
		if it == nil {
			return nil, errUnknownItem(o, u.ItemID, "", ordergraph.SubcodeUnknownItem)
		}
		if seen[u.ItemID] {
			return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeDuplicateItem, "Duplicate Item",
				"items[%d] names item %s again; give each line once with its totals", k, u.ItemID)
		}
		seen[u.ItemID] = true
		for _, q := range []struct {
			name      string
			want, has int
		}{{"fulfill_quantity", u.FulfillQuantity, it.Fulfilled}, {"cancel_quantity", u.CancelQuantity, it.Cancelled}, {"refund_quantity", u.RefundQuantity, it.RefundedQuantity}} {
			if q.want < q.has {
				return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeSnapshotBackwards, "Snapshot Goes Backwards",
					"items[%d].%s is %d but item %s already has %d; a snapshot holds totals so far and can only grow", k, q.name, q.want, u.ItemID, q.has)
			}
		}
		if u.FulfillQuantity+u.CancelQuantity > it.Quantity {
			return nil, invalid("items", "(#100) items[%d]: fulfill_quantity %d plus cancel_quantity %d exceed the line's quantity %d",
				k, u.FulfillQuantity, u.CancelQuantity, it.Quantity)
		}
		if u.RefundQuantity > u.FulfillQuantity {
			return nil, invalid("items", "(#100) items[%d]: refund_quantity %d exceeds fulfill_quantity %d; only shipped units are refunded",
				k, u.RefundQuantity, u.FulfillQuantity)
		}
		if n := u.CancelQuantity - it.Cancelled; n > 0 {
			ch, err := Cancel(work, now, CancelParams{ID: newID(), Items: []ordergraph.ItemQuantity{{ItemID: it.ID, Quantity: n}},
				ReasonCode: u.CancelReason, ReasonDescription: u.CancelReasonDescription})
			if err != nil {
				return nil, fmt.Errorf("items[%d]: %w", k, err)
			}
			changes = append(changes, ch...)
		}
		if n := u.FulfillQuantity - it.Fulfilled; n > 0 {
			t := ordergraph.Tracking{Carrier: "other"}
			if len(u.Tracking) > 0 {
				t = u.Tracking[0]
			}
			key := t.Carrier + "\x00" + t.TrackingNumber
			g := groups[key]
			if g == nil {
				g = &shipGroup{tracking: t}
				groups[key] = g
				ships = append(ships, g)
			}
			g.items = append(g.items, ordergraph.ItemQuantity{ItemID: it.ID, Quantity: n})
		}
	}
	for _, g := range ships {
		ch, err := Ship(work, now, ShipParams{ID: newID(), Items: g.items, Tracking: g.tracking})
		if err != nil {
			return nil, err
		}
		changes = append(changes, ch...)
	}
	for _, u := range p.Items {
		it := work.Item(u.ItemID)
		// A shipping refund rides with newly refunded units only, so a
		// repeated snapshot never refunds shipping twice.
		if n := u.RefundQuantity - it.RefundedQuantity; n > 0 {
			reason := u.RefundReason
			if reason == "" {
				reason = ordergraph.RefundReasonOther
			}
			req := ordergraph.RefundItemRequest{ItemID: it.ID, Quantity: n, ShippingAmount: u.ShippingRefund}
			ch, err := Refund(work, now, RefundParams{ID: newID(), ReasonCode: reason, ReasonText: u.RefundReasonDescription,
				Items: []ordergraph.RefundItemRequest{req}})
			if err != nil {
				return nil, err
			}
			changes = append(changes, ch...)
		}
	}
	if o.MerchantOrderReference == "" {
		changes = append(changes, change(ordergraph.EventAcknowledged, ordergraph.ActorSeller,
			map[string]any{"merchant_order_reference": p.MerchantOrderReference}))
	}
	if len(changes) == 0 {
		return nil, nil
	}
	*o = *work
	return changes, nil
}
