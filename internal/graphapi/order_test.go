package graphapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

// seedLegacyOrder is the order of the legacy seed's sample response, as
// ordergraph renders it (dates with Graph's +0000 offset).
const seedLegacyOrder = `{
  "items": [
    {
      "fb_product_id": "1747144002010730",
      "retailer_id": "1522693943pages_commerce_sell5ac27737cc5fc7490521823",
      "quantity": 1,
      "price_per_unit": {"amount": "0.55", "currency": "USD"},
      "calculated_tax": {"amount": "0.06", "currency": "USD"},
      "calculated_tax_rate": 0.101
    }
  ],
  "order_status": {"status_code": "IN_PROGRESS"},
  "email": "user@example.com",
  "created": "2018-05-14T23:02:59+0000",
  "last_updated": "2018-05-14T23:03:22+0000",
  "ship_by_date": "2018-05-17",
  "payment_details": {
    "subtotal": {
      "items": {"amount": "0.55", "currency": "USD"},
      "shipping": {"amount": "0.00", "currency": "USD"}
    },
    "tax": {"amount": "0.06", "currency": "USD"},
    "total_amount": {"amount": "0.61", "currency": "USD"},
    "tax_remitted": true
  },
  "selected_shipping_option": {
    "name": "STANDARD (3-5 Business days)",
    "price": {"amount": "0.00", "currency": "USD"},
    "calculated_tax": {"amount": "0.00", "currency": "USD"},
    "estimated_shipping_time": {"min_days": 5, "max_days": 7}
  },
  "shipping_address": {
    "name": "John Smith",
    "street1": "1101 Dexter Ave N",
    "city": "Seattle",
    "state": "WA",
    "postal_code": "98109-3517",
    "country": "US"
  },
  "id": "64000782776004"
}`

func compact(t testing.TB, s string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// listEnv is a test env whose FindOrders returns orders and records the
// filter it was given.
func listEnv(t testing.TB, orders ...*ordergraph.Order) (*testEnv, *ordergraph.OrderFilter) {
	e := newTestEnv(t)
	got := &ordergraph.OrderFilter{}
	e.orders.FindOrdersFunc = func(_ context.Context, f ordergraph.OrderFilter) (*ordergraph.OrderPage, error) {
		*got = f
		return &ordergraph.OrderPage{Orders: orders, Before: "Q1", After: "Q2"}, nil
	}
	return e, got
}

func firstData(t testing.TB, r testResp) string {
	t.Helper()
	var body struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || len(body.Data) == 0 {
		t.Fatalf("no data in %s", r.body)
	}
	return string(body.Data[0])
}

func TestListOrders_LegacySeedSample(t *testing.T) {
	t.Parallel()
	e, got := listEnv(t, sampleOrder())
	// The seed's curl -G -d 'updated_after=1529718360' -d 'status="CREATED,IN_PROGRESS"'.
	q := url.Values{"updated_after": {"1529718360"}, "status": {`"CREATED,IN_PROGRESS"`}, "access_token": {"tok-admin"}}
	r := e.get(t, "/v25.0/"+testPageID+"/commerce_orders?"+q.Encode())
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if diff := cmp.Diff(compact(t, seedLegacyOrder), firstData(t, r)); diff != "" {
		t.Errorf("legacy order (-want +got):\n%s", diff)
	}
	after := time.Unix(1529718360, 0).UTC()
	want := ordergraph.OrderFilter{
		PageID:         testPageID,
		LegacyStatuses: []ordergraph.LegacyStatus{ordergraph.LegacyCreated, ordergraph.LegacyInProgress},
		UpdatedAfter:   &after,
		Limit:          25,
	}
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("filter (-want +got):\n%s", diff)
	}
	if info := e.lastInfo(t); info.Route != "GET /{page_id}/commerce_orders" || info.PageID != testPageID || info.Status != 200 || info.Err != nil {
		t.Errorf("info = %+v", info)
	}
}

