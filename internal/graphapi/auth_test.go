package graphapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/ordergraph/ordergraph"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		query      string
		header     string
		wantStatus int
		want       graphErr
		wantAuth   string
	}{
		{"Missing", "", "", 400,
			graphErr{Message: "An access token is required to request this resource.", Type: "OAuthException", Code: 104}, ""},
		{"Invalid", "access_token=nope", "", 400,
			graphErr{Message: "Invalid OAuth access token - Cannot parse access token", Type: "OAuthException", Code: 190},
			`OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"`},
		{"Expired", "access_token=expired", "", 400,
			graphErr{Message: "Error validating access token: Session has expired on Monday, 14-May-18 23:00:00 PDT.", Type: "OAuthException", Code: 190, Subcode: 463},
			`OAuth "Facebook Platform" "invalid_token" "Error validating access token: Session has expired on Monday, 14-May-18 23:00:00 PDT."`},
		{"Revoked", "", "OAuth revoked", 400,
			graphErr{Message: "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.", Type: "OAuthException", Code: 190, Subcode: 460},
			`OAuth "Facebook Platform" "invalid_token" "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."`},
		{"UnknownScheme", "", "Basic dG9rLWFkbWlu", 400,
			graphErr{Message: "An access token is required to request this resource.", Type: "OAuthException", Code: 104}, ""},
		{"AuthServiceDown", "access_token=broken", "", 500,
			graphErr{Message: "An unexpected error has occurred. Please retry your request later.", Type: "OAuthException", Code: 2, Transient: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			var opts []reqOpt
			if tt.header != "" {
				opts = append(opts, withHeader("Authorization", tt.header))
			}
			r := e.get(t, "/v25.0/"+testPageID+"/commerce_orders?"+tt.query, opts...)
			got := errorOf(t, r)
			want := tt.want
			want.TraceID = testTrace
			if r.status != tt.wantStatus || got != want {
				t.Errorf("got %d %+v\nwant %+v", r.status, got, want)
			}
			if h := r.header.Get("WWW-Authenticate"); h != tt.wantAuth {
				t.Errorf("WWW-Authenticate = %q", h)
			}
			if info := e.lastInfo(t); info.PageID != "" || info.Route != "GET /{id}/commerce_orders" {
				t.Errorf("info = %+v", info)
			}
		})
	}
}

func TestAuth_TokenSources(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]reqOpt{
		"Bearer":      withHeader("Authorization", "Bearer tok-analyst"),
		"OAuth":       withHeader("Authorization", "OAuth tok-analyst"),
		"LowerBearer": withHeader("Authorization", "bearer tok-analyst"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			r := e.get(t, "/"+testPageID, opt)
			if r.status != 200 || r.body != `{"name":"Acme Tees","id":"`+testPageID+`"}` {
				t.Errorf("got %d %s", r.status, r.body)
			}
		})
	}
	t.Run("FormBody", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t)
		e.orders.AcknowledgeFunc = func(context.Context, ordergraph.AcknowledgeCommand) (*ordergraph.WriteResult, error) {
			return okResult(sampleOrder()), nil
		}
		r := e.postMultipart(t, "/"+testOrderID+"/acknowledge_order", [][2]string{{"access_token", "tok-editor"}})
		if r.status != 200 {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
}

func TestAuth_ForbiddenRoleForWrites(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t) // no write func set: reaching the service fails the test
	for _, path := range []string{
		"/" + testOrderID + "/acknowledge_order",
		"/" + testPageID + "/acknowledge_orders",
		"/" + testOrderID + "/shipments",
		"/" + testOrderID + "/cancel_order",
		"/" + testOrderID + "/refund_order",
	} {
		r := e.postJSON(t, path+"?access_token=tok-analyst", `{"orders":[{"id":"1"}]}`)
		got := errorOf(t, r)
		want := graphErr{Message: "(#200) Requires pages_manage_orders permission to manage the object", Type: "OAuthException", Code: 200,
			UserTitle: "Permission Denied", UserMsg: "This token's page role is ANALYST; managing orders needs the EDITOR role or above (ADMIN or EDITOR).", TraceID: testTrace}
		if r.status != http.StatusForbidden || got != want {
			t.Errorf("%s: got %d %+v", path, r.status, got)
		}
	}
	// Reads need any role.
	if r := e.get(t, "/"+testOrderID+"?access_token=tok-analyst"); r.status != 200 {
		t.Errorf("analyst read: %d %s", r.status, r.body)
	}
}

func TestTenancy(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	unsupported := func(method, id string) string {
		return "Unsupported " + method + " request. Object with ID '" + id + "' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
	}
	tests := []struct {
		name, method, path, wantMsg string
	}{
		{"OtherPagesOrder", "GET", "/" + testOrderID + "?access_token=tok-other", unsupported("get", testOrderID)},
		{"OtherPagesOrderWrite", "POST", "/" + testOrderID + "/acknowledge_order?access_token=tok-other", unsupported("post", testOrderID)},
		{"OtherPageItself", "GET", "/" + testPageID + "/commerce_orders?access_token=tok-other", unsupported("get", testPageID)},
		{"OtherPagesCMS", "GET", "/" + testCMSID + "/commerce_orders?access_token=tok-other", unsupported("get", testCMSID)},
		{"MissingOrder", "GET", "/123456789?" + tok, unsupported("get", "123456789")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.method, tt.path, "", "")
			got := errorOf(t, r)
			want := graphErr{Message: tt.wantMsg, Type: "GraphMethodException", Code: 100, Subcode: 33, TraceID: testTrace}
			if r.status != 400 || got != want {
				t.Errorf("got %d %+v", r.status, got)
			}
		})
	}
}
