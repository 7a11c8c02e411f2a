package graphapi

import (
	"context"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

// The current API's writes decode the same from a JSON body (numbers as
// JSON numbers), a form with JSON values and PHP bracket notation, and
// hash the same for idempotency.

func TestRefunds_Encodings(t *testing.T) {
	t.Parallel()
	path := "/v22.0/" + testOrderID + "/refunds"
	send := map[string]func(e *testEnv, t *testing.T) testResp{
		"JSONNumbers": func(e *testEnv, t *testing.T) testResp {
			return e.postJSON(t, path+"?"+tok, `{"id":"`+testOrderID+`","idempotency_key":"k","reason_code":"refund_reason_other","reason_text":"sorry",
				"items":[{"retailer_id":"A","item_refund_quantity":1.0},{"item_id":"9","item_refund_amount":{"amount":4.99,"currency":"USD"}}],
				"shipping":{"shipping_refund":{"amount":0.0,"currency":"USD"}},
				"deductions":[{"deduction_type":"RETURN_SHIPPING","deduction_amount":{"amount":1.5,"currency":"USD"}}],
				"adjustment_amount":{"amount":2,"currency":"USD"},"return_id":"77"}`)
		},
		"MagentoForm": func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, path, url.Values{"access_token": {"tok-admin"}, "idempotency_key": {"k"}, "reason_code": {"REFUND_REASON_OTHER"},
				"reason_text": {"sorry"}, "return_id": {"77"},
				"items":                       {`[{"retailer_id":"A","item_refund_quantity":1},{"item_id":"9","item_refund_amount":{"amount":"4.990","currency":"USD"}}]`},
				"shipping":                    {`{"shipping_refund":{"amount":0,"currency":"USD"}}`},
				"deductions":                  {`[{"deduction_type":"return_shipping","deduction_amount":{"amount":1.50,"currency":"USD"}}]`},
				"adjustment_amount[amount]":   {"2.00"},
				"adjustment_amount[currency]": {"USD"},
			}.Encode())
		},
		"BracketsAndOlderAdjustmentName": func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, path, "access_token=tok-admin&idempotency_key=k&reason_code=REFUND_REASON_OTHER&reason_text=sorry&return_id=77"+
				"&items[0][retailer_id]=A&items[0][item_refund_quantity]=1&items[1][item_id]=9&items[1][item_refund_amount][amount]=4.99"+
				"&shipping[shipping_refund][amount]=0.00&deductions[0][deduction_type]=RETURN_SHIPPING&deductions[0][deduction_amount][amount]=1.5"+
				"&arbitrary_refund_amount[amount]=2")
		},
	}
	var hashes []string
	for name, fn := range send {
		e, got := refundEnv(t)
		if r := fn(e, t); r.status != 200 || r.body != `{"success":true}` {
			t.Fatalf("%s: got %d %s", name, r.status, r.body)
		}
		if got.Idempotency == nil {
			t.Fatalf("%s: no idempotency", name)
		}
		hashes = append(hashes, got.Idempotency.RequestHash)
		got.Idempotency = nil
		want := ordergraph.RefundCommand{PageID: testPageID, OrderID: testOrderID, ReasonCode: "REFUND_REASON_OTHER", ReasonText: "sorry",
			Items:    []ordergraph.RefundItemRequest{{RetailerID: "A", Quantity: 1}, {ItemID: "9", Amount: i64(499)}},
			Shipping: i64(0), Deduction: 150, Adjustment: i64(200), ReturnID: "77"}
		if diff := cmp.Diff(want, *got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", name, diff)
		}
	}
	for _, h := range hashes[1:] {
		if h != hashes[0] {
			t.Errorf("hashes differ: %v", hashes)
		}
	}
}

