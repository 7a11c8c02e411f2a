package graphapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
)

// The two views of an order. The legacy v3.2 view (seed 003) has items
// inline with fb_product_id, email, payment_details and
// order_status{status_code}; the current view has the items edge,
// buyer_details, estimated_payment_details and order_status{state}. Both are
// node type CommerceOrder, as on the platform.
//
// Extending: declare a new sub-type below and add its field to
// currentOrderType (or legacyOrderType) with scalar/obj/list/edge; the
// projection engine, fields= validation and view selection pick it up.
var (
	moneyType        = newType("CurrencyAmount", false)
	estShipTimeType  = newType("EstimatedShippingTime", false)
	subtotalType     = newType("OrderSubtotal", false)
	paymentType      = newType("OrderPaymentDetails", false)
	legacyStatusType = newType("OrderStatus", false)
	currentStateType = newType("OrderStatus", false)
	legacyShipOpt    = newType("SelectedShippingOption", false)
	currentShipOpt   = newType("SelectedShippingOption", false)
	legacyAddress    = newType("ShippingAddress", false)
	currentAddress   = newType("ShippingAddress", false)
	buyerType        = newType("BuyerDetails", false)
	legacyItemType   = newType("CommerceOrderItem", false)
	itemType         = newType("CommerceOrderItem", true)
	itemTaxType      = newType("CommerceOrderItemTaxDetails", false)
	capturedTaxType  = newType("CommerceOrderItemCapturedTax", false)
	itemStatusType   = newType("CommerceOrderItemStatus", false)
	estPaymentType   = newType("OrderEstimatedPaymentDetails", false)

	legacyOrderType  = newType("CommerceOrder", true)
	currentOrderType = newType("CommerceOrder", true)
)

// orderValue is the source of order sub-objects: the order itself (its
// currency and buyer-withholding come from the render context).
func orderValue(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o, true }

func init() {
	declareOrderParts()
	// The objects of the order's edges, each declared in its resource's
	// file, before the order types that point at them.
	declarePromotionTypes()
	declareShipmentTypes()
	declareTransactionTypes()
	declarePaymentTypes()
	declarePayoutTypes()
	declareCancellationTypes()
	declareRefundTypes()
	declareReturnTypes()
	declareOrderTypes()
}

