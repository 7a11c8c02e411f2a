package lifecycle

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// CreatePage creates a sandbox page with its CMS id and an EDITOR token,
// and returns the page and the raw token.
func (e *Engine) CreatePage(ctx context.Context, spec ordergraph.PageSpec) (*ordergraph.Page, string, error) {
	p := &ordergraph.Page{
		ID: e.NewID(), CMSID: e.NewID(), Name: strings.TrimSpace(spec.Name),
		HandlingDays: spec.HandlingDays, OrderManagement: spec.OrderManagement, Created: e.clock.Now(),
		StrictIdempotency: spec.StrictIdempotency,
	}
	if p.Name == "" {
		p.Name = "Sandbox Page"
	}
	cur := spec.Currency
	if cur == "" {
		cur = "USD"
	}
	var ok bool
	if p.Currency, ok = ordergraph.ValidCurrency(cur); !ok {
		return nil, "", invalid("currency", "(#100) currency %q is not an ISO 4217 code such as USD, EUR or JPY", spec.Currency)
	}
	switch {
	case p.HandlingDays == 0:
		p.HandlingDays = ordergraph.DefaultHandlingDays
	case p.HandlingDays < 0 || p.HandlingDays > ordergraph.MaxHandlingDays:
		return nil, "", invalid("handling_days", "(#100) handling_days must be between 1 and %d, got %d", ordergraph.MaxHandlingDays, spec.HandlingDays)
	}
	switch p.OrderManagement {
	case "":
		p.OrderManagement = ordergraph.ManagedByAPI
	case ordergraph.ManagedByAPI, ordergraph.ManagedByCommerceManager:
	default:
		return nil, "", invalid("order_management", "(#100) order_management must be api or commerce_manager, got %q", spec.OrderManagement)
	}
	raw := e.NewToken()
	err := e.store.Write(ctx, func(tx store.Tx) error {
		if err := tx.PageInsert(ctx, p); err != nil {
			return err
		}
		return tx.TokenInsert(ctx, &ordergraph.Token{Hash: HashToken(raw), PageID: p.ID, Role: ordergraph.RoleEditor, Created: p.Created})
	})
	if err != nil {
		return nil, "", err
	}
	return p, raw, nil
}

// CreateToken mints a page token with a role; expiresIn 0 never expires.
func (e *Engine) CreateToken(ctx context.Context, pageID string, role ordergraph.Role, expiresIn time.Duration) (string, *ordergraph.Token, error) {
	role = ordergraph.Role(strings.ToUpper(string(role)))
	if role == "" {
		role = ordergraph.RoleEditor
	}
	if !role.Valid() {
		return "", nil, invalid("role", "(#100) role must be one of ADMIN, EDITOR, MODERATOR, ADVERTISER, ANALYST; got %q", role)
	}
	if expiresIn < 0 {
		return "", nil, invalid("expires_in", "(#100) expires_in must not be negative")
	}
	now := e.clock.Now()
	raw := e.NewToken()
	tok := &ordergraph.Token{Hash: HashToken(raw), Role: role, Created: now}
	if expiresIn > 0 {
		t := now.Add(expiresIn)
		tok.ExpiresAt = &t
	}
	err := e.store.Write(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, pageID)
		if err != nil {
			return err
		}
		tok.PageID = page.ID
		return tx.TokenInsert(ctx, tok)
	})
	if err != nil {
		return "", nil, err
	}
	return raw, tok, nil
}

// RevokeToken revokes a raw token; later calls with it fail with 190/460.
func (e *Engine) RevokeToken(ctx context.Context, raw string) error {
	return e.store.Write(ctx, func(tx store.Tx) error {
		return tx.TokenRevoke(ctx, HashToken(raw), e.clock.Now())
	})
}

// PlaceOrder places a buyer's order on a page, as checkout does.
func (e *Engine) PlaceOrder(ctx context.Context, pageID string, spec ordergraph.OrderSpec) (*ordergraph.Order, error) {
	var o *ordergraph.Order
	err := e.store.Write(ctx, func(tx store.Tx) (err error) {
		page, err := tx.PageGet(ctx, pageID)
		if err != nil {
			return err
		}
		o, err = e.place(ctx, tx, page, spec)
		return err
	})
	return o, err
}

