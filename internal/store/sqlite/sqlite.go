// Package sqlite implements store.Store on SQLite, through the pure-Go
// modernc.org/sqlite driver (no cgo), so that ordergraph runs as one binary
// with one file.
//
// A DB holds two connection pools on the same file: a write pool of exactly
// one connection, because SQLite has one writer and queueing in Go is
// cheaper than spinning on SQLITE_BUSY, and a read pool of several
// connections, which in WAL mode read consistent snapshots while the writer
// works. Writes that arrive together share one durable commit (see
// DB.Write), and statements used on every request are prepared once per
// connection.
//
// An order is stored whole, as a compact document beside the columns its
// filters use (see order_codec.go), so reading one costs one indexed row.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// busyTimeout is how long a connection waits for another process's lock
// (a CLI running next to the server) before failing with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

var _ store.Store = (*DB)(nil)

// DB is an ordergraph database in one SQLite file (or in memory).
type DB struct {
	write *pool
	// read is the read pool; for an in-memory database it is write, since
	// every connection to ":memory:" would be a database of its own.
	read *pool

	// writes feeds Writes to the writer goroutine, which owns the write
	// pool's connection; see Write.
	writes     chan *writeReq
	closing    chan struct{}
	writerDone chan struct{}
	// writerStarted is set once Open has started the writer.
	writerStarted bool
	closeOnce     sync.Once
	// batches counts the write transactions the writer began.
	batches atomic.Int64
}

// pool is a database/sql pool and the statements prepared on it.
type pool struct {
	db    *sql.DB
	stmts map[string]*sql.Stmt
}

// Open opens the SQLite database at path, creating it if needed, and applies
// every pending migration. Path ":memory:" opens a private in-memory
// database on a single connection, which reads and writes share.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: empty path")
	}
	if strings.Contains(path, "?") {
		return nil, fmt.Errorf("open database %q: path must not contain '?'", path)
	}

	// Every connection enforces foreign keys (off by default in SQLite) and
	// waits for locks held by other processes instead of failing at once.
	common := url.Values{}
	common.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	common.Set("_foreign_keys", "1")

	// The writer starts every transaction with BEGIN IMMEDIATE, taking the
	// write lock before its first read, so a read-then-update never fails
	// halfway with SQLITE_BUSY. Read transactions (ReadOnly) stay deferred.
	wq := cloneValues(common)
	wq.Set("_txlock", "immediate")
	if path != ":memory:" {
		// WAL lets readers work beside the writer. synchronous=FULL syncs
		// the WAL on every commit: an acknowledged write survives power
		// loss, which NORMAL does not promise in WAL mode.
		wq.Set("_journal_mode", "WAL")
		wq.Set("_synchronous", "FULL")
	}

	db := &DB{
		writes:     make(chan *writeReq),
		closing:    make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	w, err := openPool(path, wq, 1)
	if err != nil {
		return nil, err
	}
	db.write = w
	// Connect now, so a bad path or a locked file fails Open, and the
	// journal mode is set before any reader connects.
	if err := w.db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %q: %w", path, err)
	}
	if err := migrate(ctx, w.db); err != nil {
		db.Close()
		return nil, err
	}

	if path == ":memory:" {
		db.read = w
	} else {
		rq := cloneValues(common)
		// Readers can never write, whatever a caller does with a Tx.
		rq.Set("_query_only", "1")
		r, err := openPool(path, rq, max(4, runtime.GOMAXPROCS(0)))
		if err != nil {
			db.Close()
			return nil, err
		}
		db.read = r
	}

	if err := db.write.prepare(ctx, false); err != nil {
		db.Close()
		return nil, err
	}
	if db.read != db.write {
		if err := db.read.prepare(ctx, true); err != nil {
			db.Close()
			return nil, err
		}
	}
	db.writerStarted = true
	go db.writer()
	return db, nil
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// openPool opens a pool of at most n connections that are never closed for
// idleness (a closed in-memory connection would lose the database).
func openPool(path string, q url.Values, n int) (*pool, error) {
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %q: %w", path, err)
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return &pool{db: db, stmts: map[string]*sql.Stmt{}}, nil
}

