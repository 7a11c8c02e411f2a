package lifecycle_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/storetest"
)

type fixture struct {
	engine *lifecycle.Engine
	db     store.Store
	clock  *testClock
	page   *ordergraph.Page
	token  string
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func setup(tb testing.TB, mode string) *fixture {
	tb.Helper()
	ctx := context.Background()
	db := storetest.Open(tb)
	clock := &testClock{now: t0}
	e := lifecycle.NewEngine(db, clock, nil)
	e.NewID = lifecycle.SequentialIDs(1000)
	p, tok, err := e.CreatePage(ctx, ordergraph.PageSpec{Name: "Test", OrderManagement: mode})
	if err != nil {
		tb.Fatal(err)
	}
	return &fixture{engine: e, db: db, clock: clock, page: p, token: tok}
}

func (f *fixture) place(tb testing.TB, s ordergraph.OrderSpec) *ordergraph.Order {
	tb.Helper()
	o, err := f.engine.PlaceOrder(context.Background(), f.page.ID, s)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// placeAcknowledged places s and acknowledges the order: IN_PROGRESS once
// released (s starts CREATED).
func (f *fixture) placeAcknowledged(tb testing.TB, s ordergraph.OrderSpec) *ordergraph.Order {
	tb.Helper()
	o := f.place(tb, s)
	res, err := f.engine.Acknowledge(context.Background(), ordergraph.AcknowledgeCommand{PageID: f.page.ID, OrderID: o.ID})
	if err != nil {
		tb.Fatal(err)
	}
	return res.Order
}

func (f *fixture) get(tb testing.TB, id string) *ordergraph.Order {
	tb.Helper()
	o, err := f.engine.FindOrderByID(context.Background(), f.page.ID, id)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

func (f *fixture) events(tb testing.TB, id string) []*ordergraph.Event {
	tb.Helper()
	var evs []*ordergraph.Event
	err := f.db.Read(context.Background(), func(tx store.Tx) (err error) {
		evs, err = tx.EventList(context.Background(), f.page.ID, id)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return evs
}

func created() ordergraph.OrderSpec {
	s := spec()
	s.StartState = ordergraph.StateCreated
	return s
}

func TestEngine_HoldAndReleaseByPageClock(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	o := f.place(t, spec())
	if _, err := f.engine.AdvanceClock(ctx, f.page.ID, 29*time.Minute, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, o.ID).State(); got != ordergraph.StateFBProcessing {
		t.Fatalf("after 29m state=%v", got)
	}
	now, err := f.engine.AdvanceClock(ctx, f.page.ID, time.Minute, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !now.Equal(t0.Add(30 * time.Minute)) {
		t.Errorf("now=%v", now)
	}
	got := f.get(t, o.ID)
	if got.State() != ordergraph.StateCreated || got.Version != 2 {
		t.Fatalf("after 30m state=%v version=%d", got.State(), got.Version)
	}
	if _, err := f.engine.AdvanceClock(ctx, f.page.ID, 0, t0); ordergraph.ErrorCode(err) != ordergraph.EINVALID {
		t.Errorf("clock went backwards: %v", err)
	}
	kinds := []string{}
	for _, e := range f.events(t, o.ID) {
		kinds = append(kinds, e.Kind)
	}
	if fmt.Sprint(kinds) != "[PLACED RELEASED]" {
		t.Errorf("events=%v", kinds)
	}
}

func TestEngine_BackgroundTimersFollowTheBaseClock(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByCommerceManager)
	o := f.place(t, spec())
	f.clock.Advance(31 * time.Minute)
	n, err := f.engine.RunDueTimers(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("RunDueTimers=%d, %v", n, err)
	}
	if got := f.get(t, o.ID).State(); got != ordergraph.StateInProgress {
		t.Fatalf("a Commerce Manager page's order must acknowledge itself: state=%v", got)
	}
	if n, _ := f.engine.RunDueTimers(context.Background()); n != 0 {
		t.Errorf("second run changed %d orders", n)
	}
}

func TestEngine_RefusedCommandChangesNothing(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	o := f.place(t, created())
	events := len(f.events(t, o.ID))
	_, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID, Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: "1"}})
	wantSubcode(t, err, ordergraph.SubcodeOrderNotAcknowledged)
	got := f.get(t, o.ID)
	if diff := cmp.Diff(o, got); diff != "" || len(f.events(t, o.ID)) != events {
		t.Fatalf("refused ship changed the order (-before +after):\n%s", diff)
	}
}

func TestEngine_Idempotency(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	o := f.placeAcknowledged(t, created())
	idem := func(hash string) *ordergraph.Idempotency {
		return &ordergraph.Idempotency{Key: "k-1", ObjectID: o.ID, Edge: "shipments", RequestHash: hash,
			Respond: func(o *ordergraph.Order) (int, []byte, error) {
				return 200, []byte(fmt.Sprintf(`{"shipments":%d}`, len(o.Shipments))), nil
			}}
	}
	ship := ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID, Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: "1"},
		Items: []ordergraph.ItemQuantity{{RetailerID: "tee", Quantity: 1}}}
	ship.Idempotency = idem("h1")
	first, err := f.engine.Ship(ctx, ship)
	if err != nil || first.Replayed || string(first.Body) != `{"shipments":1}` {
		t.Fatalf("first: %+v %v", first, err)
	}
	again, err := f.engine.Ship(ctx, ship)
	if err != nil || !again.Replayed || string(again.Body) != `{"shipments":1}` || again.Status != 200 {
		t.Fatalf("replay: %+v %v", again, err)
	}
	ship.Idempotency = idem("h2")
	_, err = f.engine.Ship(ctx, ship)
	wantSubcode(t, err, ordergraph.SubcodeIdempotencyMismatch)
	if got := f.get(t, o.ID); len(got.Shipments) != 1 || got.Items[0].Fulfilled != 1 {
		t.Fatalf("shipments=%d fulfilled=%d", len(got.Shipments), got.Items[0].Fulfilled)
	}
}

