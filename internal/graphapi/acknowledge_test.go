package graphapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

func TestAcknowledgeOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		send    func(e *testEnv, t *testing.T) testResp
		wantRef string
	}{
		{"SeedCurlF", func(e *testEnv, t *testing.T) testResp {
			return e.postMultipart(t, "/v25.0/"+testOrderID+"/acknowledge_order", [][2]string{{"access_token", "tok-admin"}})
		}, ""},
		{"ReferenceAsJSONNumber", func(e *testEnv, t *testing.T) testResp {
			return e.postJSON(t, "/v9.0/"+testOrderID+"/acknowledge_order", `{"merchant_order_reference":46192}`, withHeader("Authorization", "Bearer tok-editor"))
		}, "46192"},
		{"ReferenceInForm", func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, "/"+testOrderID+"/acknowledge_order", "access_token=tok-admin&merchant_order_reference=ORD-1")
		}, "ORD-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			var got ordergraph.AcknowledgeCommand
			e.orders.AcknowledgeFunc = func(_ context.Context, cmd ordergraph.AcknowledgeCommand) (*ordergraph.WriteResult, error) {
				got = cmd
				return okResult(sampleOrder()), nil
			}
			r := tt.send(e, t)
			want := `{"id":"64000782776004","status":"IN_PROGRESS","state":"IN_PROGRESS"}`
			if r.status != 200 || r.body != want {
				t.Errorf("got %d %s", r.status, r.body)
			}
			wantCmd := ordergraph.AcknowledgeCommand{PageID: testPageID, OrderID: testOrderID, MerchantOrderReference: tt.wantRef}
			if diff := cmp.Diff(wantCmd, got); diff != "" {
				t.Errorf("command (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAcknowledgeOrder_IdempotencyRespond(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	var idem *ordergraph.Idempotency
	e.orders.AcknowledgeFunc = func(_ context.Context, cmd ordergraph.AcknowledgeCommand) (*ordergraph.WriteResult, error) {
		idem = cmd.Idempotency
		return okResult(sampleOrder()), nil
	}
	e.postJSON(t, "/"+testOrderID+"/acknowledge_order?"+tok, `{"idempotency_key":"k-1","merchant_order_reference":"A"}`)
	if idem == nil || idem.Key != "k-1" || idem.Edge != "acknowledge_order" || idem.ObjectID != testOrderID || idem.Respond == nil {
		t.Fatalf("idempotency = %+v", idem)
	}
	status, body, err := idem.Respond(sampleOrder())
	if err != nil || status != 200 || string(body) != `{"id":"64000782776004","status":"IN_PROGRESS","state":"IN_PROGRESS"}` {
		t.Errorf("Respond = %d %s %v", status, body, err)
	}
	want, _ := requestHash(ackRequest{MerchantOrderReference: "A"})
	if idem.RequestHash != want {
		t.Errorf("hash %s, want %s", idem.RequestHash, want)
	}
}

// batchEnv answers each order of a batch: ids in outcomes get the error,
// others are acknowledged.
func batchEnv(t testing.TB, errs map[string]error) (*testEnv, *ordergraph.AcknowledgeBatchCommand) {
	e := newTestEnv(t)
	got := &ordergraph.AcknowledgeBatchCommand{}
	e.orders.AcknowledgeBatchFunc = func(_ context.Context, cmd ordergraph.AcknowledgeBatchCommand) (*ordergraph.WriteResult, []ordergraph.AcknowledgeOutcome, error) {
		*got = cmd
		var out []ordergraph.AcknowledgeOutcome
		for _, c := range cmd.Orders {
			if err, bad := errs[c.OrderID]; bad {
				out = append(out, ordergraph.AcknowledgeOutcome{OrderID: c.OrderID, Err: err})
				continue
			}
			o := sampleOrder()
			o.ID = c.OrderID
			out = append(out, ordergraph.AcknowledgeOutcome{OrderID: c.OrderID, Order: o})
		}
		return &ordergraph.WriteResult{}, out, nil
	}
	return e, got
}

func TestAcknowledgeOrders_SeedSampleMixedResults(t *testing.T) {
	t.Parallel()
	e, got := batchEnv(t, map[string]error{
		"10100677592885259": &ordergraph.Error{Code: ordergraph.ENOTFOUND, Message: "no such order"},
		"3":                 ordergraph.CommerceErrorf(ordergraph.SubcodeOrderProcessing, "Order Still Processing", "order 3 is FB_PROCESSING; it can be acknowledged once it is CREATED"),
		"4":                 errors.New("disk on fire"),
		"5":                 &ordergraph.Error{Code: ordergraph.EINVALID, Message: "merchant_order_reference differs"},
	})
	r := e.postJSON(t, "/v25.0/"+testPageID+"/acknowledge_orders?"+tok, `{
  "orders": [
    {"id": "64000841790004"},
    {"id": "10100677592885259"},
    {"id": "3", "merchant_order_reference": 77},
    {"id": "4"},
    {"id": "5"}
  ]
}`)
	want := compact(t, `{"orders":[
	  {"id":"64000841790004","status":"IN_PROGRESS","state":"IN_PROGRESS"},
	  {"id":"10100677592885259","error":{"error_code":2361003,"error_message":"Invalid Order ID"}},
	  {"id":"3","error":{"error_code":3990001,"error_message":"order 3 is FB_PROCESSING; it can be acknowledged once it is CREATED"}},
	  {"id":"4","error":{"error_code":2,"error_message":"An unexpected error has occurred. Please retry your request later."}},
	  {"id":"5","error":{"error_code":100,"error_message":"merchant_order_reference differs"}}
	]}`)
	if r.status != 200 || r.body != want {
		t.Errorf("got %d\n%s\nwant\n%s", r.status, r.body, want)
	}
	wantCmd := ordergraph.AcknowledgeBatchCommand{PageID: testPageID, Orders: []ordergraph.AcknowledgeCommand{
		{PageID: testPageID, OrderID: "64000841790004"}, {PageID: testPageID, OrderID: "10100677592885259"},
		{PageID: testPageID, OrderID: "3", MerchantOrderReference: "77"}, {PageID: testPageID, OrderID: "4"}, {PageID: testPageID, OrderID: "5"},
	}}
	if diff := cmp.Diff(wantCmd, *got); diff != "" {
		t.Errorf("command (-want +got):\n%s", diff)
	}
}

func TestAcknowledgeOrders_Encodings(t *testing.T) {
	t.Parallel()
	orders := `[{"id":"11","merchant_order_reference":"A"},{"id":"12"}]`
	want := []ordergraph.AcknowledgeCommand{{PageID: testPageID, OrderID: "11", MerchantOrderReference: "A"}, {PageID: testPageID, OrderID: "12"}}
	send := map[string]func(e *testEnv, t *testing.T) testResp{
		"FormJSONValue": func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, "/"+testCMSID+"/acknowledge_orders", url.Values{"access_token": {"tok-admin"}, "orders": {orders}, "idempotency_key": {"k"}}.Encode())
		},
		"Brackets": func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, "/"+testCMSID+"/acknowledge_orders", "access_token=tok-admin&idempotency_key=k&orders[0][id]=11&orders[0][merchant_order_reference]=A&orders[1][id]=12")
		},
		"MultipartJSONValue": func(e *testEnv, t *testing.T) testResp {
			return e.postMultipart(t, "/"+testCMSID+"/acknowledge_orders", [][2]string{{"access_token", "tok-admin"}, {"orders", orders}, {"idempotency_key", "k"}})
		},
		"JSON": func(e *testEnv, t *testing.T) testResp {
			return e.postJSON(t, "/"+testCMSID+"/acknowledge_orders?"+tok, `{"idempotency_key":"k","orders":[{"id":11,"merchant_order_reference":"A"},{"id":"12"}]}`)
		},
	}
	var hashes []string
	for name, fn := range send {
		t.Run(name, func(t *testing.T) {
			e, got := batchEnv(t, nil)
			r := fn(e, t)
			if r.status != 200 {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			if diff := cmp.Diff(want, got.Orders); diff != "" {
				t.Errorf("orders (-want +got):\n%s", diff)
			}
			idem := got.Idempotency
			if idem == nil || idem.ObjectID != testPageID || idem.Edge != "acknowledge_orders" || idem.Respond != nil {
				t.Fatalf("idempotency = %+v", idem)
			}
			hashes = append(hashes, idem.RequestHash)
			if info := e.lastInfo(t); info.Route != "POST /{cms_id}/acknowledge_orders" {
				t.Errorf("route = %s", info.Route)
			}
		})
	}
	for _, h := range hashes {
		if h != hashes[0] {
			t.Errorf("hashes differ: %v", hashes)
			break
		}
	}
}