func TestListOrders_Filters(t *testing.T) {
	t.Parallel()
	ts := time.Date(2018, 6, 23, 1, 46, 0, 0, time.UTC)
	tests := []struct {
		name  string
		query string
		want  ordergraph.OrderFilter
	}{
		{"DefaultCreated", "", ordergraph.OrderFilter{States: []ordergraph.OrderState{"CREATED"}}},
		{"StateList", "state=created,in_progress", ordergraph.OrderFilter{States: []ordergraph.OrderState{"CREATED", "IN_PROGRESS"}}},
		{"StateJSONArray", `state=["CREATED"]`, ordergraph.OrderFilter{States: []ordergraph.OrderState{"CREATED"}}},
		{"StatusJSONArray", `status=["SHIPPED","REFUNDED"]`, ordergraph.OrderFilter{LegacyStatuses: []ordergraph.LegacyStatus{"SHIPPED", "REFUNDED"}}},
		{"StatusQuotedSingle", `status="SHIPPED"`, ordergraph.OrderFilter{LegacyStatuses: []ordergraph.LegacyStatus{"SHIPPED"}}},
		{"StateWinsOverStatus", `state=COMPLETED&status=SHIPPED`, ordergraph.OrderFilter{States: []ordergraph.OrderState{"COMPLETED"}}},
		{"FiltersLowercase", `state=COMPLETED&filters=has_refunds,no_shipments`, ordergraph.OrderFilter{States: []ordergraph.OrderState{"COMPLETED"}, Filters: []string{"HAS_REFUNDS", "NO_SHIPMENTS"}}},
		{"UpdatedAfterISO", `updated_after=2018-06-23T01:46:00%2B00:00`, ordergraph.OrderFilter{States: []ordergraph.OrderState{"CREATED"}, UpdatedAfter: &ts}},
		{"UpdatedAfterGraphISO", `updated_after=2018-06-23T01:46:00%2B0000&updated_before=1529718360`, ordergraph.OrderFilter{States: []ordergraph.OrderState{"CREATED"}, UpdatedAfter: &ts, UpdatedBefore: &ts}},
		{"LimitClamped", `limit=500`, ordergraph.OrderFilter{States: []ordergraph.OrderState{"CREATED"}, Limit: 100}},
		{"Cursors", `limit=2&after=AAA&before=BBB`, ordergraph.OrderFilter{States: []ordergraph.OrderState{"CREATED"}, Limit: 2, After: "AAA", Before: "BBB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, got := listEnv(t)
			r := e.get(t, "/"+testCMSID+"/commerce_orders?"+tok+"&"+tt.query)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			want := tt.want
			want.PageID = testPageID
			if want.Limit == 0 {
				want.Limit = 25
			}
			if diff := cmp.Diff(want, *got); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
			if r.body != `{"data":[]}` {
				t.Errorf("empty list = %s", r.body)
			}
		})
	}
}

func TestListOrders_BadParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query, wantMsg string
	}{
		{"BadState", "state=SHIPPED", "(#100) Param state[0] must be one of {FB_PROCESSING, CREATED, IN_PROGRESS, COMPLETED}: \"SHIPPED\" is not"},
		{"BadStatus", "status=CREATED,DONE", "(#100) Param status[1] must be one of {FB_PROCESSING, CREATED, IN_PROGRESS, SHIPPED, CANCELLED, REFUNDED}: \"DONE\" is not"},
		{"BadFilter", "filters=has_returns", "(#100) Param filters[0] must be one of {HAS_CANCELLATIONS, NO_CANCELLATIONS, HAS_REFUNDS, NO_REFUNDS, HAS_FULFILLMENTS, NO_SHIPMENTS}: \"has_returns\" is not"},
		{"BadLimit", "limit=0", "(#100) Param limit must be a positive integer (at most 100 orders are returned per page): \"0\" is not"},
		{"NonNumericLimit", "limit=ten", "(#100) Param limit must be a positive integer (at most 100 orders are returned per page): \"ten\" is not"},
		{"BadUpdatedAfter", "updated_after=yesterday", "(#100) Param updated_after must be a Unix timestamp in seconds or an ISO 8601 datetime such as 2018-05-14T23:02:59+0000: \"yesterday\" is not"},
		{"UnknownField", "fields=id,colour", "(#100) Tried accessing nonexisting field (colour) on node type (CommerceOrder)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			e.orders.FindOrdersFunc = func(context.Context, ordergraph.OrderFilter) (*ordergraph.OrderPage, error) {
				t.Error("FindOrders called on a bad request")
				return nil, notFound()
			}
			r := e.get(t, "/"+testPageID+"/commerce_orders?"+tok+"&"+tt.query)
			ge := errorOf(t, r)
			if r.status != 400 || ge.Code != 100 || ge.Type != "OAuthException" || ge.Message != tt.wantMsg {
				t.Errorf("got %d %+v, want message %q", r.status, ge, tt.wantMsg)
			}
		})
	}
}

