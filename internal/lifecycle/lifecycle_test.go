package lifecycle_test

import (
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func page(currency string) *ordergraph.Page {
	return &ordergraph.Page{ID: "1", CMSID: "2", Currency: currency, HandlingDays: 3, OrderManagement: ordergraph.ManagedByAPI}
}

// spec is a two-line checkout: 3 tees at 10.00 and 1 mug at 5.50, 10% tax,
// 4.99 shipping taxed 10%.
func spec() ordergraph.OrderSpec {
	return ordergraph.OrderSpec{
		Items: []ordergraph.OrderSpecItem{
			{RetailerID: "tee", Quantity: 3, PricePerUnit: "10.00", TaxRate: "0.1"},
			{RetailerID: "mug", Quantity: 1, PricePerUnit: "5.50", TaxRate: "0.1"},
		},
		Shipping: ordergraph.OrderSpecShipping{Price: "4.99", TaxRate: "0.1"},
	}
}

// mustPlace places spec on an API-managed USD page at t0.
func mustPlace(tb testing.TB, s ordergraph.OrderSpec) *ordergraph.Order {
	tb.Helper()
	o, _, err := lifecycle.Place(page("USD"), s, t0, lifecycle.SequentialIDs(100), map[string]string{"tee": "900", "mug": "901"})
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// at returns an order in the named situation.
func at(tb testing.TB, situation string) *ordergraph.Order {
	tb.Helper()
	o := mustPlace(tb, spec())
	ids := lifecycle.SequentialIDs(500)
	must := func(_ []lifecycle.Change, err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("%s: %v", situation, err)
		}
	}
	now := t0.Add(31 * time.Minute)
	release := func() { lifecycle.Tick(o, now, false, ids) }
	ack := func() { must(lifecycle.Acknowledge(o, now, "ref-1")) }
	switch situation {
	case "FB_PROCESSING":
	case "CREATED":
		release()
	case "IN_PROGRESS":
		release()
		ack()
	case "IN_PROGRESS partly shipped":
		release()
		ack()
		must(lifecycle.Ship(o, now, lifecycle.ShipParams{ID: ids(), Items: []ordergraph.ItemQuantity{{RetailerID: "tee", Quantity: 1}}, Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: "1Z1"}}))
	case "COMPLETED shipped":
		release()
		ack()
		must(lifecycle.Ship(o, now, lifecycle.ShipParams{ID: ids(), Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: "1Z1"}}))
	case "COMPLETED cancelled":
		release()
		ack()
		must(lifecycle.Cancel(o, now, lifecycle.CancelParams{ID: ids(), ReasonCode: ordergraph.CancelOutOfStock}))
	case "COMPLETED refunded":
		release()
		ack()
		must(lifecycle.Ship(o, now, lifecycle.ShipParams{ID: ids(), Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: "1Z1"}}))
		must(lifecycle.Refund(o, now, lifecycle.RefundParams{ID: ids(), ReasonCode: ordergraph.RefundWrongItem}))
	case "COMPLETED buyer cancelled":
		must(lifecycle.BuyerCancel(o, t0.Add(time.Minute), ids()))
	default:
		tb.Fatalf("unknown situation %q", situation)
	}
	return o
}

func wantSubcode(tb testing.TB, err error, subcode int) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("err=nil, want subcode %d", subcode)
	}
	if got := ordergraph.ErrorSubcode(err); got != subcode {
		tb.Fatalf("subcode=%d, want %d (%v)", got, subcode, err)
	}
}

