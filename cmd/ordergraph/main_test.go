package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph/internal/server"
	"github.com/ordergraph/ordergraph/internal/store/storetest"
)

// syncBuffer is a goroutine-safe output sink.
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

// runCommand runs the command tree with args and no environment.
func runCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCommand(&out, &errOut, func(string) string { return "" })
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func TestServe_Errors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"ErrPostgres", []string{"serve", "--db", "postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=1"}, "open database postgres://nobody:xxxxx@127.0.0.1:1/none"},
		{"ErrLogFormat", []string{"serve", "--log-format", "xml"}, "--log-format must be text or json"},
		{"ErrLogLevel", []string{"serve", "--log-level", "loud"}, "--log-level"},
		{"ErrPublicURL", []string{"serve", "--public-url", "example.com"}, "--public-url"},
		{"ErrArgs", []string{"serve", "extra"}, "unknown command"},
		{"ErrMigratePostgres", []string{"migrate", "--db", "postgresql://127.0.0.1:1/none?connect_timeout=1"}, "open database postgresql://127.0.0.1:1/none"},
		{"ErrVerifyPostgres", []string{"verify", "--db", "postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=1"}, "open database postgres://nobody:xxxxx@127.0.0.1:1/none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := runCommand(t, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err=%v, want one mentioning %q", err, c.want)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "og.db")
	out, err := runCommand(t, "migrate", "--db", path)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if !strings.Contains(out, "up to date") {
		t.Errorf("output %q", out)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created: %v", err)
	}
	// Migrating again is a no-op.
	if _, err := runCommand(t, "migrate", "--db", path); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
}

// TestMigrate_Postgres migrates a PostgreSQL schema, twice, and serves on
// it.
func TestMigrate_Postgres(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresDSN(t)
	for range 2 {
		out, err := runCommand(t, "migrate", "--db", dsn)
		if err != nil {
			t.Fatalf("migrate: %v", err)
		}
		if !strings.Contains(out, "up to date") {
			t.Errorf("output %q", out)
		}
	}
	srv, _ := MustRunServe(t, serveOptions{db: dsn, adminKey: "test-admin", timerInterval: 20 * time.Millisecond})
	if status, body := httpGet(t, srv.URL()+"/healthz"); status != http.StatusOK {
		t.Errorf("healthz: %d %s", status, body)
	}
}

// MustRunServe runs serve with o (on a free port) until the test ends, and
// returns the server and what serve printed.
func MustRunServe(tb testing.TB, o serveOptions) (*server.Server, *syncBuffer) {
	tb.Helper()
	o.addr = "127.0.0.1:0"
	if o.logFormat == "" {
		o.logFormat, o.logLevel = "json", "debug"
	}
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	ready := make(chan *server.Server, 1)
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, o, stdout, stderr, func(s *server.Server) { ready <- s }) }()
	var srv *server.Server
	select {
	case srv = <-ready:
	case err := <-done:
		cancel()
		tb.Fatalf("serve stopped before listening: %v\nlogs:\n%s", err, stderr)
	case <-time.After(2 * time.Minute):
		cancel()
		tb.Fatalf("serve did not start\nlogs:\n%s", stderr)
	}
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
		if strings.Contains(stderr.String(), `"level":"ERROR"`) {
			tb.Logf("serve logged errors:\n%s", stderr)
		}
	})
	return srv, stdout
}

// httpGet returns the status and body of a GET.
func httpGet(tb testing.TB, url string, header ...string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// bannerValue reads one "  label  value" line of the demo banner.
func bannerValue(tb testing.TB, banner, label string) string {
	tb.Helper()
	m := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(label) + `\s+(\S+)`).FindStringSubmatch(banner)
	if m == nil {
		tb.Fatalf("banner has no %q:\n%s", label, banner)
	}
	return m[1]
}

