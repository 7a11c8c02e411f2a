package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// NewTransaction returns a SALE of order on page dated at, netting net.
func NewTransaction(pageID, orderID, id string, at time.Time, net int64) *ordergraph.Transaction {
	return &ordergraph.Transaction{ID: id, PageID: pageID, OrderID: orderID, Type: ordergraph.TxnSale, Date: at,
		Currency: "USD", Gross: net + 10, Tax: 3, Fee: 10, Net: net, SourceID: "s" + id}
}

// exerciseLedger checks transactions, payouts and fee schedules: inserts,
// lists with filters and keyset paging both ways, the unpaid list, sweeping
// into a payout, the pages with payouts due, and page isolation.
func exerciseLedger(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Transactions", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		ctx := context.Background()
		MustPage(t, db, "p1", 0)
		MustPage(t, db, "p2", 0)
		MustWrite(t, db, func(tx store.Tx) error {
			for _, o := range []*ordergraph.Order{NewOrder("p1", "o1", Created, T0), NewOrder("p1", "o2", Created, T0), NewOrder("p2", "o1", Created, T0)} {
				if err := tx.OrderInsert(ctx, o); err != nil {
					return err
				}
			}
			return nil
		})
		var want []*ordergraph.Transaction
		for i := range 7 {
			x := NewTransaction("p1", fmt.Sprint("o", 1+i%2), fmt.Sprint("t", i), T0.Add(time.Duration(i/2)*time.Hour), int64(100*(i+1)))
			if i == 3 {
				x.Type, x.Gross, x.Tax, x.Fee, x.Net = ordergraph.TxnRefund, -400, -30, 0, -400
			}
			want = append(want, x)
			MustWrite(t, db, func(tx store.Tx) error { return tx.TransactionInsert(ctx, x) })
		}
		MustWrite(t, db, func(tx store.Tx) error { return tx.TransactionInsert(ctx, NewTransaction("p2", "o1", "t0", T0, 5)) })
		err := db.Write(ctx, func(tx store.Tx) error { return tx.TransactionInsert(ctx, want[0]) })
		WantCode(t, err, ordergraph.ECONFLICT)
		MustWrite(t, db, func(tx store.Tx) error {
			// Due by T0+1h: t0..t3 (100+200+300-400); the other page's t0 is not counted.
			net, n, err := tx.TransactionUnpaidSum(ctx, "p1", T0.Add(time.Hour))
			if err != nil || net != 200 || n != 4 {
				t.Errorf("TransactionUnpaidSum=%d, %d, %v; want 200, 4", net, n, err)
			}
			if err := tx.PageLock(ctx, "p1"); err != nil {
				t.Errorf("PageLock: %v", err)
			}
			WantCode(t, tx.PageLock(ctx, "p9"), ordergraph.ENOTFOUND)
			return nil
		})
		err = db.Write(ctx, func(tx store.Tx) error { return tx.TransactionInsert(ctx, NewTransaction("p1", "nope", "tx", T0, 1)) })
		WantCode(t, err, ordergraph.ENOTFOUND)

		list := func(p store.TransactionListParams) []*ordergraph.Transaction {
			t.Helper()
			p.PageID = "p1"
			var got []*ordergraph.Transaction
			MustRead(t, db, func(tx store.Tx) (err error) {
				got, err = tx.TransactionList(ctx, p)
				return err
			})
			return got
		}
		if diff := cmp.Diff(want, list(store.TransactionListParams{})); diff != "" {
			t.Fatalf("all (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]*ordergraph.Transaction{want[1], want[3], want[5]}, list(store.TransactionListParams{OrderIDs: []string{"o2"}})); diff != "" {
			t.Errorf("by order (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, list(store.TransactionListParams{OrderIDs: []string{"o2", "o1"}})); diff != "" {
			t.Errorf("by orders (-want +got):\n%s", diff)
		}
		from, to := T0.Add(time.Hour), T0.Add(2*time.Hour)
		if diff := cmp.Diff(want[2:6], list(store.TransactionListParams{DateFrom: &from, DateTo: &to})); diff != "" {
			t.Errorf("date range (-want +got):\n%s", diff)
		}
		after := &store.LedgerCursor{Date: want[2].Date, ID: want[2].ID}
		if diff := cmp.Diff(want[3:5], list(store.TransactionListParams{After: after, Limit: 2})); diff != "" {
			t.Errorf("after (-want +got):\n%s", diff)
		}
		before := &store.LedgerCursor{Date: want[4].Date, ID: want[4].ID}
		if diff := cmp.Diff(want[2:4], list(store.TransactionListParams{Before: before, Limit: 2})); diff != "" {
			t.Errorf("before (-want +got):\n%s", diff)
		}
		MustRead(t, db, func(tx store.Tx) error {
			got, err := tx.TransactionList(ctx, store.TransactionListParams{PageID: "p2"})
			if err != nil || len(got) != 1 || got[0].Net != 5 {
				t.Errorf("another page's transactions: %v %v", got, err)
			}
			return nil
		})
	})

	t.Run("Payout", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		ctx := context.Background()
		MustPage(t, db, "p1", 0)
		MustPage(t, db, "p2", 24*time.Hour) // its clock runs a day ahead
		MustPage(t, db, "p3", 0)
		delay := 3 * 24 * time.Hour
		MustWrite(t, db, func(tx store.Tx) error {
			for _, p := range []string{"p1", "p2", "p3"} {
				if err := tx.OrderInsert(ctx, NewOrder(p, "o1", Created, T0)); err != nil {
					return err
				}
			}
			for i := range 4 {
				if err := tx.TransactionInsert(ctx, NewTransaction("p1", "o1", fmt.Sprint("t", i), T0.Add(time.Duration(i)*24*time.Hour), 100)); err != nil {
					return err
				}
			}
			if err := tx.TransactionInsert(ctx, NewTransaction("p2", "o1", "t0", T0, 100)); err != nil {
				return err
			}
			// p3 owes: its due balance is negative, so it has no payout to make.
			return tx.TransactionInsert(ctx, NewTransaction("p3", "o1", "t0", T0, -100))
		})
		due := func(realNow time.Time) []string {
			t.Helper()
			var pages []string
			MustRead(t, db, func(tx store.Tx) (err error) {
				pages, err = tx.TransactionDuePages(ctx, realNow, delay, 0)
				return err
			})
			return pages
		}
		if got := due(T0.Add(delay - 24*time.Hour - time.Second)); len(got) != 0 {
			t.Errorf("due before the delay: %v", got)
		}
		if diff := cmp.Diff([]string{"p2"}, due(T0.Add(delay-24*time.Hour))); diff != "" {
			t.Errorf("due by page clocks (-want +got):\n%s", diff)
		}
		now := T0.Add(delay + 24*time.Hour) // p1's t0 and t1 are due
		if diff := cmp.Diff([]string{"p1", "p2"}, due(now)); diff != "" {
			t.Errorf("due (-want +got):\n%s", diff)
		}
		var swept []*ordergraph.Transaction
		p := &ordergraph.Payout{ID: "9", PageID: "p1", ReferenceID: ordergraph.PayoutReference("9"), TransferID: "9", Currency: "USD",
			Date: now, Status: ordergraph.PayoutCompleted}
		MustWrite(t, db, func(tx store.Tx) (err error) {
			if swept, err = tx.TransactionListUnpaid(ctx, "p1", now.Add(-delay), 0); err != nil {
				return err
			}
			var ids []string
			for _, x := range swept {
				p.Amount += x.Net
				ids = append(ids, x.ID)
			}
			p.Transactions = len(ids)
			if err := tx.PayoutInsert(ctx, p); err != nil {
				return err
			}
			return tx.TransactionSetPayout(ctx, "p1", ids, p.ReferenceID)
		})
		if len(swept) != 2 || swept[0].ID != "t0" || swept[1].ID != "t1" {
			t.Fatalf("swept %v, want t0 and t1", swept)
		}
		if diff := cmp.Diff([]string{"p2"}, due(now)); diff != "" {
			t.Errorf("due after the payout (-want +got):\n%s", diff)
		}
		MustRead(t, db, func(tx store.Tx) error {
			got, err := tx.TransactionList(ctx, store.TransactionListParams{PageID: "p1", PayoutReferenceID: p.ReferenceID})
			if err != nil || len(got) != 2 || got[0].PayoutReferenceID != p.ReferenceID {
				t.Errorf("transactions of the payout: %v %v", got, err)
			}
			unpaid, err := tx.TransactionListUnpaid(ctx, "p1", now.Add(-delay), 0)
			if err != nil || len(unpaid) != 0 {
				t.Errorf("unpaid after the payout: %v %v", unpaid, err)
			}
			payouts, err := tx.PayoutList(ctx, store.PayoutListParams{PageID: "p1"})
			if diff := cmp.Diff([]*ordergraph.Payout{p}, payouts); err != nil || diff != "" {
				t.Errorf("payouts (-want +got):\n%s %v", diff, err)
			}
			from := now.Add(time.Second)
			if payouts, err := tx.PayoutList(ctx, store.PayoutListParams{PageID: "p1", DateFrom: &from}); err != nil || len(payouts) != 0 {
				t.Errorf("payouts after their date: %v %v", payouts, err)
			}
			if payouts, err := tx.PayoutList(ctx, store.PayoutListParams{PageID: "p2"}); err != nil || len(payouts) != 0 {
				t.Errorf("another page's payouts: %v %v", payouts, err)
			}
			return nil
		})
		// Sweeping a transaction twice, or one that does not exist, is refused.
		err := db.Write(ctx, func(tx store.Tx) error { return tx.TransactionSetPayout(ctx, "p1", []string{"t0"}, "X") })
		WantCode(t, err, ordergraph.ECONFLICT)
		err = db.Write(ctx, func(tx store.Tx) error { return tx.TransactionSetPayout(ctx, "p1", []string{"t2", "nope"}, "X") })
		WantCode(t, err, ordergraph.ECONFLICT)
		err = db.Write(ctx, func(tx store.Tx) error {
			return tx.PayoutInsert(ctx, &ordergraph.Payout{ID: "10", PageID: "p1", ReferenceID: p.ReferenceID})
		})
		WantCode(t, err, ordergraph.ECONFLICT)
	})

	t.Run("PayoutClaim", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		ctx := context.Background()
		MustPage(t, db, "1", 0)
		const n = 40
		MustWrite(t, db, func(tx store.Tx) error {
			if err := tx.OrderInsert(ctx, NewOrder("1", "o", Created, T0)); err != nil {
				return err
			}
			for i := range n {
				if err := tx.TransactionInsert(ctx, NewTransaction("1", "o", fmt.Sprintf("t%02d", i), T0, 1)); err != nil {
					return err
				}
			}
			return nil
		})
		// Runners sweeping at once take disjoint batches: no transaction is
		// paid out twice, none is left.
		var (
			mu    sync.Mutex
			seen  = map[string]int{}
			wg    sync.WaitGroup
			runID int
		)
		for range 4 {
			wg.Go(func() {
				for {
					mu.Lock()
					runID++
					ref := fmt.Sprint("R", runID)
					mu.Unlock()
					var ids []string
					err := db.Write(ctx, func(tx store.Tx) error {
						txns, err := tx.TransactionListUnpaid(ctx, "1", T0, 3)
						if err != nil {
							return err
						}
						ids = ids[:0]
						for _, x := range txns {
							ids = append(ids, x.ID)
						}
						return tx.TransactionSetPayout(ctx, "1", ids, ref)
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
						seen[id]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != n {
			t.Errorf("swept %d transactions, want %d", len(seen), n)
		}
		for id, k := range seen {
			if k != 1 {
				t.Errorf("transaction %s swept %d times", id, k)
			}
		}
	})

	t.Run("FeeSchedule", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		ctx := context.Background()
		MustPage(t, db, "p1", 0)
		MustRead(t, db, func(tx store.Tx) error {
			_, err := tx.FeeScheduleGet(ctx, "p1")
			WantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
		for _, f := range []ordergraph.FeeSchedule{{RateBasisPoints: 290, Flat: 30, FlatUpTo: 1000, ChargebackFee: 2000}, {RateBasisPoints: 100}} {
			MustWrite(t, db, func(tx store.Tx) error { return tx.FeeSchedulePut(ctx, "p1", f) })
			MustRead(t, db, func(tx store.Tx) error {
				got, err := tx.FeeScheduleGet(ctx, "p1")
				if err != nil || *got != f {
					t.Errorf("fee schedule = %+v, %v; want %+v", got, err, f)
				}
				return nil
			})
		}
		err := db.Write(ctx, func(tx store.Tx) error { return tx.FeeSchedulePut(ctx, "nope", ordergraph.FeeSchedule{}) })
		WantCode(t, err, ordergraph.ENOTFOUND)
	})
}