// declareOrderParts declares the structs an order is made of.
func declareOrderParts() {
	// money is a struct of two scalars, for selections like price{amount}.
	moneyType.add(
		scalar("amount", on(func(_ *renderCtx, m object) (any, bool) { return m[0].Value, true })),
		scalar("currency", on(func(_ *renderCtx, m object) (any, bool) { return m[1].Value, true })),
	).setDefaults("amount", "currency")

	estShipTimeType.add(
		scalar("min_days", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.ShippingOption.MinDays, true })),
		scalar("max_days", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.ShippingOption.MaxDays, true })),
	).setDefaults("min_days", "max_days")

	subtotalType.add(
		obj("items", moneyType, on(func(rc *renderCtx, o *ordergraph.Order) (any, bool) { return rc.money(o.ItemsSubtotal()), true })),
		obj("shipping", moneyType, on(func(rc *renderCtx, o *ordergraph.Order) (any, bool) { return rc.money(o.ShippingOption.Price), true })),
	).setDefaults("items", "shipping")

	paymentType.add(
		obj("subtotal", subtotalType, on(orderValue)),
		obj("tax", moneyType, on(func(rc *renderCtx, o *ordergraph.Order) (any, bool) { return rc.money(o.Tax()), true })),
		obj("total_amount", moneyType, on(func(rc *renderCtx, o *ordergraph.Order) (any, bool) { return rc.money(o.Total()), true })),
		scalar("tax_remitted", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.TaxRemitted, true })),
	).setDefaults("subtotal", "tax", "total_amount", "tax_remitted")
	// The current API's estimated_payment_details adds what a platform
	// promotion paid (facebook_paid_amount) and what the buyer paid.
	estPaymentType.add(paymentType.fields...).add(
		obj("facebook_paid_amount", moneyType, on(func(rc *renderCtx, o *ordergraph.Order) (any, bool) { return rc.money(facebookPaid(o)), true })),
		obj("buyer_paid_amount", moneyType, on(func(rc *renderCtx, o *ordergraph.Order) (any, bool) {
			return rc.money(max(0, o.Total()-promotionsTotal(o))), true
		})),
	).setDefaults("subtotal", "tax", "total_amount", "tax_remitted", "facebook_paid_amount", "buyer_paid_amount")

	legacyStatusType.add(
		scalar("status_code", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return string(o.LegacyStatus()), true })),
	).setDefaults("status_code")
	currentStateType.add(
		scalar("state", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return string(o.State()), true })),
	).setDefaults("state")

	shipName := scalar("name", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.ShippingOption.Name, true }))
	shipPrice := obj("price", moneyType, on(func(rc *renderCtx, o *ordergraph.Order) (any, bool) { return rc.money(o.ShippingOption.Price), true }))
	shipTax := obj("calculated_tax", moneyType, on(func(rc *renderCtx, o *ordergraph.Order) (any, bool) { return rc.money(o.ShippingOption.Tax), true }))
	shipTime := obj("estimated_shipping_time", estShipTimeType, on(orderValue))
	legacyShipOpt.add(shipName, shipPrice, shipTax, shipTime).
		setDefaults("name", "price", "calculated_tax", "estimated_shipping_time")
	currentShipOpt.add(shipName,
		// reference_id is a string, never null (Magento reads it as one).
		scalar("reference_id", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.ShippingOption.ReferenceID, true })),
		shipPrice, shipTax, shipTime).
		setDefaults("name", "price", "calculated_tax", "estimated_shipping_time")

	addr := func(get func(a *ordergraph.Address) string) func(*renderCtx, any) (any, bool) {
		return on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return str(get(&o.ShippingAddress)) })
	}
	addrName := scalar("name", addr(func(a *ordergraph.Address) string { return a.Name }))
	addrRest := []*fieldDef{
		scalar("street1", addr(func(a *ordergraph.Address) string { return a.Street1 })),
		scalar("street2", addr(func(a *ordergraph.Address) string { return a.Street2 })),
		scalar("city", addr(func(a *ordergraph.Address) string { return a.City })),
		scalar("state", addr(func(a *ordergraph.Address) string { return a.State })),
		scalar("postal_code", addr(func(a *ordergraph.Address) string { return a.PostalCode })),
		scalar("country", addr(func(a *ordergraph.Address) string { return a.Country })),
	}
	addrDefaults := []string{"name", "street1", "street2", "city", "state", "postal_code", "country"}
	legacyAddress.add(addrName).add(addrRest...).setDefaults(addrDefaults...)
	currentAddress.add(addrName,
		scalar("first_name", addr(func(a *ordergraph.Address) string { return a.FirstName })),
		scalar("last_name", addr(func(a *ordergraph.Address) string { return a.LastName })),
	).add(addrRest...).setDefaults(addrDefaults...)

	buyerType.add(
		scalar("name", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.Buyer.Name, true })),
		scalar("email", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.Buyer.Email, true })),
		scalar("email_remarketing_option", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.Buyer.EmailRemarketingOption, true })),
		scalar("phone_number", on(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return str(o.Buyer.Phone) })),
	).setDefaults("name", "email", "email_remarketing_option")

	item := func(fn func(rc *renderCtx, it *ordergraph.Item) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	itemRetailerID := scalar("retailer_id", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it.RetailerID, true }))
	itemQuantity := scalar("quantity", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it.Quantity, true }))
	itemPrice := obj("price_per_unit", moneyType, item(func(rc *renderCtx, it *ordergraph.Item) (any, bool) { return rc.money(it.PricePerUnit), true }))
	legacyItemType.add(
		scalar("fb_product_id", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it.ProductID, true })),
		itemRetailerID, itemQuantity, itemPrice,
		obj("calculated_tax", moneyType, item(func(rc *renderCtx, it *ordergraph.Item) (any, bool) { return rc.money(it.Tax), true })),
		scalar("calculated_tax_rate", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return taxRate(it.TaxRate) })),
		scalar("channel", item(func(rc *renderCtx, _ *ordergraph.Item) (any, bool) { return channel(rc.order) })),
	).setDefaults("fb_product_id", "retailer_id", "quantity", "price_per_unit", "calculated_tax", "calculated_tax_rate")

	capturedTaxType.add(
		obj("total_tax", moneyType, item(func(rc *renderCtx, it *ordergraph.Item) (any, bool) { return rc.money(it.CapturedTax), true })),
	).setDefaults("total_tax")
	itemTaxType.add(
		// estimated_tax is the tax of the whole line, fixed at checkout.
		obj("estimated_tax", moneyType, item(func(rc *renderCtx, it *ordergraph.Item) (any, bool) { return rc.money(it.Tax), true })),
		obj("captured_tax", capturedTaxType, item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it, true })),
	).setDefaults("estimated_tax", "captured_tax")
	itemStatusType.add(
		scalar("in_progress", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it.InProgress(), true })),
		scalar("fulfilled", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it.Fulfilled, true })),
		scalar("cancelled", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it.Cancelled, true })),
	).setDefaults("in_progress", "fulfilled", "cancelled")
	itemType.add(
		scalar("id", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it.ID, true })),
		itemRetailerID,
		scalar("product_id", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it.ProductID, true })),
		itemQuantity, itemPrice,
		scalar("product_name", item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return str(it.ProductName) })),
		obj("tax_details", itemTaxType, item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it, true })),
		obj("status", itemStatusType, item(func(_ *renderCtx, it *ordergraph.Item) (any, bool) { return it, true })),
		// Every line ships with the order's shipping option.
		obj("selected_shipping_option", currentShipOpt, item(func(rc *renderCtx, _ *ordergraph.Item) (any, bool) { return rc.order, rc.order != nil })),
		// Lines carry no customization here: the field is null, so omitted.
		scalar("customization", item(func(_ *renderCtx, _ *ordergraph.Item) (any, bool) { return nil, false })),
		scalar("ship_by", item(func(rc *renderCtx, _ *ordergraph.Item) (any, bool) {
			if t, ok := shipBy(rc.order); ok {
				return rc.time(t), true
			}
			return nil, false
		})),
		// Promotions apply to the whole order, so a line's list is empty
		// (Magento reads item.promotion_details.data).
		edge("promotion_details", promotionDetailType, item(func(_ *renderCtx, _ *ordergraph.Item) (any, bool) { return []any{}, true })),
	).setDefaults("id", "retailer_id", "product_id", "quantity", "price_per_unit")
}

