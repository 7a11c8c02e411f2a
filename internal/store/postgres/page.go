package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ordergraph/ordergraph"
)

const pageColumns = `id, cms_id, name, currency, handling_days, order_management, clock_offset_ns, created, strict_idempotency`

const (
	pageInsertSQL = `INSERT INTO pages (` + pageColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	pageGetSQL    = `SELECT ` + pageColumns + ` FROM pages WHERE id = $1 OR cms_id = $1 ORDER BY id = $1 DESC LIMIT 1`
	pageUpdateSQL = `UPDATE pages SET cms_id = $1, name = $2, currency = $3, handling_days = $4, order_management = $5, clock_offset_ns = $6, strict_idempotency = $7 WHERE id = $8`
	pageListSQL   = `SELECT ` + pageColumns + ` FROM pages ORDER BY id`
)

// PageInsert adds a page. Returns ECONFLICT if its id or CMS id is taken.
func (t *tx) PageInsert(ctx context.Context, p *ordergraph.Page) error {
	_, err := t.exec(ctx, pageInsertSQL, p.ID, nullString(p.CMSID), p.Name, p.Currency, p.HandlingDays, p.OrderManagement, int64(p.ClockOffset), timeNS(p.Created), p.StrictIdempotency)
	if err != nil {
		return formatError(err, "insert page", "page "+p.ID)
	}
	return nil
}

// PageGet finds a page by its id or, failing that, its CMS id. Returns
// ENOTFOUND if neither matches. It takes no lock: every command reads its
// page, and a page changes rarely (its clock, its settings).
func (t *tx) PageGet(ctx context.Context, id string) (*ordergraph.Page, error) {
	p, err := scanPage(t.queryRow(ctx, pageGetSQL, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "page %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("get page: %w", err)
	}
	return p, nil
}

// PageUpdate saves every field of p but its id and creation time. Returns
// ENOTFOUND if the page does not exist.
func (t *tx) PageUpdate(ctx context.Context, p *ordergraph.Page) error {
	err := t.execOne(ctx, ordergraph.Errorf(ordergraph.ENOTFOUND, "page %s not found", p.ID), pageUpdateSQL,
		nullString(p.CMSID), p.Name, p.Currency, p.HandlingDays, p.OrderManagement, int64(p.ClockOffset), p.StrictIdempotency, p.ID)
	if err != nil {
		return formatError(err, "update page", "page with CMS id "+p.CMSID)
	}
	return nil
}

// PageList returns every page, ordered by id.
func (t *tx) PageList(ctx context.Context) ([]*ordergraph.Page, error) {
	rows, err := t.query(ctx, pageListSQL)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	pages, err := collectRows(rows, func(r pgx.CollectableRow) (*ordergraph.Page, error) { return scanPage(r) })
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	return pages, nil
}

func scanPage(r pgx.Row) (*ordergraph.Page, error) {
	var (
		p       ordergraph.Page
		cmsID   *string
		offset  int64
		created int64
	)
	if err := r.Scan(&p.ID, &cmsID, &p.Name, &p.Currency, &p.HandlingDays, &p.OrderManagement, &offset, &created, &p.StrictIdempotency); err != nil {
		return nil, err
	}
	if cmsID != nil {
		p.CMSID = *cmsID
	}
	p.ClockOffset = time.Duration(offset)
	p.Created = nsTime(created)
	return &p, nil
}

const tokenColumns = `hash, page_id, role, created, expires_at, revoked_at`

const (
	tokenInsertSQL = `INSERT INTO tokens (` + tokenColumns + `) VALUES ($1, $2, $3, $4, $5, $6)`
	tokenGetSQL    = `SELECT ` + tokenColumns + ` FROM tokens WHERE hash = $1`
	tokenRevokeSQL = `UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE hash = $2`
)

// TokenInsert adds a token. Returns ECONFLICT if its hash exists and
// ENOTFOUND if its page does not.
func (t *tx) TokenInsert(ctx context.Context, tok *ordergraph.Token) error {
	_, err := t.exec(ctx, tokenInsertSQL, tok.Hash, tok.PageID, string(tok.Role), timeNS(tok.Created), nullTimeNS(tok.ExpiresAt), nullTimeNS(tok.RevokedAt))
	if err != nil {
		return formatError(err, "insert token", "token")
	}
	return nil
}

// TokenGet finds a token by its hash. Returns ENOTFOUND if it does not
// exist.
func (t *tx) TokenGet(ctx context.Context, hash string) (*ordergraph.Token, error) {
	var (
		tok                ordergraph.Token
		role               string
		created            int64
		expires, revokedAt *int64
	)
	err := t.queryRow(ctx, tokenGetSQL, hash).Scan(&tok.Hash, &tok.PageID, &role, &created, &expires, &revokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "token not found")
	} else if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	tok.Role = ordergraph.Role(role)
	tok.Created = nsTime(created)
	tok.ExpiresAt = nullNSTime(expires)
	tok.RevokedAt = nullNSTime(revokedAt)
	return &tok, nil
}

