// Package ordergraphtest runs a complete ordergraph in process, for tests:
// the Graph API and the sandbox on a loopback port, an embedded SQLite
// database in a temporary directory (or a fresh schema of a PostgreSQL
// database, see WithPostgres), and a clock the test moves. Sellers test
// their Order Management integrations against it the way they would
// against the platform, by pointing their client at Server.URL.
package ordergraphtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/graphapi"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
	"github.com/ordergraph/ordergraph/internal/sandbox"
	"github.com/ordergraph/ordergraph/internal/server"
	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/postgres"
	"github.com/ordergraph/ordergraph/internal/store/sqlite"
	"github.com/ordergraph/ordergraph/internal/store/storetest"
)

// Server is an in-process ordergraph.
type Server struct {
	// URL is the base URL of the Graph API ("http://127.0.0.1:port"); the
	// sandbox API is under URL + "/sandbox/".
	URL string
	// AdminKey authorises sandbox calls.
	AdminKey string
	// Clock is the base clock every page's clock runs from.
	Clock *Clock
	// Orders, Sandbox and Ledger are the services behind the HTTP
	// surfaces, for tests that set up state (or check money) without HTTP.
	Orders  ordergraph.OrderService
	Sandbox ordergraph.SandboxService
	Ledger  ordergraph.LedgerService
}

// Option configures NewServer.
type Option func(*options)

type options struct {
	start    time.Time
	idStart  int64
	logger   *slog.Logger
	dbPath   string
	postgres string
}

// WithTime starts the base clock at t instead of 2026-01-05T09:00:00Z.
func WithTime(t time.Time) Option { return func(o *options) { o.start = t } }

// WithSequentialIDs numbers new objects start, start+1, … and access
// tokens EAAOtesttoken1, EAAOtesttoken2, … so responses are the same on
// every run (golden files).
func WithSequentialIDs(start int64) Option { return func(o *options) { o.idStart = start } }

// WithLogger logs requests to l.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithDatabase uses the SQLite database at path instead of a temporary one.
func WithDatabase(path string) Option { return func(o *options) { o.dbPath = path } }

// WithPostgres runs the server on the PostgreSQL database at url (a
// postgres:// URL), in a new schema that is dropped when the test ends, so
// tests on one database run in parallel.
//
// Without WithDatabase or WithPostgres, NewServer uses PostgreSQL when the
// environment has ORDERGRAPH_TEST_STORE=postgres and ORDERGRAPH_TEST_POSTGRES
// set to a URL, and a temporary SQLite file otherwise: that is how CI runs
// the same tests on both stores.
func WithPostgres(url string) Option { return func(o *options) { o.postgres = url } }

// AdminKey is the sandbox admin key of every test server.
const AdminKey = "ordergraphtest-admin-key"

// NewServer starts an ordergraph for the test and stops it when the test
// ends.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	o := options{start: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	db, err := openStore(tb, o)
	if err != nil {
		tb.Fatalf("open database: %v", err)
	}
	clock := NewClock(o.start)
	engine := lifecycle.NewEngine(db, clock, o.logger)
	if o.idStart > 0 {
		engine.NewID = lifecycle.SequentialIDs(o.idStart)
		tokens := lifecycle.SequentialIDs(1)
		engine.NewToken = func() string { return "EAAOtesttoken" + tokens() }
	}
	var srv *server.Server
	// Call budgets run on the test's clock, so a test that exhausts one
	// regains it by advancing the clock, never by sleeping.
	graph := graphapi.NewHandler(graphapi.Config{
		Orders: engine, Auth: engine, Ledger: engine, Logger: o.logger,
		RateLimiter: graphapi.NewRateLimiter(clock, graphapi.DefaultBudget),
		Observe: func(r graphapi.RequestInfo) {
			srv.Observe(server.Request{Route: r.Route, Method: r.Method, Status: r.Status, Duration: r.Duration, TraceID: r.TraceID, PageID: r.PageID, Err: r.Err})
		},
	})
	srv = server.New(server.Config{
		Addr: "127.0.0.1:0", Graph: graph, Sandbox: sandbox.NewHandler(engine, AdminKey),
		Health: db.Ping, OrderCounts: engine.OrderCounts, Logger: o.logger,
	})
	if err := srv.Open(); err != nil {
		tb.Fatalf("open server: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			tb.Errorf("close server: %v", err)
		}
		if err := db.Close(); err != nil {
			tb.Errorf("close database: %v", err)
		}
	})
	return &Server{URL: srv.URL(), AdminKey: AdminKey, Clock: clock, Orders: engine, Sandbox: engine, Ledger: engine}
}

// openStore opens the database o names, which the test's cleanup closes
// (and, on PostgreSQL, drops).
func openStore(tb testing.TB, o options) (store.Store, error) {
	if o.dbPath == "" && o.postgres == "" && os.Getenv(storetest.EnvStore) == "postgres" {
		if o.postgres = os.Getenv(storetest.EnvPostgres); o.postgres == "" {
			return nil, fmt.Errorf("%s=postgres needs %s, a postgres:// URL", storetest.EnvStore, storetest.EnvPostgres)
		}
	}
	if o.dbPath != "" || o.postgres == "" {
		if o.dbPath == "" {
			o.dbPath = filepath.Join(tb.TempDir(), "ordergraph.db")
		}
		return sqlite.Open(context.Background(), o.dbPath)
	}
	dsn, drop, err := storetest.NewPostgresSchema(o.postgres)
	if err != nil {
		return nil, err
	}
	// Registered before the server's cleanup, so it runs after it.
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Errorf("drop test schema: %v", err)
		}
	})
	return postgres.Open(context.Background(), dsn)
}

// Clock is a base clock that moves only when told to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
