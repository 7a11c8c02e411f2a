package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/ledger"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestFeeSchedule(t *testing.T) {
	t.Parallel()
	usd := ordergraph.DefaultFeeSchedule("USD")
	for _, tt := range []struct{ gross, want int64 }{{800, 40}, {801, 40}, {10000, 500}, {30, 30}, {0, 0}, {-5, 0}, {1999, 100}} {
		if got := usd.Fee(tt.gross); got != tt.want {
			t.Errorf("USD Fee(%d)=%d, want %d", tt.gross, got, tt.want)
		}
	}
	if got := ordergraph.DefaultFeeSchedule("KWD"); got.Flat != 400 || got.FlatUpTo != 8000 {
		t.Errorf("KWD schedule %+v", got)
	}
	if got := ordergraph.DefaultFeeSchedule("JPY"); got.FlatUpTo != 8 {
		t.Errorf("JPY schedule %+v", got)
	}
}

// TestPostKeepsInvariants drives random orders through random ship,
// cancel, refund and chargeback sequences in currencies of exponent 0, 2 and 3, posts
// the ledger after every step, and checks the reconciliation invariants:
// no refund above the capture, every shipment, refund and chargeback
// posted once, and captured − refunded − fees − chargebacks = net to the
// minor unit.
func TestPostKeepsInvariants(t *testing.T) {
	t.Parallel()
	for _, cur := range []string{"JPY", "USD", "KWD"} {
		t.Run(cur, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(7, uint64(len(cur))))
			for n := 0; n < 200; n++ {
				walk(t, r, cur)
			}
		})
	}
}

func walk(t *testing.T, r *rand.Rand, cur string) {
	page := &ordergraph.Page{ID: "1", Currency: cur, HandlingDays: 3, OrderManagement: ordergraph.ManagedByAPI}
	exp, _ := ordergraph.Exponent(cur)
	scale := int64(1)
	for range exp {
		scale *= 10
	}
	var s ordergraph.OrderSpec
	for i := range 1 + r.IntN(3) {
		s.Items = append(s.Items, ordergraph.OrderSpecItem{RetailerID: fmt.Sprint("p", i), Quantity: 1 + r.IntN(4),
			PricePerUnit: ordergraph.FormatAmount(r.Int64N(100*scale), cur), TaxRate: "0.0825"})
	}
	s.Shipping.Price = ordergraph.FormatAmount(r.Int64N(10*scale), cur)
	s.StartState = ordergraph.StateCreated
	ids := lifecycle.SequentialIDs(1)
	o, _, err := lifecycle.Place(page, s, t0, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Acknowledge(o, t0, ""); err != nil {
		t.Fatal(err)
	}
	fees := ordergraph.DefaultFeeSchedule(cur)
	var txns []*ordergraph.Transaction
	for step := 0; step < 10; step++ {
		before := o.Clone()
		it := o.Items[r.IntN(len(o.Items))]
		now := t0.Add(time.Duration(step) * time.Hour)
		switch r.IntN(5) {
		case 4:
			outcome := ordergraph.ChargebackOutcomes[r.IntN(len(ordergraph.ChargebackOutcomes))]
			_, _ = lifecycle.Chargeback(o, now, lifecycle.ChargebackParams{ID: ids(), Amount: 1 + r.Int64N(20*scale), Outcome: outcome, Fee: fees.ChargebackFee})
		case 0, 1:
			_, _ = lifecycle.Ship(o, now, lifecycle.ShipParams{ID: ids(), Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: ids()},
				Items: []ordergraph.ItemQuantity{{ItemID: it.ID, Quantity: 1 + r.IntN(2)}}})
		case 2:
			_, _ = lifecycle.Cancel(o, now, lifecycle.CancelParams{ID: ids(), Items: []ordergraph.ItemQuantity{{ItemID: it.ID, Quantity: 1}}})
		case 3:
			a := r.Int64N(it.PricePerUnit + 1)
			_, _ = lifecycle.Refund(o, now, lifecycle.RefundParams{ID: ids(), Items: []ordergraph.RefundItemRequest{{ItemID: it.ID, Amount: &a}}})
		}
		txns = append(txns, ledger.Post(before, o, fees)...)
		if d := ledger.CheckOrder(o, txns); len(d) > 0 {
			t.Fatalf("%s step %d: %v", cur, step, d)
		}
	}
	before := o.Clone()
	_, _ = lifecycle.Refund(o, t0.Add(time.Hour*20), lifecycle.RefundParams{ID: ids()})
	txns = append(txns, ledger.Post(before, o, fees)...)
	if d := ledger.CheckOrder(o, txns); len(d) > 0 {
		t.Fatalf("%s after full refund: %v", cur, d)
	}
	// A payout sweeping what is due keeps the page balanced.
	now := t0.Add(5 * 24 * time.Hour)
	var amount int64
	for _, tx := range ledger.Due(txns, now, ordergraph.PayoutDelay) {
		tx.PayoutReferenceID = "FBMP1"
		amount += tx.Net
	}
	payouts := []*ordergraph.Payout{{ReferenceID: "FBMP1", Amount: amount}}
	if d := ledger.CheckPage("1", txns, payouts); len(d) > 0 {
		t.Fatalf("%s page: %v", cur, d)
	}
}

