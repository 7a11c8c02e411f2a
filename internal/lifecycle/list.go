package lifecycle

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// FindOrders returns one page of a page's orders, ordered by last_updated
// then id, with keyset cursors: an order acknowledged or changed while a
// client pages moves behind the cursor and is never skipped.
func (e *Engine) FindOrders(ctx context.Context, f ordergraph.OrderFilter) (*ordergraph.OrderPage, error) {
	p := store.OrderListParams{
		States: f.States, LegacyStatuses: f.LegacyStatuses,
		UpdatedAfter: f.UpdatedAfter, UpdatedBefore: f.UpdatedBefore,
	}
	limit := listLimit(f.Limit)
	p.Limit = limit + 1
	t, fl := true, false
	for _, name := range f.Filters {
		switch strings.ToUpper(name) {
		case ordergraph.FilterHasCancellations:
			p.HasCancellations = &t
		case ordergraph.FilterNoCancellations:
			p.HasCancellations = &fl
		case ordergraph.FilterHasRefunds:
			p.HasRefunds = &t
		case ordergraph.FilterNoRefunds:
			p.HasRefunds = &fl
		case ordergraph.FilterHasFulfillments:
			p.HasShipments = &t
		case ordergraph.FilterNoShipments:
			p.HasUnshipped = &t
		default:
			return nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "filters",
				Message: fmt.Sprintf("(#100) filters must be a list of %s; got %q", strings.Join(ordergraph.OrderFilters, ", "), name)}
		}
	}
	var err error
	if f.After != "" {
		if p.After, err = DecodeCursor(f.After, "after"); err != nil {
			return nil, err
		}
	} else if f.Before != "" {
		if p.Before, err = DecodeCursor(f.Before, "before"); err != nil {
			return nil, err
		}
	}
	// Timers due by the page's clock run first, so a list never shows an
	// order in a state its clock has moved it out of.
	if _, err := e.runPageTimers(ctx, f.PageID); err != nil {
		return nil, err
	}
	var orders []*ordergraph.Order
	err = e.store.Read(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, f.PageID)
		if err != nil {
			return err
		}
		p.PageID = page.ID
		orders, err = tx.OrderList(ctx, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	orders, more := trimPage(orders, limit, p.Before != nil)
	out := &ordergraph.OrderPage{Orders: orders}
	out.HasNext, out.HasPrevious = pageFlags(more, p.After != nil, p.Before != nil)
	if len(orders) > 0 {
		out.Before = EncodeCursor(orders[0])
		out.After = EncodeCursor(orders[len(orders)-1])
	}
	return out, nil
}

// EncodeCursor returns the opaque keyset cursor of an order's position.
func EncodeCursor(o *ordergraph.Order) string { return encodeKeyset("o", o.LastUpdated, o.ID) }

// DecodeCursor parses a cursor made by EncodeCursor.
func DecodeCursor(s, param string) (*store.Cursor, error) {
	t, id, err := decodeKeyset(s, "o", param)
	if err != nil {
		return nil, err
	}
	return &store.Cursor{LastUpdated: t, ID: id}, nil
}

// encodeKeyset makes the opaque cursor of a position (t, id) in a list of
// the given kind. t keeps its nanoseconds: lists compare stored times
// exactly, and a truncated cursor would match its own row again.
func encodeKeyset(kind string, t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(t.UnixNano(), 10) + ":" + id))
}

// decodeKeyset parses a cursor made by encodeKeyset for the same kind.
func decodeKeyset(s, kind, param string) (time.Time, string, error) {
	bad := &ordergraph.Error{Code: ordergraph.EINVALID, Param: param,
		Message: fmt.Sprintf("(#100) %s is not a valid cursor; pass a cursor exactly as a previous response's paging.cursors gave it", param)}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return time.Time{}, "", bad
	}
	parts := strings.SplitN(string(raw), ":", 3)
	if len(parts) != 3 || parts[0] != kind || parts[2] == "" {
		return time.Time{}, "", bad
	}
	ns, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return time.Time{}, "", bad
	}
	return time.Unix(0, ns).UTC(), parts[2], nil
}
