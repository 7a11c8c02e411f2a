package graphapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/ordergraphtest"
)

// curFixture is an in-process ordergraph with one API-managed page and the
// orders the current API's tests act on.
type curFixture struct {
	*seedFixture
	// tees: 3 × tee_001 (12.00, 10% tax) and 2 × hoodie_002 (30.00, 10%),
	// shipping 4.99 (10%), a platform FREE_SHIPPING promotion, instagram.
	// mugs: 4 × mug_003 (8.50, 7.25%). Both CREATED. held is FB_PROCESSING.
	tees, mugs, held string
	// line ids of tees and mugs
	tee, hoodie, mug string
}

var curStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func newCurFixture(t *testing.T) *curFixture {
	t.Helper()
	srv := ordergraphtest.NewServer(t, ordergraphtest.WithSequentialIDs(64000900000000), ordergraphtest.WithTime(curStart))
	ctx := context.Background()
	page, token, err := srv.Sandbox.CreatePage(ctx, ordergraph.PageSpec{Name: "Current Shop"})
	if err != nil {
		t.Fatal(err)
	}
	f := &curFixture{seedFixture: &seedFixture{srv: srv, page: page, token: token}}
	buyer := ordergraph.Buyer{Name: "Ada Lovelace", Email: "n8miblde3i@marketplace.facebook.com", Phone: "+442071234567"}
	addr := ordergraph.Address{Name: "Ada Lovelace", Street1: "12 Analytical Row", Street2: "Flat 2", City: "Boston", State: "MA", PostalCode: "02110", Country: "US"}
	place := func(s ordergraph.OrderSpec) *ordergraph.Order {
		t.Helper()
		o, err := srv.Sandbox.PlaceOrder(ctx, page.ID, s)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	tees := place(ordergraph.OrderSpec{
		Items: []ordergraph.OrderSpecItem{
			{RetailerID: "tee_001", ProductName: "Tee", Quantity: 3, PricePerUnit: "12.00", TaxRate: "0.1"},
			{RetailerID: "hoodie_002", ProductName: "Hoodie", Quantity: 2, PricePerUnit: "30.00", TaxRate: "0.1"},
		},
		Shipping: ordergraph.OrderSpecShipping{Name: "Standard", Price: "4.99", TaxRate: "0.1", MinDays: 3, MaxDays: 5},
		Buyer:    buyer, ShippingAddress: addr, Channel: "instagram", StartState: ordergraph.StateCreated,
		Promotions: []ordergraph.OrderSpecPromotion{{Reason: "FREE_SHIPPING", Amount: "4.99"}},
	})
	srv.Clock.Advance(time.Minute)
	mugs := place(ordergraph.OrderSpec{
		Items:    []ordergraph.OrderSpecItem{{RetailerID: "mug_003", ProductName: "Mug", Quantity: 4, PricePerUnit: "8.50", TaxRate: "0.0725"}},
		Shipping: ordergraph.OrderSpecShipping{Name: "Expedited", Price: "9.00"},
		Buyer:    buyer, ShippingAddress: addr, StartState: ordergraph.StateCreated,
	})
	srv.Clock.Advance(time.Minute)
	held := place(ordergraph.OrderSpec{Items: []ordergraph.OrderSpecItem{{RetailerID: "mug_003", Quantity: 1, PricePerUnit: "8.50"}}, Buyer: buyer})
	f.tees, f.mugs, f.held = tees.ID, mugs.ID, held.ID
	f.tee, f.hoodie, f.mug = tees.Items[0].ID, tees.Items[1].ID, mugs.Items[0].ID
	return f
}

// curGolden compares a response with testdata/current/<name>.golden, as
// golden does for the seed: status and indented body, with the random
// fbtrace_id and the test server's address masked.
func (f *curFixture) golden(t *testing.T, name string, r request, got response) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got.body, "", "  "); err != nil {
		t.Fatal(err)
	}
	body := traceRE.ReplaceAllString(pretty.String(), `"fbtrace_id": "<trace>"`)
	body = strings.ReplaceAll(body, f.srv.URL, "http://<server>")
	text := fmt.Sprintf("%s %s\n%d\n%s\n", r.method, r.path, got.status, body)
	path := filepath.Join("testdata", "current", name+".golden")
	assertGolden(t, name, path, text)
}

// step sends r a minute after the previous call and pins its response.
func (f *curFixture) step(t *testing.T, name string, r request) response {
	t.Helper()
	f.srv.Clock.Advance(time.Minute)
	got := f.do(t, r)
	f.golden(t, name, r, got)
	return got
}

// decode decodes a response body.
func decode(t *testing.T, got response) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(got.body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, got.body)
	}
	return m
}

// pathOf returns the path and query of an absolute paging URL, without the
// access token (do adds it back).
func pathOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("access_token")
	return u.Path + "?" + q.Encode()
}

