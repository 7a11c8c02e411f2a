package ordergraph

import (
	"slices"
	"time"
)

// OrderState is the state of an order in the current API. It is derived from
// the order's units, never stored apart from them (see Order.State).
type OrderState string

// Order states, in lifecycle order.
const (
	StateFBProcessing OrderState = "FB_PROCESSING"
	StateCreated      OrderState = "CREATED"
	StateInProgress   OrderState = "IN_PROGRESS"
	StateCompleted    OrderState = "COMPLETED"
)

// OrderStates lists every state, for validation and filters.
var OrderStates = []OrderState{StateFBProcessing, StateCreated, StateInProgress, StateCompleted}

// LegacyStatus is the v3.2 API's order status_code, derived from the state
// and the units: COMPLETED splits into SHIPPED, CANCELLED and REFUNDED.
type LegacyStatus string

// Legacy v3.2 statuses.
const (
	LegacyFBProcessing LegacyStatus = "FB_PROCESSING"
	LegacyCreated      LegacyStatus = "CREATED"
	LegacyInProgress   LegacyStatus = "IN_PROGRESS"
	LegacyShipped      LegacyStatus = "SHIPPED"
	LegacyCancelled    LegacyStatus = "CANCELLED"
	LegacyRefunded     LegacyStatus = "REFUNDED"
)

// LegacyStatuses lists every legacy status.
var LegacyStatuses = []LegacyStatus{LegacyFBProcessing, LegacyCreated, LegacyInProgress, LegacyShipped, LegacyCancelled, LegacyRefunded}

// HoldOutcome is what happens to an order when its FB_PROCESSING hold ends:
// the sandbox scripts it per order.
type HoldOutcome string

// Hold outcomes.
const (
	OutcomeRelease     HoldOutcome = "release"      // checks pass: the order becomes CREATED
	OutcomeFraudCancel HoldOutcome = "fraud_cancel" // the platform cancels it (SUSPICIOUS_ORDER)
	OutcomeBuyerCancel HoldOutcome = "buyer_cancel" // the buyer cancels it (remorse)
)

// Lifecycle durations of the platform.
const (
	HoldDuration        = 30 * time.Minute // FB_PROCESSING at least this long
	AckSLA              = 12 * time.Hour   // acknowledge within this of release
	ReturnWindow        = 30 * 24 * time.Hour
	DefaultHandlingDays = 3
)

// Limits of what a page and a checkout may hold, checked in one place for
// every surface (sandbox API, CLI, console).
const (
	MaxOrderLines   = 100    // lines in one order
	MaxLineQuantity = 10000  // units in one line
	MaxHandlingDays = 30     // a page's handling time
	MaxGenerate     = 100000 // orders one generate call creates
)

// Order is one buyer's order on a page: the aggregate every command loads,
// changes and saves whole. Amounts are in minor units of Currency.
type Order struct {
	ID       string
	PageID   string
	Currency string
	Channel  string // "facebook" or "instagram"

	Created     time.Time
	LastUpdated time.Time
	ReleaseAt   time.Time  // end of the FB_PROCESSING hold
	ReleasedAt  *time.Time // when it left FB_PROCESSING (became CREATED or was cancelled)
	AckedAt     *time.Time // when it was acknowledged
	// AckDueAt is the acknowledgement deadline (release + 12h); zero before release.
	AckDueAt time.Time
	// AckSLABreached is set when AckDueAt passed while the order was CREATED.
	AckSLABreached bool
	ShipByDate     string // YYYY-MM-DD, set at release
	HandlingDays   int

	Outcome HoldOutcome
	// AutoAcknowledge is set for pages managed in Commerce Manager: the
	// order moves to IN_PROGRESS by itself at release.
	AutoAcknowledge bool

	MerchantOrderReference string

	Buyer           Buyer
	ShippingAddress Address
	ShippingOption  ShippingOption
	TaxRemitted     bool

	Items         []Item
	Shipments     []Shipment
	Cancellations []Cancellation
	Refunds       []Refund
	Returns       []Return
	Promotions    []Promotion
	// Chargebacks are the buyer's payment disputes, each decided at once.
	Chargebacks []Chargeback

	// Version increases by one on every save; stores use it to detect
	// concurrent modification.
	Version int64
	// EventSeq is the sequence number of the order's last event.
	EventSeq int64
}

// Buyer is who placed the order. It is withheld from sellers while the order
// is FB_PROCESSING.
type Buyer struct {
	Name                   string
	Email                  string
	EmailRemarketingOption bool
	Phone                  string
}

