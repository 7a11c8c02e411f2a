// Package storetest is the contract every store.Store implementation
// passes: Exercise runs the same tests against SQLite (always) and
// PostgreSQL (when ORDERGRAPH_TEST_POSTGRES names a server), so the
// lifecycle engine can rely on one set of semantics whatever the database.
// Open gives other packages' tests a store of the kind the environment asks
// for, so the engine and HTTP tests run on both as well.
//
// The suite is River's riverdrivertest.Exercise in spirit: one function per
// behaviour, each on a fresh store, no dialect branches unless a
// difference is part of the contract.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// T0 has nanoseconds, to show that times round-trip exactly.
var T0 = time.Date(2024, 3, 4, 5, 6, 7, 123456789, time.UTC)

// Exercise runs the contract suite, calling open for a fresh, empty store
// in each test; open closes it when its test ends.
func Exercise(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	for _, tt := range []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"Store", exerciseStore},
		{"Page", exercisePage},
		{"Token", exerciseToken},
		{"Product", exerciseProduct},
		{"Order", exerciseOrder},
		{"OrderList", exerciseOrderList},
		{"OrderCountByState", exerciseOrderCountByState},
		{"OrderDue", exerciseOrderDue},
		{"OrderDueClaim", exerciseOrderDueClaim},
		{"ObjectIndex", exerciseObjectIndex},
		{"Return", exerciseReturn},
		{"Ledger", exerciseLedger},
		{"Event", exerciseEvent},
		{"Idempotency", exerciseIdempotency},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open)
		})
	}
}

// MustWrite runs fn in a Write and fails the test on error.
func MustWrite(tb testing.TB, s store.Store, fn func(tx store.Tx) error) {
	tb.Helper()
	if err := s.Write(context.Background(), fn); err != nil {
		tb.Fatal(err)
	}
}

// MustRead runs fn in a Read and fails the test on error.
func MustRead(tb testing.TB, s store.Store, fn func(tx store.Tx) error) {
	tb.Helper()
	if err := s.Read(context.Background(), fn); err != nil {
		tb.Fatal(err)
	}
}

// WantCode fails the test unless err has the domain error code.
func WantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := ordergraph.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// NewPage returns a page with CMS id "cms"+id whose clock runs offset
// ahead of the base clock.
func NewPage(id string, offset time.Duration) *ordergraph.Page {
	return &ordergraph.Page{
		ID:              id,
		CMSID:           "cms" + id,
		Name:            "Page " + id,
		Currency:        "USD",
		HandlingDays:    3,
		OrderManagement: ordergraph.ManagedByAPI,
		ClockOffset:     offset,
		Created:         T0,
	}
}

// MustPage inserts NewPage(id, offset).
func MustPage(tb testing.TB, s store.Store, id string, offset time.Duration) *ordergraph.Page {
	tb.Helper()
	p := NewPage(id, offset)
	MustWrite(tb, s, func(tx store.Tx) error { return tx.PageInsert(context.Background(), p) })
	return p
}