const magentoOrderFields = "id,buyer_details{name, email, email_remarketing_option, phone_number},channel,created,estimated_payment_details,ship_by_date,order_status," +
	"selected_shipping_option{name, reference_id, price, calculated_tax, estimated_shipping_time}," +
	"shipping_address{first_name, last_name, street1, street2, city, postal_code, state, country},payments," +
	"promotion_details{applied_amount, coupon_code, target_granularity, sponsor, campaign_name},last_updated"

// TestCurrentAPI replays the current (item-level) API endpoint by endpoint,
// in the encodings Meta's SDKs, Magento and WooCommerce use, and pins each
// response in a golden file.
func TestCurrentAPI(t *testing.T) {
	f := newCurFixture(t)
	v := "/v25.0/"
	p, cms := f.page.ID, f.page.CMSID

	// Lists.
	f.step(t, "01_list_default_created", request{method: "GET", path: v + p + "/commerce_orders"})
	first := f.step(t, "02_list_state_json_array_limit", request{method: "GET", path: v + cms + `/commerce_orders?state=["created"]&limit=1`})
	next, _ := decode(t, first)["paging"].(map[string]any)["next"].(string)
	if next == "" {
		t.Fatal("no paging.next on a page of 1 of 2 orders")
	}
	f.step(t, "02b_list_next_page", request{method: "GET", path: pathOf(t, next)})
	updatedAfter := strconv.FormatInt(curStart.Add(-180*24*time.Hour).Unix(), 10)
	f.step(t, "03_list_magento_fields", request{method: "GET", path: "/v22.0/" + cms + "/commerce_orders?locale=en_US&limit=25&updated_after=" + updatedAfter +
		"&fields=" + url.QueryEscape(magentoOrderFields)})

	// The order node, every field, and its items.
	all := "id,buyer_details{name,email,email_remarketing_option,phone_number},channel,contains_bopis_items,created,estimated_payment_details," +
		"is_group_buy,is_test_order,last_updated,merchant_order_id,order_status,pre_order_details," +
		"selected_shipping_option{name,reference_id,price,calculated_tax,estimated_shipping_time},ship_by_date," +
		"shipping_address{name,first_name,last_name,street1,street2,city,state,postal_code,country}," +
		"items{id,retailer_id,product_id,quantity,price_per_unit,product_name,tax_details,status,selected_shipping_option,customization,ship_by,promotion_details}," +
		"shipments,cancellations,refunds,returns,payments,promotion_details,promotions"
	f.step(t, "04_order_every_field", request{method: "GET", path: v + f.tees + "?fields=" + url.QueryEscape(all)})
	f.step(t, "05_order_items_limit", request{method: "GET", path: v + f.tees + "?fields=" + url.QueryEscape("items.limit(1){id,status}")})
	items := f.step(t, "06_items_edge_page_1", request{method: "GET", path: v + f.tees + "/items?fields=id,retailer_id,quantity,tax_details,status&limit=1"})
	next, _ = decode(t, items)["paging"].(map[string]any)["next"].(string)
	f.step(t, "06b_items_edge_page_2", request{method: "GET", path: pathOf(t, next)})

	// Acknowledge, with a replay.
	ack := request{method: "POST", path: v + f.tees + "/acknowledge_order", json: `{"idempotency_key":"7b1d0c0e-ack-1","merchant_order_reference":"OMS-1001"}`}
	f.step(t, "07_acknowledge_order", ack)
	f.step(t, "08_acknowledge_order_replay", ack)

	// Shipments: by item_id as Magento sends them (form, JSON values,
	// brackets, 1/0 booleans), then Magento's shipment without tracking.
	f.step(t, "09_ship_by_item_id_magento", request{method: "POST", path: "/v22.0/" + f.tees + "/shipments", form: url.Values{
		"locale": {"en_US"}, "external_shipment_id": {"MAG_1001"}, "idempotency_key": {"6650f0c5d1a2b"},
		"items":         {`[{"item_id":"` + f.tee + `","quantity":2.0}]`},
		"tracking_info": {`{"tracking_number":"1Z999AA10123456784","carrier":"UPS","shipping_method_name":"UPS Ground"}`},
		"should_use_default_fulfillment_location":       {"0"},
		"fulfillment[fulfillment_address][street_1]":    {"1 Warehouse Way"},
		"fulfillment[fulfillment_address][city]":        {"Austin"},
		"fulfillment[fulfillment_address][state]":       {"TX"},
		"fulfillment[fulfillment_address][country]":     {"US"},
		"fulfillment[fulfillment_address][postal_code]": {"78701"},
	}})
	f.step(t, "10_ship_other_without_tracking", request{method: "POST", path: "/v22.0/" + f.tees + "/shipments", form: url.Values{
		"external_shipment_id": {"MAG_1002"}, "idempotency_key": {"6650f0c5d1a2c"},
		"items":         {`[{"retailer_id":"hoodie_002","quantity":1}]`},
		"tracking_info": {`{"tracking_number":"","carrier":"OTHER"}`}, "should_use_default_fulfillment_location": {"1"},
	}})
	f.step(t, "11_shipments", request{method: "GET", path: v + f.tees + "/shipments?fields=id,external_shipment_id,items,tracking_info"})
	f.step(t, "12_update_shipment", request{method: "POST", path: "/v22.0/" + f.tees + "/update_shipment", form: url.Values{
		"idempotency_key": {"6650f0c5d1a2d"}, "external_shipment_id": {"MAG_1002"},
		"tracking_info": {`{"tracking_number":"9400100000000000000000","carrier":"usps"}`},
	}})
	f.step(t, "13_update_shipment_unchanged_2382045", request{method: "POST", path: "/v22.0/" + f.tees + "/update_shipment", form: url.Values{
		"idempotency_key": {"6650f0c5d1a2e"}, "external_shipment_id": {"MAG_1002"},
		"tracking_info": {`{"tracking_number":"9400100000000000000000","carrier":"USPS"}`},
	}})

	// Cancellations: one tee, in PHP bracket form as Magento sends it.
	f.step(t, "14_cancellations_brackets", request{method: "POST", path: "/v22.0/" + f.tees + "/cancellations", form: url.Values{
		"idempotency_key": {"6650f0c5d1a2f"}, "cancel_reason[reason_code]": {"out_of_stock"},
		"cancel_reason[reason_description]": {"Canceled from Magento"}, "restock_items": {"1"},
		"items": {`[{"retailer_id":"tee_001","quantity":1}]`},
	}})
	f.step(t, "15_cancellations", request{method: "GET", path: v + f.tees + "/cancellations"})

	// Refunds: by amount and by quantity with shipping and a deduction;
	// the same key again with another body; Magento's adjustment.
	refund := `{"reason_code":"damaged_goods","idempotency_key":"cb090e84-e75a-9a34-45d3-5153bec88b65","reason_text":"Arrived torn",
		"items":[{"item_id":"` + f.tee + `","item_refund_amount":{"amount":5.5,"currency":"USD"}},{"retailer_id":"hoodie_002","item_refund_quantity":1}],
		"shipping":{"shipping_refund":{"amount":"1.00","currency":"USD"}},
		"deductions":[{"deduction_type":"return_shipping","deduction_amount":{"amount":"2.00","currency":"USD"}}]}`
	f.step(t, "16_refunds_amount_quantity_shipping_deduction", request{method: "POST", path: v + f.tees + "/refunds", json: refund})
	f.step(t, "16b_refunds_replay", request{method: "POST", path: v + f.tees + "/refunds", json: refund})
	f.step(t, "17_refunds_key_reused_3990007", request{method: "POST", path: v + f.tees + "/refunds",
		json: `{"reason_code":"WRONG_ITEM","idempotency_key":"cb090e84-e75a-9a34-45d3-5153bec88b65"}`})
	f.step(t, "18_refunds_magento_adjustment", request{method: "POST", path: "/v22.0/" + f.tees + "/refunds", form: url.Values{
		"idempotency_key": {"6650f0c5d1a30"}, "reason_code": {"REFUND_REASON_OTHER"}, "items": {`[]`},
		"shipping":                    {`{"shipping_refund":{"amount":null,"currency":"USD"}}`},
		"adjustment_amount[amount]":   {"4.99"},
		"adjustment_amount[currency]": {"USD"},
	}})
	f.step(t, "19_refunds_magento_fields", request{method: "GET", path: "/v22.0/" + f.tees + "/refunds?fields=" +
		url.QueryEscape("id,items{product_id,retailer_id,refund_subtotal,quantity},refund_reason,refund_amount{subtotal,shipping,tax,total,amount,currency}")})
	f.step(t, "20_refunds_defaults", request{method: "GET", path: v + f.tees + "/refunds"})

	// The rest cancelled: the order completes.
	f.step(t, "21_cancellations_rest", request{method: "POST", path: v + f.tees + "/cancellations", json: `{"idempotency_key":"k-cancel-rest"}`})

	// Returns.
	created := f.step(t, "22_returns_create", request{method: "POST", path: v + f.tees + "/returns",
		json: `{"items":[{"item_id":"` + f.tee + `","quantity":1,"reason":"too_small"}],"merchant_return_id":"RMA-12345","return_message":"Too small by two sizes."}`})
	ret, _ := decode(t, created)["id"].(string)
	if ret == "" {
		t.Fatalf("returns answered no id: %s", created.body)
	}
	f.step(t, "23_order_returns_by_status", request{method: "GET", path: v + f.tees + `/returns?statuses=["requested"]&fields=id,return_status,merchant_return_id,item_return_quantities,item_return_reasons`})
	f.step(t, "24_return_node", request{method: "GET", path: v + ret + "?fields=" +
		url.QueryEscape("id,return_status,return_message,merchant_return_id,item_return_quantities,item_return_reasons,return_buyer_images,items{id,retailer_id,quantity},order,notes")})
	f.step(t, "25_update_return_accept", request{method: "POST", path: v + ret + "/update_return", form: url.Values{
		"update_event": {"accept_return"}, "notes": {"Label emailed"},
		"return_shipping_labels": {`[{"carrier":"usps","service_name":"Ground","tracking_number":"9400200","cost":{"amount":"5.00","currency":"USD"}}]`},
	}})
	f.step(t, "26_page_returns", request{method: "GET", path: v + p + "/returns?fields=" + url.QueryEscape("id,return_status,merchant_return_id,order{id,order_status}")})
	f.step(t, "27_cms_returns_filtered", request{method: "GET", path: v + cms + "/returns?statuses=APPROVED&merchant_return_id=RMA-12345&start_time_created=" +
		strconv.FormatInt(curStart.Unix(), 10)})
	f.step(t, "28_refund_for_return", request{method: "POST", path: v + f.tees + "/refunds",
		json: `{"reason_code":"REFUND_FOR_RETURN","return_id":"` + ret + `","idempotency_key":"k-refund-return"}`})
	f.step(t, "29_return_refunded", request{method: "GET", path: v + ret + "?fields=return_status,notes"})

	// Money edges.
	f.step(t, "30_payments", request{method: "GET", path: v + f.tees + "/payments"})
	f.step(t, "31_promotion_details", request{method: "GET", path: v + f.tees + "/promotion_details"})
	f.step(t, "32_promotions", request{method: "GET", path: v + f.tees + "/promotions"})
	f.step(t, "33_list_filters", request{method: "GET", path: v + p + "/commerce_orders?state=CREATED,IN_PROGRESS,COMPLETED&filters=has_refunds,HAS_CANCELLATIONS&fields=id,order_status"})

	// item_updates: a snapshot, sent twice.
	f.step(t, "34_acknowledge_mugs", request{method: "POST", path: v + f.mugs + "/acknowledge_order", json: `{"idempotency_key":"k-ack-mugs"}`})
	snapshot := `{"merchant_order_reference":46193,"items":[{"item_id":"` + f.mug + `","fulfill_quantity":2,"cancel_quantity":1,"refund_quantity":1,
		"tracking_info":[{"carrier":"fedex","tracking_number":"FX100"}],"cancel_reason":{"reason_code":"OUT_OF_STOCK"},
		"refund_reason":{"reason_code":"quality_issue","reason_description":"Chipped"}}]}`
	f.step(t, "35_item_updates", request{method: "POST", path: v + f.mugs + "/item_updates", json: snapshot})
	f.step(t, "36_item_updates_again", request{method: "POST", path: v + f.mugs + "/item_updates", json: snapshot})
	f.step(t, "37_mugs_after_snapshot", request{method: "GET", path: v + f.mugs + "?fields=" +
		url.QueryEscape("order_status,merchant_order_id,items{status},shipments{items,tracking_info},cancellations,refunds{refund_reason,refund_amount{total}}")})

	// Page and commerce merchant settings.
	f.step(t, "38_page_cms_lookup", request{method: "GET", path: "/v22.0/" + p + "?fields=commerce_merchant_settings&locale=en_US"})
	f.step(t, "39_page_cms_edge", request{method: "GET", path: v + p + "/commerce_merchant_settings?fields=id,display_name,merchant_status"})
	f.step(t, "40_cms_node", request{method: "GET", path: v + cms + "?fields=" +
		url.QueryEscape("id,display_name,merchant_status,merchant_page,checkout_message,contact_email,review_rejection_messages,review_rejection_reasons")})
	f.step(t, "41_order_management_apps", request{method: "GET", path: v + cms + "/order_management_apps"})
	f.step(t, "42_register_order_management_app", request{method: "POST", path: v + cms + "/order_management_apps"})
}

