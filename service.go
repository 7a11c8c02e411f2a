package ordergraph

import (
	"context"
	"time"
)

// OrderService is what sellers do with orders, through the Graph API, the
// console or the CLI. Every write is one command run in one transaction;
// writes return the order as saved.
//
// Errors: ENOTFOUND for an order that is not the page's, EINVALID (with a
// commerce Subcode) for a refused transition, ECONFLICT for concurrent
// modification.
type OrderService interface {
	FindOrderByID(ctx context.Context, pageID, orderID string) (*Order, error)
	// FindOrders returns one page of orders and the keyset cursors around it.
	FindOrders(ctx context.Context, f OrderFilter) (*OrderPage, error)
	FindProductByID(ctx context.Context, pageID, productID string) (*Product, error)
	FindPage(ctx context.Context, id string) (*Page, error)

	Acknowledge(ctx context.Context, cmd AcknowledgeCommand) (*WriteResult, error)
	// AcknowledgeBatch acknowledges each order in its own transaction: one
	// bad order never fails the others.
	AcknowledgeBatch(ctx context.Context, cmd AcknowledgeBatchCommand) (*WriteResult, []AcknowledgeOutcome, error)
	Ship(ctx context.Context, cmd ShipCommand) (*WriteResult, error)
	Cancel(ctx context.Context, cmd CancelCommand) (*WriteResult, error)
	Refund(ctx context.Context, cmd RefundCommand) (*WriteResult, error)
	// UpdateShipment changes the tracking of a shipment already attached.
	UpdateShipment(ctx context.Context, cmd UpdateShipmentCommand) (*WriteResult, error)
	// ApplyItemUpdates brings an order to a snapshot of cumulative
	// quantities per line (item_updates): the latest snapshot is the truth.
	ApplyItemUpdates(ctx context.Context, cmd ItemUpdatesCommand) (*WriteResult, error)

	// CreateReturn opens a return of fulfilled units.
	CreateReturn(ctx context.Context, cmd ReturnCommand) (*WriteResult, error)
	// UpdateReturn approves, declines or closes a return.
	UpdateReturn(ctx context.Context, cmd UpdateReturnCommand) (*WriteResult, error)
	// FindReturnByID returns a return of the page and its order.
	FindReturnByID(ctx context.Context, pageID, returnID string) (*Order, *Return, error)
	// FindReturns returns one page of a page's returns, oldest first.
	FindReturns(ctx context.Context, f ReturnFilter) (*ReturnPage, error)

	// SetOrderManagement registers (ManagedByAPI) or removes
	// (ManagedByCommerceManager) the page's order management app.
	SetOrderManagement(ctx context.Context, pageID, mode string) (*Page, error)
}

// Page sizes of every list: Graph's default and its most per page.
const (
	DefaultListLimit = 25
	MaxListLimit     = 100
)

// Filters of the current API's commerce_orders edge (OrderFilter.Filters).
const (
	FilterHasCancellations = "HAS_CANCELLATIONS"
	FilterNoCancellations  = "NO_CANCELLATIONS"
	FilterHasRefunds       = "HAS_REFUNDS"
	FilterNoRefunds        = "NO_REFUNDS"
	FilterHasFulfillments  = "HAS_FULFILLMENTS"
	FilterNoShipments      = "NO_SHIPMENTS"
)

// OrderFilters lists every filter name.
var OrderFilters = []string{FilterHasCancellations, FilterNoCancellations, FilterHasRefunds, FilterNoRefunds, FilterHasFulfillments, FilterNoShipments}

// OrderFilter selects a page's orders. Pointer and slice fields left empty
// do not filter.
type OrderFilter struct {
	PageID         string
	States         []OrderState
	LegacyStatuses []LegacyStatus
	UpdatedAfter   *time.Time
	UpdatedBefore  *time.Time
	// Filters of the current API, ANDed: HAS_CANCELLATIONS, NO_CANCELLATIONS,
	// HAS_REFUNDS, NO_REFUNDS, HAS_FULFILLMENTS, NO_SHIPMENTS.
	Filters []string
	After   string // opaque cursor
	Before  string // opaque cursor
	Limit   int
}

// OrderPage is one page of a list with the cursors of its first and last
// orders; HasNext/HasPrevious say whether paging on finds more.
type OrderPage struct {
	Orders      []*Order
	Before      string
	After       string
	HasNext     bool
	HasPrevious bool
}

// Idempotency makes a write safe to retry: the first response to Key is
// stored in the write's own transaction and replayed to every later call
// with the same RequestHash; another RequestHash is refused.
type Idempotency struct {
	Key         string
	ObjectID    string
	Edge        string
	RequestHash string
	// Respond renders the response to store, from the saved order. It runs
	// inside the transaction and must not do I/O.
	Respond func(o *Order) (status int, body []byte, err error)
	// RespondBatch renders the response of a batch write from its outcomes.
	RespondBatch func(outcomes []AcknowledgeOutcome) (status int, body []byte, err error)
}

