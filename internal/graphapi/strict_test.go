package graphapi_test

import (
	"context"
	"testing"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/ordergraphtest"
)

// TestStrictIdempotency: a page set to strict requires idempotency_key on
// the writes legacy clients also call; other pages accept them without.
func TestStrictIdempotency(t *testing.T) {
	srv := ordergraphtest.NewServer(t, ordergraphtest.WithSequentialIDs(77000000000000))
	ctx := context.Background()
	for _, strict := range []bool{true, false} {
		page, token, err := srv.Sandbox.CreatePage(ctx, ordergraph.PageSpec{Name: "Shop", StrictIdempotency: strict})
		if err != nil {
			t.Fatal(err)
		}
		o, err := srv.Sandbox.PlaceOrder(ctx, page.ID, ordergraph.OrderSpec{StartState: ordergraph.StateCreated,
			Items: []ordergraph.OrderSpecItem{{RetailerID: "tee", PricePerUnit: "10.00"}}})
		if err != nil {
			t.Fatal(err)
		}
		f := &seedFixture{srv: srv, page: page, token: token}
		got := f.do(t, request{method: "POST", path: "/v25.0/" + o.ID + "/acknowledge_order"})
		if strict {
			golden(t, "refused_strict_page_missing_key_100", request{method: "POST", path: "/v25.0/<order>/acknowledge_order"}, got)
			if after, _ := srv.Orders.FindOrderByID(ctx, page.ID, o.ID); after.State() != ordergraph.StateCreated {
				t.Fatalf("a refused acknowledgement changed the order: %v", after.State())
			}
			got = f.do(t, request{method: "POST", path: "/v25.0/" + o.ID + "/acknowledge_order", json: `{"idempotency_key":"k-1"}`})
		}
		if got.status != 200 {
			t.Fatalf("strict=%v: acknowledge answered %d %s", strict, got.status, got.body)
		}
	}
}