// TestEngine_RacingShipsNeverOverShip has many clients ship one unit of a
// three-unit line at once: exactly three succeed.
func TestEngine_RacingShipsNeverOverShip(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	o := f.placeAcknowledged(t, created())
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID,
				Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: fmt.Sprint("T", i)},
				Items:    []ordergraph.ItemQuantity{{RetailerID: "tee", Quantity: 1}}})
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else if ordergraph.ErrorSubcode(err) == ordergraph.SubcodeSomeItemsDone {
				refused++
			} else {
				t.Errorf("ship: %v", err)
			}
		}()
	}
	wg.Wait()
	got := f.get(t, o.ID)
	if ok != 3 || refused != 9 || got.Items[0].Fulfilled != 3 || len(got.Shipments) != 3 {
		t.Fatalf("ok=%d refused=%d fulfilled=%d shipments=%d", ok, refused, got.Items[0].Fulfilled, len(got.Shipments))
	}
}

// TestEngine_PagingWhileAcknowledging follows a production integration
// that acknowledges each page of CREATED orders before it fetches the
// next: the keyset cursor must not skip any order.
func TestEngine_PagingWhileAcknowledging(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	ids, err := f.engine.GenerateOrders(ctx, f.page.ID, ordergraph.GenerateSpec{Count: 60, Seed: 7, StartState: ordergraph.StateCreated})
	if err != nil || len(ids) != 60 {
		t.Fatalf("generate: %d %v", len(ids), err)
	}
	seen := map[string]int{}
	after := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		p, err := f.engine.FindOrders(ctx, ordergraph.OrderFilter{PageID: f.page.ID, States: []ordergraph.OrderState{ordergraph.StateCreated}, After: after, Limit: 25})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Orders {
			seen[o.ID]++
			f.clock.Advance(time.Millisecond)
			if _, err := f.engine.Acknowledge(ctx, ordergraph.AcknowledgeCommand{PageID: f.page.ID, OrderID: o.ID}); err != nil {
				t.Fatal(err)
			}
		}
		if !p.HasNext {
			break
		}
		after = p.After
	}
	if len(seen) != 60 {
		t.Fatalf("saw %d of 60 orders", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("order %s seen %d times", id, n)
		}
	}
}

