package sandbox

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// orderRequest is the body of POST /sandbox/pages/{page_id}/orders: a
// buyer's checkout. Every field but items may be left out for a realistic
// default chosen by the service.
type orderRequest struct {
	Items           []orderItemRequest `json:"items"`
	Shipping        shippingRequest    `json:"shipping"`
	Buyer           buyerRequest       `json:"buyer"`
	ShippingAddress addressRequest     `json:"shipping_address"`
	Channel         string             `json:"channel"`
	Promotions      []promotionRequest `json:"promotions"`
	Outcome         string             `json:"outcome"`
	StartState      string             `json:"start_state"`
}

type orderItemRequest struct {
	RetailerID   string  `json:"retailer_id"`
	ProductName  string  `json:"product_name"`
	Quantity     *int    `json:"quantity"`
	PricePerUnit decimal `json:"price_per_unit"`
	TaxRate      decimal `json:"tax_rate"`
}

type shippingRequest struct {
	Name    string  `json:"name"`
	Price   decimal `json:"price"`
	TaxRate decimal `json:"tax_rate"`
	MinDays *int    `json:"min_days"`
	MaxDays *int    `json:"max_days"`
}

type buyerRequest struct {
	Name                   string `json:"name"`
	Email                  string `json:"email"`
	EmailRemarketingOption bool   `json:"email_remarketing_option"`
	Phone                  string `json:"phone"`
}

type addressRequest struct {
	Name       string `json:"name"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	Street1    string `json:"street1"`
	Street2    string `json:"street2"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

type promotionRequest struct {
	Reason string  `json:"reason"`
	Amount decimal `json:"amount"`
}

// orderResponse answers the calls that create or change one order.
type orderResponse struct {
	Success bool                  `json:"success,omitempty"`
	ID      string                `json:"id"`
	State   ordergraph.OrderState `json:"state"`
}

// Limits of one sandbox call, so a typo cannot ask for a billion units.
const (
	maxOrderLines    = ordergraph.MaxOrderLines
	maxLineQuantity  = ordergraph.MaxLineQuantity
	maxGenerateCount = ordergraph.MaxGenerate
	maxShippingDays  = 365
)

func (h *handler) placeOrder(w http.ResponseWriter, r *http.Request) {
	var req orderRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	spec, err := req.spec()
	if err != nil {
		writeError(w, r, err)
		return
	}
	o, err := h.svc.PlaceOrder(r.Context(), r.PathValue("page_id"), spec)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, orderResponse{ID: o.ID, State: o.State()})
}

// spec validates the request and converts it to the service's OrderSpec.
// Amounts stay decimal strings: only the service knows the page's currency.
func (req orderRequest) spec() (ordergraph.OrderSpec, error) {
	var spec ordergraph.OrderSpec
	if len(req.Items) == 0 {
		return spec, invalidField("items", `items is required: at least one {"retailer_id","quantity","price_per_unit"}.`)
	}
	if len(req.Items) > maxOrderLines {
		return spec, invalidField("items", "an order takes at most %d items, not %d.", maxOrderLines, len(req.Items))
	}
	for i, it := range req.Items {
		line := ordergraph.OrderSpecItem{
			RetailerID:   strings.TrimSpace(it.RetailerID),
			ProductName:  strings.TrimSpace(it.ProductName),
			PricePerUnit: strings.TrimSpace(string(it.PricePerUnit)),
			TaxRate:      strings.TrimSpace(string(it.TaxRate)),
		}
		if it.Quantity != nil {
			if *it.Quantity < 1 || *it.Quantity > maxLineQuantity {
				return spec, invalidField("items", "items[%d].quantity must be between 1 and %d, not %d.", i, maxLineQuantity, *it.Quantity)
			}
			line.Quantity = *it.Quantity
		}
		if err := checkDecimal(fmt.Sprintf("items[%d].price_per_unit", i), line.PricePerUnit); err != nil {
			return spec, err
		}
		if err := checkDecimal(fmt.Sprintf("items[%d].tax_rate", i), line.TaxRate); err != nil {
			return spec, err
		}
		spec.Items = append(spec.Items, line)
	}

	spec.Shipping = ordergraph.OrderSpecShipping{
		Name:    strings.TrimSpace(req.Shipping.Name),
		Price:   strings.TrimSpace(string(req.Shipping.Price)),
		TaxRate: strings.TrimSpace(string(req.Shipping.TaxRate)),
	}
	if err := checkDecimal("shipping.price", spec.Shipping.Price); err != nil {
		return spec, err
	}
	if err := checkDecimal("shipping.tax_rate", spec.Shipping.TaxRate); err != nil {
		return spec, err
	}
	for _, d := range []struct {
		name string
		v    *int
		dst  *int
	}{{"shipping.min_days", req.Shipping.MinDays, &spec.Shipping.MinDays}, {"shipping.max_days", req.Shipping.MaxDays, &spec.Shipping.MaxDays}} {
		if d.v == nil {
			continue
		}
		if *d.v < 0 || *d.v > maxShippingDays {
			return spec, invalidField(d.name, "%s must be between 0 and %d days, not %d.", d.name, maxShippingDays, *d.v)
		}
		*d.dst = *d.v
	}
	if spec.Shipping.MinDays > 0 && spec.Shipping.MaxDays > 0 && spec.Shipping.MinDays > spec.Shipping.MaxDays {
		return spec, invalidField("shipping.min_days", "shipping.min_days (%d) must not be more than shipping.max_days (%d).",
			spec.Shipping.MinDays, spec.Shipping.MaxDays)
	}

	spec.Buyer = ordergraph.Buyer{
		Name:                   strings.TrimSpace(req.Buyer.Name),
		Email:                  strings.TrimSpace(req.Buyer.Email),
		EmailRemarketingOption: req.Buyer.EmailRemarketingOption,
		Phone:                  strings.TrimSpace(req.Buyer.Phone),
	}
	if spec.Buyer.Email != "" && !strings.Contains(spec.Buyer.Email, "@") {
		return spec, invalidField("buyer.email", "buyer.email must be an email address, not %q.", spec.Buyer.Email)
	}
	a := req.ShippingAddress
	spec.ShippingAddress = ordergraph.Address{
		Name: a.Name, FirstName: a.FirstName, LastName: a.LastName, Street1: a.Street1, Street2: a.Street2,
		City: a.City, State: a.State, PostalCode: a.PostalCode, Country: strings.ToUpper(a.Country),
	}

	switch c := strings.ToLower(strings.TrimSpace(req.Channel)); c {
	case "", "facebook", "instagram":
		spec.Channel = c
	default:
		return spec, invalidField("channel", "channel must be \"facebook\" or \"instagram\", not %q.", req.Channel)
	}

	for i, p := range req.Promotions {
		promo := ordergraph.OrderSpecPromotion{
			Reason: strings.ToUpper(strings.TrimSpace(p.Reason)),
			Amount: strings.TrimSpace(string(p.Amount)),
		}
		if err := checkDecimal(fmt.Sprintf("promotions[%d].amount", i), promo.Amount); err != nil {
			return spec, err
		}
		spec.Promotions = append(spec.Promotions, promo)
	}

	switch o := ordergraph.HoldOutcome(strings.ToLower(strings.TrimSpace(req.Outcome))); o {
	case "", ordergraph.OutcomeRelease, ordergraph.OutcomeFraudCancel, ordergraph.OutcomeBuyerCancel:
		spec.Outcome = o
	default:
		return spec, invalidField("outcome", "outcome must be %q, %q or %q, not %q.",
			ordergraph.OutcomeRelease, ordergraph.OutcomeFraudCancel, ordergraph.OutcomeBuyerCancel, req.Outcome)
	}
	st, err := startState(req.StartState)
	if err != nil {
		return spec, err
	}
	spec.StartState = st
	return spec, nil
}