// Address is a shipping address.
type Address struct {
	Name       string
	FirstName  string
	LastName   string
	Street1    string
	Street2    string
	City       string
	State      string
	PostalCode string
	Country    string
}

// ShippingOption is the shipping the buyer chose and paid for.
type ShippingOption struct {
	Name        string
	ReferenceID string
	Price       int64 // shipping charged, before tax
	Tax         int64 // tax on shipping
	TaxRate     string
	MinDays     int
	MaxDays     int
}

// Item is one order line: Quantity units of one product. Every unit is in
// exactly one of in progress, fulfilled (shipped) or cancelled; refunds and
// returns are tracked beside the fulfilled units.
type Item struct {
	ID           string
	RetailerID   string
	ProductID    string
	ProductName  string
	Quantity     int
	PricePerUnit int64
	TaxRate      string // decimal, e.g. "0.101"
	Tax          int64  // tax of the whole line, fixed at checkout

	Fulfilled int // units shipped
	Cancelled int // units cancelled

	// Captured is what shipments charged for this line so far.
	CapturedAmount int64
	CapturedTax    int64
	// Refunded is what refunds returned for this line so far.
	RefundedQuantity int
	RefundedAmount   int64
	RefundedTax      int64
	ReturnedQuantity int
}

// InProgress returns the number of units neither shipped nor cancelled.
func (it *Item) InProgress() int { return it.Quantity - it.Fulfilled - it.Cancelled }

// Subtotal returns the line's price before tax.
func (it *Item) Subtotal() int64 { return it.PricePerUnit * int64(it.Quantity) }

// Shipment is one parcel: units of one or more lines under one tracking
// number. Shipping it captures the buyer's payment for those units.
type Shipment struct {
	ID                 string
	ExternalShipmentID string
	Created            time.Time
	Items              []ItemQuantity
	Tracking           Tracking
	Capture            Capture
	// Fulfillment is where the parcel left from: a location id or an
	// address (FulfillmentAddress.Street1 non-empty), or neither.
	FulfillmentLocationID string
	FulfillmentAddress    Address
}

// Tracking is a shipment's carrier and tracking number.
type Tracking struct {
	Carrier            string
	TrackingNumber     string
	ShippingMethodName string
}

// Capture is the money a shipment charged the buyer.
type Capture struct {
	Items       int64
	ItemsTax    int64
	Shipping    int64
	ShippingTax int64
}

// Total returns everything captured.
func (c Capture) Total() int64 { return c.Items + c.ItemsTax + c.Shipping + c.ShippingTax }

// ItemQuantity names some units of one line.
type ItemQuantity struct {
	ItemID     string
	RetailerID string
	Quantity   int
}

// CancelReason codes.
const (
	CancelCustomerRequested = "CUSTOMER_REQUESTED"
	CancelOutOfStock        = "OUT_OF_STOCK"
	CancelInvalidAddress    = "INVALID_ADDRESS"
	CancelSuspiciousOrder   = "SUSPICIOUS_ORDER"
	CancelReasonOther       = "CANCEL_REASON_OTHER"
)

// CancelReasons lists every cancel reason code.
var CancelReasons = []string{CancelCustomerRequested, CancelOutOfStock, CancelInvalidAddress, CancelSuspiciousOrder, CancelReasonOther}

// Actors of an order change.
const (
	ActorSeller   = "seller"
	ActorBuyer    = "buyer"
	ActorPlatform = "platform"
)

// Cancellation cancels in-progress units, by the seller, the buyer or the
// platform. Cancelled units are never charged.
type Cancellation struct {
	ID                string
	Created           time.Time
	Actor             string
	ReasonCode        string
	ReasonDescription string
	RestockItems      bool
	Items             []ItemQuantity
}

// Refund reason codes.
const (
	RefundBuyersRemorse     = "BUYERS_REMORSE"
	RefundDamagedGoods      = "DAMAGED_GOODS"
	RefundNotAsDescribed    = "NOT_AS_DESCRIBED"
	RefundQualityIssue      = "QUALITY_ISSUE"
	RefundReasonOther       = "REFUND_REASON_OTHER"
	RefundWrongItem         = "WRONG_ITEM"
	RefundFacebookInitiated = "FACEBOOK_INITIATED"
	RefundForReturn         = "REFUND_FOR_RETURN"
)

