package lifecycle_test

import (
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
)

func TestReturn(t *testing.T) {
	t.Parallel()
	now := t0.Add(48 * time.Hour)
	open := func(t *testing.T, o *ordergraph.Order, items ...ordergraph.ReturnItem) *ordergraph.Return {
		t.Helper()
		if _, err := lifecycle.RequestReturn(o, now, lifecycle.ReturnParams{ID: "ret1", Items: items}); err != nil {
			t.Fatal(err)
		}
		return &o.Returns[len(o.Returns)-1]
	}
	t.Run("ApproveReceiveRefund", func(t *testing.T) {
		o := at(t, "COMPLETED shipped")
		r := open(t, o, ordergraph.ReturnItem{RetailerID: "tee", Quantity: 2, Reason: "too_small"})
		if r.Status != ordergraph.ReturnRequested || r.Items[0].Reason != "TOO_SMALL" || r.Actor != ordergraph.ActorBuyer {
			t.Fatalf("return=%+v", r)
		}
		if _, err := lifecycle.UpdateReturn(o, now, "ret1", "accept_return", "", "RMA-1"); err != nil {
			t.Fatal(err)
		}
		if ch, err := lifecycle.UpdateReturn(o, now, "ret1", "ACCEPT_RETURN", "", ""); err != nil || ch != nil {
			t.Fatalf("repeat accept: %v %v", ch, err)
		}
		if _, err := lifecycle.Refund(o, now, lifecycle.RefundParams{ID: "rf1", ReturnID: "ret1", Deduction: 300}); err != nil {
			t.Fatal(err)
		}
		rf := o.Refunds[0]
		// 2 tees: 20.00 + 2.00 tax, less 3.00 return shipping.
		if rf.ReasonCode != ordergraph.RefundForReturn || rf.Subtotal() != 2000 || rf.Tax() != 200 || rf.Total() != 1900 {
			t.Fatalf("refund=%+v total=%d", rf, rf.Total())
		}
		r = o.Return("ret1")
		if r.Status != ordergraph.ReturnRefunded || r.RefundID != "rf1" || o.Items[0].ReturnedQuantity != 2 {
			t.Fatalf("return=%+v item=%+v", r, o.Items[0])
		}
		_, err := lifecycle.Refund(o, now, lifecycle.RefundParams{ReturnID: "ret1"})
		wantSubcode(t, err, ordergraph.SubcodeReturnState)
	})
	t.Run("DeclinedUnitsCanBeReturnedAgain", func(t *testing.T) {
		o := at(t, "COMPLETED shipped")
		open(t, o, ordergraph.ReturnItem{RetailerID: "mug", Quantity: 1})
		_, err := lifecycle.RequestReturn(o, now, lifecycle.ReturnParams{ID: "ret2", Items: []ordergraph.ReturnItem{{RetailerID: "mug", Quantity: 1}}})
		wantSubcode(t, err, ordergraph.SubcodeSomeItemsDone)
		if _, err := lifecycle.UpdateReturn(o, now, "ret1", "DECLINE_RETURN", "worn", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := lifecycle.RequestReturn(o, now, lifecycle.ReturnParams{ID: "ret2", Items: []ordergraph.ReturnItem{{RetailerID: "mug", Quantity: 1}}}); err != nil {
			t.Fatal(err)
		}
		_, err = lifecycle.UpdateReturn(o, now, "ret1", "CLOSE_RETURN", "", "")
		wantSubcode(t, err, ordergraph.SubcodeReturnState)
	})
	t.Run("ErrRefundLineNotInReturn", func(t *testing.T) {
		o := at(t, "COMPLETED shipped")
		open(t, o, ordergraph.ReturnItem{RetailerID: "tee", Quantity: 1})
		for _, items := range [][]ordergraph.RefundItemRequest{{{RetailerID: "mug", Quantity: 1}}, {{RetailerID: "tee", Quantity: 2}}} {
			_, err := lifecycle.Refund(o, now, lifecycle.RefundParams{ReturnID: "ret1", Items: items})
			if ordergraph.ErrorCode(err) != ordergraph.EINVALID || o.Return("ret1").Status != ordergraph.ReturnRequested {
				t.Fatalf("items %+v: err=%v status=%v", items, err, o.Return("ret1").Status)
			}
		}
	})
	t.Run("ErrWindowClosed", func(t *testing.T) {
		o := at(t, "COMPLETED shipped")
		_, err := lifecycle.RequestReturn(o, t0.Add(31*24*time.Hour), lifecycle.ReturnParams{Items: []ordergraph.ReturnItem{{RetailerID: "tee", Quantity: 1}}})
		wantSubcode(t, err, ordergraph.SubcodeReturnWindowClosed)
	})
	t.Run("ErrNothingShipped", func(t *testing.T) {
		_, err := lifecycle.RequestReturn(at(t, "IN_PROGRESS"), now, lifecycle.ReturnParams{Items: []ordergraph.ReturnItem{{RetailerID: "tee", Quantity: 1}}})
		wantSubcode(t, err, ordergraph.SubcodeNothingToReturn)
	})
	t.Run("ErrUnshippedUnits", func(t *testing.T) {
		_, err := lifecycle.RequestReturn(at(t, "IN_PROGRESS partly shipped"), now, lifecycle.ReturnParams{Items: []ordergraph.ReturnItem{{RetailerID: "tee", Quantity: 2}}})
		wantSubcode(t, err, ordergraph.SubcodeSomeItemsDone)
	})
	t.Run("ErrBadEvent", func(t *testing.T) {
		o := at(t, "COMPLETED shipped")
		open(t, o, ordergraph.ReturnItem{RetailerID: "tee", Quantity: 1})
		if _, err := lifecycle.UpdateReturn(o, now, "ret1", "SHRED_RETURN", "", ""); ordergraph.ErrorCode(err) != ordergraph.EINVALID {
			t.Fatalf("err=%v", err)
		}
	})
}

func TestRefundAdjustmentAndBounds(t *testing.T) {
	t.Parallel()
	now := t0.Add(2 * time.Hour)
	n := func(v int64) *int64 { return &v }
	o := at(t, "COMPLETED shipped")
	if _, err := lifecycle.Refund(o, now, lifecycle.RefundParams{Adjustment: n(500)}); err != nil {
		t.Fatal(err)
	}
	if got := o.Refunds[0].Total(); got != 500 {
		t.Fatalf("adjustment refund total=%d", got)
	}
	// A partial refund that, with the adjustment, would return more than
	// was charged is refused.
	_, err := lifecycle.Refund(o, now, lifecycle.RefundParams{Items: []ordergraph.RefundItemRequest{{RetailerID: "tee", Quantity: 3}, {RetailerID: "mug", Quantity: 1}},
		Shipping: n(o.ShippingOption.Price)})
	wantSubcode(t, err, ordergraph.SubcodeRefundAboveCharged)
	_, err = lifecycle.Refund(o, now, lifecycle.RefundParams{Items: []ordergraph.RefundItemRequest{{RetailerID: "mug", Quantity: 1}}, Deduction: 10000})
	if ordergraph.ErrorCode(err) != ordergraph.EINVALID {
		t.Fatalf("deduction above refund: %v", err)
	}
	// A full refund returns everything still refundable: what was charged
	// less the adjustment already given, to the minor unit.
	if _, err := lifecycle.Refund(o, now, lifecycle.RefundParams{}); err != nil {
		t.Fatal(err)
	}
	if got, want := o.Refunds[0].Total()+o.Refunds[1].Total(), o.Captured().Total(); got != want {
		t.Fatalf("refunded %d in all, charged %d", got, want)
	}
	_, err = lifecycle.Refund(o, now, lifecycle.RefundParams{})
	wantSubcode(t, err, ordergraph.SubcodeRefundAboveCharged)
}

func TestUpdateShipment(t *testing.T) {
	t.Parallel()
	o := at(t, "IN_PROGRESS partly shipped")
	id := o.Shipments[0].ID
	if _, err := lifecycle.UpdateShipment(o, id, "", ordergraph.Tracking{Carrier: "fedex", TrackingNumber: "F1"}); err != nil {
		t.Fatal(err)
	}
	if got := o.Shipments[0].Tracking; got.Carrier != "fedex" || got.TrackingNumber != "F1" {
		t.Fatalf("tracking=%+v", got)
	}
	_, err := lifecycle.UpdateShipment(o, id, "", ordergraph.Tracking{Carrier: "fedex", TrackingNumber: "F1"})
	wantSubcode(t, err, ordergraph.SubcodeDuplicateTracking)
	_, err = lifecycle.UpdateShipment(o, "nope", "", ordergraph.Tracking{Carrier: "ups", TrackingNumber: "U"})
	wantSubcode(t, err, ordergraph.SubcodeUnknownShipment)
}

func TestApplyItemUpdates(t *testing.T) {
	t.Parallel()
	now := t0.Add(time.Hour)
	o := at(t, "IN_PROGRESS")
	tee, mug := o.Items[0].ID, o.Items[1].ID
	snap := lifecycle.ItemUpdatesParams{MerchantOrderReference: "ref-1", Items: []ordergraph.ItemUpdate{
		{ItemID: tee, FulfillQuantity: 2, CancelQuantity: 1, RefundQuantity: 1, Tracking: []ordergraph.Tracking{{Carrier: "ups", TrackingNumber: "S1"}}},
		{ItemID: mug, FulfillQuantity: 1, Tracking: []ordergraph.Tracking{{Carrier: "ups", TrackingNumber: "S1"}}},
	}}
	ids := lifecycle.SequentialIDs(1)
	if _, err := lifecycle.ApplyItemUpdates(o, now, snap, ids); err != nil {
		t.Fatal(err)
	}
	it := o.Items[0]
	if it.Fulfilled != 2 || it.Cancelled != 1 || it.RefundedQuantity != 1 || len(o.Shipments) != 1 || o.State() != ordergraph.StateCompleted {
		t.Fatalf("item=%+v shipments=%d state=%v", it, len(o.Shipments), o.State())
	}
	before := o.Clone()
	if ch, err := lifecycle.ApplyItemUpdates(o, now, snap, ids); err != nil || ch != nil || o.Version != before.Version || len(o.Refunds) != 1 {
		t.Fatalf("repeat snapshot: %v %v refunds=%d", ch, err, len(o.Refunds))
	}
	snap.Items[0].FulfillQuantity = 1
	_, err := lifecycle.ApplyItemUpdates(o, now, snap, ids)
	wantSubcode(t, err, ordergraph.SubcodeSnapshotBackwards)
	// A snapshot that only names the reference saves it.
	fresh := at(t, "IN_PROGRESS")
	fresh.MerchantOrderReference = ""
	ch, err := lifecycle.ApplyItemUpdates(fresh, now, lifecycle.ItemUpdatesParams{MerchantOrderReference: "ref-9",
		Items: []ordergraph.ItemUpdate{{ItemID: fresh.Items[0].ID}}}, ids)
	if err != nil || len(ch) != 1 || fresh.MerchantOrderReference != "ref-9" {
		t.Fatalf("reference-only snapshot: %v %v %q", ch, err, fresh.MerchantOrderReference)
	}
	snap.MerchantOrderReference = "other"
	_, err = lifecycle.ApplyItemUpdates(o, now, snap, ids)
	wantSubcode(t, err, ordergraph.SubcodeReferenceMismatch)
}
