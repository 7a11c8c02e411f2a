package storetest

import (
	"context"
	"testing"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// exerciseObjectIndex checks the index from ids of objects inside an
// order's document to their order.
func exerciseObjectIndex(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "p1", 0)
	MustPage(t, db, "p2", 0)
	o := NewOrder("p1", "o1", Created, T0)
	MustWrite(t, db, func(tx store.Tx) error { return tx.OrderInsert(ctx, o) })
	ref := store.ObjectRef{PageID: "p1", ObjectID: "r1", OrderID: "o1", Kind: "return"}
	MustWrite(t, db, func(tx store.Tx) error { return tx.ObjectIndexPut(ctx, ref) })
	MustRead(t, db, func(tx store.Tx) error {
		got, err := tx.ObjectIndexGet(ctx, "p1", "r1")
		if err != nil || *got != ref {
			t.Fatalf("ObjectIndexGet=%+v, %v", got, err)
		}
		_, err = tx.ObjectIndexGet(ctx, "p2", "r1")
		WantCode(t, err, ordergraph.ENOTFOUND)
		return nil
	})
	MustRead(t, db, func(tx store.Tx) error {
		if got, err := tx.OrderPageID(ctx, "o1"); err != nil || got != "p1" {
			t.Fatalf("OrderPageID=%q, %v", got, err)
		}
		_, err := tx.OrderPageID(ctx, "nope")
		WantCode(t, err, ordergraph.ENOTFOUND)
		return nil
	})
	err := db.Write(ctx, func(tx store.Tx) error { return tx.ObjectIndexPut(ctx, ref) })
	WantCode(t, err, ordergraph.ECONFLICT)
	err = db.Write(ctx, func(tx store.Tx) error {
		return tx.ObjectIndexPut(ctx, store.ObjectRef{PageID: "p1", ObjectID: "r2", OrderID: "nope", Kind: "return"})
	})
	WantCode(t, err, ordergraph.ENOTFOUND)
}
