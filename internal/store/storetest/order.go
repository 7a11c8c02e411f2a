package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// OrderKind is where a test order of NewOrder stands in its lifecycle.
type OrderKind int

const (
	FBProcessing OrderKind = iota
	Created
	InProgress
	PartlyShipped
	Shipped
	Cancelled
	Refunded
	numKinds
)

// NewOrder builds an order of the given kind, with one line of two units,
// last updated at updated, at version 1.
func NewOrder(pageID, id string, kind OrderKind, updated time.Time) *ordergraph.Order {
	placed := updated.Add(-time.Hour)
	o := &ordergraph.Order{
		ID:           id,
		PageID:       pageID,
		Currency:     "USD",
		Channel:      "facebook",
		Created:      placed,
		LastUpdated:  updated,
		ReleaseAt:    placed.Add(ordergraph.HoldDuration),
		HandlingDays: 3,
		Outcome:      ordergraph.OutcomeRelease,
		Buyer:        ordergraph.Buyer{Name: "Ada Buyer", Email: "ada@example.com"},
		ShippingAddress: ordergraph.Address{
			Name: "Ada Buyer", Street1: "1 Main St", City: "Springfield", State: "IL", PostalCode: "62701", Country: "US",
		},
		ShippingOption: ordergraph.ShippingOption{Name: "Standard", Price: 500, MinDays: 2, MaxDays: 5},
		Items: []ordergraph.Item{{
			ID: id + "-1", RetailerID: "SKU-1", ProductID: "100", ProductName: "Mug",
			Quantity: 2, PricePerUnit: 1250, TaxRate: "0.1", Tax: 250,
		}},
		Version: 1,
	}
	if kind == FBProcessing {
		return o
	}
	released := o.ReleaseAt
	o.ReleasedAt = &released
	o.AckDueAt = released.Add(ordergraph.AckSLA)
	o.ShipByDate = released.AddDate(0, 0, 3).Format(time.DateOnly)
	if kind == Created {
		return o
	}
	acked := released.Add(time.Minute)
	o.AckedAt = &acked
	ship := func(n int) {
		o.Items[0].Fulfilled = n
		o.Shipments = append(o.Shipments, ordergraph.Shipment{
			ID: id + "-s", Created: acked.Add(time.Minute),
			Items:    []ordergraph.ItemQuantity{{ItemID: id + "-1", RetailerID: "SKU-1", Quantity: n}},
			Tracking: ordergraph.Tracking{Carrier: "UPS", TrackingNumber: "1Z" + id},
			Capture:  ordergraph.Capture{Items: int64(n) * 1250, ItemsTax: int64(n) * 125, Shipping: 500},
		})
	}
	switch kind {
	case PartlyShipped:
		ship(1)
	case Shipped:
		ship(2)
	case Cancelled:
		o.Items[0].Cancelled = 2
		o.Cancellations = []ordergraph.Cancellation{{
			ID: id + "-c", Created: acked.Add(time.Minute), Actor: ordergraph.ActorSeller,
			ReasonCode: ordergraph.CancelOutOfStock, Items: []ordergraph.ItemQuantity{{ItemID: id + "-1", Quantity: 2}},
		}}
	case Refunded:
		ship(2)
		o.Refunds = []ordergraph.Refund{{
			ID: id + "-r", Created: acked.Add(time.Hour), ReasonCode: ordergraph.RefundDamagedGoods,
			Items: []ordergraph.RefundItem{{ItemID: id + "-1", Quantity: 1, Amount: 1250, Tax: 125}},
		}}
	}
	return o
}