// RefundReasons lists every refund reason code the API accepts.
var RefundReasons = []string{RefundBuyersRemorse, RefundDamagedGoods, RefundNotAsDescribed, RefundQualityIssue, RefundReasonOther, RefundWrongItem, RefundFacebookInitiated, "REFUND_COMPROMISED", RefundForReturn, "REFUND_SFI_FAKE", "REFUND_SFI_REAL"}

// Refund returns money for fulfilled units to the buyer.
type Refund struct {
	ID          string
	Created     time.Time
	ReasonCode  string
	ReasonText  string
	Items       []RefundItem
	Shipping    int64 // shipping refunded, before tax
	ShippingTax int64
	// Deduction is kept back from the refund (RETURN_SHIPPING: the cost of
	// the return label), so the buyer receives Total().
	Deduction int64
	// Adjustment is an arbitrary extra amount refunded beyond items and
	// shipping (adjustment_amount), tax-free.
	Adjustment int64
	// ReturnID links a refund to the return it settles.
	ReturnID string
}

// RefundItem is the refund of one line: an amount before tax, the tax
// refunded with it, and the units when the refund was made by quantity.
type RefundItem struct {
	ItemID     string
	RetailerID string
	Quantity   int // 0 when refunded by amount
	Amount     int64
	Tax        int64
}

// Total returns all the refund gives back to the buyer.
func (r *Refund) Total() int64 {
	t := r.Shipping + r.ShippingTax + r.Adjustment - r.Deduction
	for _, it := range r.Items {
		t += it.Amount + it.Tax
	}
	return t
}

// Subtotal returns the items refunded, before tax.
func (r *Refund) Subtotal() int64 {
	var t int64
	for _, it := range r.Items {
		t += it.Amount
	}
	return t
}

// Tax returns the tax refunded on items and shipping.
func (r *Refund) Tax() int64 {
	t := r.ShippingTax
	for _, it := range r.Items {
		t += it.Tax
	}
	return t
}

// ReturnStatus is where a return stands.
type ReturnStatus string

// Return statuses of the current API.
const (
	ReturnRequested         ReturnStatus = "REQUESTED"
	ReturnApproved          ReturnStatus = "APPROVED"
	ReturnDisapproved       ReturnStatus = "DISAPPROVED"
	ReturnMerchantCompleted ReturnStatus = "MERCHANT_MARKED_COMPLETED"
	ReturnRefunded          ReturnStatus = "REFUNDED"
)

// ReturnStatuses lists every return status.
var ReturnStatuses = []ReturnStatus{ReturnRequested, ReturnApproved, ReturnDisapproved, ReturnMerchantCompleted, ReturnRefunded}

// Return is a buyer sending fulfilled units back, within the return window
// of their shipment. The seller approves or declines it, marks it received,
// and refunds it (REFUND_FOR_RETURN).
type Return struct {
	ID               string
	MerchantReturnID string
	Created          time.Time
	Updated          time.Time
	Actor            string // who opened it: buyer or seller
	Status           ReturnStatus
	Message          string
	Notes            string
	Items            []ReturnItem
	RefundID         string
}

// ReturnItem is some units of one line in a return, with the buyer's reason.
type ReturnItem struct {
	ItemID     string
	RetailerID string
	Quantity   int
	Reason     string
}

// Open reports whether the return still holds its units (it was not
// disapproved).
func (r *Return) Open() bool { return r.Status != ReturnDisapproved }

// Return returns the return with the given id, or nil.
func (o *Order) Return(id string) *Return {
	for i := range o.Returns {
		if o.Returns[i].ID == id {
			return &o.Returns[i]
		}
	}
	return nil
}

// Shipment returns the shipment with the given id or external id, or nil.
func (o *Order) Shipment(id, externalID string) *Shipment {
	for i := range o.Shipments {
		s := &o.Shipments[i]
		if id != "" && s.ID == id || id == "" && externalID != "" && s.ExternalShipmentID == externalID {
			return s
		}
	}
	return nil
}

// Promotion is a discount applied to the order. Platform-funded ones
// (Sponsor "facebook") are paid to the seller as reimbursements.
type Promotion struct {
	Reason  string // e.g. FREE_SHIPPING, FLAT_BUYER_DISCOUNT
	Amount  int64
	Sponsor string // "facebook" or "merchant"
}

