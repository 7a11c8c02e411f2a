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
// Statements are prepared once per connection by pgx's statement cache.
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

// readOptions gives a Read one snapshot for all its statements; a
// read-only REPEATABLE READ transaction never fails to serialize.
var readOptions = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// writeOptions runs Writes at READ COMMITTED whatever the server's
// default: each statement sees the latest commits, and row locks (see
// OrderGet) order the Writes that touch one order.
var writeOptions = pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadWrite}

// Read runs fn in a read-only transaction on one snapshot.
func (db *DB) Read(ctx context.Context, fn func(store.Tx) error) error {
	return db.run(ctx, readOptions, fn)
}

// Write runs fn in a read-write transaction and commits it when fn returns
// nil; it returns once the commit is durable (synchronous_commit as the
// server is set). An error or panic in fn rolls it back.
func (db *DB) Write(ctx context.Context, fn func(store.Tx) error) error {
	return db.run(ctx, writeOptions, fn)
}

func (db *DB) run(ctx context.Context, opts pgx.TxOptions, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pgTx, err := db.pool.BeginTx(ctx, opts)
	if err != nil {
		return formatError(err, "begin", "")
	}
	// After Commit, Rollback does nothing; after a panic in fn it ends the
	// transaction before the panic goes on.
	defer pgTx.Rollback(context.WithoutCancel(ctx))
	if err := fn(&tx{tx: pgTx, write: opts.AccessMode == pgx.ReadWrite}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return formatError(err, "commit", "")
	}
	return nil
}

var _ store.Tx = (*tx)(nil)

// tx is a store.Tx over one pgx transaction.
type tx struct {
	tx pgx.Tx
	// write is set in a Write: reads of orders then lock what they return.
	write bool
}

// execOne runs a statement that must change exactly one row, returning
// notFound when it changes none.
func (t *tx) execOne(ctx context.Context, notFound *ordergraph.Error, q string, args ...any) error {
	tag, err := t.tx.Exec(ctx, q, args...)
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