func TestCheckFindsDiscrepancies(t *testing.T) {
	t.Parallel()
	o := &ordergraph.Order{ID: "o", PageID: "p", Currency: "USD",
		Shipments: []ordergraph.Shipment{{ID: "s1", Capture: ordergraph.Capture{Items: 1000}}}}
	if d := ledger.CheckOrder(o, nil); len(d) == 0 {
		t.Fatal("an unposted shipment must be reported")
	}
	txns := []*ordergraph.Transaction{{ID: "t", OrderID: "o", Type: ordergraph.TxnSale, Currency: "USD", Gross: 1000, Fee: 50, Net: 900, SourceID: "s1"}}
	if d := ledger.CheckOrder(o, txns); len(d) == 0 {
		t.Fatal("a wrong net must be reported")
	}
	txns[0].Net = 950
	if d := ledger.CheckOrder(o, txns); len(d) != 0 {
		t.Fatalf("consistent order reported: %v", d)
	}
	txns[0].PayoutReferenceID = "X"
	if d := ledger.CheckPage("p", txns, nil); len(d) == 0 {
		t.Fatal("a reference with no payout must be reported")
	}
}

func TestPostChargebacks(t *testing.T) {
	t.Parallel()
	at := t0.Add(time.Hour)
	before := &ordergraph.Order{ID: "o", PageID: "p", Currency: "USD",
		Shipments: []ordergraph.Shipment{{ID: "s1", Capture: ordergraph.Capture{Items: 5000}}}}
	after := before.Clone()
	after.Chargebacks = []ordergraph.Chargeback{
		{ID: "c1", Created: at, Amount: 500, Outcome: ordergraph.ChargebackSellerLoses, Fee: 1500},
		{ID: "c2", Created: at, Amount: 300, Outcome: ordergraph.ChargebackSellerWins},
		{ID: "c3", Created: at, Amount: 200, Outcome: ordergraph.ChargebackGoodwill},
	}
	got := ledger.Post(before, after, ordergraph.DefaultFeeSchedule("USD"))
	type row struct {
		ID   string
		Type ordergraph.TransactionType
		Net  int64
	}
	var rows []row
	for _, x := range got {
		rows = append(rows, row{x.ID, x.Type, x.Net})
	}
	want := []row{
		{"c1:CHARGEBACK", ordergraph.TxnChargeback, -500}, {"c1:CHARGEBACK_FEE", ordergraph.TxnChargebackFee, -1500},
		{"c2:CHARGEBACK", ordergraph.TxnChargeback, -300}, {"c2:CHARGEBACK_REVERSAL", ordergraph.TxnChargebackReversal, 300},
		{"c3:CHARGEBACK", ordergraph.TxnChargeback, -200}, {"c3:GOODWILL_TRANSFER", ordergraph.TxnGoodwillTransfer, 200},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Fatalf("posted (-want +got):\n%s", diff)
	}
	sale := ledger.Post(nil, before, ordergraph.DefaultFeeSchedule("USD"))
	all := append(sale, got...)
	if d := ledger.CheckOrder(after, all); len(d) != 0 {
		t.Fatalf("consistent order reported: %v", d)
	}
	// A lost chargeback posted without its fee breaks the order.
	if d := ledger.CheckOrder(after, append(sale, got[0], got[2], got[3], got[4], got[5])); len(d) == 0 {
		t.Error("a missing CHARGEBACK_FEE must be reported")
	}
	// Posting the same change again posts nothing.
	if again := ledger.Post(after, after, ordergraph.DefaultFeeSchedule("USD")); len(again) != 0 {
		t.Errorf("posted again: %v", again)
	}
}

func TestPageCheck(t *testing.T) {
	t.Parallel()
	txns := []*ordergraph.Transaction{
		{ID: "a", OrderID: "o", Net: 900, PayoutReferenceID: "R1"},
		{ID: "b", OrderID: "o", Net: -100, PayoutReferenceID: "R1"},
		{ID: "c", OrderID: "o", Net: 50},
	}
	c := ledger.NewPageCheck("p", "USD")
	for _, x := range txns {
		c.AddTransaction(x)
	}
	c.AddPayout(&ordergraph.Payout{ReferenceID: "R1", Amount: 800})
	c.AddOrderNet(850)
	if d := c.Discrepancies(); len(d) != 0 {
		t.Fatalf("balanced page reported: %v", d)
	}
	c.AddOrderNet(-850) // as if no order had these transactions
	c.AddPayout(&ordergraph.Payout{ReferenceID: "R1", Amount: 1})
	d := c.Discrepancies()
	var msgs []string
	for _, x := range d {
		msgs = append(msgs, x.Message)
	}
	for _, want := range []string{"used by more than one payout", "paid 8.01 but its transactions net 8.00", "belongs to no order"} {
		if !strings.Contains(strings.Join(msgs, "\n"), want) {
			t.Errorf("discrepancies %q lack %q", msgs, want)
		}
	}
}
