// Package server owns ordergraph's HTTP listener. It mounts the Graph API at
// the root, the sandbox API under /sandbox/, and its own /healthz and
// /metrics, and it logs and counts requests, so that cmd and
// ordergraphtest only wire handlers together and never touch net/http's
// server themselves.
package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/ordergraph/ordergraph"
)

// Timeouts of the listener and of the health check.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	healthTimeout     = 5 * time.Second
)

// Config is what a Server serves. Graph and Sandbox are the two API
// surfaces; Health reports whether the server can answer (typically the
// database's Ping); OrderCounts feeds the orders-by-state gauge. Only Addr
// is required: a missing handler answers a JSON error, a missing Health is
// always healthy.
type Config struct {
	Addr        string
	Graph       http.Handler
	Sandbox     http.Handler
	Health      func(ctx context.Context) error
	OrderCounts func(ctx context.Context) (map[ordergraph.OrderState]int, error)
	// Metrics, when set, is used instead of one built from OrderCounts.
	Metrics *Metrics
	Logger  *slog.Logger
}

// Server is one HTTP listener serving ordergraph.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	metrics *Metrics
	handler http.Handler
	// metricsHandler serves /metrics.
	metricsHandler http.Handler

	mu   sync.Mutex
	ln   net.Listener
	srv  *http.Server
	done chan error // Serve's result
}

// New returns a Server for cfg; Open starts listening.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, logger: cfg.Logger, metrics: cfg.Metrics}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(cfg.OrderCounts)
	}
	s.metricsHandler = s.metrics.Handler(s.logger)
	s.handler = s.recoverPanics(http.HandlerFunc(s.route))
	return s
}

// Handler returns the server's root handler, for serving it in process
// (httptest) without a listener.
func (s *Server) Handler() http.Handler { return s.handler }

// Metrics returns the server's metrics.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Open listens on the configured address (":0" or "127.0.0.1:0" pick a free
// port) and serves in the background until Close.
func (s *Server) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return fmt.Errorf("server already open on %s", s.ln.Addr())
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.done = make(chan error, 1)
	go func(srv *http.Server, done chan<- error) {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}(s.srv, s.done)
	return nil
}

// Close stops accepting connections and waits for in-flight requests to
// finish, until ctx ends; then it closes the remaining connections.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		// In-flight requests outlived ctx: cut them off.
		_ = srv.Close()
		err = fmt.Errorf("graceful shutdown: %w", err)
	}
	if serveErr := <-done; serveErr != nil && err == nil {
		err = fmt.Errorf("serve: %w", serveErr)
	}
	return err
}

