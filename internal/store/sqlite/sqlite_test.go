package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
	t.Run("Ping", func(t *testing.T) {
		t.Parallel()
		eachDB(t, func(t *testing.T, db *DB) {
			if err := db.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestDB_Write(t *testing.T) {
	t.Parallel()
	t.Run("ErrRollsBack", func(t *testing.T) {
		t.Parallel()
		eachDB(t, func(t *testing.T, db *DB) {
			ctx := context.Background()
			errBoom := errors.New("boom")
			err := db.Write(ctx, func(tx store.Tx) error {
				if err := tx.PageInsert(ctx, newPage("1", 0)); err != nil {
					return err
				}
				if err := tx.OrderInsert(ctx, newOrder("1", "10", created, t0)); err != nil {
					return err
				}
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("Write = %v, want %v", err, errBoom)
			}
			mustRead(t, db, func(tx store.Tx) error {
				_, err := tx.PageGet(ctx, "1")
				wantCode(t, err, ordergraph.ENOTFOUND)
				_, err = tx.OrderGet(ctx, "1", "10")
				wantCode(t, err, ordergraph.ENOTFOUND)
				return nil
			})
		})
	})
	t.Run("ConflictRollsBack", func(t *testing.T) {
		t.Parallel()
		eachDB(t, func(t *testing.T, db *DB) {
			ctx := context.Background()
			mustPage(t, db, "1", 0)
			o := newOrder("1", "10", created, t0)
			mustWrite(t, db, func(tx store.Tx) error { return tx.OrderInsert(ctx, o) })
			err := db.Write(ctx, func(tx store.Tx) error {
				if err := tx.ProductUpsert(ctx, &ordergraph.Product{PageID: "1", ID: "p", RetailerID: "r"}); err != nil {
					return err
				}
				stale := o.Clone()
				stale.Version += 2
				return tx.OrderUpdate(ctx, stale)
			})
			wantCode(t, err, ordergraph.ECONFLICT)
			mustRead(t, db, func(tx store.Tx) error {
				_, err := tx.ProductGet(ctx, "1", "p")
				wantCode(t, err, ordergraph.ENOTFOUND)
				return nil
			})
		})
	})
	t.Run("ReadIsReadOnly", func(t *testing.T) {
		t.Parallel()
		eachDB(t, func(t *testing.T, db *DB) {
			ctx := context.Background()
			err := db.Read(ctx, func(tx store.Tx) error { return tx.PageInsert(ctx, newPage("1", 0)) })
			if err == nil {
				t.Fatal("PageInsert in Read succeeded")
			}
		})
	})
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
	t.Run("ErrCanceled", func(t *testing.T) {
		t.Parallel()
		db := MustOpenDB(t, ":memory:")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := db.Write(ctx, func(tx store.Tx) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Write = %v, want %v", err, context.Canceled)
		}
	})
	// Every Write reads then updates one order; writes serialize, so no
	// update is lost and no version check fails.
	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		eachDB(t, func(t *testing.T, db *DB) {
			ctx := context.Background()
			mustPage(t, db, "1", 0)
			mustWrite(t, db, func(tx store.Tx) error { return tx.OrderInsert(ctx, newOrder("1", "10", inProgress, t0)) })
			const workers, updates = 8, 25
			var wg sync.WaitGroup
			errs := make(chan error, workers*updates)
			for range workers {
				wg.Go(func() {
					for range updates {
						errs <- db.Write(ctx, func(tx store.Tx) error {
							o, err := tx.OrderGet(ctx, "1", "10")
							if err != nil {
								return err
							}
							o.Version++
							o.Items[0].CapturedAmount++
							o.LastUpdated = o.LastUpdated.Add(time.Second)
							return tx.OrderUpdate(ctx, o)
						})
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
			mustRead(t, db, func(tx store.Tx) error {
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
	})
}

func TestPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		p1 := mustPage(t, db, "1", time.Hour)
		p2 := newPage("2", 0)
		p2.CMSID = ""
		p3 := newPage("3", 0)
		p3.CMSID = ""
		mustWrite(t, db, func(tx store.Tx) error {
			if err := tx.PageInsert(ctx, p2); err != nil {
				return err
			}
			return tx.PageInsert(ctx, p3) // two pages without a CMS id
		})

		t.Run("Get", func(t *testing.T) {
			mustRead(t, db, func(tx store.Tx) error {
				for _, id := range []string{"1", "cms1"} {
					got, err := tx.PageGet(ctx, id)
					if err != nil {
						return err
					}
					if diff := cmp.Diff(p1, got); diff != "" {
						t.Errorf("PageGet(%s) mismatch (-want +got):\n%s", id, diff)
					}
				}
				_, err := tx.PageGet(ctx, "4")
				wantCode(t, err, ordergraph.ENOTFOUND)
				_, err = tx.PageGet(ctx, "")
				wantCode(t, err, ordergraph.ENOTFOUND)
				return nil
			})
		})
		t.Run("ErrDuplicate", func(t *testing.T) {
			err := db.Write(ctx, func(tx store.Tx) error { return tx.PageInsert(ctx, newPage("1", 0)) })
			wantCode(t, err, ordergraph.ECONFLICT)
			dup := newPage("9", 0)
			dup.CMSID = p1.CMSID
			err = db.Write(ctx, func(tx store.Tx) error { return tx.PageInsert(ctx, dup) })
			wantCode(t, err, ordergraph.ECONFLICT)
		})
		t.Run("Update", func(t *testing.T) {
			up := *p2
			up.CMSID = "cms-two"
			up.Name = "Two"
			up.HandlingDays = 5
			up.OrderManagement = ordergraph.ManagedByCommerceManager
			up.ClockOffset = 90 * time.Minute
			mustWrite(t, db, func(tx store.Tx) error { return tx.PageUpdate(ctx, &up) })
			mustRead(t, db, func(tx store.Tx) error {
				got, err := tx.PageGet(ctx, "cms-two")
				if err != nil {
					return err
				}
				if diff := cmp.Diff(&up, got); diff != "" {
					t.Errorf("PageGet mismatch (-want +got):\n%s", diff)
				}
				return nil
			})
			err := db.Write(ctx, func(tx store.Tx) error { return tx.PageUpdate(ctx, newPage("4", 0)) })
			wantCode(t, err, ordergraph.ENOTFOUND)
			taken := up
			taken.CMSID = p1.CMSID
			err = db.Write(ctx, func(tx store.Tx) error { return tx.PageUpdate(ctx, &taken) })
			wantCode(t, err, ordergraph.ECONFLICT)
		})
		t.Run("List", func(t *testing.T) {
			mustRead(t, db, func(tx store.Tx) error {
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
	})
}

func TestToken(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustPage(t, db, "1", 0)
		expires := t0.Add(time.Hour)
		tok := &ordergraph.Token{Hash: "h1", PageID: "1", Role: ordergraph.RoleEditor, Created: t0, ExpiresAt: &expires}
		mustWrite(t, db, func(tx store.Tx) error { return tx.TokenInsert(ctx, tok) })

		mustRead(t, db, func(tx store.Tx) error {
			got, err := tx.TokenGet(ctx, "h1")
			if err != nil {
				return err
			}
			if diff := cmp.Diff(tok, got); diff != "" {
				t.Errorf("TokenGet mismatch (-want +got):\n%s", diff)
			}
			_, err = tx.TokenGet(ctx, "h2")
			wantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})

		err := db.Write(ctx, func(tx store.Tx) error { return tx.TokenInsert(ctx, tok) })
		wantCode(t, err, ordergraph.ECONFLICT)
		err = db.Write(ctx, func(tx store.Tx) error {
			return tx.TokenInsert(ctx, &ordergraph.Token{Hash: "h3", PageID: "9", Role: ordergraph.RoleAdmin, Created: t0})
		})
		wantCode(t, err, ordergraph.ENOTFOUND)

		revoked := t0.Add(time.Minute)
		mustWrite(t, db, func(tx store.Tx) error { return tx.TokenRevoke(ctx, "h1", revoked) })
		mustWrite(t, db, func(tx store.Tx) error { return tx.TokenRevoke(ctx, "h1", revoked.Add(time.Minute)) })
		err = db.Write(ctx, func(tx store.Tx) error { return tx.TokenRevoke(ctx, "h2", revoked) })
		wantCode(t, err, ordergraph.ENOTFOUND)
		mustRead(t, db, func(tx store.Tx) error {
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
	})
}

func TestProduct(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustPage(t, db, "1", 0)
		mustPage(t, db, "2", 0)
		p := &ordergraph.Product{ID: "100", PageID: "1", RetailerID: "SKU-1", Name: "Mug", Price: 1250, SalePrice: 999, Currency: "USD"}
		other := &ordergraph.Product{ID: "100", PageID: "2", RetailerID: "SKU-1", Name: "Other", Price: 1, Currency: "EUR"}
		mustWrite(t, db, func(tx store.Tx) error {
			if err := tx.ProductUpsert(ctx, p); err != nil {
				return err
			}
			return tx.ProductUpsert(ctx, other) // same ids on another page
		})
		get := func(want *ordergraph.Product) {
			t.Helper()
			mustRead(t, db, func(tx store.Tx) error {
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
		mustWrite(t, db, func(tx store.Tx) error { return tx.ProductUpsert(ctx, &up) })
		get(&up)

		mustRead(t, db, func(tx store.Tx) error {
			_, err := tx.ProductGet(ctx, "1", "101")
			wantCode(t, err, ordergraph.ENOTFOUND)
			_, err = tx.ProductGetByRetailerID(ctx, "1", "SKU-1")
			wantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
		err := db.Write(ctx, func(tx store.Tx) error {
			return tx.ProductUpsert(ctx, &ordergraph.Product{ID: "101", PageID: "1", RetailerID: "SKU-2"})
		})
		wantCode(t, err, ordergraph.ECONFLICT)
	})
}

func TestEvent(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustPage(t, db, "1", 0)
		mustWrite(t, db, func(tx store.Tx) error { return tx.OrderInsert(ctx, newOrder("1", "10", created, t0)) })
		events := []*ordergraph.Event{
			{PageID: "1", OrderID: "10", Seq: 1, Kind: ordergraph.EventPlaced, Actor: ordergraph.ActorBuyer, At: t0},
			{PageID: "1", OrderID: "10", Seq: 2, Kind: ordergraph.EventReleased, Actor: ordergraph.ActorPlatform, At: t0.Add(time.Minute), Data: []byte(`{"a":1}`)},
			{PageID: "1", OrderID: "10", Seq: 3, Kind: ordergraph.EventAcknowledged, Actor: ordergraph.ActorSeller, At: t0.Add(2 * time.Minute)},
		}
		mustWrite(t, db, func(tx store.Tx) error {
			for _, i := range []int{2, 0, 1} {
				if err := tx.EventInsert(ctx, events[i]); err != nil {
					return err
				}
			}
			return nil
		})
		mustRead(t, db, func(tx store.Tx) error {
			got, err := tx.EventList(ctx, "1", "10")
			if err != nil {
				return err
			}
			if diff := cmp.Diff(events, got); diff != "" {
				t.Errorf("EventList mismatch (-want +got):\n%s", diff)
			}
			got, err = tx.EventList(ctx, "1", "11")
			if err != nil {
				return err
			}
			if len(got) != 0 {
				t.Errorf("EventList of another order = %v, want none", got)
			}
			return nil
		})
		err := db.Write(ctx, func(tx store.Tx) error { return tx.EventInsert(ctx, events[0]) })
		wantCode(t, err, ordergraph.ECONFLICT)
		err = db.Write(ctx, func(tx store.Tx) error {
			return tx.EventInsert(ctx, &ordergraph.Event{PageID: "1", OrderID: "11", Seq: 1, Kind: ordergraph.EventPlaced, At: t0})
		})
		wantCode(t, err, ordergraph.ENOTFOUND)
	})
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustPage(t, db, "1", 0)
		r := &store.IdempotencyRecord{
			IdempotencyKey: store.IdempotencyKey{PageID: "1", ObjectID: "10", Edge: "shipments", Key: "k1"},
			RequestHash:    "abc",
			Status:         200,
			Body:           []byte(`{"success":true}`),
			Created:        t0,
		}
		mustWrite(t, db, func(tx store.Tx) error { return tx.IdempotencyPut(ctx, r) })
		mustRead(t, db, func(tx store.Tx) error {
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
			wantCode(t, err, ordergraph.ENOTFOUND)
			return nil
		})
		err := db.Write(ctx, func(tx store.Tx) error { return tx.IdempotencyPut(ctx, r) })
		wantCode(t, err, ordergraph.ECONFLICT)
	})
}

func BenchmarkOrderGet(b *testing.B) {
	ctx := context.Background()
	const n = 1000
	db := benchOrders(b, n)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			id := fmt.Sprint(i % n)
			i++
			err := db.Read(ctx, func(tx store.Tx) error {
				_, err := tx.OrderGet(ctx, "1", id)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchOrders opens a temp-file database with n IN_PROGRESS orders on
// page "1", with ids "0" to n-1.
func benchOrders(b *testing.B, n int) *DB {
	b.Helper()
	ctx := context.Background()
	db := MustOpenDB(b, filepath.Join(b.TempDir(), "ordergraph.db"))
	mustPage(b, db, "1", 0)
	mustWrite(b, db, func(tx store.Tx) error {
		for i := range n {
			if err := tx.OrderInsert(ctx, newOrder("1", fmt.Sprint(i), inProgress, t0.Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})
	return db
}

// BenchmarkOrderList reads pages of 25 orders (26 rows, to detect a next
// page) from a keyset position.
func BenchmarkOrderList(b *testing.B) {
	ctx := context.Background()
	const n = 1000
	db := benchOrders(b, n)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			// Order i was last updated i seconds after t0.
			at := (i * 25) % (n - 26)
			i++
			f := store.OrderListParams{PageID: "1", Limit: 26, After: &store.Cursor{LastUpdated: t0.Add(time.Duration(at) * time.Second), ID: fmt.Sprint(at)}}
			err := db.Read(ctx, func(tx store.Tx) error {
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

// updateOrder is one command: load an order, change it, save it.
func updateOrder(ctx context.Context, db *DB, id string) error {
	return db.Write(ctx, func(tx store.Tx) error {
		o, err := tx.OrderGet(ctx, "1", id)
		if err != nil {
			return err
		}
		o.Version++
		o.LastUpdated = o.LastUpdated.Add(time.Second)
		o.Items[0].CapturedAmount++
		return tx.OrderUpdate(ctx, o)
	})
}

func BenchmarkOrderUpdate(b *testing.B) {
	ctx := context.Background()
	const n = 1000
	db := benchOrders(b, n)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := updateOrder(ctx, db, fmt.Sprint(i%n)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkOrderUpdateParallel runs updates from 16 goroutines per CPU, as
// concurrent API requests do.
func BenchmarkOrderUpdateParallel(b *testing.B) {
	ctx := context.Background()
	const n = 1000
	db := benchOrders(b, n)
	var next atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := updateOrder(ctx, db, fmt.Sprint(next.Add(1)%n)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
