package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

const transactionColumns = `id, order_id, type, date, currency, gross, tax, fee, net, source_id, payout_reference_id`

var (
	transactionInsertSQL = prepared(`INSERT INTO transactions (page_id, ` + transactionColumns + `)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	transactionUnpaidSQL = prepared(`SELECT ` + transactionColumns + ` FROM transactions
WHERE page_id = ? AND payout_reference_id IS NULL AND date <= ? ORDER BY date, id LIMIT ?`)
	// A page has payout work when its unpaid transactions due by its own
	// clock net more than zero; a negative balance waits for later sales.
	// Driven from pages, each page's sum reads only its due rows of the
	// unpaid index.
	transactionDuePagesSQL = prepared(`SELECT p.id FROM pages p
WHERE (SELECT sum(t.net) FROM transactions t
	WHERE t.page_id = p.id AND t.payout_reference_id IS NULL AND t.date <= ?1 + p.clock_offset_ns) > 0
ORDER BY p.id LIMIT ?2`)
	payoutInsertSQL = prepared(`INSERT INTO payouts (page_id, id, reference_id, transfer_id, amount, currency, date, status, transactions)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	feeScheduleGetSQL = prepared(`SELECT rate_basis_points, flat, flat_up_to, chargeback_fee FROM fee_schedules WHERE page_id = ?`)
	feeSchedulePutSQL = prepared(`INSERT INTO fee_schedules (page_id, rate_basis_points, flat, flat_up_to, chargeback_fee)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (page_id) DO UPDATE SET rate_basis_points = excluded.rate_basis_points, flat = excluded.flat,
	flat_up_to = excluded.flat_up_to, chargeback_fee = excluded.chargeback_fee`)
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
	q.WriteString(`SELECT ` + transactionColumns + ` FROM transactions WHERE page_id = ?`)
	args := []any{p.PageID}
	if len(p.OrderIDs) > 0 {
		q.WriteString(` AND order_id IN (?` + strings.Repeat(`, ?`, len(p.OrderIDs)-1) + `)`)
		for _, id := range p.OrderIDs {
			args = append(args, id)
		}
	}
	if p.DateFrom != nil {
		q.WriteString(` AND date >= ?`)
		args = append(args, timeNS(*p.DateFrom))
	}
	if p.DateTo != nil {
		q.WriteString(` AND date <= ?`)
		args = append(args, timeNS(*p.DateTo))
	}
	if p.PayoutReferenceID != "" {
		q.WriteString(` AND payout_reference_id = ?`)
		args = append(args, p.PayoutReferenceID)
	}
	args = keyset(&q, args, p.After, p.Before, p.Limit)
	rows, err := t.query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list transactions: %w", err)
	}
	out, err := scanTransactions(rows, p.PageID)
	if err != nil {
		return nil, fmt.Errorf("list transactions: %w", err)
	}
	if p.Before != nil {
		slices.Reverse(out)
	}
	return out, nil
}

// keyset appends the cursor conditions, the order and the limit of a
// (date, id) list to q, and returns its arguments.
func keyset(q *strings.Builder, args []any, after, before *store.LedgerCursor, limit int) []any {
	if c := after; c != nil {
		q.WriteString(` AND (date, id) > (?, ?)`)
		args = append(args, timeNS(c.Date), c.ID)
	}
	if c := before; c != nil {
		q.WriteString(` AND (date, id) < (?, ?)`)
		args = append(args, timeNS(c.Date), c.ID)
	}
	if before != nil {
		q.WriteString(` ORDER BY date DESC, id DESC`)
	} else {
		q.WriteString(` ORDER BY date, id`)
	}
	if limit <= 0 {
		limit = -1
	}
	q.WriteString(` LIMIT ?`)
	return append(args, limit)
}

// TransactionListUnpaid returns the page's unpaid transactions due by
// dueBy. SQLite has one writer, so a Write's list is its own already.
func (t *tx) TransactionListUnpaid(ctx context.Context, pageID string, dueBy time.Time, limit int) ([]*ordergraph.Transaction, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.query(ctx, transactionUnpaidSQL, pageID, timeNS(dueBy), limit)
	if err != nil {
		return nil, fmt.Errorf("list unpaid transactions: %w", err)
	}
	out, err := scanTransactions(rows, pageID)
	if err != nil {
		return nil, fmt.Errorf("list unpaid transactions: %w", err)
	}
	return out, nil
}

