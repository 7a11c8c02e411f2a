package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// exerciseIdempotency checks the records of keyed writes: one per key,
// scoped to a page, forgotten one at a time or by age.
func exerciseIdempotency(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "1", 0)
	r := &store.IdempotencyRecord{
		IdempotencyKey: store.IdempotencyKey{PageID: "1", ObjectID: "10", Edge: "shipments", Key: "k1"},
		RequestHash:    "abc",
		Status:         200,
		Body:           []byte(`{"success":true}`),
		Created:        T0,
	}
	MustWrite(t, db, func(tx store.Tx) error { return tx.IdempotencyPut(ctx, r) })
	MustRead(t, db, func(tx store.Tx) error {
		got, err := tx.IdempotencyGet(ctx, r.IdempotencyKey)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("IdempotencyGet mismatch (-want +got):\n%s", diff)
		}
		k := r.IdempotencyKey
		k.Edge = "cancellations"
		_, err = tx.IdempotencyGet(ctx, k)
		WantCode(t, err, ordergraph.ENOTFOUND)
		return nil
	})
	err := db.Write(ctx, func(tx store.Tx) error { return tx.IdempotencyPut(ctx, r) })
	WantCode(t, err, ordergraph.ECONFLICT)
	err = db.Write(ctx, func(tx store.Tx) error {
		other := *r
		other.PageID = "9"
		return tx.IdempotencyPut(ctx, &other)
	})
	WantCode(t, err, ordergraph.ENOTFOUND)

	t.Run("Delete", func(t *testing.T) {
		MustWrite(t, db, func(tx store.Tx) error {
			if err := tx.IdempotencyDelete(ctx, r.IdempotencyKey); err != nil {
				return err
			}
			// A missing record is no error.
			return tx.IdempotencyDelete(ctx, r.IdempotencyKey)
		})
		MustRead(t, db, func(tx store.Tx) error {
			_, err := tx.IdempotencyGet(ctx, r.IdempotencyKey)
			WantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
	})
	t.Run("DeleteBefore", func(t *testing.T) {
		MustPage(t, db, "2", 0)
		var keys []store.IdempotencyKey
		MustWrite(t, db, func(tx store.Tx) error {
			for i, page := range []string{"1", "2", "1", "2"} {
				rec := *r
				rec.PageID, rec.Key = page, fmt.Sprint("old", i)
				rec.Created = T0.Add(time.Duration(i) * time.Nanosecond)
				keys = append(keys, rec.IdempotencyKey)
				if err := tx.IdempotencyPut(ctx, &rec); err != nil {
					return err
				}
			}
			return nil
		})
		var n int
		MustWrite(t, db, func(tx store.Tx) (err error) {
			n, err = tx.IdempotencyDeleteBefore(ctx, T0.Add(2*time.Nanosecond))
			return err
		})
		if n != 2 {
			t.Errorf("IdempotencyDeleteBefore = %d, want 2", n)
		}
		MustRead(t, db, func(tx store.Tx) error {
			for i, k := range keys {
				_, err := tx.IdempotencyGet(ctx, k)
				if i < 2 {
					WantCode(t, err, ordergraph.ENOTFOUND)
				} else if err != nil {
					t.Errorf("record created %dns after T0: %v", i, err)
				}
			}
			return nil
		})
	})
}
