package sandbox_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

// Ensure POST /sandbox/pages/{page_id}/orders passes the whole checkout on.
func TestHandler_PlaceOrder(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		var got ordergraph.OrderSpec
		svc.PlaceOrderFn = func(_ context.Context, pageID string, spec ordergraph.OrderSpec) (*ordergraph.Order, error) {
			if pageID != "101" {
				t.Errorf("pageID=%q, want 101", pageID)
			}
			got = spec
			return &ordergraph.Order{ID: "555"}, nil
		}
		status, body := do(t, h, "POST", "/sandbox/pages/101/orders", `{
			"items":[
				{"retailer_id":"tee-1","product_name":"Tee","quantity":2,"price_per_unit":"12.50","tax_rate":"0.1"},
				{"retailer_id":"mug-1","price_per_unit":7.5,"tax_rate":0.08}
			],
			"shipping":{"name":"Standard","price":"4.99","tax_rate":"0","min_days":2,"max_days":5},
			"buyer":{"name":"Ann Lee","email":"ann@example.com","email_remarketing_option":true,"phone":"+15550100"},
			"shipping_address":{"name":"Ann Lee","street1":"1 Main St","street2":"Apt 2","city":"Springfield","state":"IL","postal_code":"62701","country":"us"},
			"channel":"Instagram",
			"promotions":[{"reason":"free_shipping","amount":"4.99"}],
			"outcome":"FRAUD_CANCEL",
			"start_state":"created"
		}`)
		if status != http.StatusCreated {
			t.Fatalf("status=%d, want 201: %v", status, body)
		}
		want := ordergraph.OrderSpec{
			Items: []ordergraph.OrderSpecItem{
				{RetailerID: "tee-1", ProductName: "Tee", Quantity: 2, PricePerUnit: "12.50", TaxRate: "0.1"},
				{RetailerID: "mug-1", PricePerUnit: "7.5", TaxRate: "0.08"},
			},
			Shipping:        ordergraph.OrderSpecShipping{Name: "Standard", Price: "4.99", TaxRate: "0", MinDays: 2, MaxDays: 5},
			Buyer:           ordergraph.Buyer{Name: "Ann Lee", Email: "ann@example.com", EmailRemarketingOption: true, Phone: "+15550100"},
			ShippingAddress: ordergraph.Address{Name: "Ann Lee", Street1: "1 Main St", Street2: "Apt 2", City: "Springfield", State: "IL", PostalCode: "62701", Country: "US"},
			Channel:         "instagram",
			Promotions:      []ordergraph.OrderSpecPromotion{{Reason: "FREE_SHIPPING", Amount: "4.99"}},
			Outcome:         ordergraph.OutcomeFraudCancel,
			StartState:      ordergraph.StateCreated,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("spec mismatch (-want +got):\n%s", diff)
		}
		// A fresh order with no release is FB_PROCESSING.
		if diff := cmp.Diff(map[string]any{"id": "555", "state": "FB_PROCESSING"}, body); diff != "" {
			t.Errorf("body mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("OnlyItems", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		svc.PlaceOrderFn = func(_ context.Context, _ string, spec ordergraph.OrderSpec) (*ordergraph.Order, error) {
			want := ordergraph.OrderSpec{Items: []ordergraph.OrderSpecItem{{RetailerID: "x"}}}
			if diff := cmp.Diff(want, spec); diff != "" {
				t.Errorf("spec mismatch (-want +got):\n%s", diff)
			}
			return &ordergraph.Order{ID: "1"}, nil
		}
		if status, body := do(t, h, "POST", "/sandbox/pages/101/orders", `{"items":[{"retailer_id":"x"}]}`); status != http.StatusCreated {
			t.Fatalf("status=%d: %v", status, body)
		}
	})
	for _, c := range []struct{ name, body, word string }{
		{"ErrNoItems", `{}`, "items is required"},
		{"ErrEmptyItems", `{"items":[]}`, "items is required"},
		{"ErrItemsType", `{"items":{"retailer_id":"x"}}`, "items"},
		{"ErrQuantityZero", `{"items":[{"quantity":0}]}`, "items[0].quantity"},
		{"ErrQuantityType", `{"items":[{"quantity":"2"}]}`, "whole number"},
		{"ErrPrice", `{"items":[{"price_per_unit":"12,50"}]}`, "items[0].price_per_unit"},
		{"ErrPriceNegative", `{"items":[{"price_per_unit":"-1"}]}`, "non-negative"},
		{"ErrPriceType", `{"items":[{"price_per_unit":true}]}`, "decimal amount"},
		{"ErrTaxRate", `{"items":[{},{"tax_rate":"ten"}]}`, "items[1].tax_rate"},
		{"ErrShippingPrice", `{"items":[{}],"shipping":{"price":"free"}}`, "shipping.price"},
		{"ErrShippingDays", `{"items":[{}],"shipping":{"min_days":5,"max_days":2}}`, "shipping.min_days"},
		{"ErrEmail", `{"items":[{}],"buyer":{"email":"nope"}}`, "buyer.email"},
		{"ErrChannel", `{"items":[{}],"channel":"tiktok"}`, "channel"},
		{"ErrPromotion", `{"items":[{}],"promotions":[{"reason":"X","amount":"lots"}]}`, "promotions[0].amount"},
		{"ErrOutcome", `{"items":[{}],"outcome":"explode"}`, "outcome"},
		{"ErrStartState", `{"items":[{}],"start_state":"SHIPPED"}`, "start_state"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, h := setup(t)
			status, body := do(t, h, "POST", "/sandbox/pages/101/orders", c.body)
			wantError(t, status, body, http.StatusBadRequest, 100, c.word)
		})
	}
}