// exerciseOrder checks that an order round-trips exactly (times in UTC,
// to the nanosecond) and that OrderUpdate checks the version.
func exerciseOrder(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "1", 0)
	o := NewOrder("1", "10", Refunded, T0.In(time.FixedZone("PDT", -7*3600)))
	o.Promotions = []ordergraph.Promotion{{Reason: "FREE_SHIPPING", Amount: 500, Sponsor: "facebook"}}
	o.MerchantOrderReference = "ref-1"
	MustWrite(t, db, func(tx store.Tx) error { return tx.OrderInsert(ctx, o) })

	get := func(want *ordergraph.Order) {
		t.Helper()
		MustRead(t, db, func(tx store.Tx) error {
			got, err := tx.OrderGet(ctx, want.PageID, want.ID)
			if err != nil {
				return err
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("OrderGet mismatch (-want +got):\n%s", diff)
			}
			if got.LastUpdated.Location() != time.UTC || got.ReleasedAt.Location() != time.UTC {
				t.Errorf("OrderGet times not in UTC: %v, %v", got.LastUpdated, got.ReleasedAt)
			}
			return nil
		})
	}
	get(o)

	t.Run("ErrNotFound", func(t *testing.T) {
		MustRead(t, db, func(tx store.Tx) error {
			_, err := tx.OrderGet(ctx, "1", "11")
			WantCode(t, err, ordergraph.ENOTFOUND)
			_, err = tx.OrderGet(ctx, "2", "10")
			WantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
		missing := NewOrder("1", "11", Created, T0)
		missing.Version = 2
		err := db.Write(ctx, func(tx store.Tx) error { return tx.OrderUpdate(ctx, missing) })
		WantCode(t, err, ordergraph.ENOTFOUND)
		err = db.Write(ctx, func(tx store.Tx) error { return tx.OrderInsert(ctx, NewOrder("2", "10", Created, T0)) })
		WantCode(t, err, ordergraph.ENOTFOUND) // no page 2
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		err := db.Write(ctx, func(tx store.Tx) error { return tx.OrderInsert(ctx, NewOrder("1", "10", Created, T0)) })
		WantCode(t, err, ordergraph.ECONFLICT)
	})
	t.Run("Update", func(t *testing.T) {
		up := o.Clone()
		up.Version = 2
		up.LastUpdated = T0.Add(time.Hour)
		up.Refunds = append(up.Refunds, ordergraph.Refund{ID: "10-r2", Created: T0.Add(time.Hour), Shipping: 500})
		MustWrite(t, db, func(tx store.Tx) error { return tx.OrderUpdate(ctx, up) })
		get(up)

		// A command that loaded version 1 lost the race.
		stale := o.Clone()
		stale.Version = 2
		err := db.Write(ctx, func(tx store.Tx) error { return tx.OrderUpdate(ctx, stale) })
		WantCode(t, err, ordergraph.ECONFLICT)
		if got := ordergraph.ErrorSubcode(err); got != ordergraph.SubcodeConcurrentModification {
			t.Errorf("subcode = %d, want %d", got, ordergraph.SubcodeConcurrentModification)
		}
		get(up)
	})
}

// exerciseOrderList checks keyset paging both ways and every filter, on
// ids of different lengths that sort bytewise.
func exerciseOrderList(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "1", 0)
	MustPage(t, db, "2", 0)
	// 30 orders, three to a timestamp, with ids of different lengths.
	var orders []*ordergraph.Order
	for i := range 30 {
		orders = append(orders, NewOrder("1", fmt.Sprint((i+1)*37), OrderKind(i%int(numKinds)), T0.Add(time.Duration(i/3)*time.Second)))
	}
	MustWrite(t, db, func(tx store.Tx) error {
		for _, o := range orders {
			if err := tx.OrderInsert(ctx, o); err != nil {
				return err
			}
		}
		// Another page's orders never show.
		return tx.OrderInsert(ctx, NewOrder("2", "1", Created, T0))
	})
	slices.SortFunc(orders, func(a, b *ordergraph.Order) int {
		return cmp.Or(a.LastUpdated.Compare(b.LastUpdated), cmp.Compare(a.ID, b.ID))
	})
	list := func(f store.OrderListParams) []string {
		t.Helper()
		f.PageID = "1"
		var got []*ordergraph.Order
		MustRead(t, db, func(tx store.Tx) (err error) {
			got, err = tx.OrderList(ctx, f)
			return err
		})
		return ids(got)
	}
	cursor := func(o *ordergraph.Order) *store.Cursor {
		return &store.Cursor{LastUpdated: o.LastUpdated, ID: o.ID}
	}

	t.Run("All", func(t *testing.T) {
		if diff := gocmp.Diff(ids(orders), list(store.OrderListParams{})); diff != "" {
			t.Errorf("OrderList mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("Forward", func(t *testing.T) {
		var got []string
		f := store.OrderListParams{Limit: 4}
		for range 20 {
			page := list(f)
			got = append(got, page...)
			if len(page) < f.Limit {
				break
			}
			f.After = cursor(orders[len(got)-1])
		}
		if diff := gocmp.Diff(ids(orders), got); diff != "" {
			t.Errorf("paged forward mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("Backward", func(t *testing.T) {
		var got []string
		f := store.OrderListParams{Limit: 4, Before: &store.Cursor{LastUpdated: T0.Add(time.Hour)}}
		for range 20 {
			page := list(f)
			got = append(page, got...)
			if len(page) < f.Limit {
				break
			}
			f.Before = cursor(orders[len(orders)-len(got)])
		}
		if diff := gocmp.Diff(ids(orders), got); diff != "" {
			t.Errorf("paged backward mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("Between", func(t *testing.T) {
		got := list(store.OrderListParams{After: cursor(orders[4]), Before: cursor(orders[10])})
		if diff := gocmp.Diff(ids(orders[5:10]), got); diff != "" {
			t.Errorf("OrderList mismatch (-want +got):\n%s", diff)
		}
		got = list(store.OrderListParams{Before: cursor(orders[10]), Limit: 3})
		if diff := gocmp.Diff(ids(orders[7:10]), got); diff != "" {
			t.Errorf("OrderList mismatch (-want +got):\n%s", diff)
		}
	})

	yes, no := true, false
	mid := orders[13].LastUpdated
	for _, tt := range []struct {
		name string
		f    store.OrderListParams
		keep func(o *ordergraph.Order) bool
	}{
		{"States", store.OrderListParams{States: []ordergraph.OrderState{ordergraph.StateCreated, ordergraph.StateInProgress}},
			func(o *ordergraph.Order) bool {
				return o.State() == ordergraph.StateCreated || o.State() == ordergraph.StateInProgress
			}},
		{"ManyStates", store.OrderListParams{States: []ordergraph.OrderState{
			ordergraph.StateCreated, ordergraph.StateCreated, ordergraph.StateCreated, ordergraph.StateCreated, ordergraph.StateCreated, "UNKNOWN",
		}}, func(o *ordergraph.Order) bool { return o.State() == ordergraph.StateCreated }},
		{"LegacyStatuses", store.OrderListParams{LegacyStatuses: []ordergraph.LegacyStatus{ordergraph.LegacyShipped, ordergraph.LegacyRefunded}},
			func(o *ordergraph.Order) bool {
				return o.LegacyStatus() == ordergraph.LegacyShipped || o.LegacyStatus() == ordergraph.LegacyRefunded
			}},
		{"UpdatedAfter", store.OrderListParams{UpdatedAfter: &mid},
			func(o *ordergraph.Order) bool { return o.LastUpdated.After(mid) }},
		{"UpdatedBefore", store.OrderListParams{UpdatedBefore: &mid},
			func(o *ordergraph.Order) bool { return o.LastUpdated.Before(mid) }},
		{"HasCancellations", store.OrderListParams{HasCancellations: &yes},
			func(o *ordergraph.Order) bool { return len(o.Cancellations) > 0 }},
		{"NoCancellations", store.OrderListParams{HasCancellations: &no},
			func(o *ordergraph.Order) bool { return len(o.Cancellations) == 0 }},
		{"HasRefunds", store.OrderListParams{HasRefunds: &yes},
			func(o *ordergraph.Order) bool { return len(o.Refunds) > 0 }},
		{"NoRefunds", store.OrderListParams{HasRefunds: &no},
			func(o *ordergraph.Order) bool { return len(o.Refunds) == 0 }},
		{"HasShipments", store.OrderListParams{HasShipments: &yes},
			func(o *ordergraph.Order) bool { return len(o.Shipments) > 0 }},
		{"NoShipments", store.OrderListParams{HasShipments: &no},
			func(o *ordergraph.Order) bool { return len(o.Shipments) == 0 }},
		{"HasUnshipped", store.OrderListParams{HasUnshipped: &yes},
			func(o *ordergraph.Order) bool { return o.InProgress() > 0 }},
		{"NoUnshipped", store.OrderListParams{HasUnshipped: &no},
			func(o *ordergraph.Order) bool { return o.InProgress() == 0 }},
		{"Combined", store.OrderListParams{
			States: []ordergraph.OrderState{ordergraph.StateInProgress, ordergraph.StateCompleted}, HasShipments: &yes, HasRefunds: &no, UpdatedAfter: &T0,
		}, func(o *ordergraph.Order) bool {
			return (o.State() == ordergraph.StateInProgress || o.State() == ordergraph.StateCompleted) &&
				len(o.Shipments) > 0 && len(o.Refunds) == 0 && o.LastUpdated.After(T0)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := ids(slices.DeleteFunc(slices.Clone(orders), func(o *ordergraph.Order) bool { return !tt.keep(o) }))
			if len(want) == 0 || len(want) == len(orders) {
				t.Fatalf("filter keeps %d of %d orders; the test proves nothing", len(want), len(orders))
			}
			if diff := gocmp.Diff(want, list(tt.f)); diff != "" {
				t.Errorf("OrderList mismatch (-want +got):\n%s", diff)
			}
			f := tt.f
			f.Limit = 2
			f.After = &store.Cursor{LastUpdated: orders[0].LastUpdated, ID: orders[0].ID}
			want = slices.DeleteFunc(want, func(id string) bool { return id == orders[0].ID })
			if diff := gocmp.Diff(want[:2], list(f)); diff != "" {
				t.Errorf("OrderList with After and Limit mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ids(orders []*ordergraph.Order) []string {
	var ids []string
	for _, o := range orders {
		ids = append(ids, o.ID)
	}
	return ids
}

// exerciseOrderCountByState checks counts per state, per page and across
// pages.
func exerciseOrderCountByState(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "1", 0)
	MustPage(t, db, "2", 0)
	MustPage(t, db, "3", 0)
	MustWrite(t, db, func(tx store.Tx) error {
		for i, k := range []OrderKind{FBProcessing, Created, Created, InProgress, PartlyShipped, Shipped, Cancelled, Refunded} {
			if err := tx.OrderInsert(ctx, NewOrder("1", fmt.Sprint(i), k, T0)); err != nil {
				return err
			}
		}
		return tx.OrderInsert(ctx, NewOrder("2", "1", Created, T0))
	})
	for _, tt := range []struct {
		page string
		want map[ordergraph.OrderState]int
	}{
		{"1", map[ordergraph.OrderState]int{
			ordergraph.StateFBProcessing: 1, ordergraph.StateCreated: 2, ordergraph.StateInProgress: 2, ordergraph.StateCompleted: 3,
		}},
		{"2", map[ordergraph.OrderState]int{ordergraph.StateCreated: 1}},
		{"3", map[ordergraph.OrderState]int{}},
		{"", map[ordergraph.OrderState]int{
			ordergraph.StateFBProcessing: 1, ordergraph.StateCreated: 3, ordergraph.StateInProgress: 2, ordergraph.StateCompleted: 3,
		}},
	} {
		MustRead(t, db, func(tx store.Tx) error {
			got, err := tx.OrderCountByState(ctx, tt.page)
			if err != nil {
				return err
			}
			if diff := gocmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OrderCountByState(%q) mismatch (-want +got):\n%s", tt.page, diff)
			}
			return nil
		})
	}
}

func ref(pageID, orderID string) store.OrderRef {
	return store.OrderRef{PageID: pageID, OrderID: orderID}
}

// exerciseOrderDue checks which timers are due, by page time for one page
// and by each page's clock across pages.
func exerciseOrderDue(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	now := T0.Add(24 * time.Hour) // real time
	MustPage(t, db, "A", 0)
	MustPage(t, db, "B", time.Hour) // B's clock runs an hour ahead

	// A's hold ends in 10 minutes: not due.
	aHold := NewOrder("A", "1", FBProcessing, T0)
	aHold.ReleaseAt = now.Add(10 * time.Minute)
	// A's acknowledgement was due a minute ago.
	aAck := NewOrder("A", "2", Created, T0)
	aAck.AckDueAt = now.Add(-time.Minute)
	// Breached already: no timer left.
	aBreached := NewOrder("A", "3", Created, T0)
	aBreached.AckDueAt = now.Add(-2 * time.Minute)
	aBreached.AckSLABreached = true
	// B's hold ends 30 minutes from now in real time, which is 30
	// minutes ago in B's time: due, and more overdue than aAck.
	bHold := NewOrder("B", "1", FBProcessing, T0)
	bHold.ReleaseAt = now.Add(30 * time.Minute)
	// B's acknowledgement is due in two hours of B's time.
	bAck := NewOrder("B", "2", Created, T0)
	bAck.AckDueAt = now.Add(3 * time.Hour)
	MustWrite(t, db, func(tx store.Tx) error {
		for _, o := range []*ordergraph.Order{aHold, aAck, aBreached, bHold, bAck, NewOrder("A", "4", InProgress, T0)} {
			if err := tx.OrderInsert(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})

	type dueList struct {
		Page  string
		Now   time.Time
		Limit int
	}
	for _, tt := range []struct {
		in   dueList
		want []string
	}{
		{dueList{"A", now, 10}, []string{"2"}},
		{dueList{"A", now.Add(10 * time.Minute), 10}, []string{"2", "1"}},
		{dueList{"A", now.Add(10 * time.Minute), 1}, []string{"2"}},
		{dueList{"A", now.Add(10 * time.Minute), 0}, []string{"2", "1"}},
		{dueList{"B", now.Add(time.Hour), 10}, []string{"1"}},
		{dueList{"B", now.Add(3 * time.Hour), 10}, []string{"1", "2"}},
		{dueList{"C", now, 10}, nil},
	} {
		MustRead(t, db, func(tx store.Tx) error {
			got, err := tx.OrderDueList(ctx, tt.in.Page, tt.in.Now, tt.in.Limit)
			if err != nil {
				return err
			}
			if diff := gocmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OrderDueList(%+v) mismatch (-want +got):\n%s", tt.in, diff)
			}
			return nil
		})
	}

	for _, tt := range []struct {
		now   time.Time
		limit int
		want  []store.OrderRef
	}{
		{now, 10, []store.OrderRef{ref("B", "1"), ref("A", "2")}},
		{now, 1, []store.OrderRef{ref("B", "1")}},
		{now.Add(2 * time.Hour), 0, []store.OrderRef{ref("B", "1"), ref("A", "2"), ref("A", "1"), ref("B", "2")}},
		{now.Add(-time.Hour), 10, nil},
	} {
		MustRead(t, db, func(tx store.Tx) error {
			got, err := tx.OrderDueAnyList(ctx, tt.now, tt.limit)
			if err != nil {
				return err
			}
			if diff := gocmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OrderDueAnyList(%v, %d) mismatch (-want +got):\n%s", tt.now, tt.limit, diff)
			}
			return nil
		})
	}

	// Releasing B's order clears its timer.
	up := bHold.Clone()
	released := now
	up.ReleasedAt = &released
	up.AckedAt = &released
	up.Version++
	MustWrite(t, db, func(tx store.Tx) error { return tx.OrderUpdate(ctx, up) })
	MustRead(t, db, func(tx store.Tx) error {
		got, err := tx.OrderDueAnyList(ctx, now, 10)
		if err != nil {
			return err
		}
		if diff := gocmp.Diff([]store.OrderRef{ref("A", "2")}, got); diff != "" {
			t.Errorf("OrderDueAnyList mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
}

// exerciseOrderDueClaim has several Writes at once each claim a few due
// orders with OrderDueList and release them: every order is claimed by
// exactly one Write (SKIP LOCKED on PostgreSQL, the single writer on
// SQLite), and no Write fails on another's row.
func exerciseOrderDueClaim(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "1", 0)
	now := T0.Add(time.Hour)
	const n = 60
	MustWrite(t, db, func(tx store.Tx) error {
		for i := range n {
			o := NewOrder("1", fmt.Sprint(i), FBProcessing, T0)
			o.ReleaseAt = T0.Add(time.Duration(i) * time.Second)
			if err := tx.OrderInsert(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})

	const workers, batch = 4, 5
	var (
		mu      sync.Mutex
		claimed = map[string]int{}
		wg      sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				var ids []string
				err := db.Write(ctx, func(tx store.Tx) (err error) {
					ids, err = tx.OrderDueList(ctx, "1", now, batch)
					if err != nil {
						return err
					}
					for _, id := range ids {
						o, err := tx.OrderGet(ctx, "1", id)
						if err != nil {
							return err
						}
						if due := o.NextTimer(); due.IsZero() || due.After(now) {
							return fmt.Errorf("claimed order %s is not due (timer %v)", id, due)
						}
						released := now
						o.ReleasedAt = &released
						o.AckDueAt = now.Add(ordergraph.AckSLA)
						o.Version++
						o.LastUpdated = now
						if err := tx.OrderUpdate(ctx, o); err != nil {
							return err
						}
						ev := &ordergraph.Event{PageID: "1", OrderID: id, Seq: 1, Kind: ordergraph.EventReleased, Actor: ordergraph.ActorPlatform, At: now}
						if err := tx.EventInsert(ctx, ev); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(ids) == 0 {
					return
				}
				mu.Lock()
				for _, id := range ids {
					claimed[id]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("claimed %d orders, want %d", len(claimed), n)
	}
	for id, c := range claimed {
		if c != 1 {
			t.Errorf("order %s claimed %d times", id, c)
		}
	}
	MustRead(t, db, func(tx store.Tx) error {
		ids, err := tx.OrderDueList(ctx, "1", now, 0)
		if len(ids) != 0 {
			t.Errorf("due after the claims: %v", ids)
		}
		return err
	})
}
