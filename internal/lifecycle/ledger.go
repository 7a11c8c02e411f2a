package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/ledger"
	"github.com/ordergraph/ordergraph/internal/store"
)

// FindTransactions returns one page of a page's transactions, oldest
// first, with keyset cursors on (date, id); each comes with its order.
func (e *Engine) FindTransactions(ctx context.Context, f ordergraph.TransactionFilter) (*ordergraph.TransactionPage, error) {
	limit := listLimit(f.Limit)
	p := store.TransactionListParams{OrderIDs: f.OrderIDs, DateFrom: f.Start, DateTo: f.End,
		PayoutReferenceID: f.PayoutReferenceID, Limit: limit + 1}
	var err error
	if p.After, p.Before, err = decodeLedgerCursors("t", f.After, f.Before); err != nil {
		return nil, err
	}
	var txns []*ordergraph.Transaction
	orders := map[string]*ordergraph.Order{}
	err = e.store.Read(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, f.PageID)
		if err != nil {
			return err
		}
		p.PageID = page.ID
		if txns, err = tx.TransactionList(ctx, p); err != nil {
			return err
		}
		for _, t := range txns {
			if orders[t.OrderID] != nil {
				continue
			}
			if orders[t.OrderID], err = tx.OrderGet(ctx, page.ID, t.OrderID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	txns, more := trimPage(txns, limit, p.Before != nil)
	out := &ordergraph.TransactionPage{}
	for _, t := range txns {
		out.Transactions = append(out.Transactions, ordergraph.TransactionRef{Transaction: t, Order: orders[t.OrderID]})
	}
	out.HasNext, out.HasPrevious = pageFlags(more, p.After != nil, p.Before != nil)
	if len(txns) > 0 {
		out.Before = encodeLedgerCursor("t", txns[0].Date, txns[0].ID)
		out.After = encodeLedgerCursor("t", txns[len(txns)-1].Date, txns[len(txns)-1].ID)
	}
	return out, nil
}

// FindPayouts returns one page of a page's payouts, oldest first, with
// keyset cursors on (date, id).
func (e *Engine) FindPayouts(ctx context.Context, f ordergraph.PayoutFilter) (*ordergraph.PayoutPage, error) {
	limit := listLimit(f.Limit)
	p := store.PayoutListParams{DateFrom: f.Start, DateTo: f.End, Limit: limit + 1}
	var err error
	if p.After, p.Before, err = decodeLedgerCursors("p", f.After, f.Before); err != nil {
		return nil, err
	}
	var payouts []*ordergraph.Payout
	err = e.store.Read(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, f.PageID)
		if err != nil {
			return err
		}
		p.PageID = page.ID
		payouts, err = tx.PayoutList(ctx, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	payouts, more := trimPage(payouts, limit, p.Before != nil)
	out := &ordergraph.PayoutPage{Payouts: payouts}
	out.HasNext, out.HasPrevious = pageFlags(more, p.After != nil, p.Before != nil)
	if len(payouts) > 0 {
		out.Before = encodeLedgerCursor("p", payouts[0].Date, payouts[0].ID)
		out.After = encodeLedgerCursor("p", payouts[len(payouts)-1].Date, payouts[len(payouts)-1].ID)
	}
	return out, nil
}

func listLimit(n int) int {
	if n <= 0 {
		n = ordergraph.DefaultListLimit
	}
	return min(n, ordergraph.MaxListLimit)
}

// trimPage cuts the extra row a list asked for (limit+1) off the far end,
// and reports whether there was one.
func trimPage[T any](rows []T, limit int, backwards bool) ([]T, bool) {
	if len(rows) <= limit {
		return rows, false
	}
	if backwards {
		return rows[len(rows)-limit:], true
	}
	return rows[:limit], true
}

// pageFlags says which ways a keyset page can be paged on from.
func pageFlags(more, after, before bool) (hasNext, hasPrevious bool) {
	switch {
	case before:
		return true, more
	case after:
		return more, true
	}
	return more, false
}

func encodeLedgerCursor(kind string, at time.Time, id string) string {
	return encodeKeyset(kind, at, id)
}

func decodeLedgerCursors(kind, after, before string) (a, b *store.LedgerCursor, err error) {
	if after != "" {
		a, err = decodeLedgerCursor(kind, after, "after")
	} else if before != "" {
		b, err = decodeLedgerCursor(kind, before, "before")
	}
	return a, b, err
}

func decodeLedgerCursor(kind, s, param string) (*store.LedgerCursor, error) {
	t, id, err := decodeKeyset(s, kind, param)
	if err != nil {
		return nil, err
	}
	return &store.LedgerCursor{Date: t, ID: id}, nil
}

// payoutBatch is how many transactions a payout marks per statement.
const payoutBatch = 5000

// runPayouts pays out a page: under the page's lock, if its unpaid
// transactions dated at or before its now less the payout delay net more
// than zero, one payout sweeps all of them, in one store transaction. A
// balance of zero or less is not paid out; it carries forward until later
// sales cover it. The decision is the page's whole due balance, never a
// part of it, and the lock keeps two runs (two nodes, or a clock advance
// and the timer loop) from sweeping at once. It returns how many payouts
// it made (0 or 1).
func (e *Engine) runPayouts(ctx context.Context, pageID string) (int, error) {
	made := 0
	err := e.store.Write(ctx, func(tx store.Tx) error {
		made = 0
		if err := tx.PageLock(ctx, pageID); err != nil {
			return err
		}
		page, err := tx.PageGet(ctx, pageID)
		if err != nil {
			return err
		}
		now := page.Now(e.clock)
		dueBy := now.Add(-ordergraph.PayoutDelay)
		sum, n, err := tx.TransactionUnpaidSum(ctx, page.ID, dueBy)
		if err != nil || n == 0 || sum <= 0 {
			return err
		}
		id := e.NewID()
		p := &ordergraph.Payout{ID: id, PageID: page.ID, ReferenceID: ordergraph.PayoutReference(id), TransferID: id,
			Amount: sum, Currency: page.Currency, Date: now, Status: ordergraph.PayoutCompleted, Transactions: n}
		if err := tx.PayoutInsert(ctx, p); err != nil {
			return err
		}
		swept, net := 0, int64(0)
		for swept < n {
			due, err := tx.TransactionListUnpaid(ctx, page.ID, dueBy, payoutBatch)
			if err != nil {
				return err
			}
			if len(due) == 0 {
				break
			}
			ids := make([]string, len(due))
			for i, t := range due {
				ids[i] = t.ID
				net += t.Net
			}
			if err := tx.TransactionSetPayout(ctx, page.ID, ids, p.ReferenceID); err != nil {
				return err
			}
			swept += len(due)
		}
		if swept != n || net != sum {
			return fmt.Errorf("payout %s swept %d transactions netting %d, expected %d netting %d", p.ReferenceID, swept, net, n, sum)
		}
		made = 1
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("pay out page %s: %w", pageID, err)
	}
	return made, nil
}

// runDuePayouts runs the payouts of every page with unpaid transactions
// due by its clock, and returns how many payouts it made.
func (e *Engine) runDuePayouts(ctx context.Context) (int, error) {
	var pages []string
	err := e.store.Read(ctx, func(tx store.Tx) (err error) {
		pages, err = tx.TransactionDuePages(ctx, e.clock.Now(), ordergraph.PayoutDelay, dueScan)
		return err
	})
	if err != nil {
		return 0, err
	}
	// One page's failure must not hold back the others' payouts: each is
	// tried, and the errors are returned together.
	total := 0
	var errs []error
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := e.runPayouts(ctx, p)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// verifyBatch is how many orders, transactions or payouts Verify reads at
// a time.
const verifyBatch = 500

// Verify checks every page: each order against its transactions
// (ledger.CheckOrder) and the page's transactions against its payouts
// (ledger.PageCheck). Each page is read in one snapshot, in batches, so
// memory stays constant whatever the database's size; progress is called
// after each page.
func (e *Engine) Verify(ctx context.Context, progress func(ordergraph.VerifyProgress)) ([]ordergraph.Discrepancy, error) {
	var pages []*ordergraph.Page
	err := e.store.Read(ctx, func(tx store.Tx) (err error) {
		pages, err = tx.PageList(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []ordergraph.Discrepancy
	pr := ordergraph.VerifyProgress{Pages: len(pages)}
	for _, page := range pages {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		found, err := e.verifyPage(ctx, page, &pr)
		if err != nil {
			return out, fmt.Errorf("verify page %s: %w", page.ID, err)
		}
		out = append(out, found...)
		pr.PagesDone++
		pr.Discrepancies = len(out)
		if progress != nil {
			progress(pr)
		}
	}
	return out, nil
}

func (e *Engine) verifyPage(ctx context.Context, page *ordergraph.Page, pr *ordergraph.VerifyProgress) ([]ordergraph.Discrepancy, error) {
	var out []ordergraph.Discrepancy
	err := e.store.Read(ctx, func(tx store.Tx) error {
		out = nil
		check := ledger.NewPageCheck(page.ID, page.Currency)
		// Every order against its transactions.
		op := store.OrderListParams{PageID: page.ID, Limit: verifyBatch}
		for {
			orders, err := tx.OrderList(ctx, op)
			if err != nil {
				return err
			}
			if len(orders) == 0 {
				break
			}
			ids := make([]string, len(orders))
			for i, o := range orders {
				ids[i] = o.ID
			}
			txns, err := tx.TransactionList(ctx, store.TransactionListParams{PageID: page.ID, OrderIDs: ids})
			if err != nil {
				return err
			}
			byOrder := map[string][]*ordergraph.Transaction{}
			for _, t := range txns {
				byOrder[t.OrderID] = append(byOrder[t.OrderID], t)
			}
			var net int64
			for _, o := range orders {
				out = append(out, ledger.CheckOrder(o, byOrder[o.ID])...)
				for _, t := range byOrder[o.ID] {
					net += t.Net
				}
			}
			check.AddOrderNet(net)
			pr.Orders += len(orders)
			last := orders[len(orders)-1]
			op.After = &store.Cursor{LastUpdated: last.LastUpdated, ID: last.ID}
		}
		// The page's balance: every transaction, then every payout.
		tp := store.TransactionListParams{PageID: page.ID, Limit: verifyBatch}
		for {
			txns, err := tx.TransactionList(ctx, tp)
			if err != nil {
				return err
			}
			if len(txns) == 0 {
				break
			}
			for _, t := range txns {
				check.AddTransaction(t)
			}
			pr.Transactions += len(txns)
			last := txns[len(txns)-1]
			tp.After = &store.LedgerCursor{Date: last.Date, ID: last.ID}
		}
		pp := store.PayoutListParams{PageID: page.ID, Limit: verifyBatch}
		for {
			payouts, err := tx.PayoutList(ctx, pp)
			if err != nil {
				return err
			}
			if len(payouts) == 0 {
				break
			}
			for _, p := range payouts {
				check.AddPayout(p)
			}
			last := payouts[len(payouts)-1]
			pp.After = &store.LedgerCursor{Date: last.Date, ID: last.ID}
		}
		out = append(out, check.Discrepancies()...)
		// A positive balance due well past the payout delay means payouts
		// stopped for the page.
		overdue := page.Now(e.clock).Add(-ordergraph.PayoutDelay - payoutGrace)
		if net, n, err := tx.TransactionUnpaidSum(ctx, page.ID, overdue); err != nil {
			return err
		} else if net > 0 {
			out = append(out, ordergraph.Discrepancy{PageID: page.ID, Message: fmt.Sprintf(
				"%d transaction(s) netting %s %s were due for payout more than %s ago and are still unpaid",
				n, ordergraph.FormatAmount(net, page.Currency), page.Currency, payoutGrace)})
		}
		return nil
	})
	return out, err
}

// payoutGrace is how late a due payout may be before Verify reports it:
// the timer loop pays out once a minute, so a day is a stuck page.
const payoutGrace = 24 * time.Hour