func TestAcknowledgeOrders_Invalid(t *testing.T) {
	t.Parallel()
	var many []string
	for i := 0; i < 101; i++ {
		many = append(many, fmt.Sprintf(`{"id":"%d"}`, i+1))
	}
	tests := []struct{ name, body, wantMsg string }{
		{"Missing", `{}`, "(#100) The parameter orders is required"},
		{"Empty", `{"orders":[]}`, "(#100) Param orders must have at least 1 entry"},
		{"TooMany", `{"orders":[` + strings.Join(many, ",") + `]}`, "(#100) Param orders must have at most 100 entries; 101 were given"},
		{"NoID", `{"orders":[{"id":"1"},{"merchant_order_reference":"x"}]}`, "(#100) The parameter orders[1][id] is required"},
		{"NotArray", `{"orders":"1,2"}`, "(#100) Param orders must be an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			r := e.postJSON(t, "/"+testPageID+"/acknowledge_orders?"+tok, tt.body)
			if ge := errorOf(t, r); r.status != 400 || ge.Code != 100 || ge.Message != tt.wantMsg {
				t.Errorf("got %d %+v", r.status, ge)
			}
		})
	}
}

func TestAcknowledgeOrders_ReplayVerbatim(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	stored := `{"orders":[{"id":"1","status":"IN_PROGRESS","state":"IN_PROGRESS"}]}`
	e.orders.AcknowledgeBatchFunc = func(context.Context, ordergraph.AcknowledgeBatchCommand) (*ordergraph.WriteResult, []ordergraph.AcknowledgeOutcome, error) {
		return &ordergraph.WriteResult{Replayed: true, Status: 200, Body: []byte(stored)}, nil, nil
	}
	r := e.postJSON(t, "/"+testPageID+"/acknowledge_orders?"+tok+"&idempotency_key=k", `{"orders":[{"id":"1"}]}`)
	if r.status != 200 || r.body != stored {
		t.Errorf("got %d %s", r.status, r.body)
	}
}

func TestAcknowledge_StatusOfProcessingOrder(t *testing.T) {
	t.Parallel()
	o := processingOrder()
	if got := string(mustMarshal(t, ackStatus(o))); got != `{"id":"64000782776004","status":"FB_PROCESSING","state":"FB_PROCESSING"}` {
		t.Errorf("got %s", got)
	}
	now := time.Now()
	o.ReleasedAt = &now
	o.Items[0].Cancelled = 1
	if got := string(mustMarshal(t, ackStatus(o))); got != `{"id":"64000782776004","status":"CANCELLED","state":"COMPLETED"}` {
		t.Errorf("got %s", got)
	}
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
