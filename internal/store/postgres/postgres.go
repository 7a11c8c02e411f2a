// Package postgres implements store.Store on PostgreSQL, through pgx and
// its connection pool, so that several ordergraph servers can share one
// database.
//
// Concurrency control is row locks at READ COMMITTED: in a Write, OrderGet
// locks the order's row (SELECT ... FOR UPDATE) until the transaction
// ends, so two nodes acting on one order take turns, and the second one
// reads what the first committed. OrderUpdate keeps its version check for
// callers that did not read under the lock. OrderDueList, in a Write,
// claims the due orders it returns with FOR UPDATE SKIP LOCKED, so nodes
// running timers at once split the due orders instead of queueing on them.
// Reads run at REPEATABLE READ, READ ONLY: one snapshot per Read, which
// never waits for a lock and never fails for a concurrent write.
//
// The schema is the SQLite one in PostgreSQL's types (migration/*.sql, the
// same file names): times as BIGINT unix nanoseconds, orders as the
// orderdoc document beside their filter columns, every key led by page_id.
// Statements are prepared once per connection by pgx's statement cache,
// and a transaction's BEGIN travels with its first statement, so a Read of
// one row costs two round trips.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

//go:embed migration/*.sql
var migrationFS embed.FS

var _ store.Store = (*DB)(nil)

// DB is an ordergraph database on a PostgreSQL server.
type DB struct {
	pool *pgxpool.Pool
}

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string; pool settings such as pool_max_conns and run-time
// parameters such as search_path may be given in it) and applies every
// pending migration.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := &DB{pool: pool}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// migrateLockSQL and migrateUnlockSQL hold an advisory lock, one per
// schema, while migrating: servers starting together on one database
// migrate one at a time, and each later one finds the work done.
const (
	migrateLockSQL   = `SELECT pg_advisory_lock(hashtextextended('ordergraph migrate ' || current_schema(), 0))`
	migrateUnlockSQL = `SELECT pg_advisory_unlock(hashtextextended('ordergraph migrate ' || current_schema(), 0))`
)

// migrate applies, in lexical order, every embedded migration not yet
// recorded in the migrations table, each in its own transaction, under the
// migration lock. Migrations are forward-only; applying them twice is a
// no-op.
func migrate(ctx context.Context, pool *pgxpool.Pool) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, migrateLockSQL); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer func() {
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), migrateUnlockSQL); uerr != nil {
			// Ending the session releases the lock; a pooled connection
			// that kept it would stall every other node's start.
			conn.Conn().Close(context.WithoutCancel(ctx))
			err = errors.Join(err, fmt.Errorf("migrate: unlock: %w", uerr))
		}
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT COLLATE "C" NOT NULL PRIMARY KEY, applied BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := migrateFile(ctx, conn.Conn(), name); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