// startState validates a start_state: FB_PROCESSING (the default, "") or
// CREATED, which skips the hold.
func startState(s string) (ordergraph.OrderState, error) {
	switch st := ordergraph.OrderState(strings.ToUpper(strings.TrimSpace(s))); st {
	case "", ordergraph.StateFBProcessing, ordergraph.StateCreated:
		return st, nil
	}
	return "", invalidField("start_state", "start_state must be %q or %q, not %q.",
		ordergraph.StateFBProcessing, ordergraph.StateCreated, s)
}

// checkDecimal checks that s, when set, is a non-negative decimal number
// such as "12.50"; the service checks its precision against the currency.
func checkDecimal(field, s string) error {
	if s == "" {
		return nil
	}
	whole, frac, dot := strings.Cut(s, ".")
	ok := whole != "" && (!dot || frac != "")
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			ok = false
		}
	}
	if !ok {
		return invalidField(field, `%s must be a non-negative decimal number such as "12.50", not %q.`, field, s)
	}
	return nil
}

// generateRequest is the body of POST /sandbox/pages/{page_id}/orders:generate.
type generateRequest struct {
	Count      *int   `json:"count"`
	Seed       int64  `json:"seed"`
	StartState string `json:"start_state"`
}

// generateResponse lists the ids of generated orders.
type generateResponse struct {
	IDs []string `json:"ids"`
}

func (h *handler) generateOrders(w http.ResponseWriter, r *http.Request) {
	var req generateRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if req.Count == nil {
		writeError(w, r, invalidField("count", "count is required: how many orders to generate, 1 to %d.", maxGenerateCount))
		return
	}
	if *req.Count < 1 || *req.Count > maxGenerateCount {
		writeError(w, r, invalidField("count", "count must be between 1 and %d, not %d.", maxGenerateCount, *req.Count))
		return
	}
	st, err := startState(req.StartState)
	if err != nil {
		writeError(w, r, err)
		return
	}
	ids, err := h.svc.GenerateOrders(r.Context(), r.PathValue("page_id"),
		ordergraph.GenerateSpec{Count: *req.Count, Seed: req.Seed, StartState: st})
	if err != nil {
		writeError(w, r, err)
		return
	}
	if ids == nil {
		ids = []string{}
	}
	writeJSON(w, http.StatusCreated, generateResponse{IDs: ids})
}

// buyerCancelRequest is the body of POST /sandbox/orders/{order_id}/buyer_cancel.
// page_id is optional: without it the service finds the order's page.
type buyerCancelRequest struct {
	PageID string `json:"page_id"`
}

func (h *handler) buyerCancel(w http.ResponseWriter, r *http.Request) {
	var req buyerCancelRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	pageID := req.PageID
	if pageID == "" {
		pageID = r.URL.Query().Get("page_id")
	}
	o, err := h.svc.BuyerCancel(r.Context(), pageID, r.PathValue("order_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderResponse{Success: true, ID: o.ID, State: o.State()})
}