func TestEngine_Authenticate(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	tok, page, err := f.engine.Authenticate(ctx, f.token)
	if err != nil || page.ID != f.page.ID || tok.Role != ordergraph.RoleEditor {
		t.Fatalf("Authenticate: %+v %+v %v", tok, page, err)
	}
	if _, _, err := f.engine.Authenticate(ctx, "EAAnope"); ordergraph.ErrorCode(err) != ordergraph.EUNAUTHORIZED {
		t.Errorf("unknown token: %v", err)
	}
	short, _, err := f.engine.CreateToken(ctx, f.page.ID, ordergraph.RoleAnalyst, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	if _, _, err := f.engine.Authenticate(ctx, short); ordergraph.ErrorSubcode(err) != lifecycle.SubcodeTokenExpired {
		t.Errorf("expired token: %v", err)
	}
	if err := f.engine.RevokeToken(ctx, f.token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.engine.Authenticate(ctx, f.token); ordergraph.ErrorSubcode(err) != lifecycle.SubcodeTokenRevoked {
		t.Errorf("revoked token: %v", err)
	}
}

func TestEngine_BuyerCancelFindsThePage(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	o := f.place(t, spec())
	got, err := f.engine.BuyerCancel(context.Background(), "", o.ID)
	if err != nil || got.LegacyStatus() != ordergraph.LegacyCancelled {
		t.Fatalf("BuyerCancel: %v %v", got, err)
	}
}

func TestEngine_GenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a := lifecycle.GenerateSpecs(ordergraph.GenerateSpec{Count: 20, Seed: 42}, "USD")
	b := lifecycle.GenerateSpecs(ordergraph.GenerateSpec{Count: 20, Seed: 42}, "USD")
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("same seed, different orders")
	}
	c := lifecycle.GenerateSpecs(ordergraph.GenerateSpec{Count: 20, Seed: 43}, "USD")
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("different seeds, same orders")
	}
}

func TestEngine_BatchIdempotencyAndExpiry(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	a, b := f.place(t, created()), f.place(t, created())
	calls := 0
	cmd := ordergraph.AcknowledgeBatchCommand{PageID: f.page.ID,
		Orders: []ordergraph.AcknowledgeCommand{{OrderID: a.ID}, {OrderID: "404"}},
		Idempotency: &ordergraph.Idempotency{Key: "batch-1", ObjectID: f.page.ID, Edge: "acknowledge_orders", RequestHash: "h",
			RespondBatch: func(out []ordergraph.AcknowledgeOutcome) (int, []byte, error) {
				calls++
				return 200, []byte(fmt.Sprint(len(out), " outcomes")), nil
			}}}
	res, out, err := f.engine.AcknowledgeBatch(ctx, cmd)
	if err != nil || len(out) != 2 || out[0].Err != nil || ordergraph.ErrorCode(out[1].Err) != ordergraph.ENOTFOUND {
		t.Fatalf("first: %+v %v", out, err)
	}
	if string(res.Body) != "2 outcomes" || res.Replayed {
		t.Fatalf("first result %+v", res)
	}
	// Same key and request hash: the first answer is replayed and nothing
	// runs again (the engine compares hashes, not the orders listed).
	cmd.Orders = append(cmd.Orders, ordergraph.AcknowledgeCommand{OrderID: b.ID})
	res, out, err = f.engine.AcknowledgeBatch(ctx, cmd)
	if err != nil || !res.Replayed || string(res.Body) != "2 outcomes" || out != nil || calls != 1 {
		t.Fatalf("replay: %+v %v %v calls=%d", res, out, err, calls)
	}
	if got := f.get(t, b.ID).State(); got != ordergraph.StateCreated {
		t.Fatalf("a replay acknowledged another order: %v", got)
	}
	// After 24 hours the key is free again.
	f.clock.Advance(lifecycle.IdempotencyTTL + time.Minute)
	if _, err := f.engine.RunDueTimers(ctx); err != nil {
		t.Fatal(err)
	}
	res, _, err = f.engine.AcknowledgeBatch(ctx, cmd)
	if err != nil || res.Replayed || calls != 2 {
		t.Fatalf("after expiry: %+v %v calls=%d", res, err, calls)
	}
	if got := f.get(t, b.ID).State(); got != ordergraph.StateInProgress {
		t.Fatalf("b=%v", got)
	}
}

