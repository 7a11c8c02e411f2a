package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// exerciseReturn checks the return listing rows: upsert, filters and
// keyset paging both ways.
func exerciseReturn(t *testing.T, open func(t *testing.T) store.Store) {
	db := open(t)
	ctx := context.Background()
	MustPage(t, db, "p1", 0)
	MustPage(t, db, "p2", 0)
	o := NewOrder("p1", "o1", Created, T0)
	MustWrite(t, db, func(tx store.Tx) error { return tx.OrderInsert(ctx, o) })
	var want []store.ReturnRow
	for i := range 7 {
		r := store.ReturnRow{PageID: "p1", ID: string(rune('a' + i)), OrderID: "o1",
			Created: T0.Add(time.Duration(i/2) * time.Hour), Status: ordergraph.ReturnRequested}
		want = append(want, r)
		MustWrite(t, db, func(tx store.Tx) error { return tx.ReturnPut(ctx, r) })
	}
	// Updating a row changes its status and merchant id, never its place.
	want[2].Status, want[2].MerchantReturnID = ordergraph.ReturnApproved, "RMA-3"
	MustWrite(t, db, func(tx store.Tx) error { return tx.ReturnPut(ctx, want[2]) })

	list := func(p store.ReturnListParams) []store.ReturnRow {
		t.Helper()
		p.PageID = "p1"
		var got []store.ReturnRow
		MustRead(t, db, func(tx store.Tx) (err error) {
			got, err = tx.ReturnList(ctx, p)
			return err
		})
		return got
	}
	if diff := cmp.Diff(want, list(store.ReturnListParams{})); diff != "" {
		t.Fatalf("all (-want +got):\n%s", diff)
	}
	from, to := T0.Add(time.Hour), T0.Add(2*time.Hour)
	if diff := cmp.Diff(want[2:6], list(store.ReturnListParams{CreatedFrom: &from, CreatedTo: &to})); diff != "" {
		t.Errorf("created range (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[2:3], list(store.ReturnListParams{Statuses: []ordergraph.ReturnStatus{ordergraph.ReturnApproved, ordergraph.ReturnRefunded}})); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[2:3], list(store.ReturnListParams{MerchantReturnID: "RMA-3"})); diff != "" {
		t.Errorf("merchant_return_id (-want +got):\n%s", diff)
	}
	after := &store.ReturnCursor{Created: want[2].Created, ID: want[2].ID}
	if diff := cmp.Diff(want[3:5], list(store.ReturnListParams{After: after, Limit: 2})); diff != "" {
		t.Errorf("after (-want +got):\n%s", diff)
	}
	before := &store.ReturnCursor{Created: want[4].Created, ID: want[4].ID}
	if diff := cmp.Diff(want[2:4], list(store.ReturnListParams{Before: before, Limit: 2})); diff != "" {
		t.Errorf("before (-want +got):\n%s", diff)
	}
	MustRead(t, db, func(tx store.Tx) error {
		got, err := tx.ReturnList(ctx, store.ReturnListParams{PageID: "p2"})
		if err != nil || len(got) != 0 {
			t.Errorf("another page's returns: %v %v", got, err)
		}
		return nil
	})
	err := db.Write(ctx, func(tx store.Tx) error {
		return tx.ReturnPut(ctx, store.ReturnRow{PageID: "p1", ID: "z", OrderID: "nope", Created: T0, Status: ordergraph.ReturnRequested})
	})
	WantCode(t, err, ordergraph.ENOTFOUND)
}