// TransactionSetPayout marks transactions as swept by a payout.
func (t *tx) TransactionSetPayout(ctx context.Context, pageID string, ids []string, ref string) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{ref, pageID}
	for _, id := range ids {
		args = append(args, id)
	}
	res, err := t.exec(ctx, `UPDATE transactions SET payout_reference_id = ?
WHERE page_id = ? AND payout_reference_id IS NULL AND id IN (?`+strings.Repeat(`, ?`, len(ids)-1)+`)`, args...)
	if err != nil {
		return fmt.Errorf("set payout of transactions: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set payout of transactions: %w", err)
	} else if int(n) != len(ids) {
		return ordergraph.Errorf(ordergraph.ECONFLICT, "%d of %d transactions to pay out with %s are missing or already paid out", len(ids)-int(n), len(ids), ref)
	}
	return nil
}

// TransactionDuePages returns the pages with payout work.
func (t *tx) TransactionDuePages(ctx context.Context, realNow time.Time, delay time.Duration, limit int) ([]string, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.query(ctx, transactionDuePagesSQL, realNow.Add(-delay).UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("list pages with payouts due: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list pages with payouts due: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list pages with payouts due: %w", err)
	}
	return out, nil
}

func scanTransactions(rows *sql.Rows, pageID string) ([]*ordergraph.Transaction, error) {
	defer rows.Close()
	var out []*ordergraph.Transaction
	for rows.Next() {
		x := &ordergraph.Transaction{PageID: pageID}
		var (
			typ  string
			date int64
			ref  sql.NullString
		)
		if err := rows.Scan(&x.ID, &x.OrderID, &typ, &date, &x.Currency, &x.Gross, &x.Tax, &x.Fee, &x.Net, &x.SourceID, &ref); err != nil {
			return nil, err
		}
		x.Type, x.Date, x.PayoutReferenceID = ordergraph.TransactionType(typ), nsTime(date), ref.String
		out = append(out, x)
	}
	return out, rows.Err()
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
	q.WriteString(`SELECT id, reference_id, transfer_id, amount, currency, date, status, transactions FROM payouts WHERE page_id = ?`)
	args := []any{p.PageID}
	if p.DateFrom != nil {
		q.WriteString(` AND date >= ?`)
		args = append(args, timeNS(*p.DateFrom))
	}
	if p.DateTo != nil {
		q.WriteString(` AND date <= ?`)
		args = append(args, timeNS(*p.DateTo))
	}
	args = keyset(&q, args, p.After, p.Before, p.Limit)
	rows, err := t.query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list payouts: %w", err)
	}
	defer rows.Close()
	var out []*ordergraph.Payout
	for rows.Next() {
		x := &ordergraph.Payout{PageID: p.PageID}
		var (
			date   int64
			status string
		)
		if err := rows.Scan(&x.ID, &x.ReferenceID, &x.TransferID, &x.Amount, &x.Currency, &date, &status, &x.Transactions); err != nil {
			return nil, fmt.Errorf("list payouts: %w", err)
		}
		x.Date, x.Status = nsTime(date), ordergraph.PayoutStatus(status)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list payouts: %w", err)
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
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "page %s has no fee schedule of its own", pageID)
	} else if err != nil {
		return nil, fmt.Errorf("get fee schedule: %w", err)
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

var (
	transactionUnpaidSumSQL = prepared(`SELECT coalesce(sum(net), 0), count(*) FROM transactions
WHERE page_id = ? AND payout_reference_id IS NULL AND date <= ?`)
	pageLockSQL = prepared(`SELECT id FROM pages WHERE id = ?`)
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
	if errors.Is(err, sql.ErrNoRows) {
		return ordergraph.Errorf(ordergraph.ENOTFOUND, "page %s not found", pageID)
	} else if err != nil {
		return fmt.Errorf("lock page: %w", err)
	}
	return nil
}
