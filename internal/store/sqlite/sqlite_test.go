package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// t0 has nanoseconds, to show times round-trip exactly.
var t0 = time.Date(2024, 3, 4, 5, 6, 7, 123456789, time.UTC)

// MustOpenDB opens a database at path (":memory:" or a file) and closes it
// when the test ends.
func MustOpenDB(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), path)
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

// eachDB runs fn on a fresh temp-file database and a fresh in-memory one.
func eachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, name := range []string{"File", "Memory"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := ":memory:"
			if name == "File" {
				path = filepath.Join(t.TempDir(), "ordergraph.db")
			}
			fn(t, MustOpenDB(t, path))
		})
	}
}

func mustWrite(tb testing.TB, db *DB, fn func(tx store.Tx) error) {
	tb.Helper()
	if err := db.Write(context.Background(), fn); err != nil {
		tb.Fatal(err)
	}
}

func mustRead(tb testing.TB, db *DB, fn func(tx store.Tx) error) {
	tb.Helper()
	if err := db.Read(context.Background(), fn); err != nil {
		tb.Fatal(err)
	}
}

// wantCode fails the test unless err has the domain error code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := ordergraph.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func newPage(id string, offset time.Duration) *ordergraph.Page {
	return &ordergraph.Page{
		ID:              id,
		CMSID:           "cms" + id,
		Name:            "Page " + id,
		Currency:        "USD",
		HandlingDays:    3,
		OrderManagement: ordergraph.ManagedByAPI,
		ClockOffset:     offset,
		Created:         t0,
	}
}

func mustPage(tb testing.TB, db *DB, id string, offset time.Duration) *ordergraph.Page {
	tb.Helper()
	p := newPage(id, offset)
	mustWrite(tb, db, func(tx store.Tx) error { return tx.PageInsert(context.Background(), p) })
	return p
}

func TestOpen(t *testing.T) {
	t.Parallel()
	t.Run("MigrationsIdempotent", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "ordergraph.db")
		db := MustOpenDB(t, path)
		mustPage(t, db, "1", 0)
		if err := migrate(ctx, db.write.db); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = MustOpenDB(t, path) // migrates again

		files, err := fs.Glob(migrationFS, "migration/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.write.db.QueryRowContext(ctx, `SELECT count(*) FROM migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(files) || n == 0 {
			t.Errorf("migrations = %d, want %d", n, len(files))
		}
		mustRead(t, db, func(tx store.Tx) error {
			_, err := tx.PageGet(ctx, "1")
			return err
		})
	})
	t.Run("Pragmas", func(t *testing.T) {
		t.Parallel()
		db := MustOpenDB(t, filepath.Join(t.TempDir(), "ordergraph.db"))
		for _, tt := range []struct {
			pool   *pool
			pragma string
			want   string
		}{
			{db.write, "journal_mode", "wal"},
			{db.write, "synchronous", "2"},
			{db.write, "foreign_keys", "1"},
			{db.read, "foreign_keys", "1"},
			{db.read, "query_only", "1"},
			{db.read, "busy_timeout", "10000"},
		} {
			var got string
			if err := tt.pool.db.QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s = %s, want %s", tt.pragma, got, tt.want)
			}
		}
	})
}

func TestDB_Write(t *testing.T) {
	t.Parallel()
	// Writes queued behind a running one share its commit, each in a
	// savepoint: an error or panic undoes that Write alone.
	t.Run("Batch", func(t *testing.T) {
		t.Parallel()
		eachDB(t, func(t *testing.T, db *DB) {
			ctx := context.Background()
			mustPage(t, db, "1", 0)
			product := func(id string) *ordergraph.Product {
				return &ordergraph.Product{PageID: "1", ID: id, RetailerID: "r" + id}
			}
			errBoom := errors.New("boom")
			release, blocked := make(chan struct{}), make(chan struct{})
			before := db.batches.Load()
			var wg sync.WaitGroup
			wg.Go(func() {
				err := db.Write(ctx, func(tx store.Tx) error {
					close(blocked)
					<-release
					return tx.ProductUpsert(ctx, product("first"))
				})
				if err != nil {
					t.Error(err)
				}
			})
			<-blocked

			const n = 12
			errs := make([]error, n)
			var queued sync.WaitGroup
			for i := range n {
				queued.Add(1)
				wg.Go(func() {
					defer func() {
						if v := recover(); v != nil {
							errs[i] = fmt.Errorf("panic: %v", v)
						}
					}()
					queued.Done()
					errs[i] = db.Write(ctx, func(tx store.Tx) error {
						if err := tx.ProductUpsert(ctx, product(fmt.Sprint(i))); err != nil {
							return err
						}
						switch i % 4 {
						case 1:
							return errBoom
						case 2:
							panic("boom")
						case 3:
							// A taken retailer id: a constraint error.
							return tx.ProductUpsert(ctx, &ordergraph.Product{PageID: "1", ID: fmt.Sprint("dup", i), RetailerID: "rfirst"})
						}
						return nil
					})
				})
			}
			queued.Wait()
			time.Sleep(100 * time.Millisecond) // let the Writes queue up
			close(release)
			wg.Wait()

			for i, err := range errs {
				var want string
				switch i % 4 {
				case 1:
					want = "boom"
				case 2:
					want = "panic: boom"
				case 3:
					want = "conflict"
				}
				switch {
				case want == "" && err != nil:
					t.Errorf("Write %d = %v, want success", i, err)
				case want == "conflict":
					wantCode(t, err, ordergraph.ECONFLICT)
				case want != "" && (err == nil || err.Error() != want):
					t.Errorf("Write %d = %v, want %s", i, err, want)
				}
			}
			mustRead(t, db, func(tx store.Tx) error {
				for i := range n {
					_, err := tx.ProductGet(ctx, "1", fmt.Sprint(i))
					if i%4 == 0 && err != nil {
						t.Errorf("product of Write %d: %v", i, err)
					} else if i%4 != 0 {
						wantCode(t, err, ordergraph.ENOTFOUND)
					}
				}
				_, err := tx.ProductGet(ctx, "1", "first")
				return err
			})
			if got := db.batches.Load() - before; got >= n+1 {
				t.Errorf("%d Writes took %d transactions; want them batched", n+1, got)
			}
		})
	})
	t.Run("ErrClosed", func(t *testing.T) {
		t.Parallel()
		db, err := Open(context.Background(), ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		err = db.Write(context.Background(), func(tx store.Tx) error { return nil })
		if !errors.Is(err, errClosed) {
			t.Errorf("Write after Close = %v, want %v", err, errClosed)
		}
	})
}
