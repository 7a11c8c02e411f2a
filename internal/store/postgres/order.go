package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/orderdoc"
)

const (
	orderInsertSQL = `INSERT INTO orders (page_id, id, version, state, legacy_status, created, last_updated,
	next_timer_at, has_cancellations, has_refunds, has_shipments, has_unshipped, doc)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`
	orderGetSQL = `SELECT version, doc FROM orders WHERE page_id = $1 AND id = $2`
	// In a Write, the order stays locked until the transaction ends: a
	// second Write of the same order waits here, then reads the first
	// one's commit.
	orderGetForUpdateSQL = orderGetSQL + ` FOR UPDATE`
	orderUpdateSQL       = `UPDATE orders SET version = $1, state = $2, legacy_status = $3, created = $4, last_updated = $5,
	next_timer_at = $6, has_cancellations = $7, has_refunds = $8, has_shipments = $9, has_unshipped = $10, doc = $11
WHERE page_id = $12 AND id = $13 AND version = $14`
	orderExistsSQL        = `SELECT count(*) FROM orders WHERE page_id = $1 AND id = $2`
	orderCountByStateSQL  = `SELECT state, count(*) FROM orders WHERE page_id = $1 GROUP BY state`
	orderCountAllStateSQL = `SELECT state, count(*) FROM orders GROUP BY state`
	orderDueListSQL       = `SELECT id FROM orders
WHERE page_id = $1 AND next_timer_at IS NOT NULL AND next_timer_at <= $2
ORDER BY next_timer_at, id LIMIT $3`
	// In a Write, the due orders returned are claimed: locked, skipping
	// those another transaction holds, so timer runners on several nodes
	// take disjoint batches. Under READ COMMITTED a row another runner
	// released meanwhile is checked again and left out once not due.
	orderDueClaimSQL = orderDueListSQL + ` FOR UPDATE SKIP LOCKED`
	// A page's orders are due when their page time has come: next_timer_at
	// <= realNow + the page's clock offset. Most due first, in real time.
	// It reads across pages and claims nothing: the claim is per page, by
	// OrderDueList in the Write that runs the timers.
	orderDueAnyListSQL = `SELECT o.page_id, o.id FROM pages p JOIN orders o ON o.page_id = p.id
WHERE o.next_timer_at IS NOT NULL AND o.next_timer_at <= $1 + p.clock_offset_ns
ORDER BY o.next_timer_at - p.clock_offset_ns, o.page_id, o.id LIMIT $2`
)

// orderRow is an order's document and the columns derived from it.
type orderRow struct {
	state            string
	legacyStatus     string
	created          int64
	lastUpdated      int64
	nextTimerAt      *int64
	hasCancellations bool
	hasRefunds       bool
	hasShipments     bool
	hasUnshipped     bool
	doc              []byte
}

func newOrderRow(o *ordergraph.Order) *orderRow {
	r := &orderRow{
		state:            string(o.State()),
		legacyStatus:     string(o.LegacyStatus()),
		created:          timeNS(o.Created),
		lastUpdated:      timeNS(o.LastUpdated),
		hasCancellations: len(o.Cancellations) > 0,
		hasRefunds:       len(o.Refunds) > 0,
		hasShipments:     len(o.Shipments) > 0,
		hasUnshipped:     o.InProgress() > 0,
		doc:              orderdoc.Encode(o),
	}
	if next := o.NextTimer(); !next.IsZero() {
		ns := next.UnixNano()
		r.nextTimerAt = &ns
	}
	return r
}

// OrderInsert adds an order at its version. Returns ECONFLICT if the page
// has an order with its id, and ENOTFOUND if the page does not exist.
func (t *tx) OrderInsert(ctx context.Context, o *ordergraph.Order) error {
	r := newOrderRow(o)
	_, err := t.exec(ctx, orderInsertSQL, o.PageID, o.ID, o.Version, r.state, r.legacyStatus,
		r.created, r.lastUpdated, r.nextTimerAt, r.hasCancellations, r.hasRefunds, r.hasShipments, r.hasUnshipped, r.doc)
	if err != nil {
		return formatError(err, "insert order", "order "+o.ID)
	}
	return nil
}

