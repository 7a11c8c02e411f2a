package graphapi

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

func refundEnv(t testing.TB) (*testEnv, *ordergraph.RefundCommand) {
	e := newTestEnv(t)
	got := &ordergraph.RefundCommand{}
	e.orders.RefundFunc = func(_ context.Context, cmd ordergraph.RefundCommand) (*ordergraph.WriteResult, error) {
		*got = cmd
		return okResult(sampleOrder()), nil
	}
	return e, got
}

func i64(n int64) *int64 { return &n }

func TestRefundOrder_SeedSamples(t *testing.T) {
	t.Parallel()
	path := "/v25.0/" + testOrderID + "/refund_order?" + tok
	t.Run("Partial", func(t *testing.T) {
		t.Parallel()
		e, got := refundEnv(t)
		r := e.postJSON(t, path, `{
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
}`)
		if r.status != 200 || r.body != `{"success":true}` {
			t.Fatalf("got %d %s", r.status, r.body)
		}
		want := ordergraph.RefundCommand{PageID: testPageID, OrderID: testOrderID, ReasonCode: "WRONG_ITEM",
			Items: []ordergraph.RefundItemRequest{{RetailerID: "38383838", Amount: i64(550), ShippingAmount: i64(240)}}}
		if diff := cmp.Diff(want, *got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("Full", func(t *testing.T) {
		t.Parallel()
		e, got := refundEnv(t)
		r := e.postJSON(t, path, `{"reason_code": "WRONG_ITEM"}`)
		if r.status != 200 {
			t.Fatalf("got %d %s", r.status, r.body)
		}
		want := ordergraph.RefundCommand{PageID: testPageID, OrderID: testOrderID, ReasonCode: "WRONG_ITEM"}
		if diff := cmp.Diff(want, *got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

func TestRefundOrder_EncodingsHashEqual(t *testing.T) {
	t.Parallel()
	path := "/" + testOrderID + "/refund_order"
	send := []func(e *testEnv, t *testing.T) testResp{
		func(e *testEnv, t *testing.T) testResp {
			return e.postJSON(t, path+"?"+tok+"&idempotency_key=k", `{"reason_code":"wrong_item","reason_text":"sorry","items":[{"retailer_id":"A","item_refund":{"amount":5.5,"currency":"usd"}}]}`)
		},
		func(e *testEnv, t *testing.T) testResp {
			return e.postForm(t, path, "access_token=tok-admin&idempotency_key=k&reason_code=WRONG_ITEM&reason_text=sorry&items[0][retailer_id]=A&items[0][item_refund][amount]=5.50&items[0][item_refund][currency]=USD")
		},
		func(e *testEnv, t *testing.T) testResp {
			return e.postMultipart(t, path, [][2]string{{"access_token", "tok-admin"}, {"idempotency_key", "k"}, {"reason_code", "WRONG_ITEM"},
				{"reason_text", "sorry"}, {"items", `[{"retailer_id":"A","item_refund":{"amount":"5.500"}}]`}})
		},
	}
	var hashes []string
	for i, fn := range send {
		e, got := refundEnv(t)
		if r := fn(e, t); r.status != 200 {
			t.Fatalf("%d: got %d %s", i, r.status, r.body)
		}
		hashes = append(hashes, got.Idempotency.RequestHash)
		got.Idempotency = nil
		want := ordergraph.RefundCommand{PageID: testPageID, OrderID: testOrderID, ReasonCode: "WRONG_ITEM", ReasonText: "sorry",
			Items: []ordergraph.RefundItemRequest{{RetailerID: "A", Amount: i64(550)}}}
		if diff := cmp.Diff(want, *got); diff != "" {
			t.Errorf("%d: (-want +got):\n%s", i, diff)
		}
	}
	if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
		t.Errorf("hashes differ: %v", hashes)
	}
}

func TestRefundOrder_Invalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, wantMsg string
		wantSub             int
	}{
		{"NoReason", `{}`, "(#100) The parameter reason_code is required", 0},
		{"BadReason", `{"reason_code":"MEH"}`, `(#100) Param reason_code must be one of {BUYERS_REMORSE, DAMAGED_GOODS, NOT_AS_DESCRIBED, QUALITY_ISSUE, REFUND_REASON_OTHER, WRONG_ITEM, FACEBOOK_INITIATED, REFUND_COMPROMISED, REFUND_FOR_RETURN, REFUND_SFI_FAKE, REFUND_SFI_REAL}: "MEH" is not`, 0},
		{"NoItemRefund", `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"A"}]}`, "(#100) The parameter items[0][item_refund] is required", 0},
		{"NoRetailerID", `{"reason_code":"WRONG_ITEM","items":[{"item_refund":{"amount":"1","currency":"USD"}}]}`, "(#100) The parameter items[0][retailer_id] is required", 0},
		{"Negative", `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"A","item_refund":{"amount":"-1","currency":"USD"}}]}`, `(#100) Param items[0][item_refund][amount] must not be negative: "-1" is`, 0},
		{"TooPrecise", `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"A","item_refund":{"amount":"1.005","currency":"USD"}}]}`, `(#100) Param items[0][item_refund][amount] must be a decimal amount such as "5.50": "1.005" has more than 2 decimal places, the precision of USD`, 0},
		{"NotANumber", `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"A","item_refund":{"amount":"five","currency":"USD"}}]}`, `(#100) Param items[0][item_refund][amount] must be a decimal amount such as "5.50": "five" is not a decimal amount`, 0},
		{"OtherCurrency", `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"A","item_refund":{"amount":"1","currency":"USD"},"shipping_refund":{"amount":"1","currency":"EUR"}}]}`,
			"Param items[0][shipping_refund][currency] is in EUR but order 64000782776004 is in USD; refund amounts must be in the order's currency", ordergraph.SubcodeCurrencyMismatch},
		{"UnknownCurrency", `{"reason_code":"WRONG_ITEM","items":[{"retailer_id":"A","item_refund":{"amount":"1","currency":"XXQ"}}]}`,
			"Param items[0][item_refund][currency] is in XXQ but order 64000782776004 is in USD; refund amounts must be in the order's currency", ordergraph.SubcodeCurrencyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t) // RefundFunc unset: reaching the service fails the test
			r := e.postJSON(t, "/"+testOrderID+"/refund_order?"+tok, tt.body)
			ge := errorOf(t, r)
			if r.status != 400 || ge.Code != 100 || ge.Subcode != tt.wantSub || ge.Message != tt.wantMsg {
				t.Errorf("got %d %+v\nwant %q", r.status, ge, tt.wantMsg)
			}
		})
	}
}
