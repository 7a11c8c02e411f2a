package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ordergraph/ordergraph"
)

var (
	eventInsertSQL = prepared(`INSERT INTO order_events (page_id, order_id, seq, kind, actor, at, data) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	eventListSQL   = prepared(`SELECT page_id, order_id, seq, kind, actor, at, data FROM order_events
WHERE page_id = ? AND order_id = ? ORDER BY seq`)
)

// EventInsert appends an order event. Returns ECONFLICT if the order has an
// event with its seq, and ENOTFOUND if the order does not exist.
func (t *tx) EventInsert(ctx context.Context, e *ordergraph.Event) error {
	var data any
	if e.Data != nil {
		data = []byte(e.Data)
	}
	_, err := t.exec(ctx, eventInsertSQL, e.PageID, e.OrderID, e.Seq, e.Kind, e.Actor, timeNS(e.At), data)
	if err != nil {
		return formatError(err, "insert event", "event "+strconv.FormatInt(e.Seq, 10)+" of order "+e.OrderID)
	}
	return nil
}

// EventList returns an order's events in seq order (none if the order does
// not exist).
func (t *tx) EventList(ctx context.Context, pageID, orderID string) ([]*ordergraph.Event, error) {
	rows, err := t.query(ctx, eventListSQL, pageID, orderID)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var events []*ordergraph.Event
	for rows.Next() {
		var (
			e    ordergraph.Event
			at   int64
			data []byte
		)
		if err := rows.Scan(&e.PageID, &e.OrderID, &e.Seq, &e.Kind, &e.Actor, &at, &data); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		e.At = nsTime(at)
		if data != nil {
			e.Data = json.RawMessage(data)
		}
		events = append(events, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return events, nil
}
