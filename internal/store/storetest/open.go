package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/postgres"
	"github.com/ordergraph/ordergraph/internal/store/sqlite"
)

// The environment of the tests that run on PostgreSQL.
const (
	// EnvPostgres names the PostgreSQL server of the tests, as a
	// postgres:// URL; the PostgreSQL tests skip without it.
	EnvPostgres = "ORDERGRAPH_TEST_POSTGRES"
	// EnvStore picks the store of tests that run on one store (Open):
	// "postgres", or "sqlite" (the default).
	EnvStore = "ORDERGRAPH_TEST_STORE"
)

// Open returns a fresh store of the kind EnvStore names, closed when the
// test ends: the engine's and the HTTP layer's tests call it so that CI can
// run them on either database. With EnvStore=postgres and no EnvPostgres
// the test fails rather than passing on SQLite unnoticed.
func Open(tb testing.TB) store.Store {
	tb.Helper()
	switch kind := os.Getenv(EnvStore); kind {
	case "", "sqlite":
		return OpenSQLite(tb)
	case "postgres":
		if os.Getenv(EnvPostgres) == "" {
			tb.Fatalf("%s=postgres needs %s, a postgres:// URL", EnvStore, EnvPostgres)
		}
		return OpenPostgres(tb)
	default:
		tb.Fatalf("%s=%q: want sqlite or postgres", EnvStore, kind)
		return nil
	}
}

// OpenSQLite returns a SQLite store in a temporary file, closed when the
// test ends.
func OpenSQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "ordergraph.db"))
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

// OpenPostgres returns a PostgreSQL store in a schema of its own (see
// PostgresDSN), or skips the test when EnvPostgres is unset.
func OpenPostgres(tb testing.TB) *postgres.DB {
	tb.Helper()
	return OpenPostgresDSN(tb, PostgresDSN(tb))
}

// OpenPostgresDSN opens one more store on dsn, closed when the test ends:
// several of them on one schema are several server nodes on one database.
func OpenPostgresDSN(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn)
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

// PostgresDSN creates an empty schema og_test_<random> on the EnvPostgres
// server and returns a DSN whose search_path is that schema, so tests run
// in parallel without seeing each other's rows; the schema is dropped when
// the test ends. It skips the test when EnvPostgres is unset.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	base := PostgresURL(tb)
	dsn, schema, err := newSchema(base)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := dropSchema(base, schema); err != nil {
			tb.Errorf("drop test schema: %v", err)
		}
	})
	return dsn
}

// PostgresURL returns EnvPostgres, or skips the test when it is unset.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Skipf("%s is not set: set it to a postgres:// URL to run the PostgreSQL tests", EnvPostgres)
	}
	return base
}

// NewPostgresSchema is PostgresDSN for code without a testing.TB (a
// benchmark's main, ordergraphtest's users): it returns the DSN of a new
// schema and a function that drops it.
func NewPostgresSchema(base string) (dsn string, drop func() error, err error) {
	dsn, schema, err := newSchema(base)
	if err != nil {
		return "", nil, err
	}
	return dsn, func() error { return dropSchema(base, schema) }, nil
}

func newSchema(base string) (dsn, schema string, err error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", "", fmt.Errorf("%s must be a postgres:// URL, got %q", EnvPostgres, base)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema = "og_test_" + hex.EncodeToString(b)
	if err := adminExec(base, "CREATE SCHEMA "+schema); err != nil {
		return "", "", fmt.Errorf("create test schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

func dropSchema(base, schema string) error {
	if !strings.HasPrefix(schema, "og_test_") {
		return fmt.Errorf("refusing to drop schema %q", schema)
	}
	return adminExec(base, "DROP SCHEMA "+schema+" CASCADE")
}

// adminExec runs one statement on a connection of its own (not a pool:
// pgxpool's pool_* settings in dsn are left out).
func adminExec(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if u, err := url.Parse(dsn); err == nil {
		q := u.Query()
		for k := range q {
			if strings.HasPrefix(k, "pool_") {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}