// declareOrderTypes declares the two views of an order.
func declareOrderTypes() {
	ord := func(fn func(rc *renderCtx, o *ordergraph.Order) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	id := scalar("id", ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.ID, true }))
	created := scalar("created", ord(func(rc *renderCtx, o *ordergraph.Order) (any, bool) { return rc.time(o.Created), true }))
	lastUpdated := scalar("last_updated", ord(func(rc *renderCtx, o *ordergraph.Order) (any, bool) { return rc.time(o.LastUpdated), true }))
	shipBy := scalar("ship_by_date", ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return str(o.ShipByDate) }))
	channelField := scalar("channel", ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return channel(o) }))
	items := func(o *ordergraph.Order) []any {
		out := make([]any, len(o.Items))
		for i := range o.Items {
			out[i] = &o.Items[i]
		}
		return out
	}

	legacyOrderType.add(
		list("items", legacyItemType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return items(o), true })),
		obj("order_status", legacyStatusType, ord(orderValue)),
		scalar("email", ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return str(o.Buyer.Email) })).withhold(),
		scalar("email_remarketing_option", ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return o.Buyer.EmailRemarketingOption, true })).withhold(),
		created, lastUpdated, shipBy,
		obj("payment_details", paymentType, ord(orderValue)),
		obj("selected_shipping_option", legacyShipOpt, ord(orderValue)),
		obj("shipping_address", legacyAddress, ord(orderValue)).withhold(),
		id, channelField,
		// Platform-funded promotions, paid to the seller, and the money
		// the order moved, both in the seed's shape: {"data":[...]}
		// without paging (seed 003, Reimbursements and Transactions).
		edge("reimbursements", reimbursementType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return reimbursements(o), true })).unpaged(),
		edge("transaction_details", legacyTransactionType, ord(func(rc *renderCtx, o *ordergraph.Order) (any, bool) {
			return rc.orderTransactions(o, nil), true
		})).unpaged(),
	).setDefaults("items", "order_status", "email", "created", "last_updated", "ship_by_date",
		"payment_details", "selected_shipping_option", "shipping_address", "id")

	currentOrderType.add(
		id,
		obj("order_status", currentStateType, ord(orderValue)),
		created, lastUpdated,
		obj("buyer_details", buyerType, ord(orderValue)).withhold(),
		channelField,
		scalar("merchant_order_id", ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return str(o.MerchantOrderReference) })),
		shipBy,
		obj("selected_shipping_option", currentShipOpt, ord(orderValue)),
		obj("shipping_address", currentAddress, ord(orderValue)).withhold(),
		obj("estimated_payment_details", estPaymentType, ord(orderValue)),
		edge("items", itemType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return items(o), true })),
		// The platform flags orders placed by test buyers; every order
		// here is real to the seller's integration.
		scalar("is_test_order", ord(func(_ *renderCtx, _ *ordergraph.Order) (any, bool) { return false, true })),
		// Buy-online-pick-up-in-store, group buys and pre-orders do not
		// exist here: false, false, and no pre_order_details (null, so
		// omitted, as Graph omits unset objects).
		scalar("contains_bopis_items", ord(func(_ *renderCtx, _ *ordergraph.Order) (any, bool) { return false, true })),
		scalar("is_group_buy", ord(func(_ *renderCtx, _ *ordergraph.Order) (any, bool) { return false, true })),
		scalar("pre_order_details", ord(func(_ *renderCtx, _ *ordergraph.Order) (any, bool) { return nil, false })),
		edge("shipments", shipmentType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return shipments(o), true })),
		edge("cancellations", cancellationType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return cancellations(o), true })),
		edge("refunds", refundType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return refunds(o), true })),
		edge("returns", returnType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return returns(o), true })),
		edge("payments", orderPaymentType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return payments(o), true })),
		edge("promotion_details", promotionDetailType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return promotionDetails(o), true })),
		// promotions is the deprecated (v22) reimbursement list that
		// promotion_details replaced.
		edge("promotions", reimbursementType, ord(func(_ *renderCtx, o *ordergraph.Order) (any, bool) { return reimbursements(o), true })),
	).setDefaults("id", "order_status", "created", "last_updated")
}

