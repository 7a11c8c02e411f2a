package sqlite

import (
	"context"
	"testing"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

func TestObjectIndex(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustPage(t, db, "p1", 0)
		mustPage(t, db, "p2", 0)
		o := newOrder("p1", "o1", created, t0)
		mustWrite(t, db, func(tx store.Tx) error { return tx.OrderInsert(ctx, o) })
		ref := store.ObjectRef{PageID: "p1", ObjectID: "r1", OrderID: "o1", Kind: "return"}
		mustWrite(t, db, func(tx store.Tx) error { return tx.ObjectIndexPut(ctx, ref) })
		mustRead(t, db, func(tx store.Tx) error {
			got, err := tx.ObjectIndexGet(ctx, "p1", "r1")
			if err != nil || *got != ref {
				t.Fatalf("ObjectIndexGet=%+v, %v", got, err)
			}
			_, err = tx.ObjectIndexGet(ctx, "p2", "r1")
			wantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
		err := db.Write(ctx, func(tx store.Tx) error { return tx.ObjectIndexPut(ctx, ref) })
		wantCode(t, err, ordergraph.ECONFLICT)
		err = db.Write(ctx, func(tx store.Tx) error {
			return tx.ObjectIndexPut(ctx, store.ObjectRef{PageID: "p1", ObjectID: "r2", OrderID: "nope", Kind: "return"})
		})
		wantCode(t, err, ordergraph.ENOTFOUND)
	})
}
