package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// exercisePage checks pages: found by id or CMS id, both unique, updated
// whole, listed by id.
func exercisePage(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	p1 := MustPage(t, db, "1", time.Hour)
	p2 := NewPage("2", 0)
	p2.CMSID = ""
	p3 := NewPage("3", 0)
	p3.CMSID = ""
	p3.StrictIdempotency = true
	MustWrite(t, db, func(tx store.Tx) error {
		if err := tx.PageInsert(ctx, p2); err != nil {
			return err
		}
		return tx.PageInsert(ctx, p3) // two pages without a CMS id
	})

	t.Run("Get", func(t *testing.T) {
		MustRead(t, db, func(tx store.Tx) error {
			for _, id := range []string{"1", "cms1"} {
				got, err := tx.PageGet(ctx, id)
				if err != nil {
					return err
				}
				if diff := cmp.Diff(p1, got); diff != "" {
					t.Errorf("PageGet(%s) mismatch (-want +got):\n%s", id, diff)
				}
			}
			if got, err := tx.PageGet(ctx, "3"); err != nil || !got.StrictIdempotency {
				t.Errorf("PageGet(3) lost strict_idempotency: %+v, %v", got, err)
			}
			_, err := tx.PageGet(ctx, "4")
			WantCode(t, err, ordergraph.ENOTFOUND)
			_, err = tx.PageGet(ctx, "")
			WantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		err := db.Write(ctx, func(tx store.Tx) error { return tx.PageInsert(ctx, NewPage("1", 0)) })
		WantCode(t, err, ordergraph.ECONFLICT)
		dup := NewPage("9", 0)
		dup.CMSID = p1.CMSID
		err = db.Write(ctx, func(tx store.Tx) error { return tx.PageInsert(ctx, dup) })
		WantCode(t, err, ordergraph.ECONFLICT)
	})
	t.Run("Update", func(t *testing.T) {
		up := *p2
		up.CMSID = "cms-two"
		up.Name = "Two"
		up.HandlingDays = 5
		up.OrderManagement = ordergraph.ManagedByCommerceManager
		up.ClockOffset = 90 * time.Minute
		up.StrictIdempotency = true
		MustWrite(t, db, func(tx store.Tx) error { return tx.PageUpdate(ctx, &up) })
		MustRead(t, db, func(tx store.Tx) error {
			got, err := tx.PageGet(ctx, "cms-two")
			if err != nil {
				return err
			}
			if diff := cmp.Diff(&up, got); diff != "" {
				t.Errorf("PageGet mismatch (-want +got):\n%s", diff)
			}
			return nil
		})
		err := db.Write(ctx, func(tx store.Tx) error { return tx.PageUpdate(ctx, NewPage("4", 0)) })
		WantCode(t, err, ordergraph.ENOTFOUND)
		taken := up
		taken.CMSID = p1.CMSID
		err = db.Write(ctx, func(tx store.Tx) error { return tx.PageUpdate(ctx, &taken) })
		WantCode(t, err, ordergraph.ECONFLICT)
	})
	t.Run("List", func(t *testing.T) {
		MustRead(t, db, func(tx store.Tx) error {
			pages, err := tx.PageList(ctx)
			if err != nil {
				return err
			}
			var ids []string
			for _, p := range pages {
				ids = append(ids, p.ID)
			}
			if diff := cmp.Diff([]string{"1", "2", "3"}, ids); diff != "" {
				t.Errorf("PageList mismatch (-want +got):\n%s", diff)
			}
			return nil
		})
	})
}

// exerciseToken checks tokens: found by hash, tied to an existing page,
// revoked once.
func exerciseToken(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "1", 0)
	expires := T0.Add(time.Hour)
	tok := &ordergraph.Token{Hash: "h1", PageID: "1", Role: ordergraph.RoleEditor, Created: T0, ExpiresAt: &expires}
	MustWrite(t, db, func(tx store.Tx) error { return tx.TokenInsert(ctx, tok) })

	MustRead(t, db, func(tx store.Tx) error {
		got, err := tx.TokenGet(ctx, "h1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(tok, got); diff != "" {
			t.Errorf("TokenGet mismatch (-want +got):\n%s", diff)
		}
		_, err = tx.TokenGet(ctx, "h2")
		WantCode(t, err, ordergraph.ENOTFOUND)
		return nil
	})

	err := db.Write(ctx, func(tx store.Tx) error { return tx.TokenInsert(ctx, tok) })
	WantCode(t, err, ordergraph.ECONFLICT)
	err = db.Write(ctx, func(tx store.Tx) error {
		return tx.TokenInsert(ctx, &ordergraph.Token{Hash: "h3", PageID: "9", Role: ordergraph.RoleAdmin, Created: T0})
	})
	WantCode(t, err, ordergraph.ENOTFOUND)

	revoked := T0.Add(time.Minute)
	MustWrite(t, db, func(tx store.Tx) error { return tx.TokenRevoke(ctx, "h1", revoked) })
	MustWrite(t, db, func(tx store.Tx) error { return tx.TokenRevoke(ctx, "h1", revoked.Add(time.Minute)) })
	err = db.Write(ctx, func(tx store.Tx) error { return tx.TokenRevoke(ctx, "h2", revoked) })
	WantCode(t, err, ordergraph.ENOTFOUND)
	MustRead(t, db, func(tx store.Tx) error {
		got, err := tx.TokenGet(ctx, "h1")
		if err != nil {
			return err
		}
		want := *tok
		want.RevokedAt = &revoked // the first revocation stands
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("TokenGet mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
}

// exerciseProduct checks a page's catalog: upserted by id, found by id or
// retailer id, retailer ids unique per page.
func exerciseProduct(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "1", 0)
	MustPage(t, db, "2", 0)
	p := &ordergraph.Product{ID: "100", PageID: "1", RetailerID: "SKU-1", Name: "Mug", Price: 1250, SalePrice: 999, Currency: "USD"}
	other := &ordergraph.Product{ID: "100", PageID: "2", RetailerID: "SKU-1", Name: "Other", Price: 1, Currency: "EUR"}
	MustWrite(t, db, func(tx store.Tx) error {
		if err := tx.ProductUpsert(ctx, p); err != nil {
			return err
		}
		return tx.ProductUpsert(ctx, other) // same ids on another page
	})
	get := func(want *ordergraph.Product) {
		t.Helper()
		MustRead(t, db, func(tx store.Tx) error {
			got, err := tx.ProductGet(ctx, want.PageID, want.ID)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ProductGet mismatch (-want +got):\n%s", diff)
			}
			got, err = tx.ProductGetByRetailerID(ctx, want.PageID, want.RetailerID)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ProductGetByRetailerID mismatch (-want +got):\n%s", diff)
			}
			return nil
		})
	}
	get(p)
	get(other)

	up := *p
	up.RetailerID = "SKU-2"
	up.Name = "Big mug"
	up.SalePrice = 0
	MustWrite(t, db, func(tx store.Tx) error { return tx.ProductUpsert(ctx, &up) })
	get(&up)

	MustRead(t, db, func(tx store.Tx) error {
		_, err := tx.ProductGet(ctx, "1", "101")
		WantCode(t, err, ordergraph.ENOTFOUND)
		_, err = tx.ProductGetByRetailerID(ctx, "1", "SKU-1")
		WantCode(t, err, ordergraph.ENOTFOUND)
		return nil
	})
	err := db.Write(ctx, func(tx store.Tx) error {
		return tx.ProductUpsert(ctx, &ordergraph.Product{ID: "101", PageID: "1", RetailerID: "SKU-2"})
	})
	WantCode(t, err, ordergraph.ECONFLICT)
}