// shipBy returns when the order must ship by: its release plus the page's
// handling days, the instant ship_by_date is the date of.
func shipBy(o *ordergraph.Order) (time.Time, bool) {
	if o == nil || o.ReleasedAt == nil {
		return time.Time{}, false
	}
	days := o.HandlingDays
	if days <= 0 {
		days = ordergraph.DefaultHandlingDays
	}
	return o.ReleasedAt.AddDate(0, 0, days), true
}

// taxRate renders an item's decimal tax rate as a JSON number (0.101).
func taxRate(s string) (any, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return json.Number("0"), true
	}
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return nil, false
	}
	return json.Number(s), true
}

// channel renders the order's channel in lower case ("facebook",
// "instagram"), as integrations compare it strictly.
func channel(o *ordergraph.Order) (any, bool) {
	if o == nil {
		return nil, false
	}
	return str(strings.ToLower(o.Channel))
}

// orderView chooses the order type for a selection: the preferred view,
// unless the selection only makes sense in the other one (fields=email on
// GET /{order_id} renders the legacy view).
func orderView(preferLegacy bool, sel selection) (*objectType, error) {
	first, second := currentOrderType, legacyOrderType
	if preferLegacy {
		first, second = legacyOrderType, currentOrderType
	}
	err := validate(first, sel)
	if err == nil {
		return first, nil
	}
	if validate(second, sel) == nil {
		return second, nil
	}
	return nil, err
}

