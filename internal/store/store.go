// Package store is the seam between ordergraph's services and its
// databases: one interface, implemented by store/sqlite (the embedded
// default) and store/postgres (several server nodes on one database), and
// checked by one contract suite, store/storetest. Stores hold no business
// rules; they load and save what the lifecycle engine decides, one
// transaction per command, and no transaction writes two pages' rows.
package store

import (
	"context"
	"time"

	"github.com/ordergraph/ordergraph"
)

// Store opens transactions. Every write command runs in one Tx, scoped to
// one page.
type Store interface {
	// Read runs fn in a read-only transaction (a consistent snapshot).
	Read(ctx context.Context, fn func(Tx) error) error
	// Write runs fn in a read-write transaction and commits it when fn
	// returns nil; any error (or panic) rolls everything back. Writes are
	// serialized enough that a Tx's reads and writes of one order never
	// interleave with another Tx's (SQLite: one writer; PostgreSQL: the row
	// lock OrderGet takes). A Write that lost a race the database detected
	// fails with ECONFLICT and SubcodeConcurrentModification: retry it.
	Write(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Tx is one transaction. Methods return *ordergraph.Error with ENOTFOUND
// when a row does not exist and ECONFLICT when an optimistic version check
// fails; other errors are internal. Only ENOTFOUND leaves the transaction
// usable everywhere: after any other error, return it (on PostgreSQL the
// server has aborted the transaction, and a Write that goes on and returns
// nil fails at commit with nothing saved).
type Tx interface {
	PageInsert(ctx context.Context, p *ordergraph.Page) error
	// PageGet finds a page by its id or its CMS id.
	PageGet(ctx context.Context, id string) (*ordergraph.Page, error)
	PageUpdate(ctx context.Context, p *ordergraph.Page) error
	// PageLock holds the page until the transaction ends, so page-wide
	// work (a payout run) never runs twice at once for one page
	// (PostgreSQL: SELECT … FOR UPDATE; SQLite's one writer already
	// serializes). ENOTFOUND if the page does not exist.
	PageLock(ctx context.Context, pageID string) error
	PageList(ctx context.Context) ([]*ordergraph.Page, error)

	TokenInsert(ctx context.Context, t *ordergraph.Token) error
	TokenGet(ctx context.Context, hash string) (*ordergraph.Token, error)
	TokenRevoke(ctx context.Context, hash string, at time.Time) error

	ProductUpsert(ctx context.Context, p *ordergraph.Product) error
	ProductGet(ctx context.Context, pageID, id string) (*ordergraph.Product, error)
	ProductGetByRetailerID(ctx context.Context, pageID, retailerID string) (*ordergraph.Product, error)

	OrderInsert(ctx context.Context, o *ordergraph.Order) error
	// OrderGet finds a page's order. In a Write the order is the caller's
	// until the transaction ends: another Write's OrderGet of it waits
	// (PostgreSQL: SELECT ... FOR UPDATE), then reads what this one saved.
	OrderGet(ctx context.Context, pageID, id string) (*ordergraph.Order, error)
	// OrderUpdate saves o if the stored version is o.Version-1 (the caller
	// has already incremented it), else returns ECONFLICT.
	OrderUpdate(ctx context.Context, o *ordergraph.Order) error
	OrderList(ctx context.Context, f OrderListParams) ([]*ordergraph.Order, error)
	// OrderCountByState counts a page's orders per state ("" = all pages).
	OrderCountByState(ctx context.Context, pageID string) (map[ordergraph.OrderState]int, error)
	// OrderDueList returns up to limit orders of the page whose next timer
	// is at or before now (page time). In a Write it claims them: they are
	// the caller's until the transaction ends, and orders another Write
	// holds are skipped rather than waited for (PostgreSQL: FOR UPDATE SKIP
	// LOCKED), so timer runners on several nodes take disjoint batches.
	OrderDueList(ctx context.Context, pageID string, now time.Time, limit int) ([]string, error)
	// OrderDueAnyList returns (page id, order id) pairs, across pages, whose
	// next timer is due: realNow plus the page's clock offset. It claims
	// nothing: it finds the pages with due work, which OrderDueList claims
	// page by page.
	OrderDueAnyList(ctx context.Context, realNow time.Time, limit int) ([]OrderRef, error)

	// ObjectIndexPut records the order of an object that lives inside an
	// order's document (a return), so it can be found by its own id.
	ObjectIndexPut(ctx context.Context, r ObjectRef) error
	// ObjectIndexGet finds it; ENOTFOUND if the page has no such object.
	ObjectIndexGet(ctx context.Context, pageID, objectID string) (*ObjectRef, error)
	// OrderPageID finds the page of an order known only by its id (sandbox
	// calls); ENOTFOUND if no page has it. It is the one lookup that does
	// not start with page_id.
	OrderPageID(ctx context.Context, orderID string) (string, error)

	// ReturnPut records a return's listing row, or updates its status and
	// merchant_return_id.
	ReturnPut(ctx context.Context, r ReturnRow) error
	// ReturnList lists a page's returns by (created, id) ascending.
	ReturnList(ctx context.Context, p ReturnListParams) ([]ReturnRow, error)

	EventInsert(ctx context.Context, e *ordergraph.Event) error
	EventList(ctx context.Context, pageID, orderID string) ([]*ordergraph.Event, error)

	IdempotencyGet(ctx context.Context, k IdempotencyKey) (*IdempotencyRecord, error)
	// IdempotencyPut records the first response to a key; ECONFLICT if the
	// key has a record.
	IdempotencyPut(ctx context.Context, r *IdempotencyRecord) error
	// IdempotencyDelete forgets a key (an expired one, about to be reused).
	IdempotencyDelete(ctx context.Context, k IdempotencyKey) error
	// IdempotencyDeleteBefore forgets every record created before t, across
	// pages, and returns how many.
	IdempotencyDeleteBefore(ctx context.Context, t time.Time) (int, error)

	LedgerTx
}

// ObjectRef ties an object id to its order.
type ObjectRef struct {
	PageID   string
	ObjectID string
	OrderID  string
	Kind     string // "return"
}

// ReturnRow is what return lists filter on; the return itself is in its
// order's document.
type ReturnRow struct {
	PageID           string
	ID               string
	OrderID          string
	Created          time.Time
	Status           ordergraph.ReturnStatus
	MerchantReturnID string
}

// ReturnListParams filters and pages a page's returns. After and Before
// are keyset positions on (created, id); Limit <= 0 means no limit.
type ReturnListParams struct {
	PageID           string
	CreatedFrom      *time.Time // created >= this
	CreatedTo        *time.Time // created <= this
	MerchantReturnID string
	Statuses         []ordergraph.ReturnStatus
	After            *ReturnCursor
	Before           *ReturnCursor
	Limit            int
}

// ReturnCursor is a keyset position in a return list.
type ReturnCursor struct {
	Created time.Time
	ID      string
}

// OrderRef names an order with its page.
type OrderRef struct {
	PageID  string
	OrderID string
}

// OrderListParams filters and pages a page's orders. Lists are ordered by
// (last_updated, id) ascending; After and Before are keyset positions.
type OrderListParams struct {
	PageID string
	// States filters on the current state (any of); empty means any.
	States []ordergraph.OrderState
	// LegacyStatuses filters on the v3.2 status (any of); empty means any.
	LegacyStatuses []ordergraph.LegacyStatus
	UpdatedAfter   *time.Time // last_updated > this
	UpdatedBefore  *time.Time // last_updated < this
	// Flags filter on facts of the order (all must hold).
	HasCancellations *bool
	HasRefunds       *bool
	HasShipments     *bool
	// HasUnshipped selects orders with (true) or without (false) in-progress units.
	HasUnshipped *bool
	After        *Cursor // strictly after this position
	Before       *Cursor // strictly before this position (returned in ascending order)
	Limit        int
}

// Cursor is a keyset position in an order list.
type Cursor struct {
	LastUpdated time.Time
	ID          string
}

// IdempotencyKey scopes an idempotency key to a page, object and edge.
type IdempotencyKey struct {
	PageID   string
	ObjectID string
	Edge     string
	Key      string
}

// IdempotencyRecord is the first response to a keyed write, kept 24 hours.
type IdempotencyRecord struct {
	IdempotencyKey
	// RequestHash identifies the decoded parameters of the first request.
	RequestHash string
	Status      int
	Body        []byte
	Created     time.Time
}