// WriteResult is the outcome of a write: the saved order, or the stored
// response of an earlier call with the same idempotency key.
type WriteResult struct {
	Order *Order
	// CreatedID is the id of what the write created (a shipment, refund,
	// cancellation or return), or "".
	CreatedID string
	Replayed  bool
	Status    int
	Body      []byte
}

// AcknowledgeCommand acknowledges one CREATED order.
type AcknowledgeCommand struct {
	PageID                 string
	OrderID                string
	MerchantOrderReference string
	Idempotency            *Idempotency
}

// AcknowledgeBatchCommand acknowledges up to 100 orders.
type AcknowledgeBatchCommand struct {
	PageID      string
	Orders      []AcknowledgeCommand
	Idempotency *Idempotency
}

// AcknowledgeOutcome is one order's answer in a batch acknowledgement.
type AcknowledgeOutcome struct {
	OrderID string
	Order   *Order // nil on error
	Err     error
}

// MaxAcknowledgeBatch is the most orders one acknowledge_orders call takes.
const MaxAcknowledgeBatch = 100

// ShipCommand ships units of an IN_PROGRESS order under one tracking number.
// No Items ships every unit still in progress.
type ShipCommand struct {
	PageID                 string
	OrderID                string
	Items                  []ItemQuantity
	Tracking               Tracking
	ExternalShipmentID     string
	MerchantOrderReference string
	// Fulfillment: where the parcel left from (a location id, or an
	// address), both optional.
	FulfillmentLocationID string
	FulfillmentAddress    *Address
	Idempotency           *Idempotency
}

// UpdateShipmentCommand replaces the tracking of the shipment named by
// ShipmentID or ExternalShipmentID.
type UpdateShipmentCommand struct {
	PageID             string
	OrderID            string
	ShipmentID         string
	ExternalShipmentID string
	Tracking           Tracking
	Idempotency        *Idempotency
}

// ItemUpdatesCommand is an order snapshot: for each named line the total
// units fulfilled, cancelled and refunded so far.
type ItemUpdatesCommand struct {
	PageID                 string
	OrderID                string
	MerchantOrderReference string
	Items                  []ItemUpdate
	Idempotency            *Idempotency
}

// ItemUpdate is one line of a snapshot.
type ItemUpdate struct {
	ItemID                  string
	FulfillQuantity         int
	CancelQuantity          int
	RefundQuantity          int
	Tracking                []Tracking
	CancelReason            string
	CancelReasonDescription string
	RefundReason            string
	RefundReasonDescription string
	ShippingRefund          *int64
}

// ReturnCommand opens a return on an order.
type ReturnCommand struct {
	PageID           string
	OrderID          string
	Items            []ReturnItem
	MerchantReturnID string
	Message          string
	Actor            string // ActorSeller (API) or ActorBuyer (sandbox)
	Idempotency      *Idempotency
}

// Return update events (update_return's update_event).
const (
	ReturnEventAccept  = "ACCEPT_RETURN"
	ReturnEventDecline = "DECLINE_RETURN"
	ReturnEventClose   = "CLOSE_RETURN"
)

// UpdateReturnCommand moves a return along.
type UpdateReturnCommand struct {
	PageID           string
	ReturnID         string
	Event            string
	Notes            string
	MerchantReturnID string
	Idempotency      *Idempotency
}

// CancelCommand cancels in-progress units of an order. No Items cancels
// every unit still in progress.
type CancelCommand struct {
	PageID            string
	OrderID           string
	Items             []ItemQuantity
	ReasonCode        string
	ReasonDescription string
	RestockItems      bool
	Idempotency       *Idempotency
}

// RefundCommand refunds fulfilled units. No Items (and no Shipping) is a
// full refund of everything still refundable.
type RefundCommand struct {
	PageID     string
	OrderID    string
	ReasonCode string
	ReasonText string
	Items      []RefundItemRequest
	// Shipping is a shipping refund before tax; nil means none for a
	// partial refund.
	Shipping *int64
	// Deduction is kept back from the buyer (RETURN_SHIPPING).
	Deduction int64
	// Adjustment is an extra amount refunded beyond items and shipping.
	Adjustment *int64
	// ReturnID settles a return; with no Items it refunds the return's
	// units.
	ReturnID    string
	Idempotency *Idempotency
}

// RefundItemRequest refunds one line by quantity or by amount (before tax).
// ShippingAmount is the legacy API's per-item shipping_refund.
type RefundItemRequest struct {
	ItemID         string
	RetailerID     string
	Quantity       int
	Amount         *int64
	ShippingAmount *int64
}

// AuthService resolves access tokens.
type AuthService interface {
	// Authenticate returns the token and its page for a raw access token,
	// or EUNAUTHORIZED (with Subcode 463 expired, 460 revoked).
	Authenticate(ctx context.Context, rawToken string) (*Token, *Page, error)
}

