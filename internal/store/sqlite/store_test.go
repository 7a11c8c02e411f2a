package sqlite_test

import (
	"context"
	"testing"

	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/sqlite"
	"github.com/ordergraph/ordergraph/internal/store/storetest"
)

// TestStore runs the store contract on a file database and on an
// in-memory one.
func TestStore(t *testing.T) {
	t.Parallel()
	t.Run("File", func(t *testing.T) {
		t.Parallel()
		storetest.Exercise(t, func(t *testing.T) store.Store { return storetest.OpenSQLite(t) })
	})
	t.Run("Memory", func(t *testing.T) {
		t.Parallel()
		storetest.Exercise(t, func(t *testing.T) store.Store { return openMemory(t) })
	})
}

func openMemory(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func openBench(b *testing.B) store.Store {
	b.Helper()
	return storetest.OpenSQLite(b)
}

func BenchmarkOrderGet(b *testing.B)    { storetest.BenchOrderGet(b, openBench(b)) }
func BenchmarkOrderList(b *testing.B)   { storetest.BenchOrderList(b, openBench(b)) }
func BenchmarkOrderUpdate(b *testing.B) { storetest.BenchOrderUpdate(b, openBench(b)) }

// BenchmarkOrderUpdateParallel shows group commit: many Writes share one
// WAL sync.
func BenchmarkOrderUpdateParallel(b *testing.B) { storetest.BenchOrderUpdateParallel(b, openBench(b)) }