func TestRefunds_NullShippingIsNoShipping(t *testing.T) {
	t.Parallel()
	e, got := refundEnv(t)
	r := e.postForm(t, "/"+testOrderID+"/refunds", url.Values{"access_token": {"tok-admin"}, "idempotency_key": {"k"},
		"reason_code": {"WRONG_ITEM"}, "items": {"[]"}, "shipping": {`{"shipping_refund":{"amount":null,"currency":"USD"}}`}}.Encode())
	if r.status != 200 {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	if got.Shipping != nil || got.Items != nil {
		t.Errorf("shipping %v items %v, want a full refund", got.Shipping, got.Items)
	}
}

func TestCancellations_Encodings(t *testing.T) {
	t.Parallel()
	path := "/v22.0/" + testOrderID + "/cancellations"
	send := map[string]func(e *testEnv, t *testing.T) testResp{
		"MagentoBrackets": func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, path, "access_token=tok-admin&idempotency_key=k&cancel_reason%5Breason_code%5D=CUSTOMER_REQUESTED"+
				"&cancel_reason%5Breason_description%5D=Canceled+from+Magento&restock_items=1&items=null")
		},
		"JSON": func(e *testEnv, t *testing.T) testResp {
			return e.postJSON(t, path+"?"+tok, `{"idempotency_key":"k","cancel_reason":{"reason_code":"customer_requested","reason_description":"Canceled from Magento"},"restock_items":true,"items":[]}`)
		},
	}
	var hashes []string
	for name, fn := range send {
		e := newTestEnv(t)
		var got ordergraph.CancelCommand
		e.orders.CancelFunc = func(_ context.Context, cmd ordergraph.CancelCommand) (*ordergraph.WriteResult, error) {
			got = cmd
			return okResult(sampleOrder()), nil
		}
		if r := fn(e, t); r.status != 200 || r.body != `{"success":true}` {
			t.Fatalf("%s: got %d %s", name, r.status, r.body)
		}
		hashes = append(hashes, got.Idempotency.RequestHash)
		got.Idempotency = nil
		want := ordergraph.CancelCommand{PageID: testPageID, OrderID: testOrderID, ReasonCode: "CUSTOMER_REQUESTED",
			ReasonDescription: "Canceled from Magento", RestockItems: true}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", name, diff)
		}
	}
	if hashes[0] != hashes[1] {
		t.Errorf("hashes differ: %v", hashes)
	}
}

