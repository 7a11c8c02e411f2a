package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

const returnPutSQL = `INSERT INTO returns (page_id, id, order_id, created, status, merchant_return_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (page_id, id) DO UPDATE SET status = excluded.status, merchant_return_id = excluded.merchant_return_id`

// ReturnPut records a return's listing row or updates it.
func (t *tx) ReturnPut(ctx context.Context, r store.ReturnRow) error {
	if _, err := t.exec(ctx, returnPutSQL, r.PageID, r.ID, r.OrderID, timeNS(r.Created), string(r.Status), r.MerchantReturnID); err != nil {
		return formatError(err, "put return", "return "+r.ID)
	}
	return nil
}

// ReturnList lists a page's returns by (created, id).
func (t *tx) ReturnList(ctx context.Context, p store.ReturnListParams) ([]store.ReturnRow, error) {
	var q strings.Builder
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	q.WriteString(`SELECT id, order_id, created, status, merchant_return_id FROM returns WHERE page_id = ` + arg(p.PageID))
	if p.CreatedFrom != nil {
		q.WriteString(` AND created >= ` + arg(timeNS(*p.CreatedFrom)))
	}
	if p.CreatedTo != nil {
		q.WriteString(` AND created <= ` + arg(timeNS(*p.CreatedTo)))
	}
	if p.MerchantReturnID != "" {
		q.WriteString(` AND merchant_return_id = ` + arg(p.MerchantReturnID))
	}
	if len(p.Statuses) > 0 {
		list := make([]string, len(p.Statuses))
		for i, s := range p.Statuses {
			list[i] = string(s)
		}
		q.WriteString(` AND status = ANY(` + arg(list) + `)`)
	}
	if c := p.After; c != nil {
		q.WriteString(` AND (created, id) > (` + arg(timeNS(c.Created)) + `, ` + arg(c.ID) + `)`)
	}
	if c := p.Before; c != nil {
		q.WriteString(` AND (created, id) < (` + arg(timeNS(c.Created)) + `, ` + arg(c.ID) + `)`)
	}
	if p.Before != nil {
		q.WriteString(` ORDER BY created DESC, id DESC`)
	} else {
		q.WriteString(` ORDER BY created, id`)
	}
	if p.Limit > 0 {
		q.WriteString(` LIMIT ` + arg(p.Limit))
	}
	rows, err := t.query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list returns: %w", err)
	}
	defer rows.Close()
	var out []store.ReturnRow
	for rows.Next() {
		r := store.ReturnRow{PageID: p.PageID}
		var created int64
		var status string
		if err := rows.Scan(&r.ID, &r.OrderID, &created, &status, &r.MerchantReturnID); err != nil {
			return nil, fmt.Errorf("list returns: %w", err)
		}
		r.Created, r.Status = nsTime(created), ordergraph.ReturnStatus(status)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list returns: %w", err)
	}
	if p.Before != nil {
		slices.Reverse(out)
	}
	return out, nil
}