// TestCurrentAPI_Refusals sends requests the current API refuses, checks
// each answers a Graph error (golden) and leaves the order as it was.
func TestCurrentAPI_Refusals(t *testing.T) {
	f := newCurFixture(t)
	ctx := context.Background()
	v := "/v25.0/"
	cancelled, err := f.srv.Sandbox.PlaceOrder(ctx, f.page.ID, ordergraph.OrderSpec{StartState: ordergraph.StateCreated,
		Items: []ordergraph.OrderSpecItem{{RetailerID: "tee_001", Quantity: 1, PricePerUnit: "12.00"}}})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := f.srv.Sandbox.PlaceOrder(ctx, f.page.ID, ordergraph.OrderSpec{StartState: ordergraph.StateCreated,
		Items: []ordergraph.OrderSpecItem{{RetailerID: "tee_001", Quantity: 1, PricePerUnit: "12.00"}}})
	if err != nil {
		t.Fatal(err)
	}
	setup := []request{
		{method: "POST", path: v + f.tees + "/acknowledge_order"},
		{method: "POST", path: v + f.tees + "/shipments", json: `{"items":[{"retailer_id":"tee_001","quantity":3}],"tracking_info":{"carrier":"fedex","tracking_number":"FX1"}}`},
		{method: "POST", path: v + f.tees + "/returns", json: `{"items":[{"retailer_id":"tee_001","quantity":1}]}`},
		{method: "POST", path: v + f.mugs + "/acknowledge_order"},
		{method: "POST", path: v + f.mugs + "/item_updates", json: `{"merchant_order_reference":"OMS-2","items":[{"item_id":"` + f.mug + `","fulfill_quantity":2,"cancel_quantity":0,"refund_quantity":0}]}`},
		{method: "POST", path: v + cancelled.ID + "/acknowledge_order"},
		{method: "POST", path: v + cancelled.ID + "/cancellations", json: `{"idempotency_key":"k-c1"}`},
	}
	for _, r := range setup {
		if got := f.do(t, r); got.status != 200 {
			t.Fatalf("setup %s %s: %d %s", r.method, r.path, got.status, got.body)
		}
	}
	o, err := f.srv.Orders.FindOrderByID(ctx, f.page.ID, f.tees)
	if err != nil {
		t.Fatal(err)
	}
	ret := o.Returns[0].ID
	refundItems := func(items string) string {
		return `{"reason_code":"WRONG_ITEM","idempotency_key":"k-r","items":[` + items + `]}`
	}
	cases := []struct {
		name  string
		order string
		r     request
	}{
		{"cancellations_missing_key_100", f.tees, request{method: "POST", path: v + f.tees + "/cancellations", json: `{"items":[{"retailer_id":"hoodie_002","quantity":1}]}`}},
		{"refunds_missing_key_100", f.tees, request{method: "POST", path: v + f.tees + "/refunds", json: `{"reason_code":"WRONG_ITEM"}`}},
		{"update_shipment_missing_key_100", f.tees, request{method: "POST", path: v + f.tees + "/update_shipment",
			json: `{"external_shipment_id":"x","tracking_info":{"carrier":"ups","tracking_number":"1Z"}}`}},
		{"update_shipment_unknown_3990014", f.tees, request{method: "POST", path: v + f.tees + "/update_shipment",
			json: `{"shipment_id":"123","idempotency_key":"k-u","tracking_info":{"carrier":"ups","tracking_number":"1Z"}}`}},
		{"refunds_quantity_and_amount_100", f.tees, request{method: "POST", path: v + f.tees + "/refunds",
			json: refundItems(`{"retailer_id":"tee_001","item_refund_quantity":1,"item_refund_amount":{"amount":"1.00","currency":"USD"}}`)}},
		{"refunds_both_ids_100", f.tees, request{method: "POST", path: v + f.tees + "/refunds",
			json: refundItems(`{"retailer_id":"tee_001","item_id":"` + f.tee + `","item_refund_quantity":1}`)}},
		{"refunds_bad_reason_100", f.tees, request{method: "POST", path: v + f.tees + "/refunds", json: `{"reason_code":"BECAUSE","idempotency_key":"k-r"}`}},
		{"refunds_other_currency_3990009", f.tees, request{method: "POST", path: v + f.tees + "/refunds",
			json: refundItems(`{"retailer_id":"tee_001","item_refund_amount":{"amount":"1.00","currency":"EUR"}}`)}},
		{"refunds_bad_deduction_type_100", f.tees, request{method: "POST", path: v + f.tees + "/refunds",
			json: `{"reason_code":"WRONG_ITEM","idempotency_key":"k-r","deductions":[{"deduction_type":"RESTOCKING","deduction_amount":{"amount":"1.00","currency":"USD"}}]}`}},
		{"refunds_unknown_retailer_2382021", f.tees, request{method: "POST", path: v + f.tees + "/refunds",
			json: refundItems(`{"retailer_id":"nope","item_refund_quantity":1}`)}},
		{"refunds_unshipped_line_1818107", f.tees, request{method: "POST", path: v + f.tees + "/refunds",
			json: refundItems(`{"retailer_id":"hoodie_002","item_refund_quantity":1}`)}},
		{"refunds_cancelled_1818105", cancelled.ID, request{method: "POST", path: v + cancelled.ID + "/refunds", json: `{"reason_code":"WRONG_ITEM","idempotency_key":"k-r"}`}},
		{"cancellations_cancelled_1818048", cancelled.ID, request{method: "POST", path: v + cancelled.ID + "/cancellations", json: `{"idempotency_key":"k-c2"}`}},
		{"cancellations_processing_3990001", f.held, request{method: "POST", path: v + f.held + "/cancellations", json: `{"idempotency_key":"k-c3"}`}},
		{"cancellations_unacknowledged_3990002", fresh.ID, request{method: "POST", path: v + fresh.ID + "/cancellations", json: `{"idempotency_key":"k-c3"}`}},
		{"refunds_unacknowledged_1818107", fresh.ID, request{method: "POST", path: v + fresh.ID + "/refunds", json: `{"reason_code":"WRONG_ITEM","idempotency_key":"k-r"}`}},
		{"item_updates_unacknowledged_3990002", fresh.ID, request{method: "POST", path: v + fresh.ID + "/item_updates",
			json: `{"merchant_order_reference":"OMS-4","items":[{"item_id":"` + fresh.Items[0].ID + `","fulfill_quantity":1,"cancel_quantity":0,"refund_quantity":0}]}`}},
		{"cancellations_bad_reason_100", f.tees, request{method: "POST", path: v + f.tees + "/cancellations", json: `{"idempotency_key":"k-c4","cancel_reason":{"reason_code":"BORED"}}`}},
		{"shipments_fulfillment_both_100", f.tees, request{method: "POST", path: v + f.tees + "/shipments",
			json: `{"tracking_info":{"carrier":"ups","tracking_number":"1Z2"},"fulfillment":{"fulfillment_location_id":"1","fulfillment_address":{"street_1":"a","city":"b","country":"US","postal_code":"1"}}}`}},
		{"shipments_bad_external_id_100", f.tees, request{method: "POST", path: v + f.tees + "/shipments",
			json: `{"external_shipment_id":"MAG-1","tracking_info":{"carrier":"ups","tracking_number":"1Z3"}}`}},
		{"shipments_item_by_both_ids_100", f.tees, request{method: "POST", path: v + f.tees + "/shipments",
			json: `{"items":[{"item_id":"` + f.hoodie + `","retailer_id":"hoodie_002","quantity":1}],"tracking_info":{"carrier":"ups","tracking_number":"1Z4"}}`}},
		{"returns_missing_items_100", f.tees, request{method: "POST", path: v + f.tees + "/returns", json: `{"merchant_return_id":"RMA-9"}`}},
		{"returns_unshipped_3990011", cancelled.ID, request{method: "POST", path: v + cancelled.ID + "/returns", json: `{"items":[{"retailer_id":"tee_001","quantity":1}]}`}},
		{"returns_too_many_1818215", f.tees, request{method: "POST", path: v + f.tees + "/returns", json: `{"items":[{"retailer_id":"tee_001","quantity":3}]}`}},
		{"update_return_bad_event_100", f.tees, request{method: "POST", path: v + ret + "/update_return", json: `{"update_event":"LOSE_RETURN"}`}},
		{"update_return_missing_event_100", f.tees, request{method: "POST", path: v + ret + "/update_return", json: `{}`}},
		{"update_return_unknown_return_33", f.tees, request{method: "POST", path: v + "123456789/update_return", json: `{"update_event":"ACCEPT_RETURN"}`}},
		{"return_unknown_field_100", f.tees, request{method: "GET", path: v + ret + "?fields=id,shoe_size"}},
		{"item_updates_missing_reference_100", f.mugs, request{method: "POST", path: v + f.mugs + "/item_updates", json: `{"items":[{"item_id":"` + f.mug + `","fulfill_quantity":2,"cancel_quantity":0,"refund_quantity":0}]}`}},
		{"item_updates_missing_quantity_100", f.mugs, request{method: "POST", path: v + f.mugs + "/item_updates", json: `{"merchant_order_reference":"OMS-2","items":[{"item_id":"` + f.mug + `","fulfill_quantity":2}]}`}},
		{"item_updates_backwards_3990015", f.mugs, request{method: "POST", path: v + f.mugs + "/item_updates", json: `{"merchant_order_reference":"OMS-2","items":[{"item_id":"` + f.mug + `","fulfill_quantity":1,"cancel_quantity":0,"refund_quantity":0}]}`}},
		{"item_updates_other_reference_3990003", f.mugs, request{method: "POST", path: v + f.mugs + "/item_updates", json: `{"merchant_order_reference":"OMS-3","items":[{"item_id":"` + f.mug + `","fulfill_quantity":2,"cancel_quantity":0,"refund_quantity":0}]}`}},
		{"edge_bad_cursor_100", f.tees, request{method: "GET", path: v + f.tees + "/shipments?after=garbage"}},
		{"order_unknown_edge_field_100", f.tees, request{method: "GET", path: v + f.tees + "?fields=refunds{refund_amount{fee}}"}},
		{"list_bad_filter_100", f.tees, request{method: "GET", path: v + f.page.ID + "/commerce_orders?filters=has_everything"}},
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
		f.golden(t, "refused_"+c.name, c.r, got)
		after, err := f.srv.Orders.FindOrderByID(ctx, f.page.ID, c.order)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("%s changed the order (-before +after):\n%s", c.name, diff)
		}
	}
}

