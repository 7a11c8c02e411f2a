package graphapi

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/ordergraph/ordergraph"
)

// TestErrorTable drives every row of toGraphError through a real request:
// the acknowledge_order service call returns the error.
func TestErrorTable(t *testing.T) {
	t.Parallel()
	unsupported := "Unsupported post request. Object with ID '" + testOrderID + "' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
	tests := []struct {
		name       string
		err        error
		wantStatus int
		want       graphErr
	}{
		{"InvalidParam", &ordergraph.Error{Code: ordergraph.EINVALID, Message: "merchant_order_reference is too long"}, 400,
			graphErr{Message: "(#100) merchant_order_reference is too long", Type: "OAuthException", Code: 100}},
		{"CommerceRule", ordergraph.CommerceErrorf(ordergraph.SubcodeOrderProcessing, "Order Still Processing", "order %s is FB_PROCESSING; it can be acknowledged once it is CREATED", testOrderID), 400,
			graphErr{Message: "order 64000782776004 is FB_PROCESSING; it can be acknowledged once it is CREATED", Type: "OAuthException", Code: 100, Subcode: 3990001,
				UserTitle: "Order Still Processing", UserMsg: "order 64000782776004 is FB_PROCESSING; it can be acknowledged once it is CREATED"}},
		{"NotFound", &ordergraph.Error{Code: ordergraph.ENOTFOUND, Message: "no such order"}, 400,
			graphErr{Message: unsupported, Type: "GraphMethodException", Code: 100, Subcode: 33}},
		{"Conflict", &ordergraph.Error{Code: ordergraph.ECONFLICT}, 400,
			graphErr{Message: msgConcurrent, Type: "OAuthException", Code: 100, Subcode: 2361081, UserTitle: "Concurrent Order Modification", UserMsg: msgConcurrent, Transient: true}},
		{"Forbidden", &ordergraph.Error{Code: ordergraph.EFORBIDDEN, Message: "needs EDITOR"}, 403,
			graphErr{Message: "(#200) Requires pages_manage_orders permission to manage the object", Type: "OAuthException", Code: 200, UserTitle: "Permission Denied", UserMsg: "needs EDITOR"}},
		{"RateLimited", &ordergraph.Error{Code: ordergraph.ERATELIMIT, Message: "page over budget"}, 400,
			graphErr{Message: msgRateLimited, Type: "OAuthException", Code: 80001, UserMsg: "page over budget", Transient: true}},
		{"Unavailable", &ordergraph.Error{Code: ordergraph.EUNAVAILABLE, Message: "database busy"}, 500,
			graphErr{Message: "(#2) Service temporarily unavailable", Type: "OAuthException", Code: 2, Transient: true}},
		{"Internal", errors.New("disk full"), 500,
			graphErr{Message: "An unexpected error has occurred. Please retry your request later.", Type: "OAuthException", Code: 2, Transient: true}},
		{"InternalCoded", &ordergraph.Error{Code: ordergraph.EINTERNAL, Message: "secret detail"}, 500,
			graphErr{Message: "An unexpected error has occurred. Please retry your request later.", Type: "OAuthException", Code: 2, Transient: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			e.orders.AcknowledgeFunc = func(context.Context, ordergraph.AcknowledgeCommand) (*ordergraph.WriteResult, error) {
				return nil, tt.err
			}
			r := e.postJSON(t, "/v25.0/"+testOrderID+"/acknowledge_order?"+tok, `{}`)
			got := errorOf(t, r)
			want := tt.want
			want.TraceID = testTrace
			if r.status != tt.wantStatus || got != want {
				t.Errorf("got %d %+v\nwant %d %+v", r.status, got, tt.wantStatus, want)
			}
			info := e.lastInfo(t)
			if info.Status != tt.wantStatus || !errors.Is(info.Err, tt.err) || info.Route != "POST /{order_id}/acknowledge_order" || info.PageID != testPageID {
				t.Errorf("info = %+v", info)
			}
		})
	}
}

func TestErrorEnvelope_OmitsEmpty(t *testing.T) {
	t.Parallel()
	ge := &graphError{Code: 100, Type: typeOAuth, Message: "(#100) x"}
	want := `{"error":{"message":"(#100) x","type":"OAuthException","code":100,"is_transient":false,"fbtrace_id":"T"}}`
	if got := string(ge.body("T")); got != want {
		t.Errorf("got %s", got)
	}
}

func TestSuppressHTTPCode(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.get(t, "/999/commerce_orders?suppress_http_code=1")
	if ge := errorOf(t, r); r.status != http.StatusOK || ge.Code != 104 {
		t.Errorf("got %d %+v", r.status, ge)
	}
}