func (e *Engine) place(ctx context.Context, tx store.Tx, page *ordergraph.Page, spec ordergraph.OrderSpec) (*ordergraph.Order, error) {
	now := page.Now(e.clock)
	products, err := e.ensureProducts(ctx, tx, page, spec.Items)
	if err != nil {
		return nil, err
	}
	o, changes, err := Place(page, spec, now, e.NewID, products)
	if err != nil {
		return nil, err
	}
	o.Version = 1
	events := Events(o, now, changes) // stamps o.EventSeq before the insert
	if err := tx.OrderInsert(ctx, o); err != nil {
		return nil, err
	}
	for _, ev := range events {
		if err := tx.EventInsert(ctx, ev); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// ensureProducts returns the catalog product id of every retailer_id of
// the lines, creating products the catalog lacks.
func (e *Engine) ensureProducts(ctx context.Context, tx store.Tx, page *ordergraph.Page, items []ordergraph.OrderSpecItem) (map[string]string, error) {
	out := make(map[string]string, len(items))
	for _, it := range items {
		rid := strings.TrimSpace(it.RetailerID)
		if rid == "" || out[rid] != "" {
			continue
		}
		p, err := tx.ProductGetByRetailerID(ctx, page.ID, rid)
		if err == nil {
			out[rid] = p.ID
			continue
		} else if ordergraph.ErrorCode(err) != ordergraph.ENOTFOUND {
			return nil, err
		}
		price, _ := ordergraph.ParseAmount(it.PricePerUnit, page.Currency) // validated by Place
		name := it.ProductName
		if name == "" {
			name = rid
		}
		p = &ordergraph.Product{ID: e.NewID(), PageID: page.ID, RetailerID: rid, Name: name, Price: price, Currency: page.Currency}
		if err := tx.ProductUpsert(ctx, p); err != nil {
			return nil, err
		}
		out[rid] = p.ID
	}
	return out, nil
}

// generateBatch is how many generated orders one transaction inserts.
const generateBatch = 250

// GenerateOrders places Count realistic random orders, the same for the
// same Seed, and returns their ids.
func (e *Engine) GenerateOrders(ctx context.Context, pageID string, g ordergraph.GenerateSpec) ([]string, error) {
	if g.Count <= 0 || g.Count > ordergraph.MaxGenerate {
		return nil, invalid("count", "(#100) count must be between 1 and %d, got %d", ordergraph.MaxGenerate, g.Count)
	}
	page, err := e.FindPage(ctx, pageID)
	if err != nil {
		return nil, err
	}
	specs := GenerateSpecs(g, page.Currency)
	ids := make([]string, 0, len(specs))
	for start := 0; start < len(specs); start += generateBatch {
		batch := specs[start:min(start+generateBatch, len(specs))]
		err := e.store.Write(ctx, func(tx store.Tx) error {
			for _, s := range batch {
				o, err := e.place(ctx, tx, page, s)
				if err != nil {
					return err
				}
				ids = append(ids, o.ID)
			}
			return nil
		})
		if err != nil {
			return ids, err
		}
	}
	return ids, nil
}

// BuyerCancel is the buyer cancelling during the hold. pageID may be
// empty: the order is then looked up on every page.
func (e *Engine) BuyerCancel(ctx context.Context, pageID, orderID string) (*ordergraph.Order, error) {
	if pageID == "" {
		var err error
		if pageID, err = e.orderPage(ctx, orderID); err != nil {
			return nil, err
		}
	}
	res, err := e.write(ctx, pageID, orderID, nil, func(o *ordergraph.Order, _ *ordergraph.Page, now time.Time) ([]Change, error) {
		return BuyerCancel(o, now, e.NewID())
	})
	if err != nil {
		return nil, err
	}
	return res.Order, nil
}

// orderPage finds which page an order belongs to.
func (e *Engine) orderPage(ctx context.Context, orderID string) (string, error) {
	var pageID string
	err := e.store.Read(ctx, func(tx store.Tx) (err error) {
		pageID, err = tx.OrderPageID(ctx, orderID)
		return err
	})
	return pageID, err
}

// PageClock returns the page's now and its offset from real time.
func (e *Engine) PageClock(ctx context.Context, pageID string) (time.Time, time.Duration, error) {
	p, err := e.FindPage(ctx, pageID)
	if err != nil {
		return time.Time{}, 0, err
	}
	return p.Now(e.clock), p.ClockOffset, nil
}

// AdvanceClock moves a page's clock forward by d, or to at, and runs every
// timer and payout due by then before it returns.
func (e *Engine) AdvanceClock(ctx context.Context, pageID string, d time.Duration, at time.Time) (time.Time, error) {
	var now time.Time
	err := e.store.Write(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, pageID)
		if err != nil {
			return err
		}
		cur := page.Now(e.clock)
		switch {
		case !at.IsZero():
			if at.Before(cur) {
				return invalid("now", "(#100) a page's clock never goes backwards: it is %s, asked for %s",
					cur.Format(time.RFC3339), at.UTC().Format(time.RFC3339))
			}
			page.ClockOffset += at.Sub(cur)
		case d < 0:
			return invalid("advance", "(#100) advance must not be negative, got %s", d)
		default:
			page.ClockOffset += d
		}
		now = page.Now(e.clock)
		return tx.PageUpdate(ctx, page)
	})
	if err != nil {
		return time.Time{}, err
	}
	if _, err := e.runPageTimers(ctx, pageID); err != nil {
		return time.Time{}, fmt.Errorf("run timers: %w", err)
	}
	if _, err := e.runPayouts(ctx, pageID); err != nil {
		return time.Time{}, fmt.Errorf("run payouts: %w", err)
	}
	return now, nil
}