// renderCtx returns the rendering context of the request (date_format).
func (c *call) renderCtx() (*renderCtx, error) {
	df, err := c.params.root().String("date_format")
	if err != nil {
		return nil, err
	}
	return &renderCtx{unixDates: df == "U", edgeURL: c.nestedEdgeURL}, nil
}

// nestedEdgeURL is the paging.next URL of an edge rendered inside a node:
// the edge's own path on the node, carrying the token, the sub-selection
// as fields, the date format, the limit and the cursor.
func (c *call) nestedEdgeURL(nodeID, edge string, sub selection, limit int, after string) string {
	q := url.Values{}
	if c.rawToken != "" {
		q.Set("access_token", c.rawToken)
	}
	if sub != nil {
		q.Set("fields", formatSelection(sub))
	}
	if df, _ := c.params.root().String("date_format"); df != "" {
		q.Set("date_format", df)
	}
	q.Set("limit", strconv.Itoa(limit))
	q.Set("after", after)
	path := "/" + nodeID + "/" + edge
	if c.version != "" {
		path = "/" + c.version + path
	}
	return c.baseURL() + path + "?" + q.Encode()
}

// formatSelection writes a selection back in fields= syntax.
func formatSelection(sel selection) string {
	var b strings.Builder
	for i, fs := range sel {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(fs.name)
		if fs.limit > 0 {
			b.WriteString(".limit(" + strconv.Itoa(fs.limit) + ")")
		}
		if fs.sub != nil {
			b.WriteString("{" + formatSelection(fs.sub) + "}")
		}
	}
	return b.String()
}

// selection parses the fields parameter, given as a string or as a JSON
// array of field expressions.
func (c *call) selection() (selection, error) {
	if l, ok := c.params["fields"].([]any); ok {
		parts := make([]string, 0, len(l))
		for _, v := range l {
			s, ok := v.(string)
			if !ok {
				return nil, errParam("fields", msgParamString, "fields")
			}
			parts = append(parts, s)
		}
		return parseFields(strings.Join(parts, ","))
	}
	f, err := c.params.root().String("fields")
	if err != nil {
		return nil, err
	}
	return parseFields(f)
}

// getOrder answers GET /{order_id}: the current view, or the legacy one
// when fields names a legacy-only field.
func getOrder(c *call) error {
	sel, err := c.selection()
	if err != nil {
		return err
	}
	typ, err := orderView(false, sel)
	if err != nil {
		return err
	}
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	if err := c.loadTransactions(rc, sel, c.order); err != nil {
		return err
	}
	out, err := rc.withOrder(c.order).project(typ, c.order, sel)
	if err != nil {
		return err
	}
	return c.respond(http.StatusOK, out)
}

// listOrderEdge answers GET /{order_id}/{edge} for the edges the current
// order type declares (items, shipments, cancellations, refunds, payments,
// promotion_details, promotions): the same objects as fields=edge renders,
// paged with cursors, 25 by default.
func listOrderEdge(c *call) error {
	f := currentOrderType.byName[c.edge]
	if f == nil || f.kind != edgeField {
		return errUnsupported(c.method, c.id)
	}
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	rc = rc.withOrder(c.order)
	v, _ := f.value(rc, c.order)
	srcs, _ := v.([]any)
	return c.serveEdge(rc, f, srcs)
}