func TestShipments_FulfillmentBrackets(t *testing.T) {
	t.Parallel()
	e, cmds := shipEnv(t)
	r := e.postForm(t, "/v22.0/"+testOrderID+"/shipments", url.Values{
		"access_token": {"tok-admin"}, "idempotency_key": {"k"}, "external_shipment_id": {"000000012"},
		"items":         {`[{"item_id":"2082596341811586","quantity":1.0}]`},
		"tracking_info": {`{"tracking_number":"","carrier":"OTHER"}`},
		"should_use_default_fulfillment_location":         {"0"},
		"fulfillment[fulfillment_address][street_1]":      {"1 Warehouse Way"},
		"fulfillment[fulfillment_address][city]":          {"Toronto"},
		"fulfillment[fulfillment_address][province_code]": {"ON"},
		"fulfillment[fulfillment_address][country]":       {"CA"},
		"fulfillment[fulfillment_address][postal_code]":   {"M5V 2T6"},
		"shipment_origin_postal_code":                     {"M5V 2T6"},
	}.Encode())
	if r.status != 200 {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	got := (*cmds)[0]
	got.Idempotency = nil
	want := ordergraph.ShipCommand{PageID: testPageID, OrderID: testOrderID,
		Items:              []ordergraph.ItemQuantity{{ItemID: "2082596341811586", Quantity: 1}},
		Tracking:           ordergraph.Tracking{Carrier: "other"},
		ExternalShipmentID: "000000012",
		FulfillmentAddress: &ordergraph.Address{Street1: "1 Warehouse Way", City: "Toronto", State: "ON", PostalCode: "M5V 2T6", Country: "CA"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestUpdateShipment_Identifiers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body         string
		wantID, wantExtern string
	}{
		{"ShipmentID", `{"idempotency_key":"k","shipment_id":"55","tracking_info":{"carrier":"UPS","tracking_number":"1Z"}}`, "55", ""},
		{"FulfillmentID", `{"idempotency_key":"k","fulfillment_id":"56","tracking_info":{"carrier":"ups","tracking_number":"1Z"}}`, "56", ""},
		{"External", `{"idempotency_key":"k","external_shipment_id":"MAG_1","tracking_info":"{\"carrier\":\"ups\",\"tracking_number\":\"1Z\"}"}`, "", "MAG_1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			var got ordergraph.UpdateShipmentCommand
			e.orders.UpdateShipmentFunc = func(_ context.Context, cmd ordergraph.UpdateShipmentCommand) (*ordergraph.WriteResult, error) {
				got = cmd
				return okResult(sampleOrder()), nil
			}
			if r := e.postJSON(t, "/"+testOrderID+"/update_shipment?"+tok, tt.body); r.status != 200 {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			if got.ShipmentID != tt.wantID || got.ExternalShipmentID != tt.wantExtern || got.Tracking != (ordergraph.Tracking{Carrier: "ups", TrackingNumber: "1Z"}) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestItemUpdates_Decoding(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	var got ordergraph.ItemUpdatesCommand
	e.orders.ApplyItemUpdatesFunc = func(_ context.Context, cmd ordergraph.ItemUpdatesCommand) (*ordergraph.WriteResult, error) {
		got = cmd
		return okResult(sampleOrder()), nil
	}
	r := e.postJSON(t, "/"+testOrderID+"/item_updates?"+tok, `{"merchant_order_reference":46192,"items":[{"item_id":"2082596341811586",
		"fulfill_quantity":"1","cancel_quantity":0,"refund_quantity":1.0,"tracking_info":{"carrier":"FEDEX","tracking_number":"F1"},
		"cancel_reason":{"reason_code":"out_of_stock"},"refund_reason":{"reason_code":"damaged_goods","reason_description":"Cracked"},
		"shipping_refund":{"shipping_refund":{"amount":"1.25","currency":"USD"}},"fulfillment":{"fulfillment_location_id":"1"},"deductions":[]}]}`)
	if r.status != 200 || r.body != `{"success":true}` {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	want := ordergraph.ItemUpdatesCommand{PageID: testPageID, OrderID: testOrderID, MerchantOrderReference: "46192",
		Items: []ordergraph.ItemUpdate{{ItemID: "2082596341811586", FulfillQuantity: 1, RefundQuantity: 1,
			Tracking:     []ordergraph.Tracking{{Carrier: "fedex", TrackingNumber: "F1"}},
			CancelReason: "OUT_OF_STOCK", RefundReason: "DAMAGED_GOODS", RefundReasonDescription: "Cracked", ShippingRefund: i64(125)}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestReturns_CreateAnswersID(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	var got ordergraph.ReturnCommand
	e.orders.CreateReturnFunc = func(_ context.Context, cmd ordergraph.ReturnCommand) (*ordergraph.WriteResult, error) {
		got = cmd
		o := sampleOrder()
		o.Returns = []ordergraph.Return{{ID: "588512618330234"}}
		return &ordergraph.WriteResult{Order: o, CreatedID: "588512618330234"}, nil
	}
	r := e.postForm(t, "/"+testOrderID+"/returns", "access_token=tok-admin&merchant_return_id=RMA-1&return_message=Too+small"+
		"&items[0][retailer_id]=1522693943pages_commerce_sell5ac27737cc5fc7490521823&items[0][quantity]=1&items[0][reason]=too_small&update[x]=1")
	if r.status != 200 || r.body != `{"id":"588512618330234"}` {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	want := ordergraph.ReturnCommand{PageID: testPageID, OrderID: testOrderID, MerchantReturnID: "RMA-1", Message: "Too small",
		Actor: ordergraph.ActorSeller,
		Items: []ordergraph.ReturnItem{{RetailerID: "1522693943pages_commerce_sell5ac27737cc5fc7490521823", Quantity: 1, Reason: "TOO_SMALL"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