func TestEngine_Returns(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	o := f.placeAcknowledged(t, created())
	if _, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID, Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: "1"}}); err != nil {
		t.Fatal(err)
	}
	res, err := f.engine.CreateReturn(ctx, ordergraph.ReturnCommand{PageID: f.page.ID, OrderID: o.ID,
		Items: []ordergraph.ReturnItem{{RetailerID: "mug", Quantity: 1, Reason: "DAMAGED_ITEM"}}})
	if err != nil || res.CreatedID == "" {
		t.Fatalf("CreateReturn: %+v %v", res, err)
	}
	got, r, err := f.engine.FindReturnByID(ctx, f.page.CMSID, res.CreatedID)
	if err != nil || got.ID != o.ID || r.Status != ordergraph.ReturnRequested || r.Actor != ordergraph.ActorSeller {
		t.Fatalf("FindReturnByID: %v %+v %v", got, r, err)
	}
	if _, err := f.engine.UpdateReturn(ctx, ordergraph.UpdateReturnCommand{PageID: f.page.ID, ReturnID: res.CreatedID, Event: ordergraph.ReturnEventClose}); err != nil {
		t.Fatal(err)
	}
	refund, err := f.engine.Refund(ctx, ordergraph.RefundCommand{PageID: f.page.ID, OrderID: o.ID, ReturnID: res.CreatedID})
	if err != nil || refund.CreatedID == "" {
		t.Fatalf("refund for return: %v", err)
	}
	if _, r, _ = f.engine.FindReturnByID(ctx, f.page.ID, res.CreatedID); r.Status != ordergraph.ReturnRefunded || r.RefundID != refund.CreatedID {
		t.Fatalf("return after refund: %+v", r)
	}
	// Another page never sees the return.
	other, _, err := f.engine.CreatePage(ctx, ordergraph.PageSpec{Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.engine.FindReturnByID(ctx, other.ID, res.CreatedID); ordergraph.ErrorCode(err) != ordergraph.ENOTFOUND {
		t.Fatalf("other page: %v", err)
	}
}

func TestEngine_SetOrderManagement(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByCommerceManager)
	ctx := context.Background()
	p, err := f.engine.SetOrderManagement(ctx, f.page.CMSID, ordergraph.ManagedByAPI)
	if err != nil || p.OrderManagement != ordergraph.ManagedByAPI {
		t.Fatalf("SetOrderManagement: %+v %v", p, err)
	}
	o := f.place(t, spec())
	if _, err := f.engine.AdvanceClock(ctx, f.page.ID, 30*time.Minute, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, o.ID).State(); got != ordergraph.StateCreated {
		t.Fatalf("an API-managed page's order must wait for acknowledgement: %v", got)
	}
	if _, err := f.engine.SetOrderManagement(ctx, f.page.ID, "carrier_pigeon"); ordergraph.ErrorCode(err) != ordergraph.EINVALID {
		t.Fatalf("bad mode: %v", err)
	}
}

