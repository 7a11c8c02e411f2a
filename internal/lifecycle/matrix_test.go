package lifecycle_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestTransitionMatrix pins what every command does in every situation, so
// a change to the state machine shows as a reviewable diff of
// testdata/order_transitions.golden.
func TestTransitionMatrix(t *testing.T) {
	t.Parallel()
	situations := []string{"FB_PROCESSING", "CREATED", "IN_PROGRESS", "IN_PROGRESS partly shipped",
		"COMPLETED shipped", "COMPLETED cancelled", "COMPLETED refunded", "COMPLETED buyer cancelled"}
	now := t0.Add(2 * time.Hour)
	commands := []struct {
		name string
		run  func(o *ordergraph.Order) ([]lifecycle.Change, error)
	}{
		{"acknowledge", func(o *ordergraph.Order) ([]lifecycle.Change, error) { return lifecycle.Acknowledge(o, now, "") }},
		{"ship all", func(o *ordergraph.Order) ([]lifecycle.Change, error) {
			return lifecycle.Ship(o, now, lifecycle.ShipParams{Tracking: ordergraph.Tracking{Carrier: "fedex", TrackingNumber: "F9"}})
		}},
		{"ship 1 mug", func(o *ordergraph.Order) ([]lifecycle.Change, error) {
			return lifecycle.Ship(o, now, lifecycle.ShipParams{Tracking: ordergraph.Tracking{Carrier: "fedex", TrackingNumber: "F9"},
				Items: []ordergraph.ItemQuantity{{RetailerID: "mug", Quantity: 1}}})
		}},
		{"cancel all", func(o *ordergraph.Order) ([]lifecycle.Change, error) {
			return lifecycle.Cancel(o, now, lifecycle.CancelParams{ReasonCode: ordergraph.CancelOutOfStock})
		}},
		{"cancel 1 tee", func(o *ordergraph.Order) ([]lifecycle.Change, error) {
			return lifecycle.Cancel(o, now, lifecycle.CancelParams{Items: []ordergraph.ItemQuantity{{RetailerID: "tee", Quantity: 1}}})
		}},
		{"refund full", func(o *ordergraph.Order) ([]lifecycle.Change, error) {
			return lifecycle.Refund(o, now, lifecycle.RefundParams{ReasonCode: ordergraph.RefundWrongItem})
		}},
		{"refund 1 tee", func(o *ordergraph.Order) ([]lifecycle.Change, error) {
			return lifecycle.Refund(o, now, lifecycle.RefundParams{Items: []ordergraph.RefundItemRequest{{RetailerID: "tee", Quantity: 1}}})
		}},
		{"buyer cancel", func(o *ordergraph.Order) ([]lifecycle.Change, error) {
			return lifecycle.BuyerCancel(o, t0.Add(time.Minute), "9")
		}},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# situation | command -> state/legacy status, or error subcode\n")
	for _, s := range situations {
		for _, c := range commands {
			o := at(t, s)
			before := o.Clone()
			_, err := c.run(o)
			if err != nil {
				fmt.Fprintf(&b, "%-26s | %-12s -> refused %d\n", s, c.name, ordergraph.ErrorSubcode(err))
				continue
			}
			fmt.Fprintf(&b, "%-26s | %-12s -> %s/%s (in progress %d→%d, shipped %d→%d, cancelled %d→%d, refunds %d→%d)\n",
				s, c.name, o.State(), o.LegacyStatus(), before.InProgress(), o.InProgress(), before.Fulfilled(), o.Fulfilled(),
				before.Cancelled(), o.Cancelled(), len(before.Refunds), len(o.Refunds))
		}
	}
	golden := filepath.Join("testdata", "order_transitions.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/lifecycle -update to create it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("transition matrix changed; review and run with -update:\n%s", got)
	}
}

// TestMoneyInvariants drives random orders through random ship, cancel and
// refund sequences in currencies of exponent 0, 2 and 3, and checks that
// no minor unit is lost or invented: captures never exceed the total and
// equal it when every unit shipped, refunds never exceed captures, and a
// full refund returns exactly what was captured.
func TestMoneyInvariants(t *testing.T) {
	t.Parallel()
	for _, cur := range []string{"JPY", "USD", "KWD"} {
		t.Run(cur, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(1, uint64(len(cur))))
			for n := 0; n < 300; n++ {
				checkRandomOrder(t, r, cur)
			}
		})
	}
}

