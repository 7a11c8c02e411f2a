package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/ordergraph/ordergraph"
)

const (
	eventInsertSQL = `INSERT INTO order_events (page_id, order_id, seq, kind, actor, at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)`
	eventListSQL   = `SELECT page_id, order_id, seq, kind, actor, at, data FROM order_events
WHERE page_id = $1 AND order_id = $2 ORDER BY seq`
)

// EventInsert appends an order event. Returns ECONFLICT if the order has an
// event with its seq, and ENOTFOUND if the order does not exist.
func (t *tx) EventInsert(ctx context.Context, e *ordergraph.Event) error {
	var data []byte
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
	events, err := collectRows(rows, func(r pgx.CollectableRow) (*ordergraph.Event, error) {
		var (
			e    ordergraph.Event
			at   int64
			data []byte
		)
		if err := r.Scan(&e.PageID, &e.OrderID, &e.Seq, &e.Kind, &e.Actor, &at, &data); err != nil {
			return nil, err
		}
		e.At = nsTime(at)
		if data != nil {
			e.Data = json.RawMessage(data)
		}
		return &e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return events, nil
}
