package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

var (
	objectPutSQL = prepared(`INSERT INTO object_index (page_id, object_id, order_id, kind) VALUES (?, ?, ?, ?)`)
	objectGetSQL = prepared(`SELECT order_id, kind FROM object_index WHERE page_id = ? AND object_id = ?`)
)

// ObjectIndexPut records that an object of an order has the given id.
func (t *tx) ObjectIndexPut(ctx context.Context, r store.ObjectRef) error {
	if _, err := t.exec(ctx, objectPutSQL, r.PageID, r.ObjectID, r.OrderID, r.Kind); err != nil {
		return formatError(err, "put object index", "object "+r.ObjectID)
	}
	return nil
}

// ObjectIndexGet finds the order an object belongs to.
func (t *tx) ObjectIndexGet(ctx context.Context, pageID, objectID string) (*store.ObjectRef, error) {
	r := store.ObjectRef{PageID: pageID, ObjectID: objectID}
	err := t.queryRow(ctx, objectGetSQL, pageID, objectID).Scan(&r.OrderID, &r.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "object %s does not exist", objectID)
	} else if err != nil {
		return nil, fmt.Errorf("get object index: %w", err)
	}
	return &r, nil
}

var orderPageSQL = prepared(`SELECT page_id FROM orders WHERE id = ? LIMIT 1`)

// OrderPageID finds the page of an order known only by its id.
func (t *tx) OrderPageID(ctx context.Context, orderID string) (string, error) {
	var pageID string
	err := t.queryRow(ctx, orderPageSQL, orderID).Scan(&pageID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ordergraph.Errorf(ordergraph.ENOTFOUND, "order %s does not exist", orderID)
	} else if err != nil {
		return "", fmt.Errorf("find order page: %w", err)
	}
	return pageID, nil
}