func TestPlace(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		o := mustPlace(t, spec())
		if got, want := o.State(), ordergraph.StateFBProcessing; got != want {
			t.Fatalf("State=%v, want %v", got, want)
		}
		if got, want := o.ItemsSubtotal(), int64(3550); got != want {
			t.Errorf("ItemsSubtotal=%d, want %d", got, want)
		}
		// 10% of 30.00 = 3.00, of 5.50 = 0.55, of 4.99 = 0.499 → 0.50.
		if got, want := o.Tax(), int64(300+55+50); got != want {
			t.Errorf("Tax=%d, want %d", got, want)
		}
		if got, want := o.Total(), int64(3550+499+405); got != want {
			t.Errorf("Total=%d, want %d", got, want)
		}
		if got, want := o.ReleaseAt, t0.Add(30*time.Minute); !got.Equal(want) {
			t.Errorf("ReleaseAt=%v, want %v", got, want)
		}
		if o.Items[0].ProductID != "900" || o.Buyer.Email == "" || o.ShippingAddress.City == "" {
			t.Errorf("defaults not applied: %+v", o)
		}
	})
	t.Run("StartCreated", func(t *testing.T) {
		s := spec()
		s.StartState = ordergraph.StateCreated
		o := mustPlace(t, s)
		if got, want := o.State(), ordergraph.StateCreated; got != want {
			t.Fatalf("State=%v, want %v", got, want)
		}
		if got, want := o.ShipByDate, "2026-03-05"; got != want {
			t.Errorf("ShipByDate=%q, want %q", got, want)
		}
	})
	for name, mutate := range map[string]func(*ordergraph.OrderSpec){
		"ErrNoItems":       func(s *ordergraph.OrderSpec) { s.Items = nil },
		"ErrBadPrice":      func(s *ordergraph.OrderSpec) { s.Items[0].PricePerUnit = "1.005" },
		"ErrNegativeQty":   func(s *ordergraph.OrderSpec) { s.Items[0].Quantity = -1 },
		"ErrBadRate":       func(s *ordergraph.OrderSpec) { s.Items[0].TaxRate = "1.5" },
		"ErrBadChannel":    func(s *ordergraph.OrderSpec) { s.Channel = "myspace" },
		"ErrBadOutcome":    func(s *ordergraph.OrderSpec) { s.Outcome = "explode" },
		"ErrBadStartState": func(s *ordergraph.OrderSpec) { s.StartState = ordergraph.StateCompleted },
		"ErrCreatedAndFraud": func(s *ordergraph.OrderSpec) {
			s.StartState, s.Outcome = ordergraph.StateCreated, ordergraph.OutcomeFraudCancel
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := spec()
			mutate(&s)
			_, _, err := lifecycle.Place(page("USD"), s, t0, lifecycle.SequentialIDs(1), nil)
			if got, want := ordergraph.ErrorCode(err), ordergraph.EINVALID; got != want {
				t.Fatalf("ErrorCode=%q, want %q (%v)", got, want, err)
			}
		})
	}
}

