package graphapi

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

// shipEnv records the ShipCommand the handler sends.
func shipEnv(t testing.TB) (*testEnv, *[]ordergraph.ShipCommand) {
	e := newTestEnv(t)
	var cmds []ordergraph.ShipCommand
	e.orders.ShipFunc = func(_ context.Context, cmd ordergraph.ShipCommand) (*ordergraph.WriteResult, error) {
		cmds = append(cmds, cmd)
		return okResult(sampleOrder()), nil
	}
	return e, &cmds
}

// The seed's Attach Shipment sample, in every encoding clients use.
const seedShipJSON = `{
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
}`

var seedShipCommand = ordergraph.ShipCommand{
	PageID:   testPageID,
	OrderID:  testOrderID,
	Items:    []ordergraph.ItemQuantity{{RetailerID: "fb_tee_001", Quantity: 3}},
	Tracking: ordergraph.Tracking{Carrier: "fedex", TrackingNumber: "12345abcd", ShippingMethodName: "2 Day Fedex"},
}

func TestShipments_Encodings(t *testing.T) {
	t.Parallel()
	const key = "idempotency_key=cb091e84-e75a-3a34-45d3-5153bec88b65"
	path := "/v25.0/" + testOrderID + "/shipments"
	items := `[{"retailer_id":"fb_tee_001","quantity":3}]`
	tracking := `{"tracking_number":"12345abcd","carrier":"FEDEX","shipping_method_name":"2 Day Fedex"}`
	send := map[string]func(e *testEnv, t *testing.T) testResp{
		"JSONBody": func(e *testEnv, t *testing.T) testResp {
			return e.postJSON(t, path+"?"+tok+"&"+key, seedShipJSON)
		},
		"JSONBodyWithSDKExtras": func(e *testEnv, t *testing.T) testResp {
			// Meta's SDKs echo the object's id and loaded fields; quantity
			// as a string and a float.
			return e.postJSON(t, path+"?"+tok, `{"id":"`+testOrderID+`","order_status":{"state":"IN_PROGRESS"},"idempotency_key":"cb091e84-e75a-3a34-45d3-5153bec88b65",
				"items":[{"retailer_id":"fb_tee_001","quantity":"3.0"}],"tracking_info":{"tracking_number":"12345abcd","carrier":"fedex","shipping_method_name":"2 Day Fedex"}}`)
		},
		"FormWithJSONValues": func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, path, url.Values{"access_token": {"tok-admin"}, "items": {items}, "tracking_info": {tracking},
				"idempotency_key": {"cb091e84-e75a-3a34-45d3-5153bec88b65"}, "locale": {"en_US"}}.Encode())
		},
		"FormPHPBrackets": func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, path, "access_token=tok-admin&"+key+"&items%5B0%5D%5Bretailer_id%5D=fb_tee_001&items%5B0%5D%5Bquantity%5D=3"+
				"&tracking_info%5Bcarrier%5D=FEDEX&tracking_info%5Btracking_number%5D=12345abcd&tracking_info%5Bshipping_method_name%5D=2+Day+Fedex")
		},
		"MultipartCurlF": func(e *testEnv, t *testing.T) testResp {
			return e.postMultipart(t, path, [][2]string{{"access_token", "tok-admin"}, {"items", items}, {"tracking_info", tracking},
				{"idempotency_key", "cb091e84-e75a-3a34-45d3-5153bec88b65"}})
		},
		"MultipartBrackets": func(e *testEnv, t *testing.T) testResp {
			return e.postMultipart(t, path, [][2]string{{"access_token", "tok-admin"}, {"items[0][retailer_id]", "fb_tee_001"}, {"items[0][quantity]", "3"},
				{"tracking_info[carrier]", "FedEx"}, {"tracking_info[tracking_number]", "12345abcd"}, {"tracking_info[shipping_method_name]", "2 Day Fedex"},
				{"idempotency_key", "cb091e84-e75a-3a34-45d3-5153bec88b65"}})
		},
		"QueryOnlyMethodOverride": func(e *testEnv, t *testing.T) testResp {
			q := url.Values{"access_token": {"tok-admin"}, "method": {"post"}, "items": {items}, "tracking_info": {tracking},
				"idempotency_key": {"cb091e84-e75a-3a34-45d3-5153bec88b65"}}
			return e.get(t, path+"?"+q.Encode())
		},
		"BearerHeader": func(e *testEnv, t *testing.T) testResp {
			return e.postJSON(t, path+"?"+key, seedShipJSON, withHeader("Authorization", "Bearer tok-admin"))
		},
	}
	var hashes []string
	for name, fn := range send {
		t.Run(name, func(t *testing.T) {
			e, cmds := shipEnv(t)
			r := fn(e, t)
			if r.status != 200 || r.body != `{"success":true}` {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			if len(*cmds) != 1 {
				t.Fatalf("%d ship commands", len(*cmds))
			}
			got := (*cmds)[0]
			idem := got.Idempotency
			if idem == nil || idem.Respond == nil || idem.Key != "cb091e84-e75a-3a34-45d3-5153bec88b65" || idem.ObjectID != testOrderID || idem.Edge != "shipments" {
				t.Fatalf("idempotency = %+v", idem)
			}
			hashes = append(hashes, idem.RequestHash)
			got.Idempotency = nil
			if diff := cmp.Diff(seedShipCommand, got); diff != "" {
				t.Errorf("command (-want +got):\n%s", diff)
			}
			if info := e.lastInfo(t); info.Route != "POST /{order_id}/shipments" || info.Method != "POST" {
				t.Errorf("info = %+v", info)
			}
		})
	}
	for _, h := range hashes {
		if h != hashes[0] {
			t.Errorf("request hashes differ across encodings: %v", hashes)
			break
		}
	}
}