// itemStatus is an item's status breakdown.
type itemStatus struct{ InProgress, Fulfilled, Cancelled int }

// TestCurrentAPI_Lifecycle drives one order through the current API only:
// list CREATED, acknowledge, ship part of it by item_id, cancel the rest,
// refund part of a shipped item, return a unit, accept the return and
// refund it. After each step it reads the order back and checks its state
// and every item's status breakdown.
func TestCurrentAPI_Lifecycle(t *testing.T) {
	f := newCurFixture(t)
	v := "/v25.0/"
	o := f.tees
	check := func(step string, wantState string, want map[string]itemStatus) {
		t.Helper()
		got := f.do(t, request{method: "GET", path: v + o + "?fields=order_status,items{status}"})
		var body struct {
			OrderStatus struct{ State string } `json:"order_status"`
			Items       struct {
				Data []struct {
					ID     string
					Status struct {
						InProgress int `json:"in_progress"`
						Fulfilled  int
						Cancelled  int
					}
				}
			}
		}
		if err := json.Unmarshal(got.body, &body); err != nil {
			t.Fatalf("%s: %v: %s", step, err, got.body)
		}
		if body.OrderStatus.State != wantState {
			t.Errorf("%s: state %s, want %s", step, body.OrderStatus.State, wantState)
		}
		gotStatus := map[string]itemStatus{}
		for _, it := range body.Items.Data {
			gotStatus[it.ID] = itemStatus(it.Status)
		}
		if diff := cmp.Diff(want, gotStatus); diff != "" {
			t.Errorf("%s: item status (-want +got):\n%s", step, diff)
		}
	}
	post := func(step, edge, body string) map[string]any {
		t.Helper()
		f.srv.Clock.Advance(time.Minute)
		got := f.do(t, request{method: "POST", path: v + o + "/" + edge, json: body})
		if got.status != 200 {
			t.Fatalf("%s: %d %s", step, got.status, got.body)
		}
		return decode(t, got)
	}

	// 1. The order is listed among CREATED orders.
	list := decode(t, f.do(t, request{method: "GET", path: v + f.page.ID + "/commerce_orders?state=CREATED"}))
	found := false
	for _, e := range list["data"].([]any) {
		found = found || e.(map[string]any)["id"] == o
	}
	if !found {
		t.Fatalf("order %s not listed as CREATED: %v", o, list)
	}
	check("created", "CREATED", map[string]itemStatus{f.tee: {3, 0, 0}, f.hoodie: {2, 0, 0}})

	// 2. Acknowledge.
	if got := post("acknowledge", "acknowledge_order", `{"idempotency_key":"k1","merchant_order_reference":"OMS-77"}`); got["state"] != "IN_PROGRESS" {
		t.Errorf("acknowledge answered %v", got)
	}
	check("acknowledged", "IN_PROGRESS", map[string]itemStatus{f.tee: {3, 0, 0}, f.hoodie: {2, 0, 0}})

	// 3. Ship 2 tees and 1 hoodie by item_id.
	post("ship", "shipments", `{"idempotency_key":"k2","external_shipment_id":"S_1",
		"items":[{"item_id":"`+f.tee+`","quantity":2},{"item_id":"`+f.hoodie+`","quantity":1}],
		"tracking_info":{"carrier":"fedex","tracking_number":"FX-77"}}`)
	check("partly shipped", "IN_PROGRESS", map[string]itemStatus{f.tee: {1, 2, 0}, f.hoodie: {1, 1, 0}})

	// 4. Cancel the rest.
	post("cancel", "cancellations", `{"idempotency_key":"k3","cancel_reason":{"reason_code":"OUT_OF_STOCK"},"restock_items":true}`)
	check("rest cancelled", "COMPLETED", map[string]itemStatus{f.tee: {0, 2, 1}, f.hoodie: {0, 1, 1}})

	// 5. Refund part of a shipped hoodie, by amount.
	post("refund part", "refunds", `{"idempotency_key":"k4","reason_code":"DAMAGED_GOODS",
		"items":[{"item_id":"`+f.hoodie+`","item_refund_amount":{"amount":"10.00","currency":"USD"}}]}`)
	check("partly refunded", "COMPLETED", map[string]itemStatus{f.tee: {0, 2, 1}, f.hoodie: {0, 1, 1}})

	// 6. Return a tee.
	ret, _ := post("return", "returns", `{"items":[{"item_id":"`+f.tee+`","quantity":1,"reason":"TOO_SMALL"}],"merchant_return_id":"RMA-77"}`)["id"].(string)
	if ret == "" {
		t.Fatal("returns answered no id")
	}
	returnStatus := func() string {
		got := decode(t, f.do(t, request{method: "GET", path: v + ret + "?fields=return_status"}))
		s, _ := got["return_status"].(string)
		return s
	}
	if s := returnStatus(); s != "REQUESTED" {
		t.Errorf("new return is %s", s)
	}
	check("return requested", "COMPLETED", map[string]itemStatus{f.tee: {0, 2, 1}, f.hoodie: {0, 1, 1}})

	// 7. Accept it.
	f.srv.Clock.Advance(time.Minute)
	if got := f.do(t, request{method: "POST", path: v + ret + "/update_return", json: `{"update_event":"ACCEPT_RETURN"}`}); got.status != 200 {
		t.Fatalf("update_return: %d %s", got.status, got.body)
	}
	if s := returnStatus(); s != "APPROVED" {
		t.Errorf("accepted return is %s", s)
	}
	check("return approved", "COMPLETED", map[string]itemStatus{f.tee: {0, 2, 1}, f.hoodie: {0, 1, 1}})

	// 8. Refund it.
	post("refund return", "refunds", `{"idempotency_key":"k5","reason_code":"REFUND_FOR_RETURN","return_id":"`+ret+`"}`)
	if s := returnStatus(); s != "REFUNDED" {
		t.Errorf("refunded return is %s", s)
	}
	check("return refunded", "COMPLETED", map[string]itemStatus{f.tee: {0, 2, 1}, f.hoodie: {0, 1, 1}})

	refunds := decode(t, f.do(t, request{method: "GET", path: v + o + "/refunds?fields=refund_reason,return_id,items{id,quantity,refund_subtotal},refund_amount{subtotal,tax,total}"}))
	data := refunds["data"].([]any)
	if len(data) != 2 {
		t.Fatalf("%d refunds, want 2: %v", len(data), refunds)
	}
	last := data[1].(map[string]any)
	if last["return_id"] != ret || last["refund_reason"].(map[string]any)["reason_code"] != "REFUND_FOR_RETURN" {
		t.Errorf("refund for return: %v", last)
	}
	wantAmount := map[string]any{"subtotal": "12.00", "tax": "-1.20", "total": "13.20"}
	if diff := cmp.Diff(wantAmount, last["refund_amount"]); diff != "" {
		t.Errorf("refund for return amount (-want +got):\n%s", diff)
	}
}