func TestTick(t *testing.T) {
	t.Parallel()
	ids := lifecycle.SequentialIDs(1)
	t.Run("HoldNotOver", func(t *testing.T) {
		o := mustPlace(t, spec())
		if ch := lifecycle.Tick(o, t0.Add(29*time.Minute+59*time.Second), false, ids); len(ch) != 0 || o.State() != ordergraph.StateFBProcessing {
			t.Fatalf("released early: %v %v", ch, o.State())
		}
	})
	t.Run("Release", func(t *testing.T) {
		o := mustPlace(t, spec())
		lifecycle.Tick(o, t0.Add(30*time.Minute), false, ids)
		if got, want := o.State(), ordergraph.StateCreated; got != want {
			t.Fatalf("State=%v, want %v", got, want)
		}
		if got, want := o.AckDueAt, t0.Add(30*time.Minute+12*time.Hour); !got.Equal(want) {
			t.Errorf("AckDueAt=%v, want %v", got, want)
		}
	})
	t.Run("AutoAcknowledge", func(t *testing.T) {
		o := mustPlace(t, spec())
		lifecycle.Tick(o, t0.Add(30*time.Minute), true, ids)
		if got, want := o.State(), ordergraph.StateInProgress; got != want {
			t.Fatalf("State=%v, want %v", got, want)
		}
	})
	for outcome, status := range map[ordergraph.HoldOutcome]string{
		ordergraph.OutcomeBuyerCancel: ordergraph.CancelCustomerRequested,
		ordergraph.OutcomeFraudCancel: ordergraph.CancelSuspiciousOrder,
	} {
		t.Run(string(outcome), func(t *testing.T) {
			s := spec()
			s.Outcome = outcome
			o := mustPlace(t, s)
			lifecycle.Tick(o, t0.Add(time.Hour), false, ids)
			if got, want := o.LegacyStatus(), ordergraph.LegacyCancelled; got != want {
				t.Fatalf("LegacyStatus=%v, want %v", got, want)
			}
			if got := o.Cancellations[0].ReasonCode; got != status {
				t.Errorf("reason=%v, want %v", got, status)
			}
			if _, err := lifecycle.Acknowledge(o, t0.Add(time.Hour), ""); ordergraph.ErrorSubcode(err) != ordergraph.SubcodeAlreadyCancelled {
				t.Errorf("ack after cancel: %v", err)
			}
		})
	}
	t.Run("AckSLABreach", func(t *testing.T) {
		o := mustPlace(t, spec())
		lifecycle.Tick(o, t0.Add(30*time.Minute), false, ids)
		if ch := lifecycle.Tick(o, t0.Add(12*time.Hour+29*time.Minute), false, ids); len(ch) != 0 {
			t.Fatalf("breached early: %v", ch)
		}
		ch := lifecycle.Tick(o, t0.Add(12*time.Hour+30*time.Minute), false, ids)
		if len(ch) != 1 || ch[0].Kind != ordergraph.EventAckSLABreach || !o.AckSLABreached {
			t.Fatalf("changes=%v breached=%v", ch, o.AckSLABreached)
		}
		if o.State() != ordergraph.StateCreated {
			t.Errorf("a breach must not change the state, got %v", o.State())
		}
		if !o.NextTimer().IsZero() {
			t.Errorf("NextTimer=%v after breach, want none", o.NextTimer())
		}
	})
	t.Run("ReleaseAndBreachInOneJump", func(t *testing.T) {
		o := mustPlace(t, spec())
		ch := lifecycle.Tick(o, t0.Add(48*time.Hour), false, ids)
		if len(ch) != 2 || !o.AckSLABreached {
			t.Fatalf("changes=%v breached=%v", ch, o.AckSLABreached)
		}
	})
}

func TestBuyerCancel(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		o := at(t, "COMPLETED buyer cancelled")
		if got, want := o.Cancelled(), 4; got != want {
			t.Fatalf("Cancelled=%d, want %d", got, want)
		}
		if !o.NextTimer().IsZero() {
			t.Errorf("a cancelled order has no timer")
		}
	})
	t.Run("ErrAfterHold", func(t *testing.T) {
		o := mustPlace(t, spec())
		_, err := lifecycle.BuyerCancel(o, t0.Add(30*time.Minute), "1")
		wantSubcode(t, err, ordergraph.SubcodeNotInHold)
		o = at(t, "IN_PROGRESS")
		_, err = lifecycle.BuyerCancel(o, t0.Add(time.Hour), "1")
		wantSubcode(t, err, ordergraph.SubcodeNotInHold)
	})
}

