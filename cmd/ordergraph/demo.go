package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// demoPageName names the page `serve --demo` creates, and finds again on a
// database it has already seeded.
const demoPageName = "ordergraph demo"

// demoPage is what `serve --demo` prints.
type demoPage struct {
	Page   *ordergraph.Page
	Token  string // a fresh EDITOR page token
	Reused bool   // the page existed; no orders were added
	Orders int    // orders placed now
	// CreatedOrderID is one CREATED order, for the acknowledge example ("" if none).
	CreatedOrderID string
}

// demoProducts is the demo page's catalog.
var demoProducts = []struct{ retailerID, name, price string }{
	{"tee-black-m", "Classic Tee, Black, M", "19.99"},
	{"tee-white-l", "Classic Tee, White, L", "19.99"},
	{"hoodie-grey-m", "Zip Hoodie, Grey, M", "54.00"},
	{"cap-navy", "Baseball Cap, Navy", "24.50"},
	{"mug-logo", "Logo Mug", "12.50"},
	{"socks-3pk", "Crew Socks, 3 Pack", "14.00"},
	{"tote-canvas", "Canvas Tote Bag", "18.00"},
}

// demoBuyers are the demo's buyers and where they live.
var demoBuyers = []struct {
	first, last, street, city, state, zip string
}{
	{"Ava", "Martinez", "742 Evergreen Terrace", "Springfield", "IL", "62704"},
	{"Noah", "Kim", "1600 Pennsylvania Ave NW", "Washington", "DC", "20500"},
	{"Mia", "Okafor", "221 Baker Street", "Portland", "OR", "97205"},
	{"Liam", "Nguyen", "31 Spooner Street", "Quahog", "RI", "02903"},
	{"Zoe", "Schmidt", "12 Grimmauld Place", "Austin", "TX", "78701"},
	{"Ethan", "Rossi", "350 Fifth Avenue", "New York", "NY", "10118"},
	{"Isla", "Haddad", "4059 Mt Lee Drive", "Los Angeles", "CA", "90068"},
}

// What the demo does to each of its CREATED orders after placing them, so
// that every state and legacy status has orders.
type demoAction int

const (
	demoLeave         demoAction = iota // stays CREATED
	demoAcknowledge                     // IN_PROGRESS
	demoShipPart                        // IN_PROGRESS with a shipment
	demoShipAll                         // COMPLETED, SHIPPED
	demoCancel                          // COMPLETED, CANCELLED
	demoRefundFull                      // COMPLETED, REFUNDED
	demoRefundPartial                   // COMPLETED, REFUNDED (one line, part of its price)
)

// How many orders the demo places in each start state.
const (
	demoCreatedOrders = 30
	demoHeldOrders    = 4 // FB_PROCESSING, with each hold outcome
)

// demoPlan says what happens to CREATED order i.
func demoPlan(i int) demoAction {
	switch {
	case i < 6:
		return demoAcknowledge
	case i < 10:
		return demoShipPart
	case i < 15:
		return demoShipAll
	case i < 18:
		return demoCancel
	case i < 20:
		return demoRefundFull
	case i < 21:
		return demoRefundPartial
	}
	return demoLeave
}