// exerciseStore checks the transactions themselves: rollback, read-only
// reads, snapshots and serialized read-modify-writes.
func exerciseStore(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Ping", func(t *testing.T) {
		t.Parallel()
		if err := open(t).Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrRollsBack", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := context.Background()
		errBoom := errors.New("boom")
		err := s.Write(ctx, func(tx store.Tx) error {
			if err := tx.PageInsert(ctx, NewPage("1", 0)); err != nil {
				return err
			}
			if err := tx.OrderInsert(ctx, NewOrder("1", "10", Created, T0)); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Write = %v, want %v", err, errBoom)
		}
		MustRead(t, s, func(tx store.Tx) error {
			_, err := tx.PageGet(ctx, "1")
			WantCode(t, err, ordergraph.ENOTFOUND)
			_, err = tx.OrderGet(ctx, "1", "10")
			WantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
	})
	t.Run("PanicRollsBack", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := context.Background()
		func() {
			defer func() {
				if v := recover(); v != "boom" {
					t.Errorf("recovered %v, want the Write's panic", v)
				}
			}()
			_ = s.Write(ctx, func(tx store.Tx) error {
				if err := tx.PageInsert(ctx, NewPage("1", 0)); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		MustRead(t, s, func(tx store.Tx) error {
			_, err := tx.PageGet(ctx, "1")
			WantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
		// The store still works.
		MustPage(t, s, "2", 0)
	})
	t.Run("ConflictRollsBack", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := context.Background()
		MustPage(t, s, "1", 0)
		o := NewOrder("1", "10", Created, T0)
		MustWrite(t, s, func(tx store.Tx) error { return tx.OrderInsert(ctx, o) })
		err := s.Write(ctx, func(tx store.Tx) error {
			if err := tx.ProductUpsert(ctx, &ordergraph.Product{PageID: "1", ID: "p", RetailerID: "r"}); err != nil {
				return err
			}
			stale := o.Clone()
			stale.Version += 2
			return tx.OrderUpdate(ctx, stale)
		})
		WantCode(t, err, ordergraph.ECONFLICT)
		MustRead(t, s, func(tx store.Tx) error {
			_, err := tx.ProductGet(ctx, "1", "p")
			WantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
	})
	t.Run("ReadIsReadOnly", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := context.Background()
		err := s.Read(ctx, func(tx store.Tx) error { return tx.PageInsert(ctx, NewPage("1", 0)) })
		if err == nil {
			t.Fatal("PageInsert in Read succeeded")
		}
	})
	t.Run("ErrCanceled", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.Write(ctx, func(tx store.Tx) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Write = %v, want %v", err, context.Canceled)
		}
	})
	// A Read sees one snapshot: a Write that commits meanwhile does not
	// show in it.
	t.Run("ReadSnapshot", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := context.Background()
		MustPage(t, s, "1", 0)
		MustWrite(t, s, func(tx store.Tx) error { return tx.OrderInsert(ctx, NewOrder("1", "10", InProgress, T0)) })
		written := make(chan error, 1)
		MustRead(t, s, func(tx store.Tx) error {
			before, err := tx.OrderGet(ctx, "1", "10")
			if err != nil {
				return err
			}
			go func() { written <- UpdateOrder(ctx, s, "1", "10") }()
			// A store whose Reads block Writes (one in-memory connection)
			// still passes: the Write then lands after the Read.
			select {
			case err := <-written:
				written <- err
			case <-time.After(time.Second):
			}
			after, err := tx.OrderGet(ctx, "1", "10")
			if err != nil {
				return err
			}
			if after.Version != before.Version {
				t.Errorf("version changed from %d to %d inside one Read", before.Version, after.Version)
			}
			return nil
		})
		if err := <-written; err != nil {
			t.Fatal(err)
		}
	})
	// Every Write reads then updates one order; Writes of one order
	// serialize (one writer, or a row lock taken by OrderGet), so no
	// update is lost and no version check fails.
	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		ctx := context.Background()
		MustPage(t, s, "1", 0)
		MustWrite(t, s, func(tx store.Tx) error { return tx.OrderInsert(ctx, NewOrder("1", "10", InProgress, T0)) })
		const workers, updates = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*updates)
		for range workers {
			wg.Go(func() {
				for range updates {
					errs <- UpdateOrder(ctx, s, "1", "10")
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		MustRead(t, s, func(tx store.Tx) error {
			o, err := tx.OrderGet(ctx, "1", "10")
			if err != nil {
				return err
			}
			if got, want := o.Version, int64(1+workers*updates); got != want {
				t.Errorf("version = %d, want %d", got, want)
			}
			if got, want := o.Items[0].CapturedAmount, int64(workers*updates); got != want {
				t.Errorf("captured = %d, want %d", got, want)
			}
			return nil
		})
	})
}

// UpdateOrder is one command, as the benchmarks time it: load an order,
// add one to its first item's captured amount, and save it, in one Write.
func UpdateOrder(ctx context.Context, s store.Store, pageID, id string) error {
	return s.Write(ctx, func(tx store.Tx) error { return UpdateOrderTx(ctx, tx, pageID, id) })
}

// UpdateOrderTx is UpdateOrder's work inside a transaction.
func UpdateOrderTx(ctx context.Context, tx store.Tx, pageID, id string) error {
	o, err := tx.OrderGet(ctx, pageID, id)
	if err != nil {
		return err
	}
	o.Version++
	o.Items[0].CapturedAmount++
	o.LastUpdated = o.LastUpdated.Add(time.Second)
	return tx.OrderUpdate(ctx, o)
}

// SeedBenchOrders inserts page "1" and n IN_PROGRESS orders on it, with ids
// "0" to n-1, order i last updated i seconds after T0.
func SeedBenchOrders(b *testing.B, s store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	MustPage(b, s, "1", 0)
	MustWrite(b, s, func(tx store.Tx) error {
		for i := range n {
			if err := tx.OrderInsert(ctx, NewOrder("1", strconv.Itoa(i), InProgress, T0.Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})
}

// benchOrders is how many orders the benchmarks seed.
const benchOrders = 1000

// BenchOrderGet reads one order per Read, from parallel goroutines.
func BenchOrderGet(b *testing.B, s store.Store) {
	ctx := context.Background()
	SeedBenchOrders(b, s, benchOrders)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			id := strconv.Itoa(i % benchOrders)
			i++
			err := s.Read(ctx, func(tx store.Tx) error {
				_, err := tx.OrderGet(ctx, "1", id)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchOrderList reads pages of 25 orders (26 rows, to detect a next page)
// from a keyset position, from parallel goroutines.
func BenchOrderList(b *testing.B, s store.Store) {
	ctx := context.Background()
	SeedBenchOrders(b, s, benchOrders)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			// Order i was last updated i seconds after T0.
			at := (i * 25) % (benchOrders - 26)
			i++
			f := store.OrderListParams{PageID: "1", Limit: 26, After: &store.Cursor{LastUpdated: T0.Add(time.Duration(at) * time.Second), ID: strconv.Itoa(at)}}
			err := s.Read(ctx, func(tx store.Tx) error {
				orders, err := tx.OrderList(ctx, f)
				if err == nil && len(orders) != 26 {
					err = fmt.Errorf("listed %d orders, want 26", len(orders))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchOrderUpdate runs UpdateOrder commands one after another.
func BenchOrderUpdate(b *testing.B, s store.Store) {
	ctx := context.Background()
	SeedBenchOrders(b, s, benchOrders)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := UpdateOrder(ctx, s, "1", strconv.Itoa(i%benchOrders)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchOrderUpdateParallel runs UpdateOrder commands from 16 goroutines
// per CPU, as concurrent API requests do.
func BenchOrderUpdateParallel(b *testing.B, s store.Store) {
	ctx := context.Background()
	SeedBenchOrders(b, s, benchOrders)
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := UpdateOrder(ctx, s, "1", strconv.Itoa(int(next.Add(1)%benchOrders))); err != nil {
				b.Fatal(err)
			}
		}
	})
}
