package graphapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ordergraph/ordergraph"
)

func TestRouting_AlwaysJSON(t *testing.T) {
	t.Parallel()
	unsupported := func(method, id string) string {
		return "Unsupported " + method + " request. Object with ID '" + id + "' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
	}
	tests := []struct {
		name, method, path string
		wantStatus         int
		want               graphErr
		wantRoute          string
	}{
		{"Root", "GET", "/", 400, graphErr{Message: "Unsupported get request. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", Type: "GraphMethodException", Code: 100}, "unknown"},
		{"VersionOnly", "GET", "/v25.0/", 400, graphErr{Message: "Unsupported get request. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", Type: "GraphMethodException", Code: 100}, "unknown"},
		{"UnknownEdge", "GET", "/v25.0/" + testOrderID + "/frobnicate?" + tok, 400, graphErr{Message: unsupported("get", testOrderID), Type: "GraphMethodException", Code: 100, Subcode: 33}, "unknown"},
		{"WrongMethodOnEdge", "GET", "/" + testOrderID + "/acknowledge_order?" + tok, 400, graphErr{Message: unsupported("get", testOrderID), Type: "GraphMethodException", Code: 100, Subcode: 33}, "GET /{id}/acknowledge_order"},
		{"PostOnNode", "POST", "/" + testOrderID + "?" + tok, 400, graphErr{Message: unsupported("post", testOrderID), Type: "GraphMethodException", Code: 100, Subcode: 33}, "POST /{id}"},
		{"DeleteOverride", "GET", "/" + testOrderID + "?method=delete&" + tok, 400, graphErr{Message: unsupported("delete", testOrderID), Type: "GraphMethodException", Code: 100, Subcode: 33}, "DELETE /{id}"},
		{"PutMethod", "PUT", "/" + testOrderID + "?" + tok, 400, graphErr{Message: unsupported("put", testOrderID), Type: "GraphMethodException", Code: 100, Subcode: 33}, "PUT /{id}"},
		{"PageEdgeOnOrder", "GET", "/" + testOrderID + "/commerce_orders?" + tok, 400, graphErr{Message: unsupported("get", testOrderID), Type: "GraphMethodException", Code: 100, Subcode: 33}, "GET /{id}/commerce_orders"},
		{"OrderEdgeOnPage", "POST", "/" + testPageID + "/shipments?" + tok, 400, graphErr{Message: unsupported("post", testPageID), Type: "GraphMethodException", Code: 100, Subcode: 33}, "POST /{id}/shipments"},
		{"TooDeep", "GET", "/" + testOrderID + "/items/extra?" + tok, 400, graphErr{Message: "Unknown path components: /extra", Type: "OAuthException", Code: 2500}, "unknown"},
		{"Alias", "GET", "/favicon.ico?" + tok, 400, graphErr{Message: "(#803) Some of the aliases you requested do not exist: favicon.ico", Type: "OAuthException", Code: 803}, "GET /{id}"},
		{"OldVersion", "GET", "/v2.12/" + testOrderID + "?" + tok, 400, graphErr{Message: "(#2635) You are calling a deprecated version of the Graph API (v2.12). The Order Management API is served from v3.2 up; please update to the latest version: v25.0.", Type: "OAuthException", Code: 2635}, "unknown"},
		{"NoTokenUnknownPath", "GET", "/a/b/c/d", 400, graphErr{Message: "Unknown path components: /c/d", Type: "OAuthException", Code: 2500}, "unknown"},
		{"BadJSONBody", "POST", "/" + testOrderID + "/acknowledge_order?" + tok, 400, graphErr{Message: "(#100) The request body is not a valid JSON object: unexpected EOF", Type: "OAuthException", Code: 100}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			ct, body := "", ""
			if tt.name == "BadJSONBody" {
				ct, body = "application/json", `{"a":`
			}
			r := e.do(t, tt.method, tt.path, ct, body)
			got := errorOf(t, r)
			want := tt.want
			want.TraceID = testTrace
			if r.status != tt.wantStatus || got != want {
				t.Errorf("got %d %+v\nwant %+v", r.status, got, want)
			}
			if info := e.lastInfo(t); info.Route != tt.wantRoute || info.Status != tt.wantStatus || info.TraceID != testTrace {
				t.Errorf("info = %+v", info)
			}
		})
	}
}

func TestRouting_Versions(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	for _, p := range []string{"/v3.2/", "/v9.0/", "/v22.0/", "/v25.0/", "/", "/v25.0//"} {
		r := e.get(t, p+testOrderID+"?"+tok)
		if r.status != 200 {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	r := e.get(t, "/v9.0/"+testOrderID+"?"+tok)
	if v := r.header.Get("facebook-api-version"); v != "v9.0" {
		t.Errorf("facebook-api-version = %q", v)
	}
}

func TestRouting_HeadAndMe(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.do(t, http.MethodHead, "/"+testOrderID+"?"+tok, "", "")
	if r.status != 200 {
		t.Errorf("HEAD: %d", r.status)
	}
	r = e.get(t, "/me?"+tok)
	if r.status != 200 || r.body != `{"name":"Acme Tees","id":"`+testPageID+`"}` {
		t.Errorf("/me: %d %s", r.status, r.body)
	}
}

func TestPanicIsJSON(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.orders.FindOrdersFunc = func(context.Context, ordergraph.OrderFilter) (*ordergraph.OrderPage, error) {
		panic("boom")
	}
	r := e.get(t, "/"+testPageID+"/commerce_orders?"+tok)
	got := errorOf(t, r)
	want := graphErr{Message: "An unknown error occurred", Type: "OAuthException", Code: 1, Transient: true, TraceID: testTrace}
	if r.status != 500 || got != want {
		t.Errorf("got %d %+v", r.status, got)
	}
	info := e.lastInfo(t)
	if info.Status != 500 || info.Err == nil || !strings.Contains(info.Err.Error(), "boom") || info.Route != "GET /{page_id}/commerce_orders" {
		t.Errorf("info = %+v", info)
	}
}

func TestObserveOncePerRequest(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.get(t, "/"+testOrderID+"?"+tok)
	e.get(t, "/nope")
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.infos) != 2 {
		t.Fatalf("%d infos", len(e.infos))
	}
	if i := e.infos[0]; i.Route != "GET /{order_id}" || i.Method != "GET" || i.Status != 200 || i.PageID != testPageID || i.Err != nil || i.Duration <= 0 {
		t.Errorf("info = %+v", i)
	}
}

func TestNewHandler_DefaultsAndTraceIDs(t *testing.T) {
	t.Parallel()
	h := NewHandler(Config{Orders: &fakeOrders{t: t}, Auth: &fakeAuth{AuthenticateFunc: testAuthenticate}})
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		id := newTraceID()
		if len(id) != 11 || seen[id] {
			t.Fatalf("trace id %q", id)
		}
		seen[id] = true
	}
	if h == nil {
		t.Fatal("nil handler")
	}
}
