package graphapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/ordergraphtest"
)

// sandboxPost calls the sandbox API of f's server with the admin key.
func (f *seedFixture) sandboxPost(t *testing.T, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ordergraphtest.AdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, m
}

// TestSeedTransactions answers the seed's "Reimbursements and Transactions"
// sample request (status SHIPPED, then REFUNDED, updated_after, fields
// reimbursements,transaction_details{tax_rate,tax_details}) in the shape of
// its sample response, for an order like the sample's: one 0.55 item with
// 10.1% tax shipped to Seattle, with two platform promotions, paid out
// three days after it shipped.
func TestSeedTransactions(t *testing.T) {
	f := newSeedFixture(t)
	ctx := context.Background()
	v := "/v25.0/"
	// The sample's updated_after is 2018-06-23: move past it.
	f.srv.Clock.Advance(40 * 24 * time.Hour)
	o, err := f.srv.Sandbox.PlaceOrder(ctx, f.page.ID, ordergraph.OrderSpec{
		Items:    []ordergraph.OrderSpecItem{{RetailerID: "1522693943pages_commerce_sell5ac27737cc5fc7490521823", Quantity: 1, PricePerUnit: "0.55", TaxRate: "0.101"}},
		Shipping: ordergraph.OrderSpecShipping{Name: "STANDARD (3-5 Business days)", Price: "0.00", MinDays: 5, MaxDays: 7},
		Buyer:    ordergraph.Buyer{Name: "John Smith", Email: "user@example.com"},
		ShippingAddress: ordergraph.Address{Name: "John Smith", Street1: "1101 Dexter Ave N", City: "Seattle", State: "WA",
			PostalCode: "98109-3517", Country: "US"},
		Promotions: []ordergraph.OrderSpecPromotion{{Reason: "FREE_SHIPPING", Amount: "0.06"}, {Reason: "FLAT_BUYER_DISCOUNT", Amount: "0.06"}},
		StartState: ordergraph.StateCreated,
	})
	if err != nil {
		t.Fatal(err)
	}
	setup := []request{
		{method: "POST", path: v + o.ID + "/acknowledge_order"},
		{method: "POST", path: v + o.ID + "/shipments", json: `{"tracking_info":{"tracking_number":"12345abcd","carrier":"FEDEX"}}`},
		{method: "POST", path: v + f.tees + "/acknowledge_order"},
		{method: "POST", path: v + f.tees + "/shipments", json: `{"tracking_info":{"tracking_number":"12345abce","carrier":"ups"}}`},
		{method: "POST", path: v + f.tees + "/refund_order", json: `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"38383838","item_refund":{"amount":"5.5","currency":"USD"}}]}`},
	}
	for _, r := range setup {
		f.srv.Clock.Advance(time.Minute)
		if got := f.do(t, r); got.status != 200 {
			t.Fatalf("setup %s %s: %d %s", r.method, r.path, got.status, got.body)
		}
	}
	// Three days on, the payout sweeps both orders' transactions.
	if _, err := f.srv.Sandbox.AdvanceClock(ctx, f.page.ID, 3*24*time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	fields := url.QueryEscape(`"reimbursements,transaction_details{tax_rate,tax_details}"`)
	for _, c := range []struct{ name, status string }{{"16_transactions_sample_request", "SHIPPED"}, {"17_transactions_refunded", "REFUNDED"}} {
		r := request{method: "GET", path: v + f.page.ID + `/commerce_orders?updated_after=1529718360&status="` + c.status + `"&fields=` + fields}
		golden(t, c.name, r, f.do(t, r))
	}
	// Without a sub-selection, transaction_details has its money fields.
	r := request{method: "GET", path: v + o.ID + "?fields=reimbursements,transaction_details"}
	golden(t, "18_order_transaction_details", r, f.do(t, r))
}

// TestCurrentLedger replays the current API's money endpoints: the
// transactions of shipments, a refund and a chargeback, the payout that
// sweeps them, and the payments edge's transaction_details.
func TestCurrentLedger(t *testing.T) {
	f := newCurFixture(t)
	ctx := context.Background()
	v := "/v25.0/"
	p, cms := f.page.ID, f.page.CMSID
	setup := []request{
		{method: "POST", path: v + f.tees + "/acknowledge_order", json: `{"idempotency_key":"k1","merchant_order_reference":"OMS-1001"}`},
		{method: "POST", path: v + f.tees + "/shipments", json: `{"idempotency_key":"k2","items":[{"retailer_id":"tee_001","quantity":2}],"tracking_info":{"tracking_number":"1Z1","carrier":"UPS"}}`},
		{method: "POST", path: v + f.mugs + "/acknowledge_order", json: `{"idempotency_key":"k3"}`},
		{method: "POST", path: v + f.mugs + "/shipments", json: `{"idempotency_key":"k4","tracking_info":{"tracking_number":"1Z2","carrier":"UPS"}}`},
	}
	for _, r := range setup {
		f.srv.Clock.Advance(time.Minute)
		if got := f.do(t, r); got.status != 200 {
			t.Fatalf("setup %s %s: %d %s", r.method, r.path, got.status, got.body)
		}
	}
	// The buyer disputes 5.00 of the mugs and loses nothing: the seller wins.
	status, body := f.sandboxPost(t, "/sandbox/orders/"+f.mugs+"/chargeback", `{"amount":"5.00","outcome":"seller_wins"}`)
	if status != http.StatusCreated || body["id"] == "" {
		t.Fatalf("chargeback: %d %v", status, body)
	}
	status, body = f.sandboxPost(t, "/sandbox/orders/"+f.mugs+"/chargeback", `{"amount":"500.00","outcome":"seller_loses"}`)
	if status != http.StatusBadRequest || !strings.Contains(body["error"].(map[string]any)["message"].(string), "still disputable") {
		t.Fatalf("chargeback above the capture: %d %v", status, body)
	}
	if _, err := f.srv.Sandbox.AdvanceClock(ctx, p, 3*24*time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// After the payout: the rest of the tees ship, and one tee is refunded.
	for _, r := range []request{
		{method: "POST", path: v + f.tees + "/shipments", json: `{"idempotency_key":"k5","tracking_info":{"tracking_number":"1Z3","carrier":"UPS"}}`},
		{method: "POST", path: v + f.tees + "/refunds", json: `{"idempotency_key":"k6","reason_code":"DAMAGED_GOODS","items":[{"retailer_id":"tee_001","item_refund_quantity":1}]}`},
	} {
		f.srv.Clock.Advance(time.Minute)
		if got := f.do(t, r); got.status != 200 {
			t.Fatalf("%s %s: %d %s", r.method, r.path, got.status, got.body)
		}
	}

	f.step(t, "43_commerce_transactions", request{method: "GET", path: v + p + "/commerce_transactions"})
	first := f.step(t, "44_commerce_transactions_fields_limit", request{method: "GET", path: v + cms + "/commerce_transactions?limit=2&fields=" +
		url.QueryEscape("transaction_type,transaction_date,order_details,order_id,processing_fee,net_payment_amount,tax_rate,items{retailer_id,quantity,tax},tax_details,payout_reference_id")})
	next, _ := decode(t, first)["paging"].(map[string]any)["next"].(string)
	if next == "" {
		t.Fatal("no paging.next on a page of 2 transactions")
	}
	f.step(t, "44b_commerce_transactions_next", request{method: "GET", path: pathOf(t, next)})
	payouts := f.step(t, "45_commerce_payouts", request{method: "GET", path: v + p + "/commerce_payouts"})
	ref, _ := decode(t, payouts)["data"].([]any)[0].(map[string]any)["payout_reference_id"].(string)
	// Advancing the clock again (through the sandbox API) pays nothing twice.
	if status, body := f.sandboxPost(t, "/sandbox/pages/"+p+"/clock", `{"advance":"1h"}`); status != http.StatusOK {
		t.Fatalf("advance: %d %v", status, body)
	}
	if got := decode(t, f.do(t, request{method: "GET", path: v + p + "/commerce_payouts"}))["data"].([]any); len(got) != 1 {
		t.Fatalf("payouts after a second advance: %v", got)
	}
	f.step(t, "46_commerce_transactions_by_payout", request{method: "GET", path: v + p + "/commerce_transactions?payout_reference_id=" + ref +
		"&fields=transaction_type,net_payment_amount,transfer_id,payout_reference_id"})
	after := strconv.FormatInt(curStart.Add(2*24*time.Hour).Unix(), 10)
	f.step(t, "47_commerce_transactions_since", request{method: "GET", path: v + p + "/commerce_transactions?start_time=" + after + "&fields=transaction_type,transaction_date,order_id"})
	f.step(t, "48_commerce_payouts_until_before_first", request{method: "GET", path: v + cms + "/commerce_payouts?end_time=" + after})
	f.step(t, "49_payments_transaction_details", request{method: "GET", path: v + f.tees + "/payments?fields=id,total_amount,transaction_details"})
	f.step(t, "refused_commerce_transactions_bad_time_100", request{method: "GET", path: v + p + "/commerce_transactions?start_time=yesterday"})
	f.step(t, "refused_commerce_payouts_unknown_field_100", request{method: "GET", path: v + p + "/commerce_payouts?fields=amount,bank_name"})

	// The ledger balances.
	found, err := f.srv.Ledger.Verify(ctx, nil)
	if err != nil || len(found) > 0 {
		t.Fatalf("Verify: %v %v", found, err)
	}
}
