package ordergraph

import "time"

// Page is a seller's Facebook Page: the tenant. Every order, token, event
// and idempotency record belongs to exactly one page, and no operation
// touches two.
type Page struct {
	ID       string
	CMSID    string // the page's commerce merchant settings id
	Name     string
	Currency string
	// HandlingDays is the seller's handling time: ship_by_date is the
	// release date plus this many days.
	HandlingDays int
	// OrderManagement is "api" once an order management app is registered,
	// "commerce_manager" otherwise (orders then acknowledge themselves).
	OrderManagement string
	// StrictIdempotency requires idempotency_key on the writes legacy
	// clients also call (acknowledge_order(s), shipments, cancel_order,
	// refund_order), which otherwise accept but do not require it.
	StrictIdempotency bool
	// ClockOffset is how far the page's clock runs ahead of real time. It
	// only grows.
	ClockOffset time.Duration
	Created     time.Time
}

// Order management modes of a page.
const (
	ManagedByAPI             = "api"
	ManagedByCommerceManager = "commerce_manager"
)

// Now returns the page's time: base plus the page's offset.
func (p *Page) Now(base Clock) time.Time { return base.Now().Add(p.ClockOffset) }

// Role is a page role behind a token.
type Role string

// Page roles, strongest first.
const (
	RoleAdmin      Role = "ADMIN"
	RoleEditor     Role = "EDITOR"
	RoleModerator  Role = "MODERATOR"
	RoleAdvertiser Role = "ADVERTISER"
	RoleAnalyst    Role = "ANALYST"
)

// Roles lists every role, strongest first.
var Roles = []Role{RoleAdmin, RoleEditor, RoleModerator, RoleAdvertiser, RoleAnalyst}

// CanWriteOrders reports whether the role may change orders: EDITOR or above.
func (r Role) CanWriteOrders() bool { return r == RoleAdmin || r == RoleEditor }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Token is a page access token. Only its SHA-256 hash is stored.
type Token struct {
	Hash      string
	PageID    string
	Role      Role
	Created   time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
}

// Product is a catalog product that order lines point at.
type Product struct {
	ID         string
	PageID     string
	RetailerID string
	Name       string
	Price      int64
	SalePrice  int64 // 0 when there is no sale price
	Currency   string
}
