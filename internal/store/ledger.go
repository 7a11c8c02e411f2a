package store

import (
	"context"
	"time"

	"github.com/ordergraph/ordergraph"
)

// LedgerTx is the money part of a Tx: the transactions the engine posts in
// the transaction of the change that posts them, the payouts that sweep
// them, and each page's fee schedule. Like every Tx method, none touches
// two pages' rows, except TransactionDuePages, which only finds pages.
type LedgerTx interface {
	// TransactionInsert records a transaction; ECONFLICT if the page has one
	// with its id (a change posted twice), ENOTFOUND if its order does not
	// exist.
	TransactionInsert(ctx context.Context, t *ordergraph.Transaction) error
	// TransactionList lists a page's transactions by (date, id) ascending.
	TransactionList(ctx context.Context, p TransactionListParams) ([]*ordergraph.Transaction, error)
	// TransactionListUnpaid returns up to limit (all when limit <= 0) of
	// the page's transactions not yet paid out and dated at or before
	// dueBy, by (date, id). In a Write it claims them: they are the
	// caller's until the transaction ends, and transactions another Write
	// holds are skipped (PostgreSQL: FOR UPDATE SKIP LOCKED), so payout
	// runs on several nodes never sweep a transaction twice.
	TransactionListUnpaid(ctx context.Context, pageID string, dueBy time.Time, limit int) ([]*ordergraph.Transaction, error)
	// TransactionUnpaidSum returns the net and the count of the page's
	// transactions not yet paid out and dated at or before dueBy: what a
	// payout run would sweep.
	TransactionUnpaidSum(ctx context.Context, pageID string, dueBy time.Time) (net int64, n int, err error)
	// TransactionSetPayout marks the named transactions of the page as
	// swept by the payout with reference ref. ECONFLICT if any of them is
	// missing or already paid out.
	TransactionSetPayout(ctx context.Context, pageID string, ids []string, ref string) error
	// TransactionDuePages returns up to limit pages (all when limit <= 0)
	// whose unpaid transactions dated at or before their page time (realNow
	// plus the page's clock offset) less delay net more than zero: the
	// pages a payout run has work on. It claims nothing.
	TransactionDuePages(ctx context.Context, realNow time.Time, delay time.Duration, limit int) ([]string, error)

	// PayoutInsert records a payout; ECONFLICT if the page has one with its
	// id or reference.
	PayoutInsert(ctx context.Context, p *ordergraph.Payout) error
	// PayoutList lists a page's payouts by (date, id) ascending.
	PayoutList(ctx context.Context, p PayoutListParams) ([]*ordergraph.Payout, error)

	// FeeScheduleGet returns the page's own fee schedule, ENOTFOUND when it
	// has none (the engine then uses ordergraph.DefaultFeeSchedule).
	FeeScheduleGet(ctx context.Context, pageID string) (*ordergraph.FeeSchedule, error)
	// FeeSchedulePut sets the page's fee schedule; ENOTFOUND if the page
	// does not exist.
	FeeSchedulePut(ctx context.Context, pageID string, f ordergraph.FeeSchedule) error
}

// TransactionListParams filters and pages a page's transactions. After
// and Before are keyset positions on (date, id); Limit <= 0 means no
// limit. Empty fields do not filter.
type TransactionListParams struct {
	PageID            string
	OrderIDs          []string
	DateFrom          *time.Time // date >= this
	DateTo            *time.Time // date <= this
	PayoutReferenceID string
	After             *LedgerCursor
	Before            *LedgerCursor
	Limit             int
}

// PayoutListParams filters and pages a page's payouts, like
// TransactionListParams.
type PayoutListParams struct {
	PageID   string
	DateFrom *time.Time
	DateTo   *time.Time
	After    *LedgerCursor
	Before   *LedgerCursor
	Limit    int
}

// LedgerCursor is a keyset position in a transaction or payout list.
type LedgerCursor struct {
	Date time.Time
	ID   string
}