// statements lists the queries prepared on every pool; see prepared.
var statements []string

// prepared registers a query to be prepared once per connection, and
// returns it, so each file declares its statements beside the code that
// runs them.
func prepared(query string) string {
	statements = append(statements, query)
	return query
}

// prepare prepares the registered statements on p: only the SELECTs when
// readOnly. database/sql then prepares each one again, lazily, on any other
// connection of the pool that runs it.
func (p *pool) prepare(ctx context.Context, readOnly bool) error {
	for _, q := range statements {
		if readOnly && !strings.HasPrefix(q, "SELECT") {
			continue
		}
		s, err := p.db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		p.stmts[q] = s
	}
	return nil
}

func (p *pool) close() error {
	for _, s := range p.stmts {
		s.Close()
	}
	return p.db.Close()
}

// migrate applies, in lexical order, every embedded migration not yet
// recorded in the migrations table, each in its own transaction.
// Migrations are forward-only; applying them twice is a no-op.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT NOT NULL PRIMARY KEY, applied INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := migrateFile(ctx, db, name); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

func migrateFile(ctx context.Context, db *sql.DB, name string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	base := strings.TrimPrefix(name, "migration/")
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM migrations WHERE name = ?`, base).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied) VALUES (?, ?)`, base, time.Now().UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}

// Close waits for the running batch of Writes, fails the Writes still
// waiting, and closes both pools.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { close(db.closing) })
	if db.writerStarted {
		<-db.writerDone
	}
	var errs []error
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.close())
	}
	if db.write != nil {
		errs = append(errs, db.write.close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// Ping reports whether the database answers, on the read pool.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Read runs fn in a read-only transaction: a consistent snapshot, taken at
// its first read, that the writer does not block.
func (db *DB) Read(ctx context.Context, fn func(store.Tx) error) error {
	sqlTx, err := db.read.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer sqlTx.Rollback()
	return fn(&tx{tx: sqlTx, pool: db.read, readOnly: true})
}

// Write runs fn in a read-write transaction and commits it when fn returns
// nil; it returns only once the commit is durable. Writes run one at a
// time, on the single writer connection.
//
// Writes that queue up while one runs share its transaction (group
// commit): each runs in a savepoint of its own, so an error or panic undoes
// that Write alone, and one commit, one WAL sync, answers them all. A
// Write that follows another in a batch sees its changes, and fails with it
// if the commit fails, so no Write reports success for changes that were
// not made durable. fn's statements run to completion even if ctx is
// cancelled meanwhile, since interrupting a statement would roll back the
// whole batch.
func (db *DB) Write(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case db.writes <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.closing:
		return errClosed
	}
	<-r.done
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// maxBatch bounds how many Writes share one commit.
const maxBatch = 128

// errClosed is returned by Writes after Close.
var errClosed = errors.New("database is closed")

// writeReq is a Write waiting for the writer.
type writeReq struct {
	ctx      context.Context
	fn       func(store.Tx) error
	err      error
	panicked any // what fn panicked with
	done     chan struct{}
}

var (
	savepointSQL  = prepared(`SAVEPOINT write`)
	releaseSQL    = prepared(`RELEASE write`)
	rollbackToSQL = prepared(`ROLLBACK TO write`)
)

// writer runs the Writes, a batch at a time, until Close.
func (db *DB) writer() {
	defer close(db.writerDone)
	for {
		select {
		case r := <-db.writes:
			db.commitBatch(r)
		case <-db.closing:
			return
		}
	}
}

// commitBatch runs first and then, each in a savepoint, the Writes already
// waiting, and commits them together.
func (db *DB) commitBatch(first *writeReq) {
	batch := []*writeReq{first}
	defer func() {
		for _, r := range batch {
			close(r.done)
		}
	}()
	ctx := context.Background()
	db.batches.Add(1)
	sqlTx, err := db.write.db.BeginTx(ctx, nil)
	if err != nil {
		first.err = fmt.Errorf("begin write: %w", err)
		return
	}
	defer sqlTx.Rollback()
	// The first Write needs no savepoint: if it fails, nothing else is in
	// the transaction yet.
	if !first.run(sqlTx, db.write) {
		return
	}
	ok := []*writeReq{first}
	// fail fails every Write of the batch that had succeeded so far.
	fail := func(err error) {
		for _, r := range ok {
			r.err = err
		}
	}
	sp := &tx{tx: sqlTx, pool: db.write}
	for len(batch) < maxBatch {
		var r *writeReq
		select {
		case r = <-db.writes:
		default:
		}
		if r == nil {
			break
		}
		batch = append(batch, r)
		if _, err := sp.exec(ctx, savepointSQL); err != nil {
			r.err = fmt.Errorf("begin write: %w", err)
			fail(r.err)
			return
		}
		if r.run(sqlTx, db.write) {
			ok = append(ok, r)
			if _, err := sp.exec(ctx, releaseSQL); err != nil {
				fail(fmt.Errorf("commit: %w", err))
				return
			}
			continue
		}
		// Some errors (a full disk, say) roll back the whole transaction,
		// taking the savepoint with them; then the batch is lost.
		if _, err := sp.exec(ctx, rollbackToSQL); err != nil {
			fail(fmt.Errorf("roll back to savepoint: %w", err))
			return
		}
		if _, err := sp.exec(ctx, releaseSQL); err != nil {
			fail(fmt.Errorf("roll back to savepoint: %w", err))
			return
		}
	}
	if err := sqlTx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
	}
}

// run runs r's fn in sqlTx and reports whether it succeeded, recording its
// error or panic.
func (r *writeReq) run(sqlTx *sql.Tx, p *pool) (ok bool) {
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return false
	}
	defer func() {
		if v := recover(); v != nil {
			r.panicked = v
			ok = false
		}
	}()
	r.err = r.fn(&tx{tx: sqlTx, pool: p, detach: true})
	return r.err == nil
}

