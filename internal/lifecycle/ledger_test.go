package lifecycle_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/ledger"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/storetest"
)

// ledgerFixture is an engine on a store with one page in a currency.
type ledgerFixture struct {
	*fixture
}

func setupCurrency(tb testing.TB, currency string) *ledgerFixture {
	tb.Helper()
	db := storetest.Open(tb)
	clock := &testClock{now: t0}
	e := lifecycle.NewEngine(db, clock, nil)
	e.NewID = lifecycle.SequentialIDs(1000)
	p, tok, err := e.CreatePage(context.Background(), ordergraph.PageSpec{Name: "Ledger", Currency: currency})
	if err != nil {
		tb.Fatal(err)
	}
	return &ledgerFixture{&fixture{engine: e, db: db, clock: clock, page: p, token: tok}}
}

// transactions returns the order's transactions as stored.
func (f *ledgerFixture) transactions(tb testing.TB, orderID string) []*ordergraph.Transaction {
	tb.Helper()
	var txns []*ordergraph.Transaction
	err := f.db.Read(context.Background(), func(tx store.Tx) (err error) {
		txns, err = tx.TransactionList(context.Background(), store.TransactionListParams{PageID: f.page.ID, OrderIDs: []string{orderID}})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return txns
}

// TestEngineLedgerProperties drives random orders through random ship,
// cancel, refund and chargeback commands of the engine, in currencies of
// exponent 0, 2 and 3, and after every command checks the order against
// the transactions the store holds: the reconciliation invariants hold, the
// buyer never gets back more than was captured, and no minor unit is lost
// or invented (a fully shipped order captured exactly its total). Verify
// then finds nothing, and still finds nothing after payouts.
func TestEngineLedgerProperties(t *testing.T) {
	t.Parallel()
	for i, cur := range []string{"JPY", "USD", "KWD"} {
		t.Run(cur, func(t *testing.T) {
			t.Parallel()
			f := setupCurrency(t, cur)
			r := rand.New(rand.NewPCG(42, uint64(i)))
			orders := 12
			if testing.Short() {
				orders = 4
			}
			done := map[string]int{}
			for n := range orders {
				engineWalk(t, f, r, n, done)
			}
			// The walk must have exercised every command, not only refusals.
			for _, op := range []string{"ship", "cancel", "refund", "full refund", "chargeback"} {
				if done[op] == 0 {
					t.Errorf("no %s succeeded: %v", op, done)
				}
			}
			ctx := context.Background()
			// The walk spans days: pay out what fell due on the way, as the
			// timer loop would have (Verify reports overdue payouts).
			if _, err := f.engine.RunDueTimers(ctx); err != nil {
				t.Fatal(err)
			}
			found, err := f.engine.Verify(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) > 0 {
				t.Fatalf("Verify: %v", found)
			}
			if _, err := f.engine.AdvanceClock(ctx, f.page.ID, 4*24*time.Hour, time.Time{}); err != nil {
				t.Fatal(err)
			}
			if found, err := f.engine.Verify(ctx, nil); err != nil || len(found) > 0 {
				t.Fatalf("Verify after payouts: %v %v", found, err)
			}
		})
	}
}

func engineWalk(t *testing.T, f *ledgerFixture, r *rand.Rand, n int, done map[string]int) {
	t.Helper()
	ctx := context.Background()
	cur := f.page.Currency
	exp, _ := ordergraph.Exponent(cur)
	scale := int64(1)
	for range exp {
		scale *= 10
	}
	money := func(max int64) string { return ordergraph.FormatAmount(r.Int64N(max), cur) }
	s := ordergraph.OrderSpec{StartState: ordergraph.StateCreated}
	for i := range 1 + r.IntN(3) {
		s.Items = append(s.Items, ordergraph.OrderSpecItem{RetailerID: fmt.Sprint("sku", n, "-", i), Quantity: 1 + r.IntN(4),
			PricePerUnit: money(100 * scale), TaxRate: []string{"0", "0.0725", "0.101", "0.2"}[r.IntN(4)]})
	}
	s.Shipping = ordergraph.OrderSpecShipping{Price: money(10 * scale), TaxRate: "0.065"}
	o := f.placeAcknowledged(t, s)
	for step := range 12 {
		f.clock.Advance(time.Hour)
		o = f.get(t, o.ID)
		it := o.Items[r.IntN(len(o.Items))]
		var err error
		op := r.IntN(6)
		switch op {
		case 0, 1:
			_, err = f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID,
				Items:    []ordergraph.ItemQuantity{{ItemID: it.ID, Quantity: 1 + r.IntN(2)}},
				Tracking: ordergraph.Tracking{Carrier: "UPS", TrackingNumber: fmt.Sprint("1Z", n, "-", step)}})
		case 2:
			_, err = f.engine.Cancel(ctx, ordergraph.CancelCommand{PageID: f.page.ID, OrderID: o.ID, ReasonCode: ordergraph.CancelOutOfStock,
				Items: []ordergraph.ItemQuantity{{ItemID: it.ID, Quantity: 1}}})
		case 3:
			a := r.Int64N(it.PricePerUnit + 1)
			_, err = f.engine.Refund(ctx, ordergraph.RefundCommand{PageID: f.page.ID, OrderID: o.ID, ReasonCode: ordergraph.RefundDamagedGoods,
				Items: []ordergraph.RefundItemRequest{{ItemID: it.ID, Amount: &a}}})
		case 4:
			outcome := ordergraph.ChargebackOutcomes[r.IntN(len(ordergraph.ChargebackOutcomes))]
			_, _, err = f.engine.Chargeback(ctx, f.page.ID, o.ID, money(30*scale), outcome)
		case 5:
			_, err = f.engine.Refund(ctx, ordergraph.RefundCommand{PageID: f.page.ID, OrderID: o.ID, ReasonCode: ordergraph.RefundBuyersRemorse})
		}
		if code := ordergraph.ErrorCode(err); code != "" && code != ordergraph.EINVALID {
			t.Fatalf("%s order %s step %d: %v", cur, o.ID, step, err)
		} else if err == nil {
			done[[]string{"ship", "ship", "cancel", "refund", "chargeback", "full refund"}[op]]++
		}
		checkOrderMoney(t, f, o.ID)
	}
	// Ship what is left: the captures then add up to the order's total.
	if o = f.get(t, o.ID); o.InProgress() > 0 && o.Cancelled() == 0 {
		if _, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID,
			Tracking: ordergraph.Tracking{Carrier: "UPS", TrackingNumber: fmt.Sprint("1Z", n, "-last")}}); err != nil {
			t.Fatal(err)
		}
		o = f.get(t, o.ID)
		if got := o.Captured().Total(); got != o.Total() {
			t.Fatalf("%s order %s: fully shipped, captured %d of a %d total", cur, o.ID, got, o.Total())
		}
	}
	checkOrderMoney(t, f, o.ID)
}