// Ensure POST /sandbox/pages/{page_id}/orders:generate asks for a count.
func TestHandler_GenerateOrders(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		svc.GenerateOrdersFn = func(_ context.Context, pageID string, g ordergraph.GenerateSpec) ([]string, error) {
			want := ordergraph.GenerateSpec{Count: 3, Seed: 42, StartState: ordergraph.StateCreated}
			if diff := cmp.Diff(want, g); diff != "" || pageID != "101" {
				t.Errorf("pageID=%q; spec mismatch (-want +got):\n%s", pageID, diff)
			}
			return []string{"1", "2", "3"}, nil
		}
		status, body := do(t, h, "POST", "/sandbox/pages/101/orders:generate", `{"count":3,"seed":42,"start_state":"CREATED"}`)
		want := map[string]any{"ids": []any{"1", "2", "3"}}
		if diff := cmp.Diff(want, body); status != http.StatusCreated || diff != "" {
			t.Errorf("status=%d; body mismatch (-want +got):\n%s", status, diff)
		}
	})
	for _, c := range []struct{ name, body, word string }{
		{"ErrNoCount", `{}`, "count is required"},
		{"ErrCountZero", `{"count":0}`, "count"},
		{"ErrCountHuge", `{"count":100000000}`, "count"},
		{"ErrCountType", `{"count":"10"}`, "count"},
		{"ErrStartState", `{"count":1,"start_state":"COMPLETED"}`, "start_state"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, h := setup(t)
			status, body := do(t, h, "POST", "/sandbox/pages/101/orders:generate", c.body)
			wantError(t, status, body, http.StatusBadRequest, 100, c.word)
		})
	}
}

