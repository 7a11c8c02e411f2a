package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/sandbox"
)

const adminKey = "test-admin-key"

// SandboxService is a function-field fake of ordergraph.SandboxService; a
// call to a method whose field is nil fails the test.
type SandboxService struct {
	tb               testing.TB
	CreatePageFn     func(ctx context.Context, p ordergraph.PageSpec) (*ordergraph.Page, string, error)
	CreateTokenFn    func(ctx context.Context, pageID string, role ordergraph.Role, expiresIn time.Duration) (string, *ordergraph.Token, error)
	RevokeTokenFn    func(ctx context.Context, rawToken string) error
	PlaceOrderFn     func(ctx context.Context, pageID string, spec ordergraph.OrderSpec) (*ordergraph.Order, error)
	GenerateOrdersFn func(ctx context.Context, pageID string, g ordergraph.GenerateSpec) ([]string, error)
	BuyerCancelFn    func(ctx context.Context, pageID, orderID string) (*ordergraph.Order, error)
	ChargebackFn     func(ctx context.Context, pageID, orderID, amount string, outcome ordergraph.ChargebackOutcome) (*ordergraph.Order, *ordergraph.Chargeback, error)
	PageClockFn      func(ctx context.Context, pageID string) (time.Time, time.Duration, error)
	AdvanceClockFn   func(ctx context.Context, pageID string, d time.Duration, at time.Time) (time.Time, error)
}

var _ ordergraph.SandboxService = (*SandboxService)(nil)

func (s *SandboxService) unexpected(name string) {
	s.tb.Helper()
	s.tb.Errorf("unexpected call to %s", name)
}

func (s *SandboxService) CreatePage(ctx context.Context, p ordergraph.PageSpec) (*ordergraph.Page, string, error) {
	if s.CreatePageFn == nil {
		s.unexpected("CreatePage")
		return nil, "", errors.New("unexpected")
	}
	return s.CreatePageFn(ctx, p)
}

func (s *SandboxService) CreateToken(ctx context.Context, pageID string, role ordergraph.Role, expiresIn time.Duration) (string, *ordergraph.Token, error) {
	if s.CreateTokenFn == nil {
		s.unexpected("CreateToken")
		return "", nil, errors.New("unexpected")
	}
	return s.CreateTokenFn(ctx, pageID, role, expiresIn)
}

func (s *SandboxService) RevokeToken(ctx context.Context, rawToken string) error {
	if s.RevokeTokenFn == nil {
		s.unexpected("RevokeToken")
		return errors.New("unexpected")
	}
	return s.RevokeTokenFn(ctx, rawToken)
}

func (s *SandboxService) PlaceOrder(ctx context.Context, pageID string, spec ordergraph.OrderSpec) (*ordergraph.Order, error) {
	if s.PlaceOrderFn == nil {
		s.unexpected("PlaceOrder")
		return nil, errors.New("unexpected")
	}
	return s.PlaceOrderFn(ctx, pageID, spec)
}

func (s *SandboxService) GenerateOrders(ctx context.Context, pageID string, g ordergraph.GenerateSpec) ([]string, error) {
	if s.GenerateOrdersFn == nil {
		s.unexpected("GenerateOrders")
		return nil, errors.New("unexpected")
	}
	return s.GenerateOrdersFn(ctx, pageID, g)
}

func (s *SandboxService) BuyerCancel(ctx context.Context, pageID, orderID string) (*ordergraph.Order, error) {
	if s.BuyerCancelFn == nil {
		s.unexpected("BuyerCancel")
		return nil, errors.New("unexpected")
	}
	return s.BuyerCancelFn(ctx, pageID, orderID)
}

func (s *SandboxService) Chargeback(ctx context.Context, pageID, orderID, amount string, outcome ordergraph.ChargebackOutcome) (*ordergraph.Order, *ordergraph.Chargeback, error) {
	if s.ChargebackFn == nil {
		s.unexpected("Chargeback")
		return nil, nil, errors.New("unexpected")
	}
	return s.ChargebackFn(ctx, pageID, orderID, amount, outcome)
}

func (s *SandboxService) PageClock(ctx context.Context, pageID string) (time.Time, time.Duration, error) {
	if s.PageClockFn == nil {
		s.unexpected("PageClock")
		return time.Time{}, 0, errors.New("unexpected")
	}
	return s.PageClockFn(ctx, pageID)
}

func (s *SandboxService) AdvanceClock(ctx context.Context, pageID string, d time.Duration, at time.Time) (time.Time, error) {
	if s.AdvanceClockFn == nil {
		s.unexpected("AdvanceClock")
		return time.Time{}, errors.New("unexpected")
	}
	return s.AdvanceClockFn(ctx, pageID, d, at)
}