// checkOrderMoney checks one order against its stored transactions.
func checkOrderMoney(t *testing.T, f *ledgerFixture, orderID string) {
	t.Helper()
	o := f.get(t, orderID)
	txns := f.transactions(t, orderID)
	if d := ledger.CheckOrder(o, txns); len(d) > 0 {
		t.Fatalf("%s: %v", f.page.Currency, d)
	}
	var sales, refunds, kept int64
	for _, x := range txns {
		switch x.Type {
		case ordergraph.TxnSale:
			sales += x.Gross
		case ordergraph.TxnRefund:
			refunds -= x.Gross
		}
	}
	for _, c := range o.Chargebacks {
		if c.ReturnedToBuyer() {
			kept += c.Amount
		}
	}
	if sales != o.Captured().Total() || sales > o.Total() {
		t.Fatalf("order %s: SALEs %d, captured %d, total %d", o.ID, sales, o.Captured().Total(), o.Total())
	}
	if refunds+kept > sales {
		t.Fatalf("order %s: refunded %d and chargebacks kept %d above the %d captured", o.ID, refunds, kept, sales)
	}
	var itemsCaptured int64
	for _, it := range o.Items {
		itemsCaptured += it.CapturedAmount + it.CapturedTax
		if it.RefundedAmount > it.CapturedAmount || it.RefundedTax > it.CapturedTax {
			t.Fatalf("order %s line %s: refunded %d+%d of %d+%d captured", o.ID, it.ID, it.RefundedAmount, it.RefundedTax, it.CapturedAmount, it.CapturedTax)
		}
	}
	c := o.Captured()
	if itemsCaptured != c.Items+c.ItemsTax {
		t.Fatalf("order %s: lines captured %d, shipments %d", o.ID, itemsCaptured, c.Items+c.ItemsTax)
	}
}