// Ensure POST /sandbox/orders/{order_id}/buyer_cancel cancels during the hold.
func TestHandler_BuyerCancel(t *testing.T) {
	t.Parallel()
	cancelled := func() *ordergraph.Order {
		now := time.Now()
		return &ordergraph.Order{ID: "555", ReleasedAt: &now}
	}
	for _, c := range []struct{ name, path, body, wantPage string }{
		{"NoPage", "/sandbox/orders/555/buyer_cancel", `{}`, ""},
		{"EmptyBody", "/sandbox/orders/555/buyer_cancel", ``, ""},
		{"PageInBody", "/sandbox/orders/555/buyer_cancel", `{"page_id":"101"}`, "101"},
		{"PageInQuery", "/sandbox/orders/555/buyer_cancel?page_id=101", `{}`, "101"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			svc, h := setup(t)
			svc.BuyerCancelFn = func(_ context.Context, pageID, orderID string) (*ordergraph.Order, error) {
				if pageID != c.wantPage || orderID != "555" {
					t.Errorf("BuyerCancel(%q, %q), want (%q, 555)", pageID, orderID, c.wantPage)
				}
				return cancelled(), nil
			}
			status, body := do(t, h, "POST", c.path, c.body)
			want := map[string]any{"success": true, "id": "555", "state": "COMPLETED"}
			if diff := cmp.Diff(want, body); status != http.StatusOK || diff != "" {
				t.Errorf("status=%d; body mismatch (-want +got):\n%s", status, diff)
			}
		})
	}
	t.Run("ErrNotInHold", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		svc.BuyerCancelFn = func(context.Context, string, string) (*ordergraph.Order, error) {
			return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeNotInHold, "Hold ended", "the order left FB_PROCESSING")
		}
		status, body := do(t, h, "POST", "/sandbox/orders/555/buyer_cancel", `{}`)
		wantError(t, status, body, http.StatusBadRequest, 100, "FB_PROCESSING")
		if got := errorOf(t, body)["error_subcode"]; got != float64(ordergraph.SubcodeNotInHold) {
			t.Errorf("error_subcode=%v, want %d", got, ordergraph.SubcodeNotInHold)
		}
	})
}

// Ensure POST /sandbox/orders/{order_id}/chargeback passes the dispute on
// and answers the chargeback's id.
func TestHandler_Chargeback(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		svc.ChargebackFn = func(_ context.Context, pageID, orderID, amount string, outcome ordergraph.ChargebackOutcome) (*ordergraph.Order, *ordergraph.Chargeback, error) {
			if pageID != "101" || orderID != "555" || amount != "5.00" || outcome != ordergraph.ChargebackSellerLoses {
				t.Errorf("Chargeback(%q, %q, %q, %q)", pageID, orderID, amount, outcome)
			}
			return &ordergraph.Order{ID: "555"}, &ordergraph.Chargeback{ID: "777"}, nil
		}
		status, body := do(t, h, "POST", "/sandbox/orders/555/chargeback?page_id=101", `{"amount":"5.00","outcome":"seller_loses"}`)
		if diff := cmp.Diff(map[string]any{"id": "777"}, body); status != http.StatusCreated || diff != "" {
			t.Errorf("status=%d; body mismatch (-want +got):\n%s", status, diff)
		}
	})
	for _, c := range []struct{ name, body, word string }{
		{"ErrNoAmount", `{"outcome":"goodwill"}`, "amount is required"},
		{"ErrBadAmount", `{"amount":"five","outcome":"goodwill"}`, "decimal"},
		{"ErrNoOutcome", `{"amount":"5.00"}`, "outcome is required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, h := setup(t)
			status, body := do(t, h, "POST", "/sandbox/orders/555/chargeback", c.body)
			wantError(t, status, body, http.StatusBadRequest, 100, c.word)
		})
	}
	t.Run("ErrTooMuch", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		svc.ChargebackFn = func(context.Context, string, string, string, ordergraph.ChargebackOutcome) (*ordergraph.Order, *ordergraph.Chargeback, error) {
			return nil, nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "amount", Message: "(#100) the chargeback of 50.00 is above the 10.00 still disputable"}
		}
		status, body := do(t, h, "POST", "/sandbox/orders/555/chargeback", `{"amount":"50","outcome":"seller_wins"}`)
		wantError(t, status, body, http.StatusBadRequest, 100, "still disputable")
	})
}