func TestShipments_WithoutKeyHasNoIdempotency(t *testing.T) {
	t.Parallel()
	e, cmds := shipEnv(t)
	// The seed's curl -F, with the shipment as JSON-valued fields.
	r := e.postMultipart(t, "/"+testOrderID+"/shipments", [][2]string{{"access_token", "tok-admin"},
		{"tracking_info", `{"tracking_number":"","carrier":"OTHER"}`}, {"items", "null"}})
	if r.status != 200 {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	want := ordergraph.ShipCommand{PageID: testPageID, OrderID: testOrderID, Tracking: ordergraph.Tracking{Carrier: "other"}}
	if diff := cmp.Diff(want, (*cmds)[0]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestShipments_DifferentRequestsHashDifferently(t *testing.T) {
	t.Parallel()
	e, cmds := shipEnv(t)
	e.postJSON(t, "/"+testOrderID+"/shipments?"+tok+"&idempotency_key=k1", seedShipJSON)
	e.postJSON(t, "/"+testOrderID+"/shipments?"+tok+"&idempotency_key=k1", `{"tracking_info":{"carrier":"ups","tracking_number":"1Z"}}`)
	if len(*cmds) != 2 || (*cmds)[0].Idempotency.RequestHash == (*cmds)[1].Idempotency.RequestHash {
		t.Errorf("hashes should differ")
	}
}

func TestShipments_Replay(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.orders.ShipFunc = func(_ context.Context, cmd ordergraph.ShipCommand) (*ordergraph.WriteResult, error) {
		status, body, err := cmd.Idempotency.Respond(sampleOrder())
		if err != nil || status != 200 || string(body) != `{"success":true}` {
			t.Errorf("Respond = %d %s %v", status, body, err)
		}
		return &ordergraph.WriteResult{Replayed: true, Status: 200, Body: []byte(`{"success":true}`)}, nil
	}
	r := e.postJSON(t, "/"+testOrderID+"/shipments?"+tok+"&idempotency_key=k1", seedShipJSON)
	if r.status != 200 || r.body != `{"success":true}` {
		t.Errorf("got %d %s", r.status, r.body)
	}
}

func TestShipments_Invalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, wantMsg string
	}{
		{"NoTracking", `{"items":[{"retailer_id":"a","quantity":1}]}`, "(#100) The parameter tracking_info is required"},
		{"NoCarrier", `{"tracking_info":{"tracking_number":"1"}}`, "(#100) The parameter tracking_info[carrier] is required"},
		{"NoTrackingNumber", `{"tracking_info":{"carrier":"ups"}}`, "(#100) The parameter tracking_info[tracking_number] is required"},
		{"UnknownCarrier", `{"tracking_info":{"carrier":"pigeon","tracking_number":"1"}}`, `(#100) Param tracking_info[carrier] must be a supported carrier code: "pigeon" is not one (for example fedex, ups, usps, dhl, dhl_ecommerce_us, ontrac, canada_post, royal_mail or other; see https://developers.facebook.com/documentation/ads-commerce/commerce-platform/order-management/carrier-codes)`},
		{"ZeroQuantity", `{"items":[{"retailer_id":"a","quantity":0}],"tracking_info":{"carrier":"ups","tracking_number":"1"}}`, "(#100) Param items[0][quantity] must be a positive integer"},
		{"FractionalQuantity", `{"items":[{"retailer_id":"a","quantity":1.5}],"tracking_info":{"carrier":"ups","tracking_number":"1"}}`, "(#100) Param items[0][quantity] must be a positive integer"},
		{"NoQuantity", `{"items":[{"retailer_id":"a"}],"tracking_info":{"carrier":"ups","tracking_number":"1"}}`, "(#100) The parameter items[0][quantity] is required"},
		{"NoItemID", `{"items":[{"quantity":1}],"tracking_info":{"carrier":"ups","tracking_number":"1"}}`, "(#100) Param items[0] must name the item by exactly one of retailer_id or item_id"},
		{"ItemsNotArray", `{"items":"a","tracking_info":{"carrier":"ups","tracking_number":"1"}}`, "(#100) Param items must be an array"},
		{"ItemNotObject", `{"items":[3],"tracking_info":{"carrier":"ups","tracking_number":"1"}}`, "(#100) Param items[0] must be a JSON object"},
		{"BadExternalID", `{"external_shipment_id":"a-b","tracking_info":{"carrier":"ups","tracking_number":"1"}}`, `(#100) Param external_shipment_id may contain only letters, digits and underscores: "a-b" does not`},
		{"BadKey", `{"idempotency_key":{"a":1},"tracking_info":{"carrier":"ups","tracking_number":"1"}}`, "(#100) Param idempotency_key must be a printable string of 1 to 100 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t) // ShipFunc unset: a call fails the test
			r := e.postJSON(t, "/"+testOrderID+"/shipments?"+tok, tt.body)
			ge := errorOf(t, r)
			if r.status != 400 || ge.Code != 100 || ge.Type != "OAuthException" || ge.Message != tt.wantMsg {
				t.Errorf("got %d %+v\nwant %q", r.status, ge, tt.wantMsg)
			}
		})
	}
}