func migrateFile(ctx context.Context, conn *pgx.Conn, name string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)

	base := strings.TrimPrefix(name, "migration/")
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM migrations WHERE name = $1`, base).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	// Without arguments, pgx sends the file in one simple query, which may
	// hold many statements.
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO migrations (name, applied) VALUES ($1, $2)`, base, time.Now().UnixNano()); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Close closes every connection of the pool, waiting for those in use.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// The statements that open a Read and a Write. A Read is one snapshot
// for all its statements; a read-only REPEATABLE READ transaction never
// fails to serialize. Writes run at READ COMMITTED whatever the server's
// default: each statement sees the latest commits, and row locks (see
// OrderGet) order the Writes that touch one order.
const (
	beginReadSQL  = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`
	beginWriteSQL = `BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE`
)

// Read runs fn in a read-only transaction on one snapshot.
func (db *DB) Read(ctx context.Context, fn func(store.Tx) error) error {
	return db.run(ctx, beginReadSQL, false, fn)
}

// Write runs fn in a read-write transaction and commits it when fn returns
// nil; it returns once the commit is durable (synchronous_commit as the
// server is set). An error or panic in fn rolls it back.
func (db *DB) Write(ctx context.Context, fn func(store.Tx) error) error {
	return db.run(ctx, beginWriteSQL, true, fn)
}

// run runs fn in a transaction on a connection of the pool. The BEGIN is
// sent with fn's first statement, in one round trip (see tx.first), so a
// Read of one row costs two round trips, not three.
func (db *DB) run(ctx context.Context, begin string, write bool, fn func(store.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return formatError(err, "begin", "")
	}
	// A connection left inside a transaction (a failed ROLLBACK) is
	// destroyed, not reused, by Release.
	defer conn.Release()
	t := &tx{conn: conn.Conn(), begin: begin, write: write}
	committed := false
	defer func() {
		if !committed && t.begun {
			// After an error or a panic in fn: end the transaction before
			// the connection goes back, or close the connection.
			if _, rerr := t.conn.Exec(context.WithoutCancel(ctx), `ROLLBACK`); rerr != nil {
				t.conn.Close(context.WithoutCancel(ctx))
			}
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	committed = true
	if !t.begun {
		return nil // fn ran no statement
	}
	tag, err := t.conn.Exec(ctx, `COMMIT`)
	if err != nil {
		t.conn.Close(context.WithoutCancel(ctx))
		return formatError(err, "commit", "")
	}
	if tag.String() == "ROLLBACK" {
		// A statement failed and fn went on regardless: the server rolled
		// the transaction back.
		return fmt.Errorf("commit: %w", pgx.ErrTxCommitRollback)
	}
	return nil
}

var _ store.Tx = (*tx)(nil)

// tx is a store.Tx over one connection in a transaction.
type tx struct {
	conn *pgx.Conn
	// begin opens the transaction; begun is set once it was sent.
	begin string
	begun bool
	// write is set in a Write: reads of orders then lock what they return.
	write bool
}

func (t *tx) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if t.begun {
		return t.conn.Exec(ctx, sql, args...)
	}
	br := t.first(ctx, sql, args...)
	tag, err := br.Exec()
	return tag, errors.Join(err, br.Close())
}

func (t *tx) query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if t.begun {
		return t.conn.Query(ctx, sql, args...)
	}
	br := t.first(ctx, sql, args...)
	rows, err := br.Query()
	if err != nil {
		return nil, errors.Join(err, br.Close())
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (t *tx) queryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := t.query(ctx, sql, args...)
	return &row{rows: rows, err: err}
}

// first sends BEGIN and the transaction's first statement together, and
// returns the results of the statement.
func (t *tx) first(ctx context.Context, sql string, args ...any) pgx.BatchResults {
	t.begun = true
	b := &pgx.Batch{}
	b.Queue(t.begin)
	b.Queue(sql, args...)
	br := t.conn.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		return failedBatch{err: err, br: br}
	}
	return br
}

// failedBatch is a batch whose BEGIN failed: every result is its error.
type failedBatch struct {
	pgx.BatchResults
	err error
	br  pgx.BatchResults
}

func (f failedBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, f.err }
func (f failedBatch) Query() (pgx.Rows, error)         { return nil, f.err }
func (f failedBatch) Close() error                     { f.br.Close(); return nil }

// batchRows are the rows of a batch's statement; closing them closes the
// batch.
type batchRows struct {
	pgx.Rows
	br     pgx.BatchResults
	closed bool
	err    error
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if !r.closed {
		r.closed = true
		r.err = r.br.Close()
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// row is a pgx.Row over rows, as pgx's QueryRow makes one.
type row struct {
	rows pgx.Rows
	err  error
}

func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		r.rows.Close()
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// execOne runs a statement that must change exactly one row, returning
// notFound when it changes none.
func (t *tx) execOne(ctx context.Context, notFound *ordergraph.Error, q string, args ...any) error {
	tag, err := t.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound
	}
	return nil
}

// PostgreSQL error codes that formatError translates.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// formatError turns constraint violations into domain errors: a duplicate
// key is ECONFLICT, a reference to a missing page or order ENOTFOUND, and a
// lost race the server detected (a deadlock between two Writes) ECONFLICT
// with the concurrent-modification subcode, which callers retry. Any other
// error is wrapped with op.
func formatError(err error, op, what string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeUniqueViolation:
			return ordergraph.Errorf(ordergraph.ECONFLICT, "%s already exists", what)
		case codeForeignKeyViolation:
			return ordergraph.Errorf(ordergraph.ENOTFOUND, "the page or order of %s does not exist", what)
		case codeSerializationFailure, codeDeadlockDetected:
			return &ordergraph.Error{
				Code:    ordergraph.ECONFLICT,
				Subcode: ordergraph.SubcodeConcurrentModification,
				Message: "The request raced another one for the same data; retry the request.",
			}
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
func nullTimeNS(t *time.Time) *int64 {
	if t == nil || t.IsZero() {
		return nil
	}
	ns := t.UnixNano()
	return &ns
}

func nullNSTime(ns *int64) *time.Time {
	if ns == nil {
		return nil
	}
	t := nsTime(*ns)
	return &t
}

// nullString stores "" as NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// limitArg is a LIMIT parameter: NULL (no limit) for n <= 0.
func limitArg(n int) *int64 {
	if n <= 0 {
		return nil
	}
	l := int64(n)
	return &l
}

// collectRows is pgx.CollectRows returning nil, not an empty slice, when
// there are no rows, as the SQLite store does.
func collectRows[T any](rows pgx.Rows, fn pgx.RowToFunc[T]) ([]T, error) {
	s, err := pgx.CollectRows(rows, fn)
	if len(s) == 0 {
		s = nil
	}
	return s, err
}
