package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

const transactionColumns = `id, order_id, type, date, currency, gross, tax, fee, net, source_id, payout_reference_id`

const (
	transactionInsertSQL = `INSERT INTO transactions (page_id, ` + transactionColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
	transactionUnpaidSQL = `SELECT ` + transactionColumns + ` FROM transactions
WHERE page_id = $1 AND payout_reference_id IS NULL AND date <= $2 ORDER BY date, id LIMIT $3`
	// In a Write, the unpaid transactions returned are claimed: locked,
	// skipping those another payout run holds. Under READ COMMITTED a row
	// another run swept meanwhile is checked again and left out.
	transactionUnpaidClaimSQL = transactionUnpaidSQL + ` FOR UPDATE SKIP LOCKED`
	transactionSetPayoutSQL   = `UPDATE transactions SET payout_reference_id = $1
WHERE page_id = $2 AND payout_reference_id IS NULL AND id = ANY($3)`
	// A page has payout work when its unpaid transactions due by its own
	// clock net more than zero; a negative balance waits for later sales.
	// Driven from pages, each page's sum reads only its due rows of the
	// unpaid index.
	transactionDuePagesSQL = `SELECT p.id FROM pages p
WHERE (SELECT sum(t.net) FROM transactions t
	WHERE t.page_id = p.id AND t.payout_reference_id IS NULL AND t.date <= $1 + p.clock_offset_ns) > 0
ORDER BY p.id LIMIT $2`
	payoutInsertSQL = `INSERT INTO payouts (page_id, id, reference_id, transfer_id, amount, currency, date, status, transactions)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	feeScheduleGetSQL = `SELECT rate_basis_points, flat, flat_up_to, chargeback_fee FROM fee_schedules WHERE page_id = $1`
	feeSchedulePutSQL = `INSERT INTO fee_schedules (page_id, rate_basis_points, flat, flat_up_to, chargeback_fee)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (page_id) DO UPDATE SET rate_basis_points = excluded.rate_basis_points, flat = excluded.flat,
	flat_up_to = excluded.flat_up_to, chargeback_fee = excluded.chargeback_fee`
)

// TransactionInsert records a transaction.
func (t *tx) TransactionInsert(ctx context.Context, x *ordergraph.Transaction) error {
	_, err := t.exec(ctx, transactionInsertSQL, x.PageID, x.ID, x.OrderID, string(x.Type), timeNS(x.Date), x.Currency,
		x.Gross, x.Tax, x.Fee, x.Net, x.SourceID, nullString(x.PayoutReferenceID))
	if err != nil {
		return formatError(err, "insert transaction", "transaction "+x.ID)
	}
	return nil
}

// TransactionList lists a page's transactions by (date, id).
func (t *tx) TransactionList(ctx context.Context, p store.TransactionListParams) ([]*ordergraph.Transaction, error) {
	var q strings.Builder
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	q.WriteString(`SELECT ` + transactionColumns + ` FROM transactions WHERE page_id = ` + arg(p.PageID))
	if len(p.OrderIDs) > 0 {
		q.WriteString(` AND order_id = ANY(` + arg(p.OrderIDs) + `)`)
	}
	if p.DateFrom != nil {
		q.WriteString(` AND date >= ` + arg(timeNS(*p.DateFrom)))
	}
	if p.DateTo != nil {
		q.WriteString(` AND date <= ` + arg(timeNS(*p.DateTo)))
	}
	if p.PayoutReferenceID != "" {
		q.WriteString(` AND payout_reference_id = ` + arg(p.PayoutReferenceID))
	}
	keyset(&q, arg, p.After, p.Before, p.Limit)
	rows, err := t.query(ctx, q.String(), args...)
	if err != nil {
		return nil, formatError(err, "list transactions", "")
	}
	out, err := collectRows(rows, scanTransaction(p.PageID))
	if err != nil {
		return nil, formatError(err, "list transactions", "")
	}
	if p.Before != nil {
		slices.Reverse(out)
	}
	return out, nil
}

// keyset appends the cursor conditions, the order and the limit of a
// (date, id) list to q.
func keyset(q *strings.Builder, arg func(any) string, after, before *store.LedgerCursor, limit int) {
	if c := after; c != nil {
		q.WriteString(` AND (date, id) > (` + arg(timeNS(c.Date)) + `, ` + arg(c.ID) + `)`)
	}
	if c := before; c != nil {
		q.WriteString(` AND (date, id) < (` + arg(timeNS(c.Date)) + `, ` + arg(c.ID) + `)`)
	}
	if before != nil {
		q.WriteString(` ORDER BY date DESC, id DESC`)
	} else {
		q.WriteString(` ORDER BY date, id`)
	}
	if limit > 0 {
		q.WriteString(` LIMIT ` + arg(limit))
	}
}

// TransactionListUnpaid returns the page's unpaid transactions due by
// dueBy; in a Write it claims them (FOR UPDATE SKIP LOCKED).
func (t *tx) TransactionListUnpaid(ctx context.Context, pageID string, dueBy time.Time, limit int) ([]*ordergraph.Transaction, error) {
	q := transactionUnpaidSQL
	if t.write {
		q = transactionUnpaidClaimSQL
	}
	rows, err := t.query(ctx, q, pageID, timeNS(dueBy), limitArg(limit))
	if err != nil {
		return nil, formatError(err, "list unpaid transactions", "")
	}
	out, err := collectRows(rows, scanTransaction(pageID))
	if err != nil {
		return nil, formatError(err, "list unpaid transactions", "")
	}
	return out, nil
}

// TransactionSetPayout marks transactions as swept by a payout.
func (t *tx) TransactionSetPayout(ctx context.Context, pageID string, ids []string, ref string) error {
	if len(ids) == 0 {
		return nil
	}
	tag, err := t.exec(ctx, transactionSetPayoutSQL, ref, pageID, ids)
	if err != nil {
		return formatError(err, "set payout of transactions", "")
	}
	if n := tag.RowsAffected(); int(n) != len(ids) {
		return ordergraph.Errorf(ordergraph.ECONFLICT, "%d of %d transactions to pay out with %s are missing or already paid out", len(ids)-int(n), len(ids), ref)
	}
	return nil
}

// TransactionDuePages returns the pages with payout work.
func (t *tx) TransactionDuePages(ctx context.Context, realNow time.Time, delay time.Duration, limit int) ([]string, error) {
	rows, err := t.query(ctx, transactionDuePagesSQL, realNow.Add(-delay).UnixNano(), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list pages with payouts due: %w", err)
	}
	ids, err := collectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list pages with payouts due: %w", err)
	}
	return ids, nil
}

func scanTransaction(pageID string) pgx.RowToFunc[*ordergraph.Transaction] {
	return func(r pgx.CollectableRow) (*ordergraph.Transaction, error) {
		x := &ordergraph.Transaction{PageID: pageID}
		var (
			typ  string
			date int64
			ref  *string
		)
		if err := r.Scan(&x.ID, &x.OrderID, &typ, &date, &x.Currency, &x.Gross, &x.Tax, &x.Fee, &x.Net, &x.SourceID, &ref); err != nil {
			return nil, err
		}
		x.Type, x.Date = ordergraph.TransactionType(typ), nsTime(date)
		if ref != nil {
			x.PayoutReferenceID = *ref
		}
		return x, nil
	}
}

// PayoutInsert records a payout.
func (t *tx) PayoutInsert(ctx context.Context, p *ordergraph.Payout) error {
	_, err := t.exec(ctx, payoutInsertSQL, p.PageID, p.ID, p.ReferenceID, p.TransferID, p.Amount, p.Currency,
		timeNS(p.Date), string(p.Status), p.Transactions)
	if err != nil {
		return formatError(err, "insert payout", "payout "+p.ReferenceID)
	}
	return nil
}

// PayoutList lists a page's payouts by (date, id).
func (t *tx) PayoutList(ctx context.Context, p store.PayoutListParams) ([]*ordergraph.Payout, error) {
	var q strings.Builder
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	q.WriteString(`SELECT id, reference_id, transfer_id, amount, currency, date, status, transactions FROM payouts WHERE page_id = ` + arg(p.PageID))
	if p.DateFrom != nil {
		q.WriteString(` AND date >= ` + arg(timeNS(*p.DateFrom)))
	}
	if p.DateTo != nil {
		q.WriteString(` AND date <= ` + arg(timeNS(*p.DateTo)))
	}
	keyset(&q, arg, p.After, p.Before, p.Limit)
	rows, err := t.query(ctx, q.String(), args...)
	if err != nil {
		return nil, formatError(err, "list payouts", "")
	}
	out, err := collectRows(rows, func(r pgx.CollectableRow) (*ordergraph.Payout, error) {
		x := &ordergraph.Payout{PageID: p.PageID}
		var (
			date   int64
			status string
		)
		if err := r.Scan(&x.ID, &x.ReferenceID, &x.TransferID, &x.Amount, &x.Currency, &date, &status, &x.Transactions); err != nil {
			return nil, err
		}
		x.Date, x.Status = nsTime(date), ordergraph.PayoutStatus(status)
		return x, nil
	})
	if err != nil {
		return nil, formatError(err, "list payouts", "")
	}
	if p.Before != nil {
		slices.Reverse(out)
	}
	return out, nil
}

// FeeScheduleGet returns the page's own fee schedule.
func (t *tx) FeeScheduleGet(ctx context.Context, pageID string) (*ordergraph.FeeSchedule, error) {
	var f ordergraph.FeeSchedule
	err := t.queryRow(ctx, feeScheduleGetSQL, pageID).Scan(&f.RateBasisPoints, &f.Flat, &f.FlatUpTo, &f.ChargebackFee)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "page %s has no fee schedule of its own", pageID)
	} else if err != nil {
		return nil, formatError(err, "get fee schedule", "")
	}
	return &f, nil
}

// FeeSchedulePut sets the page's fee schedule.
func (t *tx) FeeSchedulePut(ctx context.Context, pageID string, f ordergraph.FeeSchedule) error {
	_, err := t.exec(ctx, feeSchedulePutSQL, pageID, f.RateBasisPoints, f.Flat, f.FlatUpTo, f.ChargebackFee)
	if err != nil {
		return formatError(err, "put fee schedule", "fee schedule of page "+pageID)
	}
	return nil
}

const (
	transactionUnpaidSumSQL = `SELECT coalesce(sum(net), 0), count(*) FROM transactions
WHERE page_id = $1 AND payout_reference_id IS NULL AND date <= $2`
	pageLockSQL = `SELECT id FROM pages WHERE id = $1 FOR UPDATE`
)

// TransactionUnpaidSum sums the page's due unpaid transactions.
func (t *tx) TransactionUnpaidSum(ctx context.Context, pageID string, dueBy time.Time) (int64, int, error) {
	var net int64
	var n int
	if err := t.queryRow(ctx, transactionUnpaidSumSQL, pageID, timeNS(dueBy)).Scan(&net, &n); err != nil {
		return 0, 0, fmt.Errorf("sum unpaid transactions: %w", err)
	}
	return net, n, nil
}

// PageLock holds the page's row until the transaction ends.
func (t *tx) PageLock(ctx context.Context, pageID string) error {
	var id string
	err := t.queryRow(ctx, pageLockSQL, pageID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return ordergraph.Errorf(ordergraph.ENOTFOUND, "page %s not found", pageID)
	} else if err != nil {
		return fmt.Errorf("lock page: %w", err)
	}
	return nil
}