// setup returns a fake service (no methods set) and a handler over it.
func setup(t *testing.T) (*SandboxService, http.Handler) {
	t.Helper()
	svc := &SandboxService{tb: t}
	return svc, sandbox.NewHandler(svc, adminKey)
}

// do sends one JSON request with the admin key and decodes the answer.
func do(t *testing.T, h http.Handler, method, path, body string) (int, map[string]any) {
	t.Helper()
	return doWith(t, h, method, path, body, map[string]string{
		"Authorization": "Bearer " + adminKey,
		"Content-Type":  "application/json",
	})
}

func doWith(t *testing.T, h http.Handler, method, path, body string, headers map[string]string) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type=%q, want application/json; body %s", ct, w.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, w.Body)
	}
	return w.Code, got
}

// errorOf returns the error envelope's fields, failing if there is none.
func errorOf(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	e, ok := body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error envelope in %v", body)
	}
	if id, _ := e["fbtrace_id"].(string); id == "" {
		t.Errorf("error has no fbtrace_id: %v", e)
	}
	return e
}

// wantError checks status, Graph code and that the message mentions each of
// words.
func wantError(t *testing.T, status int, body map[string]any, wantStatus int, wantCode float64, words ...string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("status=%d, want %d (%v)", status, wantStatus, body)
	}
	e := errorOf(t, body)
	if got := e["code"]; got != wantCode {
		t.Errorf("code=%v, want %v (%v)", got, wantCode, e)
	}
	msg, _ := e["message"].(string)
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not mention %q", msg, w)
		}
	}
}

// Ensure every call needs the admin key, compared exactly.
func TestHandler_Auth(t *testing.T) {
	t.Parallel()
	for name, headers := range map[string]map[string]string{
		"NoHeader":    {},
		"WrongKey":    {"Authorization": "Bearer nope"},
		"KeyPrefix":   {"Authorization": "Bearer " + adminKey[:4]},
		"WrongScheme": {"Authorization": "Basic " + adminKey},
		"NoScheme":    {"Authorization": adminKey},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, h := setup(t)
			status, body := doWith(t, h, "POST", "/sandbox/pages", `{}`, headers)
			wantError(t, status, body, http.StatusUnauthorized, 190, "admin key")
			if got := errorOf(t, body)["type"]; got != "OAuthException" {
				t.Errorf("type=%v, want OAuthException", got)
			}
		})
	}
	t.Run("LowercaseScheme", func(t *testing.T) {
		t.Parallel()
		svc, h := setup(t)
		svc.PageClockFn = func(context.Context, string) (time.Time, time.Duration, error) {
			return time.Unix(0, 0), 0, nil
		}
		status, _ := doWith(t, h, "GET", "/sandbox/pages/1/clock", "", map[string]string{"Authorization": "bearer " + adminKey})
		if status != http.StatusOK {
			t.Fatalf("status=%d, want 200", status)
		}
	})
	t.Run("NoAdminKeyConfigured", func(t *testing.T) {
		t.Parallel()
		h := sandbox.NewHandler(&SandboxService{tb: t}, "")
		status, body := doWith(t, h, "POST", "/sandbox/pages", `{}`, map[string]string{"Authorization": "Bearer "})
		wantError(t, status, body, http.StatusUnauthorized, 190, "disabled")
	})
}

// Ensure calls outside the implemented rows answer a JSON error.
func TestHandler_UnknownPath(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ method, path string }{
		{"GET", "/sandbox/"},
		{"GET", "/sandbox"},
		{"POST", "/sandbox/orders/1/return_request"},
		{"POST", "/sandbox/pages/1/faults"},
		{"DELETE", "/sandbox/pages/1/faults"},
		{"GET", "/sandbox/pages/1/notifications"},
		{"POST", "/sandbox/pages/1/webhooks"},
		{"GET", "/sandbox/pages/1/webhooks/deliveries"},
		{"GET", "/sandbox/pages"},         // known path, other method
		{"PUT", "/sandbox/pages/1/clock"}, // known path, other method
		{"POST", "/sandbox/tokens/abc"},   // known path, other method
	} {
		t.Run(c.method+c.path, func(t *testing.T) {
			t.Parallel()
			_, h := setup(t)
			status, body := do(t, h, c.method, c.path, "")
			wantError(t, status, body, http.StatusBadRequest, 100, "Unknown sandbox path", c.path)
		})
	}
}

