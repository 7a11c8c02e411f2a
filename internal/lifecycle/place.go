package lifecycle

import (
	"fmt"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
)

// Place builds a new order from a buyer's checkout on page at now: amounts
// parsed exactly in the page's currency, each line's tax computed once
// from its rate, and realistic defaults for whatever the spec leaves out.
// productIDs maps each retailer_id to its catalog product id.
func Place(page *ordergraph.Page, spec ordergraph.OrderSpec, now time.Time, newID func() string, productIDs map[string]string) (*ordergraph.Order, []Change, error) {
	cur := page.Currency
	autoAck := page.OrderManagement == ordergraph.ManagedByCommerceManager
	if len(spec.Items) == 0 {
		return nil, nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "items", Message: "(#100) The parameter items is required: give at least one line"}
	}
	if len(spec.Items) > ordergraph.MaxOrderLines {
		return nil, nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "items",
			Message: fmt.Sprintf("(#100) an order takes at most %d lines, got %d", ordergraph.MaxOrderLines, len(spec.Items))}
	}
	o := &ordergraph.Order{
		ID: newID(), PageID: page.ID, Currency: cur, Channel: strings.ToLower(spec.Channel),
		Created: now, LastUpdated: now, ReleaseAt: now.Add(ordergraph.HoldDuration),
		HandlingDays: page.HandlingDays, Outcome: spec.Outcome, TaxRemitted: true,
		Buyer: spec.Buyer, ShippingAddress: spec.ShippingAddress,
	}
	switch o.Channel {
	case "":
		o.Channel = "facebook"
	case "facebook", "instagram":
	default:
		return nil, nil, invalid("channel", "(#100) channel must be one of facebook, instagram; got %q", spec.Channel)
	}
	switch o.Outcome {
	case "":
		o.Outcome = ordergraph.OutcomeRelease
	case ordergraph.OutcomeRelease, ordergraph.OutcomeFraudCancel, ordergraph.OutcomeBuyerCancel:
	default:
		return nil, nil, invalid("outcome", "(#100) outcome must be one of release, fraud_cancel, buyer_cancel; got %q", spec.Outcome)
	}
	for i, si := range spec.Items {
		it, err := placeLine(si, i, cur)
		if err != nil {
			return nil, nil, err
		}
		it.ID = newID()
		it.ProductID = productIDs[it.RetailerID]
		o.Items = append(o.Items, it)
	}
	if err := placeShipping(o, spec.Shipping); err != nil {
		return nil, nil, err
	}
	for _, p := range spec.Promotions {
		if p.Reason == "" {
			return nil, nil, invalid("promotions", "(#100) each promotion needs a reason, e.g. FREE_SHIPPING")
		}
		n, err := ordergraph.ParseAmount(p.Amount, cur)
		if err != nil || n < 0 {
			return nil, nil, invalid("promotions", "(#100) promotion amount %q must be a non-negative decimal in %s", p.Amount, cur)
		}
		o.Promotions = append(o.Promotions, ordergraph.Promotion{Reason: strings.ToUpper(p.Reason), Amount: n, Sponsor: "facebook"})
	}
	defaultBuyer(o)
	changes := []Change{change(ordergraph.EventPlaced, ordergraph.ActorBuyer, map[string]any{"total": o.Total(), "currency": cur})}
	switch spec.StartState {
	case "", ordergraph.StateFBProcessing:
	case ordergraph.StateCreated:
		if o.Outcome != ordergraph.OutcomeRelease {
			return nil, nil, invalid("outcome", "(#100) an order that starts CREATED has passed its hold; outcome must be release")
		}
		o.ReleaseAt = now
		changes = append(changes, Tick(o, now, autoAck, newID)...)
	default:
		return nil, nil, invalid("start_state", "(#100) start_state must be FB_PROCESSING or CREATED; got %q", spec.StartState)
	}
	return o, changes, nil
}

