package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

var returnPutSQL = prepared(`INSERT INTO returns (page_id, id, order_id, created, status, merchant_return_id)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (page_id, id) DO UPDATE SET status = excluded.status, merchant_return_id = excluded.merchant_return_id`)

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
	q.WriteString(`SELECT id, order_id, created, status, merchant_return_id FROM returns WHERE page_id = ?`)
	args := []any{p.PageID}
	if p.CreatedFrom != nil {
		q.WriteString(` AND created >= ?`)
		args = append(args, timeNS(*p.CreatedFrom))
	}
	if p.CreatedTo != nil {
		q.WriteString(` AND created <= ?`)
		args = append(args, timeNS(*p.CreatedTo))
	}
	if p.MerchantReturnID != "" {
		q.WriteString(` AND merchant_return_id = ?`)
		args = append(args, p.MerchantReturnID)
	}
	if len(p.Statuses) > 0 {
		q.WriteString(` AND status IN (?` + strings.Repeat(`, ?`, len(p.Statuses)-1) + `)`)
		for _, s := range p.Statuses {
			args = append(args, string(s))
		}
	}
	if c := p.After; c != nil {
		q.WriteString(` AND (created, id) > (?, ?)`)
		args = append(args, timeNS(c.Created), c.ID)
	}
	if c := p.Before; c != nil {
		q.WriteString(` AND (created, id) < (?, ?)`)
		args = append(args, timeNS(c.Created), c.ID)
	}
	if p.Before != nil {
		q.WriteString(` ORDER BY created DESC, id DESC`)
	} else {
		q.WriteString(` ORDER BY created, id`)
	}
	limit := p.Limit
	if limit <= 0 {
		limit = -1
	}
	q.WriteString(` LIMIT ?`)
	args = append(args, limit)
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