// Ensure bodies that are not one JSON object say what is wrong.
func TestHandler_BadBody(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, contentType, body string
		words                   []string
	}{
		{"Form", "application/x-www-form-urlencoded", "name=x", []string{"JSON", "Content-Type"}},
		{"Multipart", "multipart/form-data; boundary=x", "--x--", []string{"JSON"}},
		{"Syntax", "application/json", `{"name":`, []string{"not valid JSON"}},
		{"SyntaxMiddle", "application/json", `{"name" "x"}`, []string{"not valid JSON", "byte"}},
		{"Array", "application/json", `[1,2]`, []string{"JSON object", "array"}},
		{"Trailing", "application/json", `{} {}`, []string{"exactly one"}},
		{"WrongType", "application/json", `{"name":5}`, []string{"name", "string", "number"}},
		{"WrongTypeInt", "application/json", `{"handling_days":"3"}`, []string{"handling_days", "whole number", "string"}},
		{"TooLarge", "application/json", `{"name":"` + strings.Repeat("x", 1<<20) + `"}`, []string{"larger than"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, h := setup(t)
			status, body := doWith(t, h, "POST", "/sandbox/pages", c.body, map[string]string{
				"Authorization": "Bearer " + adminKey,
				"Content-Type":  c.contentType,
			})
			wantError(t, status, body, http.StatusBadRequest, 100, c.words...)
		})
	}
}

// Ensure domain errors map through the one table.
func TestHandler_Errors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		err         error
		wantStatus  int
		wantCode    float64
		wantSubcode any
		wantMessage string
		wantType    string
		transient   bool
	}{
		{"Invalid", ordergraph.Errorf(ordergraph.EINVALID, "bad thing"), 400, 100, nil, "bad thing", "OAuthException", false},
		{"InvalidSubcode", ordergraph.CommerceErrorf(ordergraph.SubcodeNotInHold, "Hold ended", "too late"), 400, 100, float64(ordergraph.SubcodeNotInHold), "too late", "OAuthException", false},
		{"NotFound", ordergraph.Errorf(ordergraph.ENOTFOUND, "no such page"), 400, 100, float64(33), "no such page", "GraphMethodException", false},
		{"Unauthorized", ordergraph.Errorf(ordergraph.EUNAUTHORIZED, "no"), 401, 190, nil, "no", "OAuthException", false},
		{"Forbidden", ordergraph.Errorf(ordergraph.EFORBIDDEN, "no"), 403, 200, nil, "no", "OAuthException", false},
		{"Conflict", ordergraph.Errorf(ordergraph.ECONFLICT, "again"), 409, 100, nil, "again", "OAuthException", false},
		{"Unavailable", ordergraph.Errorf(ordergraph.EUNAVAILABLE, "later"), 503, 2, nil, "later", "OAuthException", true},
		{"Internal", errors.New("disk on fire"), 500, 1, nil, "An unexpected error has occurred. Please retry your request later.", "OAuthException", true},
		{"InternalCoded", ordergraph.Errorf(ordergraph.EINTERNAL, "secret detail"), 500, 1, nil, "An unexpected error has occurred. Please retry your request later.", "OAuthException", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			svc, h := setup(t)
			svc.PageClockFn = func(context.Context, string) (time.Time, time.Duration, error) {
				return time.Time{}, 0, c.err
			}
			status, body := do(t, h, "GET", "/sandbox/pages/1/clock", "")
			if status != c.wantStatus {
				t.Errorf("status=%d, want %d", status, c.wantStatus)
			}
			e := errorOf(t, body)
			got := map[string]any{"code": e["code"], "error_subcode": e["error_subcode"], "message": e["message"], "type": e["type"], "is_transient": e["is_transient"]}
			want := map[string]any{"code": c.wantCode, "error_subcode": c.wantSubcode, "message": c.wantMessage, "type": c.wantType, "is_transient": c.transient}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Ensure every answer has a trace id, and an error's matches its fbtrace_id.
func TestHandler_TraceID(t *testing.T) {
	t.Parallel()
	svc, h := setup(t)
	svc.PageClockFn = func(context.Context, string) (time.Time, time.Duration, error) { return time.Unix(0, 0), 0, nil }
	ok := httptest.NewRequest("GET", "/sandbox/pages/1/clock", nil)
	ok.Header.Set("Authorization", "Bearer "+adminKey)
	okw := httptest.NewRecorder()
	h.ServeHTTP(okw, ok)
	if okw.Code != http.StatusOK || okw.Header().Get("x-fb-trace-id") == "" {
		t.Errorf("status=%d x-fb-trace-id=%q, want 200 with a trace id", okw.Code, okw.Header().Get("x-fb-trace-id"))
	}

	r := httptest.NewRequest("GET", "/sandbox/nope", nil)
	r.Header.Set("Authorization", "Bearer "+adminKey)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var body struct {
		Error struct {
			TraceID string `json:"fbtrace_id"`
		} `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if got, want := w.Header().Get("x-fb-trace-id"), body.Error.TraceID; got != want || got == "" {
		t.Fatalf("x-fb-trace-id=%q, want %q", got, want)
	}
}
