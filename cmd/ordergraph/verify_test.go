package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
	"github.com/ordergraph/ordergraph/internal/store/sqlite"
)

// runVerify runs `ordergraph verify --db path` and returns its stdout and
// stderr.
func runVerify(t *testing.T, path string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCommand(&out, &errOut, func(string) string { return "" })
	root.SetArgs([]string{"verify", "--db", path})
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// TestVerify runs verify on a demo database, whose orders shipped,
// refunded and were paid out, then on the same database with one
// transaction's net changed behind the ledger's back.
func TestVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	engine := lifecycle.NewEngine(db, ordergraph.SystemClock{}, nil)
	demo, err := seedDemo(ctx, db, engine, engine)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := engine.AdvanceClock(ctx, demo.Page.ID, 4*24*time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	payouts, err := engine.FindPayouts(ctx, ordergraph.PayoutFilter{PageID: demo.Page.ID})
	if err != nil || len(payouts.Payouts) != 1 {
		t.Fatalf("the demo page has no payout to check: %+v %v", payouts, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	out, progress, err := runVerify(t, path)
	if err != nil || !strings.Contains(out, "every order and page reconciles") || !strings.Contains(progress, "verify: 1/1 pages, 35 orders") {
		t.Fatalf("verify of the demo: %v\nstdout: %s\nstderr: %s", err, out, progress)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE transactions SET net = net + 1 WHERE rowid = (SELECT min(rowid) FROM transactions WHERE type = 'SALE')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, _, err = runVerify(t, path)
	if err == nil || !strings.Contains(err.Error(), "discrepancies") {
		t.Fatalf("verify of a tampered database: err = %v\n%s", err, out)
	}
	for _, want := range []string{"net", "is not gross", "paid"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
}