// Ensure serve --demo wires everything: health, metrics, the sandbox and
// the Graph API see the demo page and its orders in every state; a second
// run reuses the page.
func TestServe_Demo(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "demo.db")
	o := serveOptions{db: db, adminKey: "test-admin", demo: true, timerInterval: 20 * time.Millisecond}

	srv, stdout := MustRunServe(t, o)
	banner := stdout.String()
	base, page, token := bannerValue(t, banner, "base URL"), bannerValue(t, banner, "page id"), bannerValue(t, banner, "page token")
	if base != srv.URL() || !strings.Contains(banner, "created with 35 orders") || bannerValue(t, banner, "admin key") != "test-admin" {
		t.Errorf("banner:\n%s", banner)
	}

	if status, body := httpGet(t, base+"/healthz"); status != http.StatusOK {
		t.Errorf("healthz: %d %s", status, body)
	}
	_, metrics := httpGet(t, base+"/metrics")
	for _, want := range []string{
		`ordergraph_orders{state="FB_PROCESSING"} 4`,
		`ordergraph_orders{state="CREATED"} 9`,
		`ordergraph_orders{state="IN_PROGRESS"} 10`,
		`ordergraph_orders{state="COMPLETED"} 12`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	status, body := httpGet(t, base+"/v25.0/"+page+"/commerce_orders?access_token="+token)
	var list struct {
		Data []struct {
			ID          string `json:"id"`
			OrderStatus struct {
				StatusCode string `json:"status_code"`
			} `json:"order_status"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &list); status != http.StatusOK || err != nil {
		t.Fatalf("commerce_orders: %d %v %s", status, err, body)
	}
	if len(list.Data) != 9 {
		t.Errorf("commerce_orders listed %d CREATED orders, want 9: %s", len(list.Data), body)
	}

	if status, body := httpGet(t, base+"/sandbox/pages/"+page+"/clock", "Authorization", "Bearer test-admin"); status != http.StatusOK || !strings.Contains(body, `"offset"`) {
		t.Errorf("sandbox clock: %d %s", status, body)
	}
	if status, _ := httpGet(t, base+"/sandbox/pages/"+page+"/clock", "Authorization", "Bearer wrong"); status != http.StatusUnauthorized {
		t.Errorf("sandbox clock with a wrong key: %d, want 401", status)
	}
}

func TestServe_DemoReused(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "demo.db")
	first := func() string {
		ctx, cancel := context.WithCancel(context.Background())
		stdout := &syncBuffer{}
		o := serveOptions{addr: "127.0.0.1:0", db: db, demo: true, logFormat: "text", logLevel: "error"}
		err := runServe(ctx, o, stdout, io.Discard, func(*server.Server) { cancel() })
		if err != nil {
			t.Fatalf("first serve: %v", err)
		}
		return stdout.String()
	}
	b1 := first()
	b2 := first()
	if !strings.Contains(b2, "found in the database") {
		t.Errorf("second banner does not reuse the page:\n%s", b2)
	}
	if p1, p2 := bannerValue(t, b1, "page id"), bannerValue(t, b2, "page id"); p1 != p2 {
		t.Errorf("page id %s, then %s", p1, p2)
	}
	if t1, t2 := bannerValue(t, b1, "page token"), bannerValue(t, b2, "page token"); t1 == t2 {
		t.Errorf("token not renewed: %s", t1)
	}
	// A generated admin key differs per run.
	if k1, k2 := bannerValue(t, b1, "admin key"), bannerValue(t, b2, "admin key"); k1 == k2 || !strings.HasPrefix(k1, "ogadmin_") {
		t.Errorf("admin keys %q, %q", k1, k2)
	}
}

// timersFunc adapts a function to timerRunner.
type timersFunc func(ctx context.Context) (int, error)

func (f timersFunc) RunDueTimers(ctx context.Context) (int, error) { return f(ctx) }

// Ensure the timer loop survives errors and panics, and stops with ctx.
func TestRunTimers(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		calls int
	)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runTimers(ctx, timersFunc(func(context.Context) (int, error) {
			mu.Lock()
			calls++
			n := calls
			mu.Unlock()
			switch n {
			case 1:
				return 0, errors.New("database is locked")
			case 2:
				panic("not yet")
			case 3:
				cancel()
			}
			return 1, nil
		}), time.Millisecond, logger)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("runTimers did not stop")
	}
	for _, want := range []string{"database is locked", "not yet"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}