func TestAcknowledge(t *testing.T) {
	t.Parallel()
	now := t0.Add(time.Hour)
	t.Run("OK", func(t *testing.T) {
		o := at(t, "CREATED")
		if _, err := lifecycle.Acknowledge(o, now, "oms-1"); err != nil {
			t.Fatal(err)
		}
		if o.State() != ordergraph.StateInProgress || o.MerchantOrderReference != "oms-1" {
			t.Fatalf("state=%v ref=%q", o.State(), o.MerchantOrderReference)
		}
	})
	t.Run("RetryIsSafe", func(t *testing.T) {
		o := at(t, "IN_PROGRESS")
		for _, ref := range []string{"ref-1", ""} {
			ch, err := lifecycle.Acknowledge(o, now, ref)
			if err != nil || len(ch) != 0 {
				t.Fatalf("ref %q: changes=%v err=%v", ref, ch, err)
			}
		}
	})
	t.Run("ErrOtherReference", func(t *testing.T) {
		_, err := lifecycle.Acknowledge(at(t, "IN_PROGRESS"), now, "ref-2")
		wantSubcode(t, err, ordergraph.SubcodeReferenceMismatch)
	})
	t.Run("ErrProcessing", func(t *testing.T) {
		_, err := lifecycle.Acknowledge(at(t, "FB_PROCESSING"), t0, "")
		wantSubcode(t, err, ordergraph.SubcodeOrderProcessing)
	})
}