// TestEnginePayouts advances a page's clock past the payout delay: one
// payout sweeps the due transactions, each carries its reference, and a
// second advance pays nothing twice.
func TestEnginePayouts(t *testing.T) {
	t.Parallel()
	f := setupCurrency(t, "USD")
	ctx := context.Background()
	o := f.placeAcknowledged(t, created())
	ship := func(tracking string, items ...ordergraph.ItemQuantity) {
		t.Helper()
		if _, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID, Items: items,
			Tracking: ordergraph.Tracking{Carrier: "UPS", TrackingNumber: tracking}}); err != nil {
			t.Fatal(err)
		}
	}
	ship("A", ordergraph.ItemQuantity{ItemID: o.Items[0].ID, Quantity: 1})
	if _, _, err := f.engine.Chargeback(ctx, f.page.ID, o.ID, "2.00", ordergraph.ChargebackSellerWins); err != nil {
		t.Fatal(err)
	}
	if _, err := f.engine.AdvanceClock(ctx, f.page.ID, 2*24*time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	ship("B") // the rest, two days later
	payouts := func() []*ordergraph.Payout {
		t.Helper()
		p, err := f.engine.FindPayouts(ctx, ordergraph.PayoutFilter{PageID: f.page.ID})
		if err != nil {
			t.Fatal(err)
		}
		return p.Payouts
	}
	if got := payouts(); len(got) != 0 {
		t.Fatalf("payouts before the delay: %+v", got)
	}
	if _, err := f.engine.AdvanceClock(ctx, f.page.ID, 24*time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	got := payouts()
	if len(got) != 1 {
		t.Fatalf("payouts after 3 days: %+v", got)
	}
	p := got[0]
	txns := f.transactions(t, o.ID)
	var want int64
	for _, x := range txns {
		if x.PayoutReferenceID == p.ReferenceID {
			want += x.Net
		}
	}
	// The first SALE and the chargeback pair are 3 days old; the second
	// SALE is not yet due.
	if p.Transactions != 3 || p.Amount != want || p.Amount != txns[0].Net || p.Status != ordergraph.PayoutCompleted || p.ReferenceID[:7] != "FBMPUSS" {
		t.Fatalf("payout %+v of %+v", p, txns)
	}
	if txns[3].PayoutReferenceID != "" {
		t.Errorf("the second SALE was paid out before its delay: %+v", txns[3])
	}
	if _, err := f.engine.AdvanceClock(ctx, f.page.ID, time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := payouts(); len(got) != 1 {
		t.Fatalf("a second advance paid again: %+v", got)
	}
	// The background run pays the rest once it is due, and only once.
	f.clock.Advance(2 * 24 * time.Hour)
	for range 2 {
		if _, err := f.engine.RunDueTimers(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := payouts(); len(got) != 2 || got[1].Transactions != 1 {
		t.Fatalf("payouts after the second SALE is due: %+v", got)
	}
	page, err := f.engine.FindTransactions(ctx, ordergraph.TransactionFilter{PageID: f.page.ID, PayoutReferenceID: p.ReferenceID})
	if err != nil || len(page.Transactions) != 3 || page.Transactions[0].Order.ID != o.ID {
		t.Fatalf("transactions of the first payout: %+v %v", page, err)
	}
	if found, err := f.engine.Verify(ctx, nil); err != nil || len(found) > 0 {
		t.Fatalf("Verify: %v %v", found, err)
	}
}

// TestEngineNegativeBalanceWaits keeps a page that owes from being paid a
// negative amount: its balance carries to the next positive payout.
func TestEngineNegativeBalanceWaits(t *testing.T) {
	t.Parallel()
	f := setupCurrency(t, "USD")
	ctx := context.Background()
	o := f.placeAcknowledged(t, created())
	if _, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID, Tracking: ordergraph.Tracking{Carrier: "UPS", TrackingNumber: "A"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.engine.Refund(ctx, ordergraph.RefundCommand{PageID: f.page.ID, OrderID: o.ID, ReasonCode: ordergraph.RefundBuyersRemorse}); err != nil {
		t.Fatal(err)
	}
	// Fully refunded: the page owes the processing fee.
	if _, err := f.engine.AdvanceClock(ctx, f.page.ID, 4*24*time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	p, err := f.engine.FindPayouts(ctx, ordergraph.PayoutFilter{PageID: f.page.ID})
	if err != nil || len(p.Payouts) != 0 {
		t.Fatalf("payouts of a negative balance: %+v %v", p, err)
	}
	if found, err := f.engine.Verify(ctx, nil); err != nil || len(found) > 0 {
		t.Fatalf("Verify: %v %v", found, err)
	}
}

func TestEngineChargeback(t *testing.T) {
	t.Parallel()
	f := setupCurrency(t, "USD")
	ctx := context.Background()
	o := f.placeAcknowledged(t, created()) // 35.50 of items, 4.99 shipping, 10% tax: 44.54
	_, _, err := f.engine.Chargeback(ctx, "", o.ID, "1.00", ordergraph.ChargebackSellerLoses)
	if ordergraph.ErrorSubcode(err) != ordergraph.SubcodeNotCharged {
		t.Fatalf("chargeback of an unshipped order: %v", err)
	}
	if _, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID, Tracking: ordergraph.Tracking{Carrier: "UPS", TrackingNumber: "A"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, amount string
		outcome      ordergraph.ChargebackOutcome
		word         string
	}{
		{"ErrZero", "0", ordergraph.ChargebackSellerLoses, "above zero"},
		{"ErrPrecision", "1.005", ordergraph.ChargebackSellerLoses, "decimal places"},
		{"ErrOutcome", "1.00", "seller_shrugs", "seller_wins, seller_loses, goodwill"},
		{"ErrTooMuch", "44.55", ordergraph.ChargebackGoodwill, "44.54 USD still disputable"},
	} {
		_, _, err := f.engine.Chargeback(ctx, f.page.ID, o.ID, c.amount, c.outcome)
		if ordergraph.ErrorCode(err) != ordergraph.EINVALID || !contains(ordergraph.ErrorMessage(err), c.word) {
			t.Errorf("%s: %v, want a message with %q", c.name, err, c.word)
		}
	}
	got, cb, err := f.engine.Chargeback(ctx, "", o.ID, "10.00", ordergraph.ChargebackSellerLoses)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Amount != 1000 || cb.Fee != 1500 || len(got.Chargebacks) != 1 {
		t.Fatalf("chargeback %+v", cb)
	}
	if _, _, err := f.engine.Chargeback(ctx, "", o.ID, "34.55", ordergraph.ChargebackSellerWins); !contains(ordergraph.ErrorMessage(err), "34.54 USD still disputable") {
		t.Fatalf("second chargeback above what is left: %v", err)
	}
	var types []ordergraph.TransactionType
	for _, x := range f.transactions(t, o.ID) {
		types = append(types, x.Type)
	}
	if fmt.Sprint(types) != "[SALE CHARGEBACK CHARGEBACK_FEE]" {
		t.Errorf("transactions %v", types)
	}
	if evs := f.events(t, o.ID); evs[len(evs)-1].Kind != ordergraph.EventChargeback {
		t.Errorf("last event %s, want %s", evs[len(evs)-1].Kind, ordergraph.EventChargeback)
	}
	checkOrderMoney(t, f, o.ID)
	// The buyer kept 10.00: a full refund returns everything else, 34.54,
	// never the 10.00 twice.
	res, err := f.engine.Refund(ctx, ordergraph.RefundCommand{PageID: f.page.ID, OrderID: o.ID, ReasonCode: ordergraph.RefundBuyersRemorse})
	if err != nil {
		t.Fatalf("full refund after a lost chargeback: %v", err)
	}
	if got := res.Order.Refunds[len(res.Order.Refunds)-1].Total(); got != 3454 {
		t.Fatalf("full refund after a lost chargeback returned %d, want 3454", got)
	}
	checkOrderMoney(t, f, o.ID)
	_, err = f.engine.Refund(ctx, ordergraph.RefundCommand{PageID: f.page.ID, OrderID: o.ID, ReasonCode: ordergraph.RefundBuyersRemorse})
	if ordergraph.ErrorSubcode(err) != ordergraph.SubcodeRefundAboveCharged || !contains(ordergraph.ErrorMessage(err), "0.00 USD can still be refunded") {
		t.Fatalf("second full refund: %v", err)
	}
}

// TestEngineFeeSchedule posts with the page's own fee schedule when it has
// one.
func TestEngineFeeSchedule(t *testing.T) {
	t.Parallel()
	f := setupCurrency(t, "USD")
	ctx := context.Background()
	storetest.MustWrite(t, f.db, func(tx store.Tx) error {
		return tx.FeeSchedulePut(ctx, f.page.ID, ordergraph.FeeSchedule{RateBasisPoints: 290, Flat: 30, FlatUpTo: 100})
	})
	o := f.placeAcknowledged(t, created())
	if _, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID, Tracking: ordergraph.Tracking{Carrier: "UPS", TrackingNumber: "A"}}); err != nil {
		t.Fatal(err)
	}
	txns := f.transactions(t, o.ID)
	if len(txns) != 1 || txns[0].Gross != 4454 || txns[0].Fee != 129 { // 2.9% of 44.54
		t.Fatalf("transactions %+v", txns)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestEngineItemUpdatesPost posts the shipments and refunds an item_updates
// snapshot stands for, in the snapshot's transaction.
func TestEngineItemUpdatesPost(t *testing.T) {
	t.Parallel()
	f := setupCurrency(t, "USD")
	ctx := context.Background()
	o := f.placeAcknowledged(t, created())
	_, err := f.engine.ApplyItemUpdates(ctx, ordergraph.ItemUpdatesCommand{PageID: f.page.ID, OrderID: o.ID, MerchantOrderReference: "OMS-1",
		Items: []ordergraph.ItemUpdate{
			{ItemID: o.Items[0].ID, FulfillQuantity: 3, RefundQuantity: 1, Tracking: []ordergraph.Tracking{{Carrier: "UPS", TrackingNumber: "A"}}},
			{ItemID: o.Items[1].ID, CancelQuantity: 1},
		}})
	if err != nil {
		t.Fatal(err)
	}
	var types []ordergraph.TransactionType
	for _, x := range f.transactions(t, o.ID) {
		types = append(types, x.Type)
	}
	if fmt.Sprint(types) != "[SALE REFUND]" {
		t.Errorf("transactions %v", types)
	}
	checkOrderMoney(t, f, o.ID)
}
