package graphapi

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

func TestCancelOrder_Encodings(t *testing.T) {
	t.Parallel()
	want := ordergraph.CancelCommand{PageID: testPageID, OrderID: testOrderID, ReasonCode: "CUSTOMER_REQUESTED", ReasonDescription: "Buyer did not need it anymore"}
	path := "/v25.0/" + testOrderID + "/cancel_order"
	send := map[string]func(e *testEnv, t *testing.T) testResp{
		"SeedJSON": func(e *testEnv, t *testing.T) testResp {
			return e.postJSON(t, path+"?"+tok+"&idempotency_key=k", `{
  "order_cancel_reason": {
    "reason_code": "CUSTOMER_REQUESTED",
    "reason_description": "Buyer did not need it anymore"
  }
}`)
		},
		"CurrentName": func(e *testEnv, t *testing.T) testResp {
			return e.postJSON(t, path+"?"+tok+"&idempotency_key=k", `{"cancel_reason":{"reason_code":"customer_requested","reason_description":"Buyer did not need it anymore"}}`)
		},
		"Brackets": func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, path, "access_token=tok-admin&idempotency_key=k&order_cancel_reason[reason_code]=CUSTOMER_REQUESTED&order_cancel_reason[reason_description]=Buyer+did+not+need+it+anymore")
		},
		"MultipartJSONValue": func(e *testEnv, t *testing.T) testResp {
			return e.postMultipart(t, path, [][2]string{{"access_token", "tok-admin"}, {"idempotency_key", "k"},
				{"order_cancel_reason", `{"reason_code":"CUSTOMER_REQUESTED","reason_description":"Buyer did not need it anymore"}`}})
		},
	}
	var hashes []string
	for name, fn := range send {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			var got ordergraph.CancelCommand
			e.orders.CancelFunc = func(_ context.Context, cmd ordergraph.CancelCommand) (*ordergraph.WriteResult, error) {
				got = cmd
				return okResult(sampleOrder()), nil
			}
			r := fn(e, t)
			if r.status != 200 || r.body != `{"success":true}` {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			if got.Idempotency == nil || got.Idempotency.Edge != "cancel_order" {
				t.Fatalf("idempotency = %+v", got.Idempotency)
			}
			hashes = append(hashes, got.Idempotency.RequestHash)
			got.Idempotency = nil
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
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

func TestCancelOrder_Invalid(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, wantMsg string }{
		{"NoReason", `{}`, "(#100) The parameter order_cancel_reason is required"},
		{"NoCode", `{"order_cancel_reason":{"reason_description":"x"}}`, "(#100) The parameter order_cancel_reason[reason_code] is required"},
		{"BadCode", `{"order_cancel_reason":{"reason_code":"BORED"}}`, `(#100) Param order_cancel_reason[reason_code] must be one of {CUSTOMER_REQUESTED, OUT_OF_STOCK, INVALID_ADDRESS, SUSPICIOUS_ORDER, CANCEL_REASON_OTHER}: "BORED" is not`},
		{"NotObject", `{"order_cancel_reason":"OUT_OF_STOCK"}`, "(#100) Param order_cancel_reason must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			r := e.postJSON(t, "/"+testOrderID+"/cancel_order?"+tok, tt.body)
			if ge := errorOf(t, r); r.status != 400 || ge.Code != 100 || ge.Message != tt.wantMsg {
				t.Errorf("got %d %+v", r.status, ge)
			}
		})
	}
}

func TestCancelOrder_AlreadyShipped(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.orders.CancelFunc = func(_ context.Context, cmd ordergraph.CancelCommand) (*ordergraph.WriteResult, error) {
		if cmd.Idempotency != nil || len(cmd.Items) != 0 {
			t.Errorf("cmd = %+v", cmd)
		}
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeAlreadyShipped, "Order Already Shipped", "This order can't be canceled since it's already marked as shipped.")
	}
	r := e.postJSON(t, "/"+testOrderID+"/cancel_order?"+tok, `{"order_cancel_reason":{"reason_code":"OUT_OF_STOCK"}}`)
	if ge := errorOf(t, r); ge.Subcode != 1818050 || ge.UserTitle != "Order Already Shipped" {
		t.Errorf("got %+v", ge)
	}
}