// Addr returns the address the server listens on, or nil before Open.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Port returns the port the server listens on, or 0 before Open.
func (s *Server) Port() int {
	if a, ok := s.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// URL returns the base URL of the server, such as "http://127.0.0.1:8080".
// A wildcard listen address (":8080", "0.0.0.0:8080") is reached at the
// loopback address.
func (s *Server) URL() string {
	a, ok := s.Addr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	host := "127.0.0.1"
	if !a.IP.IsUnspecified() && a.IP != nil {
		host = a.IP.String()
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(a.Port))
}

// Request is one answered Graph request, as the Graph handler reports it.
type Request struct {
	Route    string // the route pattern, never the raw path
	Method   string
	Status   int
	Duration time.Duration
	TraceID  string
	PageID   string
	Err      error
}

// Observe logs one Graph request (internal errors at Error level, with the
// error) and counts it in the metrics.
func (s *Server) Observe(r Request) {
	route := routeLabel(r.Route)
	s.ObserveRequest(route, r.Method, r.Status, r.Duration)
	attrs := []slog.Attr{
		slog.String("route", route),
		slog.String("method", r.Method),
		slog.Int("status", r.Status),
		slog.Duration("duration", r.Duration),
		slog.String("fbtrace_id", r.TraceID),
	}
	if r.PageID != "" {
		attrs = append(attrs, slog.String("page_id", r.PageID))
	}
	level := slog.LevelInfo
	if r.Err != nil {
		code := ordergraph.ErrorCode(r.Err)
		attrs = append(attrs, slog.String("error_code", code))
		if code == ordergraph.EINTERNAL {
			level = slog.LevelError
			attrs = append(attrs, slog.Any("err", r.Err))
		}
	}
	s.logger.LogAttrs(context.Background(), level, "graph request", attrs...)
}

// ObserveRequest counts one answered request and its latency.
func (s *Server) ObserveRequest(route, method string, status int, d time.Duration) {
	s.metrics.ObserveRequest(route, method, status, d)
}

// routeLabel drops the method of a pattern ("GET /{order_id}" becomes
// "/{order_id}"): the method is a label of its own.
func routeLabel(pattern string) string {
	if method, path, ok := strings.Cut(pattern, " "); ok && method != "" && strings.ToUpper(method) == method && strings.HasPrefix(path, "/") {
		return path
	}
	return pattern
}

// route sends each request to its surface. Prefix matching (rather than a
// ServeMux) keeps Graph paths exactly as clients sent them: no redirects,
// no cleaning, no plain-text 404 or 405.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/healthz":
		s.handleHealth(w, r)
	case p == "/metrics":
		s.metricsHandler.ServeHTTP(w, r)
	case p == "/sandbox" || strings.HasPrefix(p, "/sandbox/"):
		s.serveSandbox(w, r)
	case s.cfg.Graph != nil:
		s.cfg.Graph.ServeHTTP(w, r)
	default:
		writeGraphError(w, http.StatusBadRequest, "Unsupported request: the Graph API is not mounted on this server.", 100, false)
	}
}

// serveSandbox serves a sandbox call, then logs and counts it under the
// route pattern the sandbox matched.
func (s *Server) serveSandbox(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Sandbox == nil {
		writeGraphError(w, http.StatusBadRequest, "The sandbox API is not mounted on this server.", 100, false)
		return
	}
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	s.cfg.Sandbox.ServeHTTP(rec, r)
	d := time.Since(start)
	route := routeLabel(r.Pattern)
	if route == "" || route == "/sandbox" {
		route = "/sandbox/"
	}
	status := rec.statusCode()
	s.ObserveRequest(route, r.Method, status, d)
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("route", route),
		slog.String("method", r.Method),
		slog.Int("status", status),
		slog.Duration("duration", d),
	}
	if id := rec.Header().Get("x-fb-trace-id"); id != "" {
		attrs = append(attrs, slog.String("fbtrace_id", id))
	}
	if id := r.PathValue("page_id"); id != "" {
		attrs = append(attrs, slog.String("page_id", id))
	}
	s.logger.LogAttrs(r.Context(), level, "sandbox request", attrs...)
}

// handleHealth answers 200 {"status":"ok"} when Health passes, else 503.
// The reason is logged, not answered: it can name the database's host and
// user, and /healthz is unauthenticated.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Health != nil {
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		if err := s.cfg.Health(ctx); err != nil {
			s.logger.WarnContext(r.Context(), "health check failed", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// recoverPanics turns a panic in any handler into a logged error and, when
// nothing was written yet, a Graph-style JSON 500: clients parse error
// bodies as JSON whatever the status, so there must never be another kind.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.logger.ErrorContext(r.Context(), "handler panic",
				"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.wroteHeader {
				writeGraphError(rec, http.StatusInternalServerError, "An unknown error has occurred.", 1, true)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// writeGraphError answers a Graph error envelope for the few errors the
// server itself produces.
func writeGraphError(w http.ResponseWriter, status int, message string, code int, transient bool) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	traceID := base64.RawURLEncoding.EncodeToString(b[:])
	w.Header().Set("x-fb-trace-id", traceID)
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"message": message, "type": "OAuthException", "code": code, "is_transient": transient, "fbtrace_id": traceID,
	}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader && code >= 200 {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = http.StatusOK, true
	}
	return r.ResponseWriter.Write(b)
}

// Flush sends buffered data to the client, when the connection can.
func (r *statusRecorder) Flush() {
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection (Flush,
// deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) statusCode() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}
