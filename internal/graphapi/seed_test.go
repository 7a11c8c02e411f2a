package graphapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/ordergraphtest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// seedFixture is an in-process ordergraph with one page and the orders the
// seed's sample requests act on.
type seedFixture struct {
	srv   *ordergraphtest.Server
	page  *ordergraph.Page
	token string
	// sample is the seed's sample order (one 0.55 item, 10.1% tax);
	// tees has 3 × fb_tee_001 and 1 × 38383838 (the shipment and refund
	// samples' retailer ids); doomed is cancelled; held stays FB_PROCESSING.
	sample, tees, doomed, held string
}

func newSeedFixture(t *testing.T) *seedFixture {
	t.Helper()
	srv := ordergraphtest.NewServer(t, ordergraphtest.WithSequentialIDs(64000782776000),
		ordergraphtest.WithTime(time.Date(2018, 5, 14, 23, 2, 59, 0, time.UTC)))
	ctx := context.Background()
	page, token, err := srv.Sandbox.CreatePage(ctx, ordergraph.PageSpec{Name: "Seed Shop"})
	if err != nil {
		t.Fatal(err)
	}
	f := &seedFixture{srv: srv, page: page, token: token}
	place := func(s ordergraph.OrderSpec) string {
		t.Helper()
		o, err := srv.Sandbox.PlaceOrder(ctx, page.ID, s)
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	buyer := ordergraph.Buyer{Name: "John Smith", Email: "user@example.com"}
	addr := ordergraph.Address{Name: "John Smith", Street1: "1101 Dexter Ave N", City: "Seattle", State: "WA", PostalCode: "98109-3517", Country: "US"}
	f.sample = place(ordergraph.OrderSpec{
		Items:    []ordergraph.OrderSpecItem{{RetailerID: "1522693943pages_commerce_sell5ac27737cc5fc7490521823", Quantity: 1, PricePerUnit: "0.55", TaxRate: "0.101"}},
		Shipping: ordergraph.OrderSpecShipping{Name: "STANDARD (3-5 Business days)", Price: "0.00", MinDays: 5, MaxDays: 7},
		Buyer:    buyer, ShippingAddress: addr, StartState: ordergraph.StateCreated,
	})
	f.tees = place(ordergraph.OrderSpec{
		Items: []ordergraph.OrderSpecItem{
			{RetailerID: "fb_tee_001", ProductName: "Tee", Quantity: 3, PricePerUnit: "12.00", TaxRate: "0.1"},
			{RetailerID: "38383838", ProductName: "Hoodie", Quantity: 1, PricePerUnit: "20.00", TaxRate: "0.1"},
		},
		Shipping: ordergraph.OrderSpecShipping{Name: "Standard", Price: "4.99", TaxRate: "0.1"},
		Buyer:    buyer, ShippingAddress: addr, Channel: "instagram", StartState: ordergraph.StateCreated,
	})
	f.doomed = place(ordergraph.OrderSpec{
		Items: []ordergraph.OrderSpecItem{{RetailerID: "fb_tee_001", Quantity: 1, PricePerUnit: "12.00"}},
		Buyer: buyer, ShippingAddress: addr, StartState: ordergraph.StateCreated,
	})
	f.held = place(ordergraph.OrderSpec{
		Items: []ordergraph.OrderSpecItem{{RetailerID: "fb_tee_001", Quantity: 1, PricePerUnit: "12.00"}},
		Buyer: buyer, ShippingAddress: addr,
	})
	return f
}

// request is one HTTP call of a transcript.
type request struct {
	method, path string
	form         url.Values        // sent as application/x-www-form-urlencoded
	multipart    map[string]string // sent as multipart/form-data (curl -F)
	json         string            // sent as application/json
	noToken      bool
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (f *seedFixture) do(t *testing.T, r request) response {
	t.Helper()
	u := f.srv.URL + r.path
	if !r.noToken {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "access_token=" + url.QueryEscape(f.token)
	}
	var body io.Reader
	var ctype string
	switch {
	case r.form != nil:
		body, ctype = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
	case r.multipart != nil:
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for k, v := range r.multipart {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
		w.Close()
		body, ctype = &b, w.FormDataContentType()
	case r.json != "":
		body, ctype = strings.NewReader(r.json), "application/json"
	}
	req, err := http.NewRequest(r.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("%s %s: body is not JSON: %s", r.method, r.path, b)
	}
	if trace := resp.Header.Get("x-fb-trace-id"); trace == "" {
		t.Errorf("%s %s: no x-fb-trace-id header", r.method, r.path)
	} else if bytes.Contains(b, []byte(`"fbtrace_id"`)) && !bytes.Contains(b, []byte(`"fbtrace_id":"`+trace+`"`)) {
		t.Errorf("%s %s: fbtrace_id differs from the x-fb-trace-id header %s: %s", r.method, r.path, trace, b)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

var traceRE = regexp.MustCompile(`"fbtrace_id":\s*"[^"]*"`)

// golden compares a response with testdata/<name>.golden: the status line
// and the indented body, with the random fbtrace_id masked.
func golden(t *testing.T, name string, r request, got response) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got.body, "", "  "); err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("%s %s\n%d\n%s\n", r.method, r.path, got.status,
		traceRE.ReplaceAllString(pretty.String(), `"fbtrace_id": "<trace>"`))
	path := filepath.Join("testdata", "seed", name+".golden")
	assertGolden(t, name, path, text)
}

// TestSeedSamples replays every sample request of the legacy v3.2
// reference (seed 003) as written, JSON bodies and curl -F form fields,
// and pins each response in a golden file.
func TestSeedSamples(t *testing.T) {
	f := newSeedFixture(t)
	step := func(name string, r request) response {
		t.Helper()
		f.srv.Clock.Advance(time.Minute) // each call a minute after the last
		got := f.do(t, r)
		golden(t, name, r, got)
		return got
	}
	v := "/v25.0/"
	step("01_list_default_created", request{method: "GET", path: v + f.page.ID + "/commerce_orders?status=CREATED"})
	step("02_acknowledge_order", request{method: "POST", path: v + f.sample + "/acknowledge_order",
		multipart: map[string]string{"merchant_order_reference": "OMS-1001"}})
	step("03_list_sample_request", request{method: "GET", path: v + f.page.ID + `/commerce_orders?updated_after=1529718360&status="CREATED,IN_PROGRESS"`})
	step("03b_list_sample_request_2018", request{method: "GET", path: v + f.page.ID + `/commerce_orders?updated_after=1526338000&status="CREATED,IN_PROGRESS"`})
	step("04_acknowledge_orders", request{method: "POST", path: v + f.page.ID + "/acknowledge_orders",
		json: `{"orders":[{"id":"` + f.tees + `"},{"id":"10100677592885259"}]}`})
	step("05_shipments", request{method: "POST", path: v + f.tees + "/shipments", json: `{
    "items" : [
        {
            "retailer_id" : "fb_tee_001",
            "quantity" : 3
        }
    ],
    "tracking_info" : {
        "tracking_number": "12345abcd",
        "carrier": "FEDEX",
        "shipping_method_name": "2 Day Fedex"
    }
}`})
	step("06_shipments_form", request{method: "POST", path: v + f.tees + "/shipments", form: url.Values{
		"items":         {`[{"retailer_id":"38383838","quantity":1}]`},
		"tracking_info": {`{"tracking_number":"12345abce","carrier":"ups"}`},
	}})
	step("07_refund_order_partial", request{method: "POST", path: v + f.tees + "/refund_order", json: `{
  "items": [
    {
      "retailer_id": "38383838",
      "item_refund": {
        "amount": "5.5",
        "currency": "USD"
      },
      "shipping_refund": {
        "amount": "2.4",
        "currency": "USD"
      }
    }
  ],
  "reason_code": "WRONG_ITEM"
}`})
	step("08_order_after_refund", request{method: "GET", path: v + f.tees + "?fields=id,order_status,items,payment_details,last_updated"})
	step("09_refund_order_full", request{method: "POST", path: v + f.tees + "/refund_order", json: `{"reason_code": "WRONG_ITEM"}`})
	step("10_refund_order_again", request{method: "POST", path: v + f.tees + "/refund_order", json: `{"reason_code": "WRONG_ITEM"}`})

	step("11_acknowledge_doomed", request{method: "POST", path: v + f.doomed + "/acknowledge_order"})
	step("12_cancel_order", request{method: "POST", path: v + f.doomed + "/cancel_order", json: `{
  "order_cancel_reason": {
    "reason_code": "CUSTOMER_REQUESTED",
    "reason_description": "Buyer did not need it anymore"
  }
}`})
	step("13_list_cancelled", request{method: "GET", path: v + f.page.ID + "/commerce_orders?status=CANCELLED,REFUNDED&fields=id,order_status"})
	step("14_product", request{method: "GET", path: v + mustProductID(t, f, f.tees)})
	step("15_held_order_withholds_buyer", request{method: "GET", path: v + f.page.ID + "/commerce_orders?status=FB_PROCESSING"})
}

func mustProductID(t *testing.T, f *seedFixture, orderID string) string {
	t.Helper()
	o, err := f.srv.Orders.FindOrderByID(context.Background(), f.page.ID, orderID)
	if err != nil {
		t.Fatal(err)
	}
	return o.Items[0].ProductID
}

// TestSeedRefusals sends requests the platform refuses, checks each
// answers a Graph error (golden) and that the order read back afterwards
// is exactly as before.
func TestSeedRefusals(t *testing.T) {
	f := newSeedFixture(t)
	ctx := context.Background()
	v := "/v25.0/"
	done, err := f.srv.Sandbox.PlaceOrder(ctx, f.page.ID, ordergraph.OrderSpec{StartState: ordergraph.StateCreated,
		Items: []ordergraph.OrderSpecItem{{RetailerID: "fb_tee_001", Quantity: 2, PricePerUnit: "12.00"}}})
	if err != nil {
		t.Fatal(err)
	}
	shipped := done.ID
	setup := []request{
		{method: "POST", path: v + f.doomed + "/acknowledge_order"},
		{method: "POST", path: v + f.doomed + "/cancel_order", json: `{"order_cancel_reason":{"reason_code":"OUT_OF_STOCK"}}`},
		{method: "POST", path: v + f.tees + "/acknowledge_order"},
		{method: "POST", path: v + f.tees + "/shipments", json: `{"items":[{"retailer_id":"38383838","quantity":1}],"tracking_info":{"carrier":"usps","tracking_number":"9400"}}`},
		{method: "POST", path: v + shipped + "/acknowledge_order"},
		{method: "POST", path: v + shipped + "/shipments", json: `{"tracking_info":{"carrier":"usps","tracking_number":"9401"}}`},
	}
	for _, r := range setup {
		if got := f.do(t, r); got.status != 200 {
			t.Fatalf("setup %s %s: %d %s", r.method, r.path, got.status, got.body)
		}
	}
	ship := `{"items":[{"retailer_id":"fb_tee_001","quantity":1}],"tracking_info":{"carrier":"fedex","tracking_number":"X1"}}`
	cases := []struct {
		name  string
		order string
		r     request
	}{
		{"ship_cancelled_1818111", f.doomed, request{method: "POST", path: v + f.doomed + "/shipments", json: ship}},
		{"refund_cancelled_1818105", f.doomed, request{method: "POST", path: v + f.doomed + "/refund_order", json: `{"reason_code":"WRONG_ITEM"}`}},
		{"cancel_cancelled_1818048", f.doomed, request{method: "POST", path: v + f.doomed + "/cancel_order", json: `{"order_cancel_reason":{"reason_code":"OUT_OF_STOCK"}}`}},
		{"cancel_shipped_1818050", shipped, request{method: "POST", path: v + shipped + "/cancel_order", json: `{"order_cancel_reason":{"reason_code":"OUT_OF_STOCK"}}`}},
		{"ship_shipped_1818214", shipped, request{method: "POST", path: v + shipped + "/shipments", json: ship}},
		{"ship_too_many_1818215", f.tees, request{method: "POST", path: v + f.tees + "/shipments",
			json: `{"items":[{"retailer_id":"fb_tee_001","quantity":4}],"tracking_info":{"carrier":"fedex","tracking_number":"X2"}}`}},
		{"refund_unshipped_line_1818107", f.tees, request{method: "POST", path: v + f.tees + "/refund_order",
			json: `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"fb_tee_001","item_refund":{"amount":"1.00","currency":"USD"}}]}`}},
		{"same_tracking_2382045", f.tees, request{method: "POST", path: v + f.tees + "/shipments", json: `{"tracking_info":{"carrier":"usps","tracking_number":"9400"}}`}},
		{"refund_unknown_retailer_2382021", f.tees, request{method: "POST", path: v + f.tees + "/refund_order",
			json: `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"nope","item_refund":{"amount":"1.00","currency":"USD"}}]}`}},
		{"refund_too_much_3990004", f.tees, request{method: "POST", path: v + f.tees + "/refund_order",
			json: `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"38383838","item_refund":{"amount":"20.01","currency":"USD"}}]}`}},
		{"refund_other_currency", f.tees, request{method: "POST", path: v + f.tees + "/refund_order",
			json: `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"38383838","item_refund":{"amount":"1.00","currency":"EUR"}}]}`}},
		{"refund_bad_reason", f.tees, request{method: "POST", path: v + f.tees + "/refund_order", json: `{"reason_code":"BECAUSE"}`}},
		{"refund_missing_reason", f.tees, request{method: "POST", path: v + f.tees + "/refund_order", json: `{}`}},
		{"ship_unacknowledged_3990002", f.sample, request{method: "POST", path: v + f.sample + "/shipments", json: ship}},
		{"cancel_unacknowledged_3990002", f.sample, request{method: "POST", path: v + f.sample + "/cancel_order", json: `{"order_cancel_reason":{"reason_code":"OUT_OF_STOCK"}}`}},
		{"refund_unshipped_1818107", f.sample, request{method: "POST", path: v + f.sample + "/refund_order", json: `{"reason_code":"WRONG_ITEM"}`}},
		{"ship_bad_carrier", f.sample, request{method: "POST", path: v + f.sample + "/shipments", json: `{"tracking_info":{"carrier":"pigeon","tracking_number":"1"}}`}},
		{"ship_missing_tracking", f.sample, request{method: "POST", path: v + f.sample + "/shipments", json: `{"items":[{"retailer_id":"x","quantity":1}]}`}},
		{"acknowledge_held_3990001", f.held, request{method: "POST", path: v + f.held + "/acknowledge_order"}},
		{"no_token_104", f.sample, request{method: "POST", path: v + f.sample + "/acknowledge_order", noToken: true}},
		{"bad_token_190", f.sample, request{method: "POST", path: v + f.sample + "/acknowledge_order?access_token=EAAnope", noToken: true}},
		{"unknown_field_100", f.sample, request{method: "GET", path: v + f.sample + "?fields=id,shoe_size"}},
		{"unknown_object_33", f.sample, request{method: "POST", path: v + "123456789/acknowledge_order"}},
		{"unknown_edge_33", f.sample, request{method: "POST", path: v + f.sample + "/teleport"}},
		{"bad_status_100", f.sample, request{method: "GET", path: v + f.page.ID + "/commerce_orders?status=LOST"}},
	}
	for _, c := range cases {
		before, err := f.srv.Orders.FindOrderByID(ctx, f.page.ID, c.order)
		if err != nil {
			t.Fatal(err)
		}
		got := f.do(t, c.r)
		if got.status < 400 {
			t.Errorf("%s: status %d, want an error: %s", c.name, got.status, got.body)
		}
		golden(t, "refused_"+c.name, c.r, got)
		after, err := f.srv.Orders.FindOrderByID(ctx, f.page.ID, c.order)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("%s changed the order (-before +after):\n%s", c.name, diff)
		}
	}
	// A token from another page sees nothing of this one.
	other, otherToken, err := f.srv.Sandbox.CreatePage(ctx, ordergraph.PageSpec{Name: "Other Shop"})
	if err != nil {
		t.Fatal(err)
	}
	r := request{method: "GET", path: v + f.sample + "?access_token=" + otherToken, noToken: true}
	got := f.do(t, r)
	golden(t, "refused_other_page_33", r, got)
	r = request{method: "GET", path: v + f.page.ID + "/commerce_orders?access_token=" + otherToken, noToken: true}
	if got := f.do(t, r); got.status != 400 || !bytes.Contains(got.body, []byte(`"error_subcode":33`)) {
		t.Errorf("another page's list: %d %s", got.status, got.body)
	}
	_ = other
}
