package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/server"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// MustOpenServer opens a server on a free loopback port with cfg (Addr and
// Logger filled in) and closes it when the test ends.
func MustOpenServer(tb testing.TB, cfg server.Config) (*server.Server, *syncBuffer) {
	tb.Helper()
	logs := &syncBuffer{}
	cfg.Addr = "127.0.0.1:0"
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s := server.New(cfg)
	if err := s.Open(); err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s, logs
}

// get sends a request and returns the status, content type and body.
func get(tb testing.TB, method, url string) (int, string, string) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// named answers its name, so a test sees which surface served a path.
func named(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"handler":"`+name+`","path":"`+r.URL.Path+`"}`)
	})
}

func TestServer_Health(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpenServer(t, server.Config{Health: func(context.Context) error { return nil }})
		status, ct, body := get(t, "GET", s.URL()+"/healthz")
		if status != http.StatusOK || !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("status=%d content-type=%q, want 200 JSON", status, ct)
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"status": "ok"}, got); diff != "" {
			t.Errorf("body mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("NoHealthFunc", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpenServer(t, server.Config{})
		if status, _, _ := get(t, "GET", s.URL()+"/healthz"); status != http.StatusOK {
			t.Fatalf("status=%d, want 200", status)
		}
	})
	t.Run("ErrUnavailable", func(t *testing.T) {
		t.Parallel()
		s, _ := MustOpenServer(t, server.Config{Health: func(context.Context) error { return errors.New("database is locked") }})
		status, ct, body := get(t, "GET", s.URL()+"/healthz")
		if status != http.StatusServiceUnavailable || !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("status=%d content-type=%q, want 503 JSON", status, ct)
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"status": "unavailable"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("body mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestServer_Routing(t *testing.T) {
	t.Parallel()
	s, _ := MustOpenServer(t, server.Config{Graph: named("graph"), Sandbox: named("sandbox")})
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/v25.0/123/commerce_orders", "graph"},
		{"GET", "/123", "graph"},
		{"POST", "/", "graph"},
		{"GET", "/v25.0//odd", "graph"}, // no ServeMux redirect
		{"GET", "/sandboxes", "graph"},
		{"POST", "/sandbox/pages", "sandbox"},
		{"GET", "/sandbox/pages/1/clock", "sandbox"},
		{"GET", "/sandbox", "sandbox"},
	} {
		status, _, body := get(t, c.method, s.URL()+c.path)
		var got struct{ Handler, Path string }
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s %s: %v: %s", c.method, c.path, err, body)
		}
		if status != http.StatusOK || got.Handler != c.want || got.Path != c.path {
			t.Errorf("%s %s: status=%d served by %q at %q, want %q", c.method, c.path, status, got.Handler, got.Path, c.want)
		}
	}
}

// Ensure a server without a surface still answers JSON errors.
func TestServer_Unmounted(t *testing.T) {
	t.Parallel()
	s, _ := MustOpenServer(t, server.Config{})
	for _, path := range []string{"/v25.0/1", "/sandbox/pages"} {
		status, ct, body := get(t, "GET", s.URL()+path)
		if status != http.StatusBadRequest || !strings.HasPrefix(ct, "application/json") || !strings.Contains(body, `"error"`) {
			t.Errorf("GET %s: status=%d content-type=%q body=%s, want a 400 JSON error", path, status, ct, body)
		}
	}
}

// Ensure a panicking handler answers a JSON 500 and is logged.
func TestServer_Panic(t *testing.T) {
	t.Parallel()
	s, logs := MustOpenServer(t, server.Config{Graph: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("not yet")
	})})
	status, ct, body := get(t, "GET", s.URL()+"/v25.0/1")
	if status != http.StatusInternalServerError || !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("status=%d content-type=%q, want 500 JSON", status, ct)
	}
	var got struct {
		Error struct {
			Code        int  `json:"code"`
			IsTransient bool `json:"is_transient"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.Error.Code != 1 || !got.Error.IsTransient {
		t.Errorf("body=%s (%v), want code 1 transient", body, err)
	}
	if !strings.Contains(logs.String(), "handler panic") {
		t.Errorf("panic not logged: %s", logs)
	}
}

