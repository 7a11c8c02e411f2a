package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/orderdoc"
)

var (
	orderInsertSQL = prepared(`INSERT INTO orders (page_id, id, version, state, legacy_status, created, last_updated,
	next_timer_at, has_cancellations, has_refunds, has_shipments, has_unshipped, doc)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	orderGetSQL    = prepared(`SELECT version, doc FROM orders WHERE page_id = ? AND id = ?`)
	orderUpdateSQL = prepared(`UPDATE orders SET version = ?, state = ?, legacy_status = ?, created = ?, last_updated = ?,
	next_timer_at = ?, has_cancellations = ?, has_refunds = ?, has_shipments = ?, has_unshipped = ?, doc = ?
WHERE page_id = ? AND id = ? AND version = ?`)
	orderExistsSQL        = prepared(`SELECT count(*) FROM orders WHERE page_id = ? AND id = ?`)
	orderCountByStateSQL  = prepared(`SELECT state, count(*) FROM orders WHERE page_id = ? GROUP BY state`)
	orderCountAllStateSQL = prepared(`SELECT state, count(*) FROM orders GROUP BY state`)
	orderDueListSQL       = prepared(`SELECT id FROM orders
WHERE page_id = ? AND next_timer_at IS NOT NULL AND next_timer_at <= ?
ORDER BY next_timer_at, id LIMIT ?`)
	// A page's orders are due when their page time has come: next_timer_at
	// <= realNow + the page's clock offset. Most due first, in real time.
	orderDueAnyListSQL = prepared(`SELECT o.page_id, o.id FROM pages p JOIN orders o ON o.page_id = p.id
WHERE o.next_timer_at IS NOT NULL AND o.next_timer_at <= ?1 + p.clock_offset_ns
ORDER BY o.next_timer_at - p.clock_offset_ns, o.page_id, o.id LIMIT ?2`)
)

// orderRow is an order's document and the columns derived from it.
type orderRow struct {
	state            ordergraph.OrderState
	legacyStatus     ordergraph.LegacyStatus
	created          int64
	lastUpdated      int64
	nextTimerAt      any
	hasCancellations bool
	hasRefunds       bool
	hasShipments     bool
	hasUnshipped     bool
	doc              []byte
}

func newOrderRow(o *ordergraph.Order) *orderRow {
	r := &orderRow{
		state:            o.State(),
		legacyStatus:     o.LegacyStatus(),
		created:          timeNS(o.Created),
		lastUpdated:      timeNS(o.LastUpdated),
		hasCancellations: len(o.Cancellations) > 0,
		hasRefunds:       len(o.Refunds) > 0,
		hasShipments:     len(o.Shipments) > 0,
		hasUnshipped:     o.InProgress() > 0,
		doc:              orderdoc.Encode(o),
	}
	if next := o.NextTimer(); !next.IsZero() {
		r.nextTimerAt = next.UnixNano()
	}
	return r
}

// OrderInsert adds an order at its version. Returns ECONFLICT if the page
// has an order with its id, and ENOTFOUND if the page does not exist.
func (t *tx) OrderInsert(ctx context.Context, o *ordergraph.Order) error {
	r := newOrderRow(o)
	_, err := t.exec(ctx, orderInsertSQL, o.PageID, o.ID, o.Version, string(r.state), string(r.legacyStatus),
		r.created, r.lastUpdated, r.nextTimerAt, r.hasCancellations, r.hasRefunds, r.hasShipments, r.hasUnshipped, r.doc)
	if err != nil {
		return formatError(err, "insert order", "order "+o.ID)
	}
	return nil
}

// OrderGet finds a page's order. Returns ENOTFOUND if it does not exist.
func (t *tx) OrderGet(ctx context.Context, pageID, id string) (*ordergraph.Order, error) {
	o, err := scanOrder(t.queryRow(ctx, orderGetSQL, pageID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "order %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("get order: %w", err)
	}
	return o, nil
}

// OrderUpdate saves o if the stored version is o.Version-1. Returns
// ECONFLICT (SubcodeConcurrentModification) if another version is stored,
// and ENOTFOUND if the order does not exist.
func (t *tx) OrderUpdate(ctx context.Context, o *ordergraph.Order) error {
	r := newOrderRow(o)
	res, err := t.exec(ctx, orderUpdateSQL, o.Version, string(r.state), string(r.legacyStatus), r.created, r.lastUpdated,
		r.nextTimerAt, r.hasCancellations, r.hasRefunds, r.hasShipments, r.hasUnshipped, r.doc,
		o.PageID, o.ID, o.Version-1)
	if err != nil {
		return formatError(err, "update order", "order "+o.ID)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update order: %w", err)
	} else if n == 1 {
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
func (t *tx) OrderList(ctx context.Context, f store.OrderListParams) ([]*ordergraph.Order, error) {
	shape := orderListShape{desc: f.Before != nil}
	// IN lists have at least as many values as there are states, padded
	// with their last value.
	if len(f.States) > 0 {
		shape.states = max(len(f.States), len(ordergraph.OrderStates))
	}
	if len(f.LegacyStatuses) > 0 {
		shape.legacy = max(len(f.LegacyStatuses), len(ordergraph.LegacyStatuses))
	}
	// The time filters and the cursors are all bounds on (last_updated,
	// id): the tightest of each side makes one index range, and absent
	// bounds are open ones, so the common filters share a few prepared
	// statements (see orderListShape).
	lo := keyBound{ns: math.MinInt64, id: ""}
	hi := keyBound{ns: math.MaxInt64, id: []byte{}}
	if f.UpdatedAfter != nil {
		lo = lo.max(keyBound{ns: f.UpdatedAfter.UnixNano(), id: []byte{}})
	}
	if f.After != nil {
		lo = lo.max(keyBound{ns: timeNS(f.After.LastUpdated), id: f.After.ID})
	}
	if f.UpdatedBefore != nil {
		hi = hi.min(keyBound{ns: f.UpdatedBefore.UnixNano(), id: ""})
	}
	if f.Before != nil {
		hi = hi.min(keyBound{ns: timeNS(f.Before.LastUpdated), id: f.Before.ID})
	}
	args := []any{f.PageID, lo.ns, lo.id, hi.ns, hi.id}
	for i := range shape.states {
		args = append(args, string(f.States[min(i, len(f.States)-1)]))
	}
	for i := range shape.legacy {
		args = append(args, string(f.LegacyStatuses[min(i, len(f.LegacyStatuses)-1)]))
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
			shape.flags = append(shape.flags, flag.column)
			args = append(args, *flag.value)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	args = append(args, limit)

	rows, err := t.query(ctx, shape.query(), args...)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	defer rows.Close()
	var orders []*ordergraph.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("list orders: %w", err)
		}
		orders = append(orders, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	if f.Before != nil {
		slices.Reverse(orders)
	}
	return orders, nil
}

// keyBound is a bound on (last_updated, id). An id is a string, or an
// empty BLOB, which SQLite orders after every string: (t, "") is below
// every key at t, (t, []byte{}) above them all.
type keyBound struct {
	ns int64
	id any // string or []byte{}
}

func (b keyBound) compare(c keyBound) int {
	if r := cmp.Compare(b.ns, c.ns); r != 0 {
		return r
	}
	bs, bText := b.id.(string)
	cs, cText := c.id.(string)
	switch {
	case bText && cText:
		return strings.Compare(bs, cs)
	case bText:
		return -1
	case cText:
		return 1
	}
	return 0
}

func (b keyBound) max(c keyBound) keyBound {
	if b.compare(c) >= 0 {
		return b
	}
	return c
}

func (b keyBound) min(c keyBound) keyBound {
	if b.compare(c) <= 0 {
		return b
	}
	return c
}

// orderListShape is what an OrderList query's text depends on. Shapes
// without flags are prepared; lists filtered on flags are rare enough to
// compile each time.
type orderListShape struct {
	// states and legacy are the lengths of the IN lists, 0 for none.
	states, legacy int
	flags          []string // columns of the flag filters
	// desc walks back from a Before cursor; OrderList reverses the rows.
	desc bool
}

func init() {
	for _, desc := range []bool{false, true} {
		for _, states := range []int{0, len(ordergraph.OrderStates)} {
			for _, legacy := range []int{0, len(ordergraph.LegacyStatuses)} {
				prepared(orderListShape{states: states, legacy: legacy, desc: desc}.query())
			}
		}
	}
}

// query returns the shape's SQL. Its parameters are page_id, the lower and
// upper bounds of (last_updated, id) (row values, which SQLite turns into a
// range of the (page_id, last_updated, id) index), the states, the legacy
// statuses, the flags and the limit.
func (s orderListShape) query() string {
	var b strings.Builder
	b.WriteString(`SELECT version, doc FROM orders WHERE page_id = ? AND (last_updated, id) > (?, ?) AND (last_updated, id) < (?, ?)`)
	if s.states > 0 {
		b.WriteString(" AND state IN (" + placeholders(s.states) + ")")
	}
	if s.legacy > 0 {
		b.WriteString(" AND legacy_status IN (" + placeholders(s.legacy) + ")")
	}
	for _, c := range s.flags {
		b.WriteString(" AND " + c + " = ?")
	}
	if s.desc {
		b.WriteString(" ORDER BY last_updated DESC, id DESC LIMIT ?")
	} else {
		b.WriteString(" ORDER BY last_updated, id LIMIT ?")
	}
	return b.String()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// OrderCountByState counts a page's orders per state; pageID "" counts
// every page's. States without orders are absent.
func (t *tx) OrderCountByState(ctx context.Context, pageID string) (map[ordergraph.OrderState]int, error) {
	var (
		rows *sql.Rows
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
	defer rows.Close()
	counts := map[ordergraph.OrderState]int{}
	for rows.Next() {
		var (
			state string
			n     int
		)
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("count orders: %w", err)
		}
		counts[ordergraph.OrderState(state)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count orders: %w", err)
	}
	return counts, nil
}

// OrderDueList returns the ids of up to limit (all when limit <= 0) of the
// page's orders whose next timer is at or before now, earliest first.
func (t *tx) OrderDueList(ctx context.Context, pageID string, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.query(ctx, orderDueListSQL, pageID, now.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("list due orders: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list due orders: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list due orders: %w", err)
	}
	return ids, nil
}

// OrderDueAnyList returns up to limit (all when limit <= 0) orders, across
// pages, whose next timer is at or before realNow plus their page's clock
// offset, the longest overdue (in real time) first.
func (t *tx) OrderDueAnyList(ctx context.Context, realNow time.Time, limit int) ([]store.OrderRef, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.query(ctx, orderDueAnyListSQL, realNow.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("list due orders: %w", err)
	}
	defer rows.Close()
	var refs []store.OrderRef
	for rows.Next() {
		var r store.OrderRef
		if err := rows.Scan(&r.PageID, &r.OrderID); err != nil {
			return nil, fmt.Errorf("list due orders: %w", err)
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list due orders: %w", err)
	}
	return refs, nil
}

// scanOrder decodes a (version, doc) row. For *sql.Rows it reads the
// document in place (orderdoc.Decode copies what it keeps).
func scanOrder(s scanner) (*ordergraph.Order, error) {
	var (
		version int64
		doc     []byte
		err     error
	)
	if rows, ok := s.(*sql.Rows); ok {
		err = rows.Scan(&version, (*sql.RawBytes)(&doc))
	} else {
		err = s.Scan(&version, &doc)
	}
	if err != nil {
		return nil, err
	}
	o, err := orderdoc.Decode(doc)
	if err != nil {
		return nil, err
	}
	o.Version = version
	return o, nil
}