func checkRandomOrder(t *testing.T, r *rand.Rand, cur string) {
	exp, _ := ordergraph.Exponent(cur)
	scale := int64(1)
	for range exp {
		scale *= 10
	}
	amount := func(max int64) string { return ordergraph.FormatAmount(r.Int64N(max*scale), cur) }
	rates := []string{"0", "0.0725", "0.101", "0.2", "0.08875"}
	var s ordergraph.OrderSpec
	for i := range 1 + r.IntN(4) {
		s.Items = append(s.Items, ordergraph.OrderSpecItem{RetailerID: fmt.Sprint("p", i), Quantity: 1 + r.IntN(5),
			PricePerUnit: amount(200), TaxRate: rates[r.IntN(len(rates))]})
	}
	s.Shipping = ordergraph.OrderSpecShipping{Price: amount(20), TaxRate: rates[r.IntN(len(rates))]}
	s.StartState = ordergraph.StateCreated
	p := page(cur)
	ids := lifecycle.SequentialIDs(1)
	o, _, err := lifecycle.Place(p, s, t0, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Acknowledge(o, t0, ""); err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 12; step++ {
		it := &o.Items[r.IntN(len(o.Items))]
		before := o.Clone()
		var err error
		switch r.IntN(4) {
		case 0, 1:
			_, err = lifecycle.Ship(o, t0, lifecycle.ShipParams{ID: ids(), Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: ids()},
				Items: []ordergraph.ItemQuantity{{ItemID: it.ID, Quantity: 1 + r.IntN(3)}}})
		case 2:
			_, err = lifecycle.Cancel(o, t0, lifecycle.CancelParams{Items: []ordergraph.ItemQuantity{{ItemID: it.ID, Quantity: 1}}})
		case 3:
			a := r.Int64N(it.PricePerUnit*int64(it.Quantity) + 1)
			sh := r.Int64N(o.ShippingOption.Price/2 + 1)
			_, err = lifecycle.Refund(o, t0, lifecycle.RefundParams{Items: []ordergraph.RefundItemRequest{{ItemID: it.ID, Amount: &a, ShippingAmount: &sh}}})
		}
		if err != nil {
			if diff := cmp.Diff(before, o); diff != "" {
				t.Fatalf("a refused command changed the order (-before +after):\n%s", diff)
			}
		}
		checkBounds(t, o)
	}
	_, _ = lifecycle.Ship(o, t0, lifecycle.ShipParams{ID: ids(), Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: ids()}})
	if o.Cancelled() == 0 && o.Captured().Total() != o.Total() {
		t.Fatalf("%s: every unit shipped but captured %d of total %d", cur, o.Captured().Total(), o.Total())
	}
	if _, err := lifecycle.Refund(o, t0, lifecycle.RefundParams{}); err != nil && o.Fulfilled() > 0 {
		t.Logf("full refund: %v", err)
	}
	checkBounds(t, o)
	var refunded int64
	for _, rf := range o.Refunds {
		refunded += rf.Total()
	}
	if o.Fulfilled() > 0 && refunded != o.Captured().Total() {
		t.Fatalf("%s: after a full refund refunded %d, captured %d", cur, refunded, o.Captured().Total())
	}
}

func checkBounds(t *testing.T, o *ordergraph.Order) {
	t.Helper()
	c := o.Captured()
	if c.Total() > o.Total() {
		t.Fatalf("captured %d above total %d", c.Total(), o.Total())
	}
	var shipping, shippingTax int64
	for _, rf := range o.Refunds {
		shipping += rf.Shipping
		shippingTax += rf.ShippingTax
	}
	if shipping > c.Shipping || shippingTax > c.ShippingTax {
		t.Fatalf("shipping refunded %d+%d above captured %d+%d", shipping, shippingTax, c.Shipping, c.ShippingTax)
	}
	for _, it := range o.Items {
		if it.InProgress() < 0 || it.RefundedAmount > it.CapturedAmount || it.RefundedTax > it.CapturedTax || it.CapturedTax > it.Tax {
			t.Fatalf("line out of bounds: %+v", it)
		}
		if it.CapturedAmount != it.PricePerUnit*int64(it.Fulfilled) {
			t.Fatalf("captured %d for %d units at %d", it.CapturedAmount, it.Fulfilled, it.PricePerUnit)
		}
	}
}
