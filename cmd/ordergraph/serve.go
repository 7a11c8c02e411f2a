package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/graphapi"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
	"github.com/ordergraph/ordergraph/internal/sandbox"
	"github.com/ordergraph/ordergraph/internal/server"
)

// shutdownTimeout is how long in-flight requests get to finish on shutdown.
const shutdownTimeout = 15 * time.Second

// serveOptions are the flags of `ordergraph serve`.
type serveOptions struct {
	addr          string
	db            string
	adminKey      string
	publicURL     string
	demo          bool
	timerInterval time.Duration
	logFormat     string
	logLevel      string
	// appSecret and requireAppSecretProof configure appsecret_proof, as
	// an app's secret and its "Require App Secret" switch do.
	appSecret             string
	requireAppSecretProof bool
}

// newServeCommand returns `ordergraph serve`.
func newServeCommand(getenv func(string) string) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the Graph API at / and the sandbox API at /sandbox/",
		Long: "serve answers the Order Management Graph API at / and the sandbox API (pages, tokens,\n" +
			"buyers, the clock) at /sandbox/, on one SQLite database, or on PostgreSQL, which several\n" +
			"serve processes may share. With --demo it also creates a demo page with orders in every\n" +
			"state and prints how to call it.",
		Example: "  ordergraph serve --demo\n  ordergraph serve --addr :8080 --db /var/lib/ordergraph.db --admin-key \"$KEY\"\n" +
			"  ordergraph serve --addr :8080 --db postgres://ordergraph@db.internal/ordergraph --admin-key \"$KEY\"",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.adminKey == "" {
				o.adminKey = getenv("ORDERGRAPH_ADMIN_KEY")
			}
			if o.appSecret == "" {
				o.appSecret = getenv("ORDERGRAPH_APP_SECRET")
			}
			return runServe(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr(), nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	f.StringVar(&o.db, "db", "ordergraph.db", "SQLite database file (created when missing), or a postgres:// URL shared by several servers")
	f.StringVar(&o.adminKey, "admin-key", "", "key of the sandbox API (default $ORDERGRAPH_ADMIN_KEY, else a new random key, printed)")
	f.StringVar(&o.publicURL, "public-url", "", "base URL clients reach the server at, for paging links (default: from each request)")
	f.BoolVar(&o.demo, "demo", false, "create a demo page with orders in every state and print how to call it")
	f.DurationVar(&o.timerInterval, "timer-interval", time.Second, "how often due timers (hold ends, acknowledgement deadlines, payouts) run; 0 disables")
	f.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.StringVar(&o.appSecret, "app-secret", "", "app secret that a Graph request's appsecret_proof must match (default $ORDERGRAPH_APP_SECRET)")
	f.BoolVar(&o.requireAppSecretProof, "require-appsecret-proof", false, "refuse Graph requests without appsecret_proof (needs --app-secret)")
	return cmd
}

// runServe wires the database, the lifecycle engine and both API surfaces
// into a server, serves until ctx ends, then shuts down gracefully. ready,
// when set, is called once the server listens (tests use it to find the
// port).
func runServe(ctx context.Context, o serveOptions, stdout, stderr io.Writer, ready func(*server.Server)) error {
	logger, err := newLogger(stderr, o.logFormat, o.logLevel)
	if err != nil {
		return err
	}
	// The sandbox handler logs internal errors through slog's default.
	slog.SetDefault(logger)
	if o.publicURL != "" && !strings.HasPrefix(o.publicURL, "http://") && !strings.HasPrefix(o.publicURL, "https://") {
		return fmt.Errorf("--public-url must start with http:// or https://, not %q", o.publicURL)
	}
	o.publicURL = strings.TrimRight(o.publicURL, "/")
	if o.requireAppSecretProof && o.appSecret == "" {
		return fmt.Errorf("--require-appsecret-proof needs --app-secret (or $ORDERGRAPH_APP_SECRET)")
	}

	db, err := openStore(ctx, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	engine := lifecycle.NewEngine(db, ordergraph.SystemClock{}, logger)

	adminKey, generatedKey := o.adminKey, false
	if adminKey == "" {
		adminKey, generatedKey = newAdminKey(), true
	}

	var srv *server.Server
	graph := graphapi.NewHandler(graphapi.Config{
		Orders:    engine,
		Auth:      engine,
		Ledger:    engine,
		Logger:    logger,
		PublicURL: o.publicURL,
		// Rate budgets are per process (graphapi.RateLimiter): each server
		// sharing a database enforces its own.
		AppSecret:             o.appSecret,
		RequireAppSecretProof: o.requireAppSecretProof,
		Observe: func(ri graphapi.RequestInfo) {
			srv.Observe(server.Request{
				Route: ri.Route, Method: ri.Method, Status: ri.Status, Duration: ri.Duration,
				TraceID: ri.TraceID, PageID: ri.PageID, Err: ri.Err,
			})
		},
	})
	srv = server.New(server.Config{
		Addr:        o.addr,
		Graph:       graph,
		Sandbox:     sandbox.NewHandler(engine, adminKey),
		Health:      db.Ping,
		OrderCounts: engine.OrderCounts,
		Logger:      logger,
	})

	// The demo data is in place before the first request can arrive.
	var demo *demoPage
	if o.demo {
		if demo, err = seedDemo(ctx, db, engine, engine); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	if err := srv.Open(); err != nil {
		return err
	}
	baseURL := o.publicURL
	if baseURL == "" {
		baseURL = srv.URL()
	}
	logger.Info("ordergraph listening", "url", srv.URL(), "db", redactDSN(o.db), "version", ordergraph.Version)
	switch {
	case demo != nil:
		printDemo(stdout, baseURL, adminKey, demo)
	case generatedKey:
		fmt.Fprintf(stdout, "ordergraph is serving at %s\nsandbox admin key: %s\n", baseURL, adminKey)
	}

	timersCtx, stopTimers := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if o.timerInterval > 0 {
		wg.Go(func() { runTimers(timersCtx, engine, o.timerInterval, logger) })
	}
	if ready != nil {
		ready(srv)
	}

	<-ctx.Done()
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	closeErr := srv.Close(shutdownCtx)
	stopTimers()
	wg.Wait()
	if closeErr != nil {
		return closeErr
	}
	logger.Info("stopped")
	return nil
}

// timerRunner runs the lifecycle's due timers; the engine is one.
type timerRunner interface {
	RunDueTimers(ctx context.Context) (int, error)
}

// runTimers runs due timers every interval until ctx ends. Errors are
// logged, never fatal: the next tick retries.
func runTimers(ctx context.Context, timers timerRunner, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			runTimersOnce(ctx, timers, logger)
		}
	}
}

// runTimersOnce runs one round of due timers; a panic is logged and the
// loop lives on.
func runTimersOnce(ctx context.Context, timers timerRunner, logger *slog.Logger) {
	defer func() {
		if p := recover(); p != nil {
			logger.Error("due timers panicked", "panic", fmt.Sprint(p))
		}
	}()
	n, err := timers.RunDueTimers(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		logger.Error("run due timers", "err", err)
	case n > 0:
		logger.Debug("due timers ran", "orders", n)
	}
}

// newLogger returns the process's logger writing to w.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// newAdminKey returns a random sandbox admin key.
func newAdminKey() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return "ogadmin_" + hex.EncodeToString(b[:])
}
