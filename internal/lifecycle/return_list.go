package lifecycle

import (
	"context"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// FindReturns returns one page of a page's returns, oldest first, with
// keyset cursors on (created, id). Each return comes with its order as of
// the page's clock.
func (e *Engine) FindReturns(ctx context.Context, f ordergraph.ReturnFilter) (*ordergraph.ReturnPage, error) {
	limit := listLimit(f.Limit)
	p := store.ReturnListParams{CreatedFrom: f.CreatedAfter, CreatedTo: f.CreatedBefore,
		MerchantReturnID: f.MerchantReturnID, Statuses: f.Statuses, Limit: limit + 1}
	var err error
	if f.After != "" {
		if p.After, err = decodeReturnCursor(f.After, "after"); err != nil {
			return nil, err
		}
	} else if f.Before != "" {
		if p.Before, err = decodeReturnCursor(f.Before, "before"); err != nil {
			return nil, err
		}
	}
	var rows []store.ReturnRow
	orders := map[string]*ordergraph.Order{}
	err = e.store.Read(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, f.PageID)
		if err != nil {
			return err
		}
		p.PageID = page.ID
		if rows, err = tx.ReturnList(ctx, p); err != nil {
			return err
		}
		for _, r := range rows {
			if orders[r.OrderID] != nil {
				continue
			}
			if orders[r.OrderID], err = tx.OrderGet(ctx, page.ID, r.OrderID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, more := trimPage(rows, limit, p.Before != nil)
	out := &ordergraph.ReturnPage{}
	for _, r := range rows {
		o := orders[r.OrderID]
		if ret := o.Return(r.ID); ret != nil {
			out.Returns = append(out.Returns, ordergraph.ReturnRef{Order: o, Return: ret})
		}
	}
	out.HasNext, out.HasPrevious = pageFlags(more, p.After != nil, p.Before != nil)
	if len(rows) > 0 {
		out.Before = encodeReturnCursor(rows[0])
		out.After = encodeReturnCursor(rows[len(rows)-1])
	}
	return out, nil
}

func encodeReturnCursor(r store.ReturnRow) string { return encodeKeyset("r", r.Created, r.ID) }

func decodeReturnCursor(s, param string) (*store.ReturnCursor, error) {
	t, id, err := decodeKeyset(s, "r", param)
	if err != nil {
		return nil, err
	}
	return &store.ReturnCursor{Created: t, ID: id}, nil
}