// seedDemo finds or creates the demo page. A new page gets a few dozen
// orders in every state, placed through the sandbox and driven through the
// order service as a seller would; an existing one only gets a fresh token.
func seedDemo(ctx context.Context, st store.Store, sb ordergraph.SandboxService, orders ordergraph.OrderService) (*demoPage, error) {
	page, err := findPageByName(ctx, st, demoPageName)
	if err != nil {
		return nil, err
	}
	demo := &demoPage{Page: page}
	if page != nil {
		demo.Reused = true
		if demo.Token, _, err = sb.CreateToken(ctx, page.ID, ordergraph.RoleEditor, 0); err != nil {
			return nil, fmt.Errorf("create token: %w", err)
		}
	} else {
		if demo.Page, demo.Token, err = sb.CreatePage(ctx, ordergraph.PageSpec{
			Name:            demoPageName,
			Currency:        "USD",
			HandlingDays:    ordergraph.DefaultHandlingDays,
			OrderManagement: ordergraph.ManagedByAPI,
		}); err != nil {
			return nil, fmt.Errorf("create page: %w", err)
		}
		if demo.Orders, err = placeDemoOrders(ctx, demo.Page.ID, sb, orders); err != nil {
			return nil, err
		}
	}
	list, err := orders.FindOrders(ctx, ordergraph.OrderFilter{
		PageID: demo.Page.ID, States: []ordergraph.OrderState{ordergraph.StateCreated}, Limit: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("find a CREATED order: %w", err)
	}
	if len(list.Orders) > 0 {
		demo.CreatedOrderID = list.Orders[0].ID
	}
	return demo, nil
}

// findPageByName returns the first page named name, or nil.
func findPageByName(ctx context.Context, st store.Store, name string) (*ordergraph.Page, error) {
	var found *ordergraph.Page
	err := st.Read(ctx, func(tx store.Tx) error {
		pages, err := tx.PageList(ctx)
		if err != nil {
			return err
		}
		for _, p := range pages {
			if p.Name == name {
				found = p
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	return found, nil
}

// placeDemoOrders places the demo's orders and drives them; it returns how
// many it placed.
func placeDemoOrders(ctx context.Context, pageID string, sb ordergraph.SandboxService, orders ordergraph.OrderService) (int, error) {
	n := 0
	for i := range demoCreatedOrders {
		spec := demoOrderSpec(i)
		spec.StartState = ordergraph.StateCreated
		if demoPlan(i) == demoShipPart && len(spec.Items) < 2 {
			// Shipping the first line must leave another in progress.
			p := demoProducts[(i+3)%len(demoProducts)]
			spec.Items = append(spec.Items, ordergraph.OrderSpecItem{RetailerID: p.retailerID, ProductName: p.name, Quantity: 1, PricePerUnit: p.price, TaxRate: "0.0825"})
		}
		o, err := sb.PlaceOrder(ctx, pageID, spec)
		if err != nil {
			return n, fmt.Errorf("place order %d: %w", i+1, err)
		}
		n++
		if err := driveDemoOrder(ctx, orders, pageID, o, i); err != nil {
			return n, fmt.Errorf("order %s: %w", o.ID, err)
		}
	}
	outcomes := []ordergraph.HoldOutcome{ordergraph.OutcomeRelease, ordergraph.OutcomeRelease, ordergraph.OutcomeFraudCancel, ordergraph.OutcomeBuyerCancel}
	for i := range demoHeldOrders {
		spec := demoOrderSpec(demoCreatedOrders + i)
		spec.StartState = ordergraph.StateFBProcessing
		spec.Outcome = outcomes[i%len(outcomes)]
		if _, err := sb.PlaceOrder(ctx, pageID, spec); err != nil {
			return n, fmt.Errorf("place held order %d: %w", i+1, err)
		}
		n++
	}
	// One buyer changes their mind during the hold.
	o, err := sb.PlaceOrder(ctx, pageID, demoOrderSpec(demoCreatedOrders+demoHeldOrders))
	if err != nil {
		return n, fmt.Errorf("place order to cancel: %w", err)
	}
	n++
	if _, err := sb.BuyerCancel(ctx, pageID, o.ID); err != nil {
		return n, fmt.Errorf("buyer cancel %s: %w", o.ID, err)
	}
	return n, nil
}

// demoOrderSpec returns the checkout of demo order i: one to three lines,
// both channels, some promotions.
func demoOrderSpec(i int) ordergraph.OrderSpec {
	b := demoBuyers[i%len(demoBuyers)]
	spec := ordergraph.OrderSpec{
		Buyer: ordergraph.Buyer{
			Name:                   b.first + " " + b.last,
			Email:                  fmt.Sprintf("%s.%s%d@example.com", lower(b.first), lower(b.last), i+1),
			EmailRemarketingOption: i%3 == 0,
		},
		ShippingAddress: ordergraph.Address{
			Name: b.first + " " + b.last, FirstName: b.first, LastName: b.last,
			Street1: b.street, City: b.city, State: b.state, PostalCode: b.zip, Country: "US",
		},
		Shipping: ordergraph.OrderSpecShipping{Name: "Standard", Price: "4.99", TaxRate: "0", MinDays: 3, MaxDays: 7},
		Channel:  "facebook",
	}
	if i%2 == 0 {
		spec.Channel = "instagram"
	}
	if i%5 == 4 {
		spec.Shipping = ordergraph.OrderSpecShipping{Name: "Express", Price: "12.00", TaxRate: "0", MinDays: 1, MaxDays: 2}
	}
	lines := 1 + (i*7)%3
	for l := range lines {
		p := demoProducts[(i+l*2)%len(demoProducts)]
		spec.Items = append(spec.Items, ordergraph.OrderSpecItem{
			RetailerID:   p.retailerID,
			ProductName:  p.name,
			Quantity:     1 + (i+l)%3,
			PricePerUnit: p.price,
			TaxRate:      "0.0825",
		})
	}
	switch i % 6 {
	case 1:
		spec.Promotions = []ordergraph.OrderSpecPromotion{{Reason: "FREE_SHIPPING", Amount: spec.Shipping.Price}}
	case 4:
		spec.Promotions = []ordergraph.OrderSpecPromotion{{Reason: "FLAT_BUYER_DISCOUNT", Amount: "5.00"}}
	}
	return spec
}

// driveDemoOrder does to CREATED order o what demoPlan(i) says, through the
// order service, as a seller's integration would.
func driveDemoOrder(ctx context.Context, orders ordergraph.OrderService, pageID string, o *ordergraph.Order, i int) error {
	action := demoPlan(i)
	if action == demoLeave {
		return nil
	}
	if _, err := orders.Acknowledge(ctx, ordergraph.AcknowledgeCommand{
		PageID: pageID, OrderID: o.ID, MerchantOrderReference: fmt.Sprintf("DEMO-%04d", i+1),
	}); err != nil {
		return fmt.Errorf("acknowledge: %w", err)
	}
	carriers := []string{"FEDEX", "UPS", "USPS"}
	ship := ordergraph.ShipCommand{
		PageID:  pageID,
		OrderID: o.ID,
		Tracking: ordergraph.Tracking{
			Carrier:            carriers[i%len(carriers)],
			TrackingNumber:     fmt.Sprintf("1Z999AA1%010d", i+1),
			ShippingMethodName: "Standard",
		},
	}
	switch action {
	case demoShipPart:
		first := o.Items[0]
		ship.Items = []ordergraph.ItemQuantity{{RetailerID: first.RetailerID, Quantity: first.Quantity}}
		if _, err := orders.Ship(ctx, ship); err != nil {
			return fmt.Errorf("ship part: %w", err)
		}
	case demoShipAll, demoRefundFull, demoRefundPartial:
		if _, err := orders.Ship(ctx, ship); err != nil {
			return fmt.Errorf("ship: %w", err)
		}
	case demoCancel:
		if _, err := orders.Cancel(ctx, ordergraph.CancelCommand{
			PageID: pageID, OrderID: o.ID, ReasonCode: ordergraph.CancelOutOfStock, ReasonDescription: "Sold out", RestockItems: true,
		}); err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
	}
	switch action {
	case demoRefundFull:
		if _, err := orders.Refund(ctx, ordergraph.RefundCommand{
			PageID: pageID, OrderID: o.ID, ReasonCode: ordergraph.RefundDamagedGoods, ReasonText: "Arrived damaged",
		}); err != nil {
			return fmt.Errorf("refund: %w", err)
		}
	case demoRefundPartial:
		amount := int64(550) // 5.50 of the first line, before tax
		if _, err := orders.Refund(ctx, ordergraph.RefundCommand{
			PageID: pageID, OrderID: o.ID, ReasonCode: ordergraph.RefundWrongItem, ReasonText: "Wrong size",
			Items: []ordergraph.RefundItemRequest{{RetailerID: o.Items[0].RetailerID, Amount: &amount}},
		}); err != nil {
			return fmt.Errorf("partial refund: %w", err)
		}
	}
	return nil
}

// lower returns s in ASCII lower case (the demo's names are ASCII).
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// printDemo prints the demo page's ids and secrets and commands to try.
func printDemo(w io.Writer, baseURL, adminKey string, d *demoPage) {
	what := fmt.Sprintf("created with %d orders", d.Orders)
	if d.Reused {
		what = "found in the database; here is a fresh token"
	}
	order := d.CreatedOrderID
	if order == "" {
		order = "<ORDER_ID>"
	}
	fmt.Fprintf(w, `
ordergraph demo page %s.

  base URL    %s
  page id     %s
  CMS id      %s
  page token  %s   (EDITOR)
  admin key   %s   (sandbox API)

Try it (paste into a shell):

  export BASE=%s PAGE=%s TOKEN=%s ADMIN=%s ORDER=%s

  # CREATED orders waiting for acknowledgement (the list's default)
  curl -s "$BASE/v25.0/$PAGE/commerce_orders?access_token=$TOKEN"

  # the same in the legacy v3.2 projection: asking by status= selects it
  curl -s "$BASE/v25.0/$PAGE/commerce_orders?status=CREATED&access_token=$TOKEN"

  # orders in the other statuses
  curl -s "$BASE/v25.0/$PAGE/commerce_orders?status=IN_PROGRESS,SHIPPED,CANCELLED,REFUNDED&access_token=$TOKEN"

  # acknowledge one
  curl -s -X POST "$BASE/v25.0/$ORDER/acknowledge_order?access_token=$TOKEN" -d merchant_order_reference=MY-1001

  # the page's clock, then 30 minutes later (orders in FB_PROCESSING are released)
  curl -s -H "Authorization: Bearer $ADMIN" "$BASE/sandbox/pages/$PAGE/clock"
  curl -s -X POST -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{"advance":"30m"}' "$BASE/sandbox/pages/$PAGE/clock"

`, what, baseURL, d.Page.ID, d.Page.CMSID, d.Token, adminKey,
		baseURL, d.Page.ID, d.Token, adminKey, order)
}