func placeLine(si ordergraph.OrderSpecItem, i int, cur string) (ordergraph.Item, error) {
	it := ordergraph.Item{RetailerID: strings.TrimSpace(si.RetailerID), ProductName: si.ProductName, Quantity: si.Quantity, TaxRate: si.TaxRate}
	if it.RetailerID == "" {
		return it, invalid("items", "(#100) items[%d].retailer_id is required", i)
	}
	if it.ProductName == "" {
		it.ProductName = it.RetailerID
	}
	if it.Quantity == 0 {
		it.Quantity = 1
	}
	if it.Quantity < 0 || it.Quantity > ordergraph.MaxLineQuantity {
		return it, invalid("items", "(#100) items[%d].quantity must be between 1 and %d, got %d", i, ordergraph.MaxLineQuantity, si.Quantity)
	}
	if si.PricePerUnit == "" {
		return it, invalid("items", "(#100) items[%d].price_per_unit is required, a decimal string such as \"12.50\"", i)
	}
	price, err := ordergraph.ParseAmount(si.PricePerUnit, cur)
	if err != nil || price < 0 {
		return it, invalid("items", "(#100) items[%d].price_per_unit %q must be a non-negative decimal in %s", i, si.PricePerUnit, cur)
	}
	it.PricePerUnit = price
	tax, rate, err := applyRate(it.Subtotal(), si.TaxRate)
	if err != nil {
		return it, invalid("items", "(#100) items[%d].tax_rate %q must be a decimal fraction between 0 and 1, such as \"0.0725\"", i, si.TaxRate)
	}
	it.Tax, it.TaxRate = tax, rate
	return it, nil
}

func placeShipping(o *ordergraph.Order, s ordergraph.OrderSpecShipping) error {
	opt := ordergraph.ShippingOption{Name: s.Name, MinDays: s.MinDays, MaxDays: s.MaxDays}
	if opt.Name == "" {
		opt.Name = "Standard"
	}
	if opt.MinDays == 0 && opt.MaxDays == 0 {
		opt.MinDays, opt.MaxDays = 3, 5
	}
	if opt.MinDays < 0 || opt.MaxDays < opt.MinDays {
		return invalid("shipping", "(#100) shipping min_days and max_days must satisfy 0 <= min_days <= max_days")
	}
	opt.ReferenceID = strings.ToLower(strings.ReplaceAll(opt.Name, " ", "_"))
	if s.Price != "" {
		n, err := ordergraph.ParseAmount(s.Price, o.Currency)
		if err != nil || n < 0 {
			return invalid("shipping", "(#100) shipping.price %q must be a non-negative decimal in %s", s.Price, o.Currency)
		}
		opt.Price = n
	}
	tax, rate, err := applyRate(opt.Price, s.TaxRate)
	if err != nil {
		return invalid("shipping", "(#100) shipping.tax_rate %q must be a decimal fraction between 0 and 1", s.TaxRate)
	}
	opt.Tax, opt.TaxRate = tax, rate
	o.ShippingOption = opt
	return nil
}

// applyRate returns amount × rate rounded half up, exactly, and the rate in
// canonical form. rate is a decimal fraction string ("0.101"); "" is 0.
func applyRate(amount int64, rate string) (int64, string, error) {
	if rate == "" {
		return 0, "0", nil
	}
	whole, frac, _ := strings.Cut(rate, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 9 || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, "", fmt.Errorf("bad rate")
	}
	num, den := int64(0), int64(1)
	for _, r := range whole + frac {
		num = num*10 + int64(r-'0')
	}
	for range frac {
		den *= 10
	}
	if num > den {
		return 0, "", fmt.Errorf("rate above 1")
	}
	canon := strings.TrimRight(strings.TrimLeft(whole, "0")+"."+frac, "0")
	canon = strings.TrimSuffix(canon, ".")
	if canon == "" || canon[0] == '.' {
		canon = "0" + canon
	}
	return ordergraph.Prorate(amount, num, den), canon, nil
}

func defaultBuyer(o *ordergraph.Order) {
	b := &o.Buyer
	if b.Name == "" {
		b.Name = "Jane Doe"
	}
	if b.Email == "" {
		b.Email = "buyer" + o.ID[max(0, len(o.ID)-8):] + "@marketplace.facebook.com"
	}
	a := &o.ShippingAddress
	if a.Street1 == "" && a.City == "" {
		*a = ordergraph.Address{Street1: "1101 Dexter Ave N", City: "Seattle", State: "WA", PostalCode: "98109-3517", Country: "US"}
	}
	if a.Name == "" {
		a.Name = b.Name
	}
	if a.FirstName == "" && a.LastName == "" {
		first, last, _ := strings.Cut(a.Name, " ")
		a.FirstName, a.LastName = first, last
	}
}

func invalid(param, format string, args ...any) error {
	return &ordergraph.Error{Code: ordergraph.EINVALID, Param: param, Message: fmt.Sprintf(format, args...)}
}
