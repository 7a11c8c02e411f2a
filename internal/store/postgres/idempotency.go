package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

const (
	idempotencyGetSQL = `SELECT request_hash, status, body, created FROM idempotency
WHERE page_id = $1 AND object_id = $2 AND edge = $3 AND key = $4`
	idempotencyPutSQL = `INSERT INTO idempotency (page_id, object_id, edge, key, request_hash, status, body, created)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	idempotencyDeleteSQL = `DELETE FROM idempotency
WHERE page_id = $1 AND object_id = $2 AND edge = $3 AND key = $4`
	idempotencyDeleteBeforeSQL = `DELETE FROM idempotency WHERE created < $1`
)

// IdempotencyGet finds the record of a key. Returns ENOTFOUND if there is
// none.
func (t *tx) IdempotencyGet(ctx context.Context, k store.IdempotencyKey) (*store.IdempotencyRecord, error) {
	r := store.IdempotencyRecord{IdempotencyKey: k}
	var created int64
	err := t.queryRow(ctx, idempotencyGetSQL, k.PageID, k.ObjectID, k.Edge, k.Key).Scan(&r.RequestHash, &r.Status, &r.Body, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "idempotency key %s not found", k.Key)
	} else if err != nil {
		return nil, fmt.Errorf("get idempotency record: %w", err)
	}
	r.Created = nsTime(created)
	return &r, nil
}

// IdempotencyPut records the first response to a key. Returns ECONFLICT if
// the key has a record, and ENOTFOUND if the page does not exist. Two
// Writes racing with one key both insert; the second waits for the first
// and then fails with ECONFLICT, and the caller's retry replays the
// first's answer.
func (t *tx) IdempotencyPut(ctx context.Context, r *store.IdempotencyRecord) error {
	_, err := t.exec(ctx, idempotencyPutSQL, r.PageID, r.ObjectID, r.Edge, r.Key, r.RequestHash, r.Status, r.Body, timeNS(r.Created))
	if err != nil {
		return formatError(err, "put idempotency record", "idempotency key "+r.Key)
	}
	return nil
}

// IdempotencyDelete forgets a key's record; a missing record is no error.
func (t *tx) IdempotencyDelete(ctx context.Context, k store.IdempotencyKey) error {
	if _, err := t.exec(ctx, idempotencyDeleteSQL, k.PageID, k.ObjectID, k.Edge, k.Key); err != nil {
		return formatError(err, "delete idempotency record", "")
	}
	return nil
}

// IdempotencyDeleteBefore forgets every record created before t and
// returns how many.
func (t *tx) IdempotencyDeleteBefore(ctx context.Context, before time.Time) (int, error) {
	tag, err := t.exec(ctx, idempotencyDeleteBeforeSQL, timeNS(before))
	if err != nil {
		return 0, formatError(err, "delete old idempotency records", "")
	}
	return int(tag.RowsAffected()), nil
}