func TestListOrders_LegacyWithholdsWhileProcessing(t *testing.T) {
	t.Parallel()
	e, _ := listEnv(t, processingOrder())
	r := e.get(t, "/"+testPageID+"/commerce_orders?"+tok+"&status=FB_PROCESSING&fields=id,email,email_remarketing_option,shipping_address,order_status,created")
	got := firstData(t, r)
	want := `{"id":"64000782776004","order_status":{"status_code":"FB_PROCESSING"},"created":"2018-05-14T23:02:59+0000"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Defaults withhold too, and there is no ship_by_date yet.
	r = e.get(t, "/"+testPageID+"/commerce_orders?"+tok+"&status=FB_PROCESSING")
	for _, k := range []string{`"email"`, `"shipping_address"`, `"ship_by_date"`} {
		if strings.Contains(r.body, k) {
			t.Errorf("FB_PROCESSING order shows %s: %s", k, r.body)
		}
	}
}

func TestListOrders_CurrentWithholdsWhileProcessing(t *testing.T) {
	t.Parallel()
	e, _ := listEnv(t, processingOrder())
	r := e.get(t, "/"+testPageID+"/commerce_orders?"+tok+"&state=FB_PROCESSING&fields=id,buyer_details{name,email},shipping_address,order_status")
	want := `{"id":"64000782776004","order_status":{"state":"FB_PROCESSING"}}`
	if got := firstData(t, r); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestListOrders_CurrentDefaultsAndMagentoFields(t *testing.T) {
	t.Parallel()
	e, _ := listEnv(t, sampleOrder())
	r := e.get(t, "/v22.0/"+testCMSID+"/commerce_orders?"+tok+"&state=IN_PROGRESS")
	want := `{"id":"64000782776004","order_status":{"state":"IN_PROGRESS"},"created":"2018-05-14T23:02:59+0000","last_updated":"2018-05-14T23:03:22+0000"}`
	if got := firstData(t, r); got != want {
		t.Errorf("defaults:\ngot  %s\nwant %s", got, want)
	}

	// Magento's list request, spaces inside braces as it sends them.
	fields := "id,buyer_details{name, email, email_remarketing_option, phone_number},channel,created,estimated_payment_details,ship_by_date,order_status,selected_shipping_option{name, reference_id, price, calculated_tax, estimated_shipping_time},shipping_address{first_name, last_name, street1, street2, city, postal_code, state, country},payments,promotion_details{applied_amount, coupon_code, target_granularity, sponsor, campaign_name},last_updated"
	r = e.get(t, "/v22.0/"+testCMSID+"/commerce_orders?"+tok+"&locale=en_US&fields="+url.QueryEscape(fields))
	want = compact(t, `{
	  "id": "64000782776004",
	  "buyer_details": {"name": "John Smith", "email": "user@example.com", "email_remarketing_option": false, "phone_number": "+12065550100"},
	  "channel": "instagram",
	  "created": "2018-05-14T23:02:59+0000",
	  "estimated_payment_details": {
	    "subtotal": {"items": {"amount": "0.55", "currency": "USD"}, "shipping": {"amount": "0.00", "currency": "USD"}},
	    "tax": {"amount": "0.06", "currency": "USD"},
	    "total_amount": {"amount": "0.61", "currency": "USD"},
	    "tax_remitted": true,
	    "facebook_paid_amount": {"amount": "0.00", "currency": "USD"},
	    "buyer_paid_amount": {"amount": "0.61", "currency": "USD"}
	  },
	  "ship_by_date": "2018-05-17",
	  "order_status": {"state": "IN_PROGRESS"},
	  "selected_shipping_option": {
	    "name": "STANDARD (3-5 Business days)", "reference_id": "",
	    "price": {"amount": "0.00", "currency": "USD"}, "calculated_tax": {"amount": "0.00", "currency": "USD"},
	    "estimated_shipping_time": {"min_days": 5, "max_days": 7}
	  },
	  "shipping_address": {"first_name": "John", "last_name": "Smith", "street1": "1101 Dexter Ave N", "city": "Seattle", "postal_code": "98109-3517", "state": "WA", "country": "US"},
	  "payments": {"data": []},
	  "promotion_details": {"data": []},
	  "last_updated": "2018-05-14T23:03:22+0000"
	}`)
	if diff := cmp.Diff(want, firstData(t, r)); diff != "" {
		t.Errorf("magento fields (-want +got):\n%s", diff)
	}
}

func TestGetOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query, want string
	}{
		{"CurrentDefaults", "", `{"id":"64000782776004","order_status":{"state":"IN_PROGRESS"},"created":"2018-05-14T23:02:59+0000","last_updated":"2018-05-14T23:03:22+0000"}`},
		{"UnixDates", "date_format=U&fields=created,last_updated", `{"created":1526338979,"last_updated":1526339002,"id":"64000782776004"}`},
		{"IDAppended", "fields=merchant_order_id,is_test_order", `{"merchant_order_id":"46192","is_test_order":false,"id":"64000782776004"}`},
		{"LegacyFieldSelectsLegacyView", "fields=email,order_status", `{"email":"user@example.com","order_status":{"status_code":"IN_PROGRESS"},"id":"64000782776004"}`},
		{"LegacyItems", "fields=items{fb_product_id,quantity,channel}", `{"items":[{"fb_product_id":"1747144002010730","quantity":1,"channel":"instagram"}],"id":"64000782776004"}`},
		{"ItemsEdge", "fields=items", `{"items":{"data":[{"id":"2082596341811586","retailer_id":"1522693943pages_commerce_sell5ac27737cc5fc7490521823","product_id":"1747144002010730","quantity":1,"price_per_unit":{"amount":"0.55","currency":"USD"}}],"paging":{"cursors":{"before":"b2cxOjIwODI1OTYzNDE4MTE1ODY","after":"b2cxOjIwODI1OTYzNDE4MTE1ODY"}}},"id":"64000782776004"}`},
		{"ItemsEdgeNested", "fields=items.limit(5){%20retailer_id%20,%20tax_details,%20status%20}", `{"items":{"data":[{"retailer_id":"1522693943pages_commerce_sell5ac27737cc5fc7490521823","tax_details":{"estimated_tax":{"amount":"0.06","currency":"USD"},"captured_tax":{"total_tax":{"amount":"0.00","currency":"USD"}}},"status":{"in_progress":1,"fulfilled":0,"cancelled":0},"id":"2082596341811586"}],"paging":{"cursors":{"before":"b2cxOjIwODI1OTYzNDE4MTE1ODY","after":"b2cxOjIwODI1OTYzNDE4MTE1ODY"}}},"id":"64000782776004"}`},
		{"MoneySubfield", "fields=estimated_payment_details{total_amount{amount}}", `{"estimated_payment_details":{"total_amount":{"amount":"0.61"}},"id":"64000782776004"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			r := e.get(t, "/v25.0/"+testOrderID+"?"+tok+"&"+tt.query)
			if r.status != 200 || r.body != tt.want {
				t.Errorf("got %d %s\nwant %s", r.status, r.body, tt.want)
			}
		})
	}
}

