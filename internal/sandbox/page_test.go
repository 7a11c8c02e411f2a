package sandbox_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

// Ensure POST /sandbox/pages creates a page and answers its EDITOR token.
func TestHandler_CreatePage(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		var got ordergraph.PageSpec
		svc.CreatePageFn = func(_ context.Context, p ordergraph.PageSpec) (*ordergraph.Page, string, error) {
			got = p
			return &ordergraph.Page{ID: "101", CMSID: "202", Name: p.Name, Currency: p.Currency}, "EAAtoken", nil
		}
		status, body := do(t, h, "POST", "/sandbox/pages",
			`{"name":"Shop","currency":"usd","handling_days":5,"order_management":"Commerce_Manager","unknown":1}`)
		if status != http.StatusCreated {
			t.Fatalf("status=%d, want 201: %v", status, body)
		}
		want := ordergraph.PageSpec{Name: "Shop", Currency: "USD", HandlingDays: 5, OrderManagement: ordergraph.ManagedByCommerceManager}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("spec mismatch (-want +got):\n%s", diff)
		}
		wantBody := map[string]any{"id": "101", "cms_id": "202", "name": "Shop", "currency": "USD", "access_token": "EAAtoken"}
		if diff := cmp.Diff(wantBody, body); diff != "" {
			t.Errorf("body mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		svc.CreatePageFn = func(_ context.Context, p ordergraph.PageSpec) (*ordergraph.Page, string, error) {
			if diff := cmp.Diff(ordergraph.PageSpec{}, p); diff != "" {
				t.Errorf("spec mismatch (-want +got):\n%s", diff)
			}
			return &ordergraph.Page{ID: "1"}, "t", nil
		}
		if status, body := do(t, h, "POST", "/sandbox/pages", ``); status != http.StatusCreated {
			t.Fatalf("status=%d, want 201: %v", status, body)
		}
	})
	for _, c := range []struct{ name, body, word string }{
		{"ErrCurrency", `{"currency":"dollars"}`, "currency"},
		{"ErrHandlingDays", `{"handling_days":-1}`, "handling_days"},
		{"ErrOrderManagement", `{"order_management":"shopify"}`, "order_management"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, h := setup(t)
			status, body := do(t, h, "POST", "/sandbox/pages", c.body)
			wantError(t, status, body, http.StatusBadRequest, 100, c.word)
		})
	}
}

// Ensure POST /sandbox/pages/{page_id}/tokens mints tokens with a role.
func TestHandler_CreateToken(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		expires := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
		svc.CreateTokenFn = func(_ context.Context, pageID string, role ordergraph.Role, d time.Duration) (string, *ordergraph.Token, error) {
			if pageID != "101" || role != ordergraph.RoleAnalyst || d != time.Hour {
				t.Errorf("CreateToken(%q, %q, %v)", pageID, role, d)
			}
			return "EAAraw", &ordergraph.Token{PageID: pageID, Role: role, ExpiresAt: &expires}, nil
		}
		status, body := do(t, h, "POST", "/sandbox/pages/101/tokens", `{"role":"analyst","expires_in":3600}`)
		if status != http.StatusCreated {
			t.Fatalf("status=%d, want 201: %v", status, body)
		}
		want := map[string]any{"access_token": "EAAraw", "role": "ANALYST", "expires_at": "2026-01-01T01:00:00+0000"}
		if diff := cmp.Diff(want, body); diff != "" {
			t.Errorf("body mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("DefaultEditorNeverExpires", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		svc.CreateTokenFn = func(_ context.Context, _ string, role ordergraph.Role, d time.Duration) (string, *ordergraph.Token, error) {
			return "EAAraw", &ordergraph.Token{Role: role}, nil
		}
		status, body := do(t, h, "POST", "/sandbox/pages/101/tokens", `{}`)
		want := map[string]any{"access_token": "EAAraw", "role": "EDITOR", "expires_at": nil}
		if diff := cmp.Diff(want, body); status != http.StatusCreated || diff != "" {
			t.Errorf("status=%d; body mismatch (-want +got):\n%s", status, diff)
		}
	})
	for _, c := range []struct{ name, body, word string }{
		{"ErrRole", `{"role":"OWNER"}`, "role"},
		{"ErrExpiresIn", `{"expires_in":-5}`, "expires_in"},
		{"ErrExpiresInType", `{"expires_in":"1h"}`, "expires_in"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, h := setup(t)
			status, body := do(t, h, "POST", "/sandbox/pages/101/tokens", c.body)
			wantError(t, status, body, http.StatusBadRequest, 100, c.word)
		})
	}
	t.Run("ErrPageNotFound", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		svc.CreateTokenFn = func(context.Context, string, ordergraph.Role, time.Duration) (string, *ordergraph.Token, error) {
			return "", nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "page 9 does not exist")
		}
		status, body := do(t, h, "POST", "/sandbox/pages/9/tokens", `{}`)
		wantError(t, status, body, http.StatusBadRequest, 100, "page 9")
	})
}

// Ensure DELETE /sandbox/tokens/{token} revokes the token.
func TestHandler_RevokeToken(t *testing.T) {
	t.Parallel()
	svc, h := setup(t)
	var got string
	svc.RevokeTokenFn = func(_ context.Context, raw string) error { got = raw; return nil }
	status, body := do(t, h, "DELETE", "/sandbox/tokens/EAAabc", "")
	if status != http.StatusOK || body["success"] != true {
		t.Fatalf("status=%d body=%v, want 200 success", status, body)
	}
	if got != "EAAabc" {
		t.Errorf("revoked %q, want EAAabc", got)
	}
}