// serveEdge renders srcs as the list edge f: fields= validated against its
// type (its defaults when absent), then one page by limit/after/before.
func (c *call) serveEdge(rc *renderCtx, f *fieldDef, srcs []any) error {
	sel, err := c.selection()
	if err != nil {
		return err
	}
	if err := validate(f.typ, sel); err != nil {
		return err
	}
	if sel == nil {
		sel = f.defaults
	}
	if rc.order != nil {
		if err := c.loadTransactions(rc, sel, rc.order); err != nil {
			return err
		}
	}
	limit, after, before, err := c.paging()
	if err != nil {
		return err
	}
	page, pi, err := rc.pageOf(f.typ, srcs, limit, after, before)
	if err != nil {
		return err
	}
	data := make([]any, 0, len(page))
	for _, s := range page {
		o, err := rc.project(f.typ, s, sel)
		if err != nil {
			return err
		}
		data = append(data, o)
	}
	return c.respond(http.StatusOK, c.list(data, pi))
}

// Filters of the current API's commerce_orders (values ANDed).
// listOrders answers GET /{page_id|cms_id}/commerce_orders. status (legacy
// statuses) selects the legacy view; state (current states), or neither,
// the current one. Without either, only CREATED orders are listed.
func listOrders(c *call) error {
	root := c.params.root()
	f := ordergraph.OrderFilter{PageID: c.page.ID}
	legacy := false
	switch {
	case root.has("state"):
		states, err := root.EnumList("state", stateNames())
		if err != nil {
			return err
		}
		for _, s := range states {
			f.States = append(f.States, ordergraph.OrderState(s))
		}
	case root.has("status"):
		statuses, err := root.EnumList("status", legacyStatusNames())
		if err != nil {
			return err
		}
		for _, s := range statuses {
			f.LegacyStatuses = append(f.LegacyStatuses, ordergraph.LegacyStatus(s))
		}
		legacy = true
	}
	if len(f.States) == 0 && len(f.LegacyStatuses) == 0 {
		if legacy {
			f.LegacyStatuses = []ordergraph.LegacyStatus{ordergraph.LegacyCreated}
		} else {
			f.States = []ordergraph.OrderState{ordergraph.StateCreated}
		}
	}
	filters, err := root.EnumList("filters", ordergraph.OrderFilters)
	if err != nil {
		return err
	}
	f.Filters = filters
	if f.UpdatedAfter, err = root.Time("updated_after"); err != nil {
		return err
	}
	if f.UpdatedBefore, err = root.Time("updated_before"); err != nil {
		return err
	}
	if f.Limit, f.After, f.Before, err = c.paging(); err != nil {
		return err
	}
	sel, err := c.selection()
	if err != nil {
		return err
	}
	typ, err := orderView(legacy, sel)
	if err != nil {
		return err
	}
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}

	page, err := c.h.cfg.Orders.FindOrders(c.ctx, f)
	if err != nil {
		return fmt.Errorf("find orders: %w", err)
	}
	if page == nil {
		page = &ordergraph.OrderPage{}
	}
	if err := c.loadTransactions(rc, sel, page.Orders...); err != nil {
		return err
	}
	data := make([]any, 0, len(page.Orders))
	for _, o := range page.Orders {
		out, err := rc.withOrder(o).project(typ, o, sel)
		if err != nil {
			return err
		}
		data = append(data, out)
	}
	return c.respond(http.StatusOK, c.list(data, pageInfo{
		before: page.Before, after: page.After, hasNext: page.HasNext, hasPrevious: page.HasPrevious, limit: f.Limit,
	}))
}

func stateNames() []string {
	out := make([]string, len(ordergraph.OrderStates))
	for i, s := range ordergraph.OrderStates {
		out[i] = string(s)
	}
	return out
}

func legacyStatusNames() []string {
	out := make([]string, len(ordergraph.LegacyStatuses))
	for i, s := range ordergraph.LegacyStatuses {
		out[i] = string(s)
	}
	return out
}