func TestShip(t *testing.T) {
	t.Parallel()
	now := t0.Add(time.Hour)
	ups := func(n string) ordergraph.Tracking { return ordergraph.Tracking{Carrier: "ups", TrackingNumber: n} }
	t.Run("Partial", func(t *testing.T) {
		o := at(t, "IN_PROGRESS")
		_, err := lifecycle.Ship(o, now, lifecycle.ShipParams{ID: "s1", Tracking: ups("A"), Items: []ordergraph.ItemQuantity{{RetailerID: "tee", Quantity: 2}}})
		if err != nil {
			t.Fatal(err)
		}
		if o.State() != ordergraph.StateInProgress || o.Items[0].Fulfilled != 2 || o.Items[0].InProgress() != 1 {
			t.Fatalf("state=%v item=%+v", o.State(), o.Items[0])
		}
		c := o.Shipments[0].Capture
		// 2 of 3 tees: 20.00, tax 2.00; shipping by value 2000/3550 of 4.99 → 2.81, its tax 0.50 → 0.28.
		if c.Items != 2000 || c.ItemsTax != 200 || c.Shipping != 281 || c.ShippingTax != 28 {
			t.Errorf("capture=%+v", c)
		}
	})
	t.Run("CapturesAddUpToTotal", func(t *testing.T) {
		o := at(t, "IN_PROGRESS")
		for i, q := range []ordergraph.ItemQuantity{{RetailerID: "tee", Quantity: 1}, {RetailerID: "mug", Quantity: 1}, {ItemID: o.Items[0].ID, Quantity: 2}} {
			if _, err := lifecycle.Ship(o, now, lifecycle.ShipParams{ID: "s", Tracking: ups(string(rune('A' + i))), Items: []ordergraph.ItemQuantity{q}}); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := o.Captured().Total(), o.Total(); got != want {
			t.Fatalf("captured %d, want the order total %d", got, want)
		}
		if o.State() != ordergraph.StateCompleted || o.LegacyStatus() != ordergraph.LegacyShipped {
			t.Errorf("state=%v legacy=%v", o.State(), o.LegacyStatus())
		}
	})
	t.Run("ErrOverShip", func(t *testing.T) {
		o := at(t, "IN_PROGRESS partly shipped")
		_, err := lifecycle.Ship(o, now, lifecycle.ShipParams{Tracking: ups("B"), Items: []ordergraph.ItemQuantity{{RetailerID: "tee", Quantity: 3}}})
		wantSubcode(t, err, ordergraph.SubcodeSomeItemsDone)
	})
	t.Run("ErrUnknownItem", func(t *testing.T) {
		_, err := lifecycle.Ship(at(t, "IN_PROGRESS"), now, lifecycle.ShipParams{Tracking: ups("B"), Items: []ordergraph.ItemQuantity{{RetailerID: "nope", Quantity: 1}}})
		wantSubcode(t, err, ordergraph.SubcodeUnknownItem)
	})
	t.Run("ErrDuplicateTracking", func(t *testing.T) {
		_, err := lifecycle.Ship(at(t, "IN_PROGRESS partly shipped"), now, lifecycle.ShipParams{Tracking: ups("1Z1")})
		wantSubcode(t, err, ordergraph.SubcodeDuplicateTracking)
	})
	t.Run("ErrNoCarrier", func(t *testing.T) {
		_, err := lifecycle.Ship(at(t, "IN_PROGRESS"), now, lifecycle.ShipParams{})
		if ordergraph.ErrorCode(err) != ordergraph.EINVALID {
			t.Fatalf("err=%v", err)
		}
	})
	t.Run("ErrReferenceMismatch", func(t *testing.T) {
		_, err := lifecycle.Ship(at(t, "IN_PROGRESS"), now, lifecycle.ShipParams{Tracking: ups("B"), MerchantOrderReference: "other"})
		wantSubcode(t, err, ordergraph.SubcodeReferenceMismatch)
	})
	t.Run("ZeroQuantity", func(t *testing.T) {
		_, err := lifecycle.Ship(at(t, "IN_PROGRESS"), now, lifecycle.ShipParams{Tracking: ups("B"), Items: []ordergraph.ItemQuantity{{RetailerID: "tee"}}})
		if ordergraph.ErrorCode(err) != ordergraph.EINVALID {
			t.Fatalf("err=%v", err)
		}
	})
}

func TestCancel(t *testing.T) {
	t.Parallel()
	now := t0.Add(time.Hour)
	t.Run("PartialThenRest", func(t *testing.T) {
		o := at(t, "IN_PROGRESS partly shipped")
		if _, err := lifecycle.Cancel(o, now, lifecycle.CancelParams{ID: "c1", Items: []ordergraph.ItemQuantity{{RetailerID: "tee", Quantity: 1}}}); err != nil {
			t.Fatal(err)
		}
		if o.State() != ordergraph.StateInProgress || o.Items[0].Cancelled != 1 {
			t.Fatalf("state=%v item=%+v", o.State(), o.Items[0])
		}
		if _, err := lifecycle.Cancel(o, now, lifecycle.CancelParams{ID: "c2"}); err != nil {
			t.Fatal(err)
		}
		if o.State() != ordergraph.StateCompleted || o.LegacyStatus() != ordergraph.LegacyShipped {
			t.Fatalf("state=%v legacy=%v", o.State(), o.LegacyStatus())
		}
		if got := o.Cancellations[1].ReasonCode; got != ordergraph.CancelReasonOther {
			t.Errorf("default reason=%q", got)
		}
	})
	t.Run("ErrOverCancel", func(t *testing.T) {
		_, err := lifecycle.Cancel(at(t, "IN_PROGRESS partly shipped"), now, lifecycle.CancelParams{Items: []ordergraph.ItemQuantity{{RetailerID: "tee", Quantity: 3}}})
		wantSubcode(t, err, ordergraph.SubcodeSomeItemsDone)
	})
}

func TestRefund(t *testing.T) {
	t.Parallel()
	now := t0.Add(2 * time.Hour)
	amount := func(n int64) *int64 { return &n }
	t.Run("PartialByAmount", func(t *testing.T) {
		o := at(t, "COMPLETED shipped")
		_, err := lifecycle.Refund(o, now, lifecycle.RefundParams{ID: "r1", ReasonCode: ordergraph.RefundWrongItem,
			Items: []ordergraph.RefundItemRequest{{RetailerID: "tee", Amount: amount(550), ShippingAmount: amount(240)}}})
		if err != nil {
			t.Fatal(err)
		}
		r := o.Refunds[0]
		// 5.50 of 30.00 → tax 0.55 of 3.00; 2.40 of 4.99 shipping → 0.24 of 0.50 tax.
		if r.Items[0].Amount != 550 || r.Items[0].Tax != 55 || r.Shipping != 240 || r.ShippingTax != 24 {
			t.Fatalf("refund=%+v", r)
		}
		if o.LegacyStatus() != ordergraph.LegacyRefunded {
			t.Errorf("legacy=%v", o.LegacyStatus())
		}
	})
	t.Run("ByQuantity", func(t *testing.T) {
		o := at(t, "COMPLETED shipped")
		_, err := lifecycle.Refund(o, now, lifecycle.RefundParams{ReasonCode: ordergraph.RefundDamagedGoods,
			Items: []ordergraph.RefundItemRequest{{RetailerID: "tee", Quantity: 2}}})
		if err != nil {
			t.Fatal(err)
		}
		if it := o.Items[0]; it.RefundedQuantity != 2 || it.RefundedAmount != 2000 || it.RefundedTax != 200 {
			t.Fatalf("item=%+v", it)
		}
		_, err = lifecycle.Refund(o, now, lifecycle.RefundParams{Items: []ordergraph.RefundItemRequest{{RetailerID: "tee", Quantity: 2}}})
		wantSubcode(t, err, ordergraph.SubcodeSomeItemsDone)
	})
	t.Run("FullReturnsEverythingOnce", func(t *testing.T) {
		o := at(t, "COMPLETED shipped")
		if _, err := lifecycle.Refund(o, now, lifecycle.RefundParams{Items: []ordergraph.RefundItemRequest{{RetailerID: "mug", Amount: amount(100)}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := lifecycle.Refund(o, now, lifecycle.RefundParams{ReasonCode: ordergraph.RefundWrongItem}); err != nil {
			t.Fatal(err)
		}
		var refunded int64
		for _, r := range o.Refunds {
			refunded += r.Total()
		}
		if refunded != o.Captured().Total() {
			t.Fatalf("refunded %d, captured %d", refunded, o.Captured().Total())
		}
		_, err := lifecycle.Refund(o, now, lifecycle.RefundParams{})
		wantSubcode(t, err, ordergraph.SubcodeAllItemsDone)
	})
	t.Run("ErrTooHigh", func(t *testing.T) {
		_, err := lifecycle.Refund(at(t, "COMPLETED shipped"), now, lifecycle.RefundParams{Items: []ordergraph.RefundItemRequest{{RetailerID: "mug", Amount: amount(551)}}})
		wantSubcode(t, err, ordergraph.SubcodeRefundTooHigh)
	})
	t.Run("ErrShippingTooHigh", func(t *testing.T) {
		_, err := lifecycle.Refund(at(t, "COMPLETED shipped"), now, lifecycle.RefundParams{Shipping: amount(500)})
		wantSubcode(t, err, ordergraph.SubcodeShippingRefundTooHigh)
	})
	t.Run("ErrUnknownRetailerID", func(t *testing.T) {
		_, err := lifecycle.Refund(at(t, "COMPLETED shipped"), now, lifecycle.RefundParams{Items: []ordergraph.RefundItemRequest{{RetailerID: "38383838", Amount: amount(1)}}})
		wantSubcode(t, err, ordergraph.SubcodeInvalidRetailerID)
	})
	t.Run("ErrUnshippedLine", func(t *testing.T) {
		o := at(t, "IN_PROGRESS partly shipped")
		_, err := lifecycle.Refund(o, now, lifecycle.RefundParams{Items: []ordergraph.RefundItemRequest{{RetailerID: "mug", Quantity: 1}}})
		wantSubcode(t, err, ordergraph.SubcodeNotCharged)
	})
	t.Run("PartlyShippedFullRefund", func(t *testing.T) {
		o := at(t, "IN_PROGRESS partly shipped")
		if _, err := lifecycle.Refund(o, now, lifecycle.RefundParams{}); err != nil {
			t.Fatal(err)
		}
		if got, want := o.Refunds[0].Total(), o.Captured().Total(); got != want {
			t.Fatalf("refund %d, captured %d", got, want)
		}
		if o.State() != ordergraph.StateInProgress {
			t.Errorf("a refund must not move in-progress units: state %v", o.State())
		}
	})
}
