package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/postgres"
	"github.com/ordergraph/ordergraph/internal/store/storetest"
)

// TestStore runs the store contract, each test in a schema of its own.
func TestStore(t *testing.T) {
	t.Parallel()
	storetest.PostgresURL(t) // skips without a server
	storetest.Exercise(t, func(t *testing.T) store.Store { return storetest.OpenPostgres(t) })
}

// TestOpen_ConcurrentMigrations starts several nodes on one empty schema at
// once: the advisory lock lets one migrate and the others find the schema
// up to date.
func TestOpen_ConcurrentMigrations(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresDSN(t)
	const nodes = 4
	dbs := make([]*postgres.DB, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(context.Background(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	ctx := context.Background()
	storetest.MustPage(t, dbs[0], "1", 0)
	storetest.MustRead(t, dbs[nodes-1], func(tx store.Tx) error {
		_, err := tx.PageGet(ctx, "1")
		return err
	})
	// Opening again migrates nothing.
	storetest.OpenPostgresDSN(t, dsn)
}

// TestWrite_RowLocks shows the two lock behaviours of a Write: OrderGet
// waits for the Write holding the order, OrderDueList skips it.
func TestWrite_RowLocks(t *testing.T) {
	t.Parallel()
	db := storetest.OpenPostgres(t)
	ctx := context.Background()
	storetest.MustPage(t, db, "1", 0)
	now := storetest.T0.Add(time.Hour)
	storetest.MustWrite(t, db, func(tx store.Tx) error {
		for _, id := range []string{"a", "b"} {
			if err := tx.OrderInsert(ctx, storetest.NewOrder("1", id, storetest.FBProcessing, storetest.T0)); err != nil {
				return err
			}
		}
		return nil
	})

	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.Write(ctx, func(tx store.Tx) error {
			if _, err := tx.OrderGet(ctx, "1", "a"); err != nil {
				return err
			}
			close(locked)
			<-release
			return storetest.UpdateOrderTx(ctx, tx, "1", "a")
		})
	}()
	<-locked

	t.Run("DueListSkips", func(t *testing.T) {
		storetest.MustWrite(t, db, func(tx store.Tx) error {
			ids, err := tx.OrderDueList(ctx, "1", now, 10)
			if fmt.Sprint(ids) != "[b]" {
				t.Errorf("claimed %v, want [b]: a is locked", ids)
			}
			return err
		})
		// A Read locks nothing and sees both.
		storetest.MustRead(t, db, func(tx store.Tx) error {
			ids, err := tx.OrderDueList(ctx, "1", now, 10)
			if fmt.Sprint(ids) != "[a b]" {
				t.Errorf("listed %v, want [a b]", ids)
			}
			return err
		})
	})
	t.Run("GetWaits", func(t *testing.T) {
		got := make(chan int64, 1)
		go func() {
			err := db.Write(ctx, func(tx store.Tx) error {
				o, err := tx.OrderGet(ctx, "1", "a")
				if err == nil {
					got <- o.Version
				}
				return err
			})
			if err != nil {
				t.Error(err)
				close(got)
			}
		}()
		select {
		case v := <-got:
			t.Fatalf("OrderGet read version %d while another Write held the order", v)
		case <-time.After(200 * time.Millisecond):
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if v := <-got; v != 2 {
			t.Errorf("OrderGet after the lock read version %d, want 2 (the holder's commit)", v)
		}
	})
}

// TestWrite_Deadlock has two Writes lock two orders in opposite orders:
// the server breaks the deadlock and the loser fails with ECONFLICT, which
// the engine retries.
func TestWrite_Deadlock(t *testing.T) {
	t.Parallel()
	db := storetest.OpenPostgres(t)
	ctx := context.Background()
	storetest.MustPage(t, db, "1", 0)
	storetest.MustWrite(t, db, func(tx store.Tx) error {
		for _, id := range []string{"a", "b"} {
			if err := tx.OrderInsert(ctx, storetest.NewOrder("1", id, storetest.Created, storetest.T0)); err != nil {
				return err
			}
		}
		return nil
	})
	var first sync.WaitGroup
	first.Add(2)
	errs := make(chan error, 2)
	for _, ids := range [][2]string{{"a", "b"}, {"b", "a"}} {
		go func() {
			errs <- db.Write(ctx, func(tx store.Tx) error {
				if _, err := tx.OrderGet(ctx, "1", ids[0]); err != nil {
					return err
				}
				first.Done()
				first.Wait()
				_, err := tx.OrderGet(ctx, "1", ids[1])
				return err
			})
		}()
	}
	var conflicts int
	for range 2 {
		err := <-errs
		switch {
		case err == nil:
		case ordergraph.ErrorSubcode(err) == ordergraph.SubcodeConcurrentModification:
			conflicts++
		default:
			t.Errorf("Write = %v", err)
		}
	}
	if conflicts != 1 {
		t.Errorf("%d Writes lost the deadlock, want 1", conflicts)
	}
}

// TestWrite_ErrAfterFailedStatement: a Write that swallows a constraint
// error and returns nil still fails, since the server aborted it, and
// saves nothing.
func TestWrite_ErrAfterFailedStatement(t *testing.T) {
	t.Parallel()
	db := storetest.OpenPostgres(t)
	ctx := context.Background()
	storetest.MustPage(t, db, "1", 0)
	err := db.Write(ctx, func(tx store.Tx) error {
		if err := tx.PageInsert(ctx, storetest.NewPage("2", 0)); err != nil {
			return err
		}
		err := tx.PageInsert(ctx, storetest.NewPage("1", 0))
		storetest.WantCode(t, err, ordergraph.ECONFLICT)
		return nil
	})
	if err == nil {
		t.Fatal("Write committed after a failed statement")
	}
	storetest.MustRead(t, db, func(tx store.Tx) error {
		_, err := tx.PageGet(ctx, "2")
		storetest.WantCode(t, err, ordergraph.ENOTFOUND)
		return nil
	})
	// Every connection of the pool is clean for the next Writes.
	for i := range 8 {
		storetest.MustPage(t, db, fmt.Sprint("p", i), 0)
	}
}

// TestWrite_Empty commits a Write that ran no statement.
func TestWrite_Empty(t *testing.T) {
	t.Parallel()
	db := storetest.OpenPostgres(t)
	if err := db.Write(context.Background(), func(store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestOpen_BadDSN fails Open, not a later request.
func TestOpen_BadDSN(t *testing.T) {
	t.Parallel()
	_, err := postgres.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	if errors.Is(err, context.Canceled) {
		t.Fatalf("Open = %v", err)
	}
}

func openBench(b *testing.B) store.Store {
	b.Helper()
	return storetest.OpenPostgres(b)
}

func BenchmarkOrderGet(b *testing.B)            { storetest.BenchOrderGet(b, openBench(b)) }
func BenchmarkOrderList(b *testing.B)           { storetest.BenchOrderList(b, openBench(b)) }
func BenchmarkOrderUpdate(b *testing.B)         { storetest.BenchOrderUpdate(b, openBench(b)) }
func BenchmarkOrderUpdateParallel(b *testing.B) { storetest.BenchOrderUpdateParallel(b, openBench(b)) }