func TestShipments_CarrierCodes(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"dhl", "dhl_ecommerce_us", "eagle", "fedex", "ontrac", "tnt", "ups", "usps", "other",
		"canada_post", "australia_post", "royal_mail", "purolator", "lasership", "amazon_logistics", "dpd", "gls", "aramex",
		"sf_express", "japan_post", "la_poste", "poste_italiane", "ups_mail_innovations", "china_post", "bpost"} {
		if !carrierCodes[c] {
			t.Errorf("carrier %s missing", c)
		}
	}
}

func TestShipments_CommerceError(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.orders.ShipFunc = func(context.Context, ordergraph.ShipCommand) (*ordergraph.WriteResult, error) {
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeCannotShipCancelled, "Cannot Ship Order", "Orders in state 'cancelled' cannot be shipped.")
	}
	r := e.postJSON(t, "/"+testOrderID+"/shipments?"+tok, seedShipJSON)
	want := graphErr{Message: "Orders in state 'cancelled' cannot be shipped.", Type: "OAuthException", Code: 100, Subcode: 1818111,
		UserTitle: "Cannot Ship Order", UserMsg: "Orders in state 'cancelled' cannot be shipped.", TraceID: testTrace}
	if ge := errorOf(t, r); r.status != http.StatusBadRequest || ge != want {
		t.Errorf("got %d %+v", r.status, ge)
	}
}