// State derives the order's current-API state from its units and hold.
func (o *Order) State() OrderState {
	if o.ReleasedAt == nil {
		return StateFBProcessing
	}
	inProgress := 0
	for i := range o.Items {
		inProgress += o.Items[i].InProgress()
	}
	switch {
	case inProgress == 0:
		return StateCompleted
	case o.AckedAt == nil:
		return StateCreated
	default:
		return StateInProgress
	}
}

// LegacyStatus derives the v3.2 status_code: for a COMPLETED order REFUNDED
// if any refund exists, else CANCELLED if no unit shipped, else SHIPPED.
func (o *Order) LegacyStatus() LegacyStatus {
	switch o.State() {
	case StateFBProcessing:
		return LegacyFBProcessing
	case StateCreated:
		return LegacyCreated
	case StateInProgress:
		return LegacyInProgress
	}
	if len(o.Refunds) > 0 {
		return LegacyRefunded
	}
	if o.Fulfilled() == 0 {
		return LegacyCancelled
	}
	return LegacyShipped
}

// Fulfilled returns the number of units shipped.
func (o *Order) Fulfilled() int {
	n := 0
	for i := range o.Items {
		n += o.Items[i].Fulfilled
	}
	return n
}

// Cancelled returns the number of units cancelled.
func (o *Order) Cancelled() int {
	n := 0
	for i := range o.Items {
		n += o.Items[i].Cancelled
	}
	return n
}

// InProgress returns the number of units neither shipped nor cancelled.
func (o *Order) InProgress() int {
	n := 0
	for i := range o.Items {
		n += o.Items[i].InProgress()
	}
	return n
}

// ItemsSubtotal returns the price of all lines before tax.
func (o *Order) ItemsSubtotal() int64 {
	var n int64
	for i := range o.Items {
		n += o.Items[i].Subtotal()
	}
	return n
}

// ItemsTax returns the tax of all lines.
func (o *Order) ItemsTax() int64 {
	var n int64
	for i := range o.Items {
		n += o.Items[i].Tax
	}
	return n
}

// Tax returns the order's tax: items and shipping.
func (o *Order) Tax() int64 { return o.ItemsTax() + o.ShippingOption.Tax }

// Total returns what the buyer pays: items, shipping and tax.
func (o *Order) Total() int64 { return o.ItemsSubtotal() + o.ShippingOption.Price + o.Tax() }

// Captured returns everything the shipments charged.
func (o *Order) Captured() Capture {
	var c Capture
	for _, s := range o.Shipments {
		c.Items += s.Capture.Items
		c.ItemsTax += s.Capture.ItemsTax
		c.Shipping += s.Capture.Shipping
		c.ShippingTax += s.Capture.ShippingTax
	}
	return c
}

// Item returns the line with the given id, or nil.
func (o *Order) Item(id string) *Item {
	for i := range o.Items {
		if o.Items[i].ID == id {
			return &o.Items[i]
		}
	}
	return nil
}

// Clone returns a deep copy, so a command can change it and be discarded
// whole when a rule refuses it.
func (o *Order) Clone() *Order {
	c := *o
	c.Items = slices.Clone(o.Items)
	c.Shipments = slices.Clone(o.Shipments)
	for i := range c.Shipments {
		c.Shipments[i].Items = slices.Clone(c.Shipments[i].Items)
	}
	c.Cancellations = slices.Clone(o.Cancellations)
	for i := range c.Cancellations {
		c.Cancellations[i].Items = slices.Clone(c.Cancellations[i].Items)
	}
	c.Refunds = slices.Clone(o.Refunds)
	for i := range c.Refunds {
		c.Refunds[i].Items = slices.Clone(c.Refunds[i].Items)
	}
	c.Returns = slices.Clone(o.Returns)
	for i := range c.Returns {
		c.Returns[i].Items = slices.Clone(c.Returns[i].Items)
	}
	c.Promotions = slices.Clone(o.Promotions)
	c.Chargebacks = slices.Clone(o.Chargebacks)
	if o.ReleasedAt != nil {
		t := *o.ReleasedAt
		c.ReleasedAt = &t
	}
	if o.AckedAt != nil {
		t := *o.AckedAt
		c.AckedAt = &t
	}
	return &c
}

// NextTimer returns when the order next needs the clock's attention (the
// hold's end, the acknowledgement deadline), or the zero time if never.
func (o *Order) NextTimer() time.Time {
	switch o.State() {
	case StateFBProcessing:
		return o.ReleaseAt
	case StateCreated:
		if !o.AckSLABreached {
			return o.AckDueAt
		}
	}
	return time.Time{}
}