// TestCurrentAPI_OrderManagementApps checks that a page managed in
// Commerce Manager has no app and acknowledges its orders itself, and that
// registering an app makes new orders wait in CREATED for the API.
func TestCurrentAPI_OrderManagementApps(t *testing.T) {
	srv := ordergraphtest.NewServer(t, ordergraphtest.WithSequentialIDs(64000950000000), ordergraphtest.WithTime(curStart))
	ctx := context.Background()
	page, token, err := srv.Sandbox.CreatePage(ctx, ordergraph.PageSpec{Name: "Manual Shop", OrderManagement: ordergraph.ManagedByCommerceManager})
	if err != nil {
		t.Fatal(err)
	}
	f := &curFixture{seedFixture: &seedFixture{srv: srv, page: page, token: token}}
	v := "/v25.0/"
	placeReleased := func() string {
		t.Helper()
		o, err := srv.Sandbox.PlaceOrder(ctx, page.ID, ordergraph.OrderSpec{Items: []ordergraph.OrderSpecItem{{RetailerID: "tee", Quantity: 1, PricePerUnit: "12.00"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Sandbox.AdvanceClock(ctx, page.ID, ordergraph.HoldDuration, time.Time{}); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	state := func(id string) string {
		t.Helper()
		got := decode(t, f.do(t, request{method: "GET", path: v + id + "?fields=order_status"}))
		return got["order_status"].(map[string]any)["state"].(string)
	}

	f.step(t, "apps_commerce_manager_none", request{method: "GET", path: v + page.CMSID + "/order_management_apps"})
	if s := state(placeReleased()); s != "IN_PROGRESS" {
		t.Errorf("order of a Commerce Manager page is %s after its hold, want IN_PROGRESS (acknowledged automatically)", s)
	}
	f.step(t, "apps_register", request{method: "POST", path: v + page.CMSID + "/order_management_apps", form: url.Values{}})
	f.step(t, "apps_registered", request{method: "GET", path: v + page.CMSID + "/order_management_apps"})
	if s := state(placeReleased()); s != "CREATED" {
		t.Errorf("order of an API-managed page is %s after its hold, want CREATED", s)
	}
}