// SandboxService is the platform side the sandbox API drives: pages,
// tokens, buyers placing and cancelling orders, and each page's clock.
type SandboxService interface {
	CreatePage(ctx context.Context, p PageSpec) (*Page, string, error)
	CreateToken(ctx context.Context, pageID string, role Role, expiresIn time.Duration) (string, *Token, error)
	RevokeToken(ctx context.Context, rawToken string) error
	PlaceOrder(ctx context.Context, pageID string, spec OrderSpec) (*Order, error)
	GenerateOrders(ctx context.Context, pageID string, g GenerateSpec) ([]string, error)
	BuyerCancel(ctx context.Context, pageID, orderID string) (*Order, error)
	// Chargeback files a buyer's payment dispute of amount (a decimal in
	// the order's currency) on a shipped order, decided at once with
	// outcome; the ledger posts CHARGEBACK and the outcome's transaction.
	// pageID may be empty: the order is then looked up on every page.
	Chargeback(ctx context.Context, pageID, orderID, amount string, outcome ChargebackOutcome) (*Order, *Chargeback, error)
	// PageClock returns the page's now and its offset from real time.
	PageClock(ctx context.Context, pageID string) (time.Time, time.Duration, error)
	// AdvanceClock moves the page's clock forward by d, or to at when at is
	// non-zero (never backwards), and runs every timer due by then.
	AdvanceClock(ctx context.Context, pageID string, d time.Duration, at time.Time) (time.Time, error)
}

// PageSpec describes a sandbox page to create.
type PageSpec struct {
	Name              string
	Currency          string
	HandlingDays      int
	OrderManagement   string
	StrictIdempotency bool
}

// OrderSpec is a buyer's checkout, as the sandbox places it. Amounts are
// decimal strings in the page's currency; empty fields get realistic
// defaults.
type OrderSpec struct {
	Items           []OrderSpecItem
	Shipping        OrderSpecShipping
	Buyer           Buyer
	ShippingAddress Address
	Channel         string
	Promotions      []OrderSpecPromotion
	Outcome         HoldOutcome
	StartState      OrderState // FB_PROCESSING (default) or CREATED
}

// OrderSpecItem is one line of an OrderSpec.
type OrderSpecItem struct {
	RetailerID   string
	ProductName  string
	Quantity     int
	PricePerUnit string
	TaxRate      string
}

// OrderSpecShipping is the shipping option of an OrderSpec.
type OrderSpecShipping struct {
	Name    string
	Price   string
	TaxRate string
	MinDays int
	MaxDays int
}

// OrderSpecPromotion is a platform-funded promotion of an OrderSpec.
type OrderSpecPromotion struct {
	Reason string
	Amount string
}

// GenerateSpec asks for Count realistic random orders, deterministic for Seed.
type GenerateSpec struct {
	Count      int
	Seed       int64
	StartState OrderState
}

// ReturnFilter selects a page's returns.
type ReturnFilter struct {
	PageID           string
	CreatedAfter     *time.Time // start_time_created, inclusive
	CreatedBefore    *time.Time // end_time_created, inclusive
	MerchantReturnID string
	Statuses         []ReturnStatus
	After, Before    string // opaque keyset cursors
	Limit            int
}

// ReturnPage is one page of returns with the cursors around it.
type ReturnPage struct {
	Returns              []ReturnRef
	Before, After        string
	HasNext, HasPrevious bool
}

// ReturnRef is a return with its order.
type ReturnRef struct {
	Order  *Order
	Return *Return
}

// LedgerService is the money side of a page: its transactions and payouts
// as the reporting endpoints list them, and the reconciliation check.
// Chargebacks are the platform's doing, so they are a SandboxService call.
type LedgerService interface {
	// FindTransactions returns one page of a page's transactions, oldest
	// first, each with its order.
	FindTransactions(ctx context.Context, f TransactionFilter) (*TransactionPage, error)
	// FindPayouts returns one page of a page's payouts, oldest first.
	FindPayouts(ctx context.Context, f PayoutFilter) (*PayoutPage, error)
	// Verify checks every order and page of the database against its
	// transactions and payouts, reading page by page, and returns every
	// discrepancy it finds. progress, when set, is called as pages are done.
	Verify(ctx context.Context, progress func(VerifyProgress)) ([]Discrepancy, error)
}

// TransactionFilter selects a page's transactions. Empty fields do not
// filter.
type TransactionFilter struct {
	PageID            string
	OrderIDs          []string
	Start             *time.Time // transaction date >= Start
	End               *time.Time // transaction date <= End
	PayoutReferenceID string
	After, Before     string // opaque keyset cursors
	Limit             int
}

// TransactionPage is one page of transactions with the cursors around it.
type TransactionPage struct {
	Transactions         []TransactionRef
	Before, After        string
	HasNext, HasPrevious bool
}

// TransactionRef is a transaction with its order (as of the page's clock).
type TransactionRef struct {
	Transaction *Transaction
	Order       *Order
}

// PayoutFilter selects a page's payouts.
type PayoutFilter struct {
	PageID        string
	Start, End    *time.Time // payout date within [Start, End]
	After, Before string
	Limit         int
}

// PayoutPage is one page of payouts with the cursors around it.
type PayoutPage struct {
	Payouts              []*Payout
	Before, After        string
	HasNext, HasPrevious bool
}

// VerifyProgress is how far a Verify run has got.
type VerifyProgress struct {
	PagesDone, Pages int
	Orders           int // orders checked so far
	Transactions     int // transactions checked so far
	Discrepancies    int
}