func TestEngine_FindReturnsPages(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	var ids []string
	for i := range 3 {
		o := f.placeAcknowledged(t, created())
		if _, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID, Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		res, err := f.engine.CreateReturn(ctx, ordergraph.ReturnCommand{PageID: f.page.ID, OrderID: o.ID,
			Items: []ordergraph.ReturnItem{{RetailerID: "tee", Quantity: 1}}, MerchantReturnID: fmt.Sprint("RMA-", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.CreatedID)
	}
	if _, err := f.engine.UpdateReturn(ctx, ordergraph.UpdateReturnCommand{PageID: f.page.ID, ReturnID: ids[1], Event: ordergraph.ReturnEventAccept}); err != nil {
		t.Fatal(err)
	}
	p1, err := f.engine.FindReturns(ctx, ordergraph.ReturnFilter{PageID: f.page.CMSID, Limit: 2})
	if err != nil || len(p1.Returns) != 2 || !p1.HasNext || p1.Returns[0].Return.ID != ids[0] {
		t.Fatalf("page 1: %+v %v", p1, err)
	}
	p2, err := f.engine.FindReturns(ctx, ordergraph.ReturnFilter{PageID: f.page.ID, Limit: 2, After: p1.After})
	if err != nil || len(p2.Returns) != 1 || p2.HasNext || !p2.HasPrevious || p2.Returns[0].Return.ID != ids[2] {
		t.Fatalf("page 2: %+v %v", p2, err)
	}
	approved, err := f.engine.FindReturns(ctx, ordergraph.ReturnFilter{PageID: f.page.ID, Statuses: []ordergraph.ReturnStatus{ordergraph.ReturnApproved}})
	if err != nil || len(approved.Returns) != 1 || approved.Returns[0].Return.ID != ids[1] || approved.Returns[0].Order == nil {
		t.Fatalf("approved: %+v %v", approved, err)
	}
}

// TestEngine_PagingWithNanosecondTimes pages through orders whose
// last_updated has sub-microsecond parts, as the system clock gives them:
// a cursor must never match its own order again.
func TestEngine_PagingWithNanosecondTimes(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	for range 12 {
		f.clock.Advance(1234567 * time.Nanosecond)
		f.place(t, created())
	}
	seen := map[string]bool{}
	after := ""
	for range 10 {
		p, err := f.engine.FindOrders(ctx, ordergraph.OrderFilter{PageID: f.page.ID, After: after, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Orders {
			if seen[o.ID] {
				t.Fatalf("order %s seen twice", o.ID)
			}
			seen[o.ID] = true
		}
		if !p.HasNext {
			break
		}
		after = p.After
	}
	if len(seen) != 12 {
		t.Fatalf("saw %d of 12 orders", len(seen))
	}
}

// TestEngine_ConcurrentSameKey sends one whole-order cancellation with one
// idempotency key from many clients at once: every one gets the first
// answer, none the refusal a second cancellation would get.
func TestEngine_ConcurrentSameKey(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	o := f.placeAcknowledged(t, created())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.engine.Cancel(ctx, ordergraph.CancelCommand{PageID: f.page.ID, OrderID: o.ID, ReasonCode: ordergraph.CancelOutOfStock,
				Idempotency: &ordergraph.Idempotency{Key: "same", ObjectID: o.ID, Edge: "cancellations", RequestHash: "h",
					Respond: func(*ordergraph.Order) (int, []byte, error) { return 200, []byte(`{"success":true}`), nil }}})
			if err == nil && string(res.Body) != `{"success":true}` {
				err = fmt.Errorf("body %s", res.Body)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a retry with the same key failed: %v", err)
		}
	}
	if got := f.get(t, o.ID); len(got.Cancellations) != 1 {
		t.Fatalf("cancellations=%d", len(got.Cancellations))
	}
}

// TestEngine_PayoutDecidesOnTheWholeBalance: a page whose first 5,000 due
// transactions net below zero but whose whole due balance is positive is
// paid out, in one payout that sweeps every due transaction.
func TestEngine_PayoutDecidesOnTheWholeBalance(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	o := f.place(t, created())
	const small = 5000
	err := f.db.Write(ctx, func(tx store.Tx) error {
		for i := range small + 1 {
			net := int64(-1)
			if i == small {
				net = 10000
			}
			txn := &ordergraph.Transaction{ID: fmt.Sprint("t", i), PageID: f.page.ID, OrderID: o.ID, Type: ordergraph.TxnRefund,
				Date: t0.Add(time.Duration(i) * time.Microsecond), Currency: "USD", Gross: net, Net: net, SourceID: fmt.Sprint("s", i)}
			if err := tx.TransactionInsert(ctx, txn); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(4 * 24 * time.Hour)
	if _, err := f.engine.RunDueTimers(ctx); err != nil {
		t.Fatal(err)
	}
	var payouts []*ordergraph.Payout
	var unpaid int
	err = f.db.Read(ctx, func(tx store.Tx) (err error) {
		if payouts, err = tx.PayoutList(ctx, store.PayoutListParams{PageID: f.page.ID}); err != nil {
			return err
		}
		_, unpaid, err = tx.TransactionUnpaidSum(ctx, f.page.ID, f.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(payouts) != 1 || payouts[0].Amount != 10000-small || payouts[0].Transactions != small+1 || unpaid != 0 {
		t.Fatalf("payouts=%+v unpaid=%d", payouts, unpaid)
	}
}

// TestEngine_VerifyReportsStuckPayouts: a page whose positive balance has
// been due for longer than the grace is reported; paying it out clears it.
func TestEngine_VerifyReportsStuckPayouts(t *testing.T) {
	t.Parallel()
	f := setup(t, ordergraph.ManagedByAPI)
	ctx := context.Background()
	o := f.placeAcknowledged(t, created())
	if _, err := f.engine.Ship(ctx, ordergraph.ShipCommand{PageID: f.page.ID, OrderID: o.ID, Tracking: ordergraph.Tracking{Carrier: "ups", TrackingNumber: "1"}}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(ordergraph.PayoutDelay + 25*time.Hour)
	found, err := f.engine.Verify(ctx, nil)
	if err != nil || len(found) != 1 || !strings.Contains(found[0].Message, "still unpaid") {
		t.Fatalf("stuck payout not reported: %v %v", found, err)
	}
	if _, err := f.engine.RunDueTimers(ctx); err != nil {
		t.Fatal(err)
	}
	if found, err := f.engine.Verify(ctx, nil); err != nil || len(found) != 0 {
		t.Fatalf("after the payout: %v %v", found, err)
	}
}
