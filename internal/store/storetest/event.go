package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// exerciseEvent checks an order's events: listed in seq order, one per
// seq, only for an existing order.
func exerciseEvent(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "1", 0)
	MustWrite(t, db, func(tx store.Tx) error { return tx.OrderInsert(ctx, NewOrder("1", "10", Created, T0)) })
	events := []*ordergraph.Event{
		{PageID: "1", OrderID: "10", Seq: 1, Kind: ordergraph.EventPlaced, Actor: ordergraph.ActorBuyer, At: T0},
		{PageID: "1", OrderID: "10", Seq: 2, Kind: ordergraph.EventReleased, Actor: ordergraph.ActorPlatform, At: T0.Add(time.Minute), Data: []byte(`{"a":1}`)},
		{PageID: "1", OrderID: "10", Seq: 3, Kind: ordergraph.EventAcknowledged, Actor: ordergraph.ActorSeller, At: T0.Add(2 * time.Minute)},
	}
	MustWrite(t, db, func(tx store.Tx) error {
		for _, i := range []int{2, 0, 1} {
			if err := tx.EventInsert(ctx, events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	MustRead(t, db, func(tx store.Tx) error {
		got, err := tx.EventList(ctx, "1", "10")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(events, got); diff != "" {
			t.Errorf("EventList mismatch (-want +got):\n%s", diff)
		}
		got, err = tx.EventList(ctx, "1", "11")
		if err != nil {
			return err
		}
		if len(got) != 0 {
			t.Errorf("EventList of another order = %v, want none", got)
		}
		return nil
	})
	err := db.Write(ctx, func(tx store.Tx) error { return tx.EventInsert(ctx, events[0]) })
	WantCode(t, err, ordergraph.ECONFLICT)
	err = db.Write(ctx, func(tx store.Tx) error {
		return tx.EventInsert(ctx, &ordergraph.Event{PageID: "1", OrderID: "11", Seq: 1, Kind: ordergraph.EventPlaced, At: T0})
	})
	WantCode(t, err, ordergraph.ENOTFOUND)
}