var _ store.Tx = (*tx)(nil)

// tx is a store.Tx over one database/sql transaction.
type tx struct {
	tx       *sql.Tx
	pool     *pool
	readOnly bool
	// detach runs statements to completion whatever their context: a
	// cancelled context interrupts a statement, and an interrupted write
	// rolls back the whole transaction, a batch of Writes.
	detach bool
}

// errReadOnly is returned by writes in a Read transaction.
var errReadOnly = errors.New("write in a read-only transaction")

// stmt returns q's prepared statement bound to the transaction, or nil if q
// was not registered with prepared.
func (t *tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if s := t.pool.stmts[q]; s != nil {
		return t.tx.StmtContext(ctx, s)
	}
	return nil
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.readOnly {
		return nil, errReadOnly
	}
	if t.detach {
		ctx = context.WithoutCancel(ctx)
	}
	if s := t.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if t.detach {
		ctx = context.WithoutCancel(ctx)
	}
	if s := t.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if t.detach {
		ctx = context.WithoutCancel(ctx)
	}
	if s := t.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// execOne runs a statement that must change exactly one row, returning
// ENOTFOUND with notFound's message when it changes none.
func (t *tx) execOne(ctx context.Context, notFound *ordergraph.Error, q string, args ...any) error {
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// formatError turns constraint violations into domain errors: a duplicate
// key is ECONFLICT, a reference to a missing page or order ENOTFOUND. Any
// other error is wrapped with op.
func formatError(err error, op, what string) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return ordergraph.Errorf(ordergraph.ECONFLICT, "%s already exists", what)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return ordergraph.Errorf(ordergraph.ENOTFOUND, "the page or order of %s does not exist", what)
		}
	}
	var oe *ordergraph.Error
	if errors.As(err, &oe) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Times are stored as unix nanoseconds, exact for Go's time.Time, with 0 for
// the zero time and NULL for a nil *time.Time.

func timeNS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func nsTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// nullTimeNS returns t's nanoseconds, or nil for a nil or zero t.
func nullTimeNS(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func nullNSTime(ns sql.NullInt64) *time.Time {
	if !ns.Valid {
		return nil
	}
	t := nsTime(ns.Int64)
	return &t
}

// nullString stores "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