// TokenRevoke marks a token revoked at at; revoking it again keeps the
// first time. Returns ENOTFOUND if the token does not exist.
func (t *tx) TokenRevoke(ctx context.Context, hash string, at time.Time) error {
	err := t.execOne(ctx, ordergraph.Errorf(ordergraph.ENOTFOUND, "token not found"), tokenRevokeSQL, timeNS(at), hash)
	if err != nil {
		return formatError(err, "revoke token", "token")
	}
	return nil
}

const productColumns = `page_id, id, retailer_id, name, price, sale_price, currency`

const (
	productUpsertSQL = `INSERT INTO products (` + productColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (page_id, id) DO UPDATE SET retailer_id = excluded.retailer_id, name = excluded.name,
	price = excluded.price, sale_price = excluded.sale_price, currency = excluded.currency`
	productGetSQL             = `SELECT ` + productColumns + ` FROM products WHERE page_id = $1 AND id = $2`
	productGetByRetailerIDSQL = `SELECT ` + productColumns + ` FROM products WHERE page_id = $1 AND retailer_id = $2`
)

// ProductUpsert adds a product or replaces the one with its id. Returns
// ECONFLICT if another product of the page has its retailer id, and
// ENOTFOUND if the page does not exist.
func (t *tx) ProductUpsert(ctx context.Context, p *ordergraph.Product) error {
	_, err := t.exec(ctx, productUpsertSQL, p.PageID, p.ID, p.RetailerID, p.Name, p.Price, p.SalePrice, p.Currency)
	if err != nil {
		return formatError(err, "upsert product", "product with retailer id "+p.RetailerID)
	}
	return nil
}

// ProductGet finds a page's product by id. Returns ENOTFOUND if it does
// not exist.
func (t *tx) ProductGet(ctx context.Context, pageID, id string) (*ordergraph.Product, error) {
	p, err := scanProduct(t.queryRow(ctx, productGetSQL, pageID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "product %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("get product: %w", err)
	}
	return p, nil
}

// ProductGetByRetailerID finds a page's product by retailer id. Returns
// ENOTFOUND if it does not exist.
func (t *tx) ProductGetByRetailerID(ctx context.Context, pageID, retailerID string) (*ordergraph.Product, error) {
	p, err := scanProduct(t.queryRow(ctx, productGetByRetailerIDSQL, pageID, retailerID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "product with retailer id %s not found", retailerID)
	} else if err != nil {
		return nil, fmt.Errorf("get product: %w", err)
	}
	return p, nil
}

func scanProduct(r pgx.Row) (*ordergraph.Product, error) {
	var p ordergraph.Product
	if err := r.Scan(&p.PageID, &p.ID, &p.RetailerID, &p.Name, &p.Price, &p.SalePrice, &p.Currency); err != nil {
		return nil, err
	}
	return &p, nil
}