func TestGetOrder_UnknownField(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.get(t, "/"+testOrderID+"?"+tok+"&fields=id,foo")
	ge := errorOf(t, r)
	want := graphErr{Message: "(#100) Tried accessing nonexisting field (foo) on node type (CommerceOrder)", Type: "OAuthException", Code: 100, TraceID: testTrace}
	if r.status != 400 || ge != want {
		t.Errorf("got %d %+v", r.status, ge)
	}
	r = e.get(t, "/"+testOrderID+"?"+tok+"&fields=buyer_details{shoe_size}")
	if ge := errorOf(t, r); ge.Message != "(#100) Tried accessing nonexisting field (shoe_size) on node type (BuyerDetails)" {
		t.Errorf("nested unknown field: %+v", ge)
	}
}

func TestListItems(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.get(t, "/"+testOrderID+"/items?"+tok+"&fields=retailer_id,quantity")
	want := `{"data":[{"retailer_id":"1522693943pages_commerce_sell5ac27737cc5fc7490521823","quantity":1,"id":"2082596341811586"}],"paging":{"cursors":{"before":"b2cxOjIwODI1OTYzNDE4MTE1ODY","after":"b2cxOjIwODI1OTYzNDE4MTE1ODY"}}}`
	if r.body != want {
		t.Errorf("got %s", r.body)
	}
}

func TestGetOrder_FieldsAsJSONArray(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.do(t, "GET", "/"+testOrderID+"?"+tok, "application/json", `{"fields":["order_status","items{retailer_id}"]}`)
	want := `{"order_status":{"state":"IN_PROGRESS"},"items":{"data":[{"retailer_id":"1522693943pages_commerce_sell5ac27737cc5fc7490521823","id":"2082596341811586"}],"paging":{"cursors":{"before":"b2cxOjIwODI1OTYzNDE4MTE1ODY","after":"b2cxOjIwODI1OTYzNDE4MTE1ODY"}}},"id":"64000782776004"}`
	if r.body != want {
		t.Errorf("got %s", r.body)
	}
}