// OrderGet finds a page's order. Returns ENOTFOUND if it does not exist.
// In a Write it locks the order's row until the transaction ends, waiting
// for a Write that holds it, so a command's read-modify-write of an order
// never interleaves with another node's.
func (t *tx) OrderGet(ctx context.Context, pageID, id string) (*ordergraph.Order, error) {
	q := orderGetSQL
	if t.write {
		q = orderGetForUpdateSQL
	}
	o, err := scanOrder(t.queryRow(ctx, q, pageID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "order %s not found", id)
	} else if err != nil {
		return nil, formatError(err, "get order", "order "+id)
	}
	return o, nil
}

// OrderUpdate saves o if the stored version is o.Version-1. Returns
// ECONFLICT (SubcodeConcurrentModification) if another version is stored,
// and ENOTFOUND if the order does not exist.
func (t *tx) OrderUpdate(ctx context.Context, o *ordergraph.Order) error {
	r := newOrderRow(o)
	tag, err := t.exec(ctx, orderUpdateSQL, o.Version, r.state, r.legacyStatus, r.created, r.lastUpdated,
		r.nextTimerAt, r.hasCancellations, r.hasRefunds, r.hasShipments, r.hasUnshipped, r.doc,
		o.PageID, o.ID, o.Version-1)
	if err != nil {
		return formatError(err, "update order", "order "+o.ID)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var n int
	if err := t.queryRow(ctx, orderExistsSQL, o.PageID, o.ID).Scan(&n); err != nil {
		return fmt.Errorf("update order: %w", err)
	} else if n == 0 {
		return ordergraph.Errorf(ordergraph.ENOTFOUND, "order %s not found", o.ID)
	}
	return &ordergraph.Error{
		Code:    ordergraph.ECONFLICT,
		Subcode: ordergraph.SubcodeConcurrentModification,
		Message: fmt.Sprintf("Order %s was modified concurrently; retry the request.", o.ID),
	}
}

// OrderList returns a page's orders matching f, ordered by (last_updated,
// id), at most f.Limit of them (all when f.Limit <= 0). With f.Before it
// returns the f.Limit orders just before the cursor, still ascending.
//
// The query's text depends only on which filters are set, so pgx's
// statement cache prepares each shape once per connection; states are one
// array parameter whatever their number.
func (t *tx) OrderList(ctx context.Context, f store.OrderListParams) ([]*ordergraph.Order, error) {
	var (
		q    strings.Builder
		args = []any{f.PageID}
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	q.WriteString(`SELECT version, doc FROM orders WHERE page_id = $1`)
	if f.UpdatedAfter != nil {
		q.WriteString(` AND last_updated > ` + arg(f.UpdatedAfter.UnixNano()))
	}
	if f.UpdatedBefore != nil {
		q.WriteString(` AND last_updated < ` + arg(f.UpdatedBefore.UnixNano()))
	}
	if c := f.After; c != nil {
		q.WriteString(` AND (last_updated, id) > (` + arg(timeNS(c.LastUpdated)) + `, ` + arg(c.ID) + `)`)
	}
	if c := f.Before; c != nil {
		q.WriteString(` AND (last_updated, id) < (` + arg(timeNS(c.LastUpdated)) + `, ` + arg(c.ID) + `)`)
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, s := range f.States {
			states[i] = string(s)
		}
		q.WriteString(` AND state = ANY(` + arg(states) + `)`)
	}
	if len(f.LegacyStatuses) > 0 {
		statuses := make([]string, len(f.LegacyStatuses))
		for i, s := range f.LegacyStatuses {
			statuses[i] = string(s)
		}
		q.WriteString(` AND legacy_status = ANY(` + arg(statuses) + `)`)
	}
	for _, flag := range []struct {
		column string
		value  *bool
	}{
		{"has_cancellations", f.HasCancellations},
		{"has_refunds", f.HasRefunds},
		{"has_shipments", f.HasShipments},
		{"has_unshipped", f.HasUnshipped},
	} {
		if flag.value != nil {
			q.WriteString(` AND ` + flag.column + ` = ` + arg(*flag.value))
		}
	}
	if f.Before != nil {
		q.WriteString(` ORDER BY last_updated DESC, id DESC`)
	} else {
		q.WriteString(` ORDER BY last_updated, id`)
	}
	q.WriteString(` LIMIT ` + arg(limitArg(f.Limit)))

	rows, err := t.query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	orders, err := collectRows(rows, func(r pgx.CollectableRow) (*ordergraph.Order, error) { return scanOrder(r) })
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	if f.Before != nil {
		slices.Reverse(orders)
	}
	return orders, nil
}

// OrderCountByState counts a page's orders per state; pageID "" counts
// every page's. States without orders are absent.
func (t *tx) OrderCountByState(ctx context.Context, pageID string) (map[ordergraph.OrderState]int, error) {
	var (
		rows pgx.Rows
		err  error
	)
	if pageID == "" {
		rows, err = t.query(ctx, orderCountAllStateSQL)
	} else {
		rows, err = t.query(ctx, orderCountByStateSQL, pageID)
	}
	if err != nil {
		return nil, fmt.Errorf("count orders: %w", err)
	}
	counts := map[ordergraph.OrderState]int{}
	var (
		state string
		n     int
	)
	_, err = pgx.ForEachRow(rows, []any{&state, &n}, func() error {
		counts[ordergraph.OrderState(state)] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count orders: %w", err)
	}
	return counts, nil
}

// OrderDueList returns the ids of up to limit (all when limit <= 0) of the
// page's orders whose next timer is at or before now, earliest first. In
// a Write it claims them: they stay locked until the transaction ends, and
// orders another transaction holds are skipped, not waited for.
func (t *tx) OrderDueList(ctx context.Context, pageID string, now time.Time, limit int) ([]string, error) {
	q := orderDueListSQL
	if t.write {
		q = orderDueClaimSQL
	}
	rows, err := t.query(ctx, q, pageID, now.UnixNano(), limitArg(limit))
	if err != nil {
		return nil, formatError(err, "list due orders", "")
	}
	ids, err := collectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, formatError(err, "list due orders", "")
	}
	return ids, nil
}

// OrderDueAnyList returns up to limit (all when limit <= 0) orders, across
// pages, whose next timer is at or before realNow plus their page's clock
// offset, the longest overdue (in real time) first. It locks nothing, even
// in a Write: it finds the pages with work, and OrderDueList claims it.
func (t *tx) OrderDueAnyList(ctx context.Context, realNow time.Time, limit int) ([]store.OrderRef, error) {
	rows, err := t.query(ctx, orderDueAnyListSQL, realNow.UnixNano(), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list due orders: %w", err)
	}
	refs, err := collectRows(rows, func(r pgx.CollectableRow) (store.OrderRef, error) {
		var ref store.OrderRef
		err := r.Scan(&ref.PageID, &ref.OrderID)
		return ref, err
	})
	if err != nil {
		return nil, fmt.Errorf("list due orders: %w", err)
	}
	return refs, nil
}

// scanOrder decodes a (version, doc) row.
func scanOrder(r pgx.Row) (*ordergraph.Order, error) {
	var (
		version int64
		doc     []byte
	)
	if err := r.Scan(&version, &doc); err != nil {
		return nil, err
	}
	o, err := orderdoc.Decode(doc)
	if err != nil {
		return nil, err
	}
	o.Version = version
	return o, nil
}