func TestServer_Metrics(t *testing.T) {
	t.Parallel()
	counts := func(context.Context) (map[ordergraph.OrderState]int, error) {
		return map[ordergraph.OrderState]int{ordergraph.StateCreated: 7, ordergraph.StateCompleted: 2}, nil
	}
	sandbox := http.NewServeMux()
	sandbox.HandleFunc("POST /sandbox/pages/{page_id}/orders", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	s, logs := MustOpenServer(t, server.Config{Graph: named("graph"), Sandbox: sandbox, OrderCounts: counts})

	s.Observe(server.Request{Route: "POST /{order_id}/shipments", Method: "POST", Status: 200, Duration: 3 * time.Millisecond, TraceID: "Atrace", PageID: "101"})
	s.Observe(server.Request{Route: "/{order_id}", Method: "GET", Status: 500, Duration: time.Millisecond, TraceID: "Aboom", Err: errors.New("disk on fire")})
	if status, _, _ := get(t, "POST", s.URL()+"/sandbox/pages/101/orders"); status != http.StatusCreated {
		t.Fatalf("sandbox status=%d, want 201", status)
	}

	status, _, body := get(t, "GET", s.URL()+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("status=%d, want 200: %s", status, body)
	}
	for _, want := range []string{
		`ordergraph_http_requests_total{method="POST",route="/{order_id}/shipments",status="200"} 1`,
		`ordergraph_http_requests_total{method="GET",route="/{order_id}",status="500"} 1`,
		`ordergraph_http_requests_total{method="POST",route="/sandbox/pages/{page_id}/orders",status="201"} 1`,
		`ordergraph_http_request_duration_seconds_bucket{route="/{order_id}/shipments",le="0.005"} 1`,
		`ordergraph_http_request_duration_seconds_count{route="/{order_id}/shipments"} 1`,
		`ordergraph_orders{state="CREATED"} 7`,
		`ordergraph_orders{state="COMPLETED"} 2`,
		`ordergraph_orders{state="FB_PROCESSING"} 0`,
		`ordergraph_orders{state="IN_PROGRESS"} 0`,
		`go_goroutines `,
		`process_cpu_seconds_total `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// One log line per request; internal errors at ERROR with the error.
	lines := map[string]map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if route, ok := m["route"].(string); ok {
			lines[route] = m
		}
	}
	ship := lines["/{order_id}/shipments"]
	if ship["level"] != "INFO" || ship["fbtrace_id"] != "Atrace" || ship["page_id"] != "101" || ship["status"] != float64(200) || ship["msg"] != "graph request" {
		t.Errorf("shipments log line = %v", ship)
	}
	if boom := lines["/{order_id}"]; boom["level"] != "ERROR" || boom["err"] != "disk on fire" {
		t.Errorf("internal error log line = %v", boom)
	}
	if sb := lines["/sandbox/pages/{page_id}/orders"]; sb["page_id"] != "101" || sb["status"] != float64(201) {
		t.Errorf("sandbox log line = %v", sb)
	}
}

// Ensure a failing or panicking order count does not hide other metrics.
func TestServer_MetricsOrderCountFails(t *testing.T) {
	t.Parallel()
	for name, counts := range map[string]func(context.Context) (map[ordergraph.OrderState]int, error){
		"Error": func(context.Context) (map[ordergraph.OrderState]int, error) { return nil, errors.New("no db") },
		"Panic": func(context.Context) (map[ordergraph.OrderState]int, error) { panic("not yet") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, _ := MustOpenServer(t, server.Config{OrderCounts: counts})
			s.ObserveRequest("/{id}", "GET", 200, time.Millisecond)
			status, _, body := get(t, "GET", s.URL()+"/metrics")
			if status != http.StatusOK || !strings.Contains(body, "ordergraph_http_requests_total") || strings.Contains(body, "ordergraph_orders{") {
				t.Errorf("status=%d body lacks request metrics or has order counts:\n%s", status, body)
			}
		})
	}
}

// Ensure Close waits for in-flight requests, then refuses new ones.
func TestServer_Close(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	s := server.New(server.Config{Addr: "127.0.0.1:0", Graph: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, `{"slow":true}`)
	})})
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	if err := s.Open(); err == nil {
		t.Errorf("second Open succeeded, want an error")
	}
	url := s.URL()
	if !strings.HasPrefix(url, "http://127.0.0.1:") || s.Port() == 0 {
		t.Fatalf("URL=%q Port=%d", url, s.Port())
	}

	type result struct {
		status int
		body   string
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/slow")
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		inflight <- result{resp.StatusCode, string(b), err}
	}()
	<-started

	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		closed <- s.Close(ctx)
	}()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the in-flight request finished", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if r := <-inflight; r.err != nil || r.status != http.StatusOK || r.body != `{"slow":true}` {
		t.Errorf("in-flight request: %+v", r)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := http.Get(url + "/after"); err == nil {
		t.Errorf("request after Close succeeded")
	}
}

// Ensure Close gives up on requests that outlive its context.
func TestServer_CloseTimeout(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	s := server.New(server.Config{Addr: "127.0.0.1:0", Graph: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})})
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	go func() {
		if resp, err := http.Get(s.URL() + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close=%v, want a deadline error", err)
	}
}

func TestServer_CloseUnopened(t *testing.T) {
	t.Parallel()
	s := server.New(server.Config{Addr: "127.0.0.1:0"})
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("Close=%v, want nil", err)
	}
	if s.URL() != "" || s.Port() != 0 {
		t.Errorf("URL=%q Port=%d before Open", s.URL(), s.Port())
	}
}
