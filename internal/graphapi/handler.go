// Package graphapi serves ordergraph's orders as Meta's Order Management
// Graph API: the paths, parameter encodings, fields= selection, paging,
// error envelopes and idempotency of graph.facebook.com, so that a seller's
// integration runs against ordergraph by changing only its base URL.
//
// The package is an adapter: it decodes Graph requests into
// ordergraph.OrderService commands and renders orders back as Graph
// objects. It holds no business rules.
package graphapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
)

// LatestVersion is the Graph API version answered in the
// facebook-api-version header when a request names none.
const LatestVersion = "v25.0"

// Config configures the Graph handler.
type Config struct {
	Orders ordergraph.OrderService
	Auth   ordergraph.AuthService
	// Ledger serves transactions and payouts (transaction_details,
	// commerce_transactions, commerce_payouts); without it orders show no
	// transactions and those edges do not exist.
	Ledger ordergraph.LedgerService
	Logger *slog.Logger
	// PublicURL, when set ("https://og.example.com"), is the scheme://host of
	// absolute paging URLs; otherwise they are built from the request (Host,
	// X-Forwarded-Proto).
	PublicURL string
	// Observe, when set, is called once per request after the response is
	// written.
	Observe func(RequestInfo)
	// RateLimiter meters each page's calls (X-Business-Use-Case-Usage,
	// error 80001). Nil: a limiter of DefaultBudget on the system clock.
	// The server keeps it to set per-page budgets at run time.
	RateLimiter *RateLimiter
	// AppSecret, when set, is the app secret appsecret_proof is checked
	// against: a request that carries a proof must carry the right one.
	AppSecret string
	// RequireAppSecretProof refuses requests without appsecret_proof, as
	// an app with "Require App Secret" on does. It needs AppSecret.
	RequireAppSecretProof bool
}

// RequestInfo describes one served request, for logs and metrics.
type RequestInfo struct {
	Route    string // route template, e.g. "GET /{order_id}/shipments", "unknown"
	Method   string
	Status   int
	Duration time.Duration
	TraceID  string
	PageID   string // the token's page, "" if unauthenticated
	Err      error  // the error answered, if any (so the server logs EINTERNAL with slog)
}

// NewHandler returns the handler of every Graph path: /{id} and
// /{id}/{edge}, with or without a /vNN.N/ version prefix.
func NewHandler(cfg Config) http.Handler {
	return newHandler(cfg)
}

func newHandler(cfg Config) *handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RateLimiter == nil {
		cfg.RateLimiter = NewRateLimiter(nil, DefaultBudget)
	}
	return &handler{cfg: cfg, traceID: newTraceID}
}

type handler struct {
	cfg Config
	// traceID returns a new fbtrace_id; tests swap it for a fixed one.
	traceID func() string
}

// newTraceID returns 11 random base64url characters, the shape of Graph's
// fbtrace_id.
func newTraceID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// nodeKind is the kind of object a path id resolves to.
type nodeKind int

const (
	kindNone nodeKind = iota
	kindPage
	kindCMS
	kindOrder
	kindProduct
	kindReturn
)

var kindPlaceholder = map[nodeKind]string{
	kindPage:    "{page_id}",
	kindCMS:     "{cms_id}",
	kindOrder:   "{order_id}",
	kindProduct: "{product_id}",
	kindReturn:  "{return_id}",
}

// route is one Graph endpoint: a method and edge ("" for the node itself)
// on some kinds of object.
type route struct {
	method string
	edge   string
	kinds  []nodeKind
	write  bool
	serve  func(c *call) error
}

// routes is the Graph surface. Each handler lives in the file of its
// resource.
var routes = []route{
	{method: http.MethodGet, edge: "", kinds: []nodeKind{kindPage}, serve: getPage},
	{method: http.MethodGet, edge: "", kinds: []nodeKind{kindCMS}, serve: getCMS},
	{method: http.MethodGet, edge: "", kinds: []nodeKind{kindOrder}, serve: getOrder},
	{method: http.MethodGet, edge: "", kinds: []nodeKind{kindProduct}, serve: getProduct},
	{method: http.MethodGet, edge: "commerce_orders", kinds: []nodeKind{kindPage, kindCMS}, serve: listOrders},
	{method: http.MethodGet, edge: "commerce_merchant_settings", kinds: []nodeKind{kindPage}, serve: listCMS},
	{method: http.MethodGet, edge: "items", kinds: []nodeKind{kindOrder}, serve: listOrderEdge},
	{method: http.MethodPost, edge: "acknowledge_order", kinds: []nodeKind{kindOrder}, write: true, serve: acknowledgeOrder},
	{method: http.MethodPost, edge: "acknowledge_orders", kinds: []nodeKind{kindPage, kindCMS}, write: true, serve: acknowledgeOrders},
	{method: http.MethodPost, edge: "shipments", kinds: []nodeKind{kindOrder}, write: true, serve: createShipment},
	{method: http.MethodPost, edge: "cancel_order", kinds: []nodeKind{kindOrder}, write: true, serve: cancelOrder},
	{method: http.MethodPost, edge: "refund_order", kinds: []nodeKind{kindOrder}, write: true, serve: refundOrder},
	// The current (item-level) API.
	{method: http.MethodGet, edge: "", kinds: []nodeKind{kindReturn}, serve: getReturn},
	{method: http.MethodGet, edge: "shipments", kinds: []nodeKind{kindOrder}, serve: listOrderEdge},
	{method: http.MethodPost, edge: "update_shipment", kinds: []nodeKind{kindOrder}, write: true, serve: updateShipment},
	{method: http.MethodGet, edge: "cancellations", kinds: []nodeKind{kindOrder}, serve: listOrderEdge},
	{method: http.MethodPost, edge: "cancellations", kinds: []nodeKind{kindOrder}, write: true, serve: createCancellation},
	{method: http.MethodGet, edge: "refunds", kinds: []nodeKind{kindOrder}, serve: listOrderEdge},
	{method: http.MethodPost, edge: "refunds", kinds: []nodeKind{kindOrder}, write: true, serve: createRefund},
	{method: http.MethodGet, edge: "returns", kinds: []nodeKind{kindOrder}, serve: listOrderReturns},
	{method: http.MethodGet, edge: "returns", kinds: []nodeKind{kindPage, kindCMS}, serve: listPageReturns},
	{method: http.MethodPost, edge: "returns", kinds: []nodeKind{kindOrder}, write: true, serve: createReturn},
	{method: http.MethodPost, edge: "update_return", kinds: []nodeKind{kindReturn}, write: true, serve: updateReturn},
	{method: http.MethodPost, edge: "item_updates", kinds: []nodeKind{kindOrder}, write: true, serve: applyItemUpdates},
	{method: http.MethodGet, edge: "payments", kinds: []nodeKind{kindOrder}, serve: listOrderEdge},
	{method: http.MethodGet, edge: "promotion_details", kinds: []nodeKind{kindOrder}, serve: listOrderEdge},
	{method: http.MethodGet, edge: "promotions", kinds: []nodeKind{kindOrder}, serve: listOrderEdge},
	{method: http.MethodGet, edge: "order_management_apps", kinds: []nodeKind{kindPage, kindCMS}, serve: listOrderManagementApps},
	{method: http.MethodGet, edge: "commerce_transactions", kinds: []nodeKind{kindPage, kindCMS}, serve: listTransactions},
	{method: http.MethodGet, edge: "commerce_payouts", kinds: []nodeKind{kindPage, kindCMS}, serve: listPayouts},
	{method: http.MethodPost, edge: "order_management_apps", kinds: []nodeKind{kindPage, kindCMS}, write: true, serve: registerOrderManagementApp},
}

// knownEdge reports whether any route serves edge.
func knownEdge(edge string) bool {
	for _, rt := range routes {
		if rt.edge == edge {
			return true
		}
	}
	return false
}

// call is one request in flight.
type call struct {
	h       *handler
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	traceID string

	version string // "v25.0", "" without a prefix
	method  string // effective method, after method= override
	id      string // the path's object id as requested
	edge    string // "" for the node itself
	params  params

	rawToken string
	token    *ordergraph.Token
	page     *ordergraph.Page

	kind    nodeKind
	order   *ordergraph.Order // the order, or the return's order
	product *ordergraph.Product
	ret     *ordergraph.Return

	routeName string
	status    int
	wrote     bool
	err       error
}

var versionRE = regexp.MustCompile(`^v(\d+)\.(\d+)$`)

// ServeHTTP answers every request with JSON, whatever happens.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := &call{h: h, w: w, r: r, ctx: r.Context(), traceID: h.traceID(), method: strings.ToUpper(r.Method), routeName: "unknown"}
	if c.method == http.MethodHead {
		c.method = http.MethodGet
	}
	w.Header().Set("x-fb-trace-id", c.traceID)
	defer func() {
		if rec := recover(); rec != nil {
			err := fmt.Errorf("graphapi: panic serving %s %s: %v", r.Method, r.URL.Path, rec)
			h.cfg.Logger.Error("graph handler panic", "err", err, "trace_id", c.traceID, "stack", string(debug.Stack()))
			if !c.wrote {
				c.writeError(errPanic(err))
			}
			c.err = err
		}
		info := RequestInfo{Route: c.routeName, Method: metricMethod(c.method), Status: c.status, Duration: time.Since(start), TraceID: c.traceID, Err: c.err}
		if c.page != nil {
			info.PageID = c.page.ID
		}
		if h.cfg.Observe != nil {
			h.cfg.Observe(info)
		} else if info.Status >= 500 && info.Err != nil {
			h.cfg.Logger.Error("graph request failed", "route", info.Route, "status", info.Status, "trace_id", info.TraceID, "err", info.Err)
		}
	}()
	if err := c.serve(); err != nil {
		c.writeError(err)
	}
}

// serve routes the request: path, parameters, token, object, endpoint.
func (c *call) serve() error {
	// Empty segments are dropped: clients joining a base URL that ends in
	// "/" with a path that starts with one send "//".
	var segs []string
	for _, s := range strings.Split(c.r.URL.Path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) > 0 {
		if m := versionRE.FindStringSubmatch(segs[0]); m != nil {
			major, _ := strconv.Atoi(m[1])
			minor, _ := strconv.Atoi(m[2])
			if major < 3 || major == 3 && minor < 2 {
				return errVersion(segs[0])
			}
			c.version = segs[0]
			segs = segs[1:]
		}
	}
	switch {
	case len(segs) > 2:
		return errUnknownPath("/" + strings.Join(segs[2:], "/"))
	case len(segs) == 2:
		c.id, c.edge = segs[0], segs[1]
	case len(segs) == 1:
		c.id = segs[0]
	}

	parse := parseParams
	if len(segs) == 0 {
		parse = parseRootParams // a batch may be the JSON body itself
	}
	p, err := parse(c.r)
	if err != nil {
		return err
	}
	c.params = p
	if c.method == http.MethodGet {
		if m, _ := p.root().String("method"); m != "" {
			c.method = strings.ToUpper(m)
		}
	}
	if c.isBatch() {
		return c.serveBatch()
	}
	if c.id == "" {
		return errUnsupportedRoot(c.method)
	}
	if (c.edge == "" || knownEdge(c.edge)) && metricMethod(c.method) != "OTHER" {
		c.routeName = c.method + " /{id}"
		if c.edge != "" {
			c.routeName += "/" + c.edge
		}
	}

	if err := c.authenticate(); err != nil {
		return err
	}
	if err := c.chargeCall(); err != nil {
		return err
	}
	rt, err := c.resolve()
	if err != nil {
		return err
	}
	c.routeName = rt.method + " /" + kindPlaceholder[c.kind]
	if rt.edge != "" {
		c.routeName += "/" + rt.edge
	}
	if rt.write && !c.token.Role.CanWriteOrders() {
		return errForbidden(c.token.Role)
	}
	return rt.serve(c)
}

// resolve finds the object the path id names, within the token's page, and
// the route that serves the request on it. Another page's object is
// indistinguishable from a missing one.
func (c *call) resolve() (*route, error) {
	var candidates []*route
	for i := range routes {
		if routes[i].method == c.method && routes[i].edge == c.edge {
			candidates = append(candidates, &routes[i])
		}
	}
	accepts := func(k nodeKind) *route {
		for _, rt := range candidates {
			for _, rk := range rt.kinds {
				if rk == k {
					return rt
				}
			}
		}
		return nil
	}
	switch {
	case c.id == c.page.ID || strings.EqualFold(c.id, "me"):
		c.kind = kindPage
	case c.page.CMSID != "" && c.id == c.page.CMSID:
		c.kind = kindCMS
	}
	if c.kind != kindNone {
		if rt := accepts(c.kind); rt != nil {
			return rt, nil
		}
		return nil, errUnsupported(c.method, c.id)
	}
	if !isNumericID(c.id) {
		return nil, errAlias(c.id)
	}
	if rt := accepts(kindOrder); rt != nil {
		o, err := c.h.cfg.Orders.FindOrderByID(c.ctx, c.page.ID, c.id)
		switch {
		case err == nil && o != nil:
			c.kind, c.order = kindOrder, o
			return rt, nil
		case err != nil && ordergraph.ErrorCode(err) != ordergraph.ENOTFOUND:
			return nil, fmt.Errorf("find order %s: %w", c.id, err)
		}
	}
	if rt := accepts(kindProduct); rt != nil {
		p, err := c.h.cfg.Orders.FindProductByID(c.ctx, c.page.ID, c.id)
		switch {
		case err == nil && p != nil:
			c.kind, c.product = kindProduct, p
			return rt, nil
		case err != nil && ordergraph.ErrorCode(err) != ordergraph.ENOTFOUND:
			return nil, fmt.Errorf("find product %s: %w", c.id, err)
		}
	}
	if rt := accepts(kindReturn); rt != nil {
		o, r, err := c.h.cfg.Orders.FindReturnByID(c.ctx, c.page.ID, c.id)
		switch {
		case err == nil && o != nil && r != nil:
			c.kind, c.order, c.ret = kindReturn, o, r
			return rt, nil
		case err != nil && ordergraph.ErrorCode(err) != ordergraph.ENOTFOUND:
			return nil, fmt.Errorf("find return %s: %w", c.id, err)
		}
	}
	return nil, errUnsupported(c.method, c.id)
}

// metricMethod bounds the methods reported to Observe: any method a client
// makes up is "OTHER".
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodPut, http.MethodPatch, http.MethodOptions:
		return m
	}
	return "OTHER"
}

func isNumericID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// objectID is the canonical id of the request's object, for idempotency
// scopes: the page's id for its CMS id too.
func (c *call) objectID() string {
	switch c.kind {
	case kindPage, kindCMS:
		return c.page.ID
	case kindOrder:
		return c.order.ID
	case kindReturn:
		return c.ret.ID
	}
	return c.id
}

// respond writes v as the JSON body with status.
func (c *call) respond(status int, v any) error {
	b, err := marshal(v)
	if err != nil {
		return fmt.Errorf("render response: %w", err)
	}
	c.write(status, b)
	return nil
}

// write writes a body with the headers every Graph response carries.
func (c *call) write(status int, body []byte) {
	if c.wrote {
		return
	}
	c.wrote = true
	if c.suppressHTTPCode() {
		status = http.StatusOK
	}
	c.status = status
	hdr := c.w.Header()
	hdr.Set("Content-Type", "application/json; charset=UTF-8")
	hdr.Set("x-fb-trace-id", c.traceID)
	v := c.version
	if v == "" {
		v = LatestVersion
	}
	hdr.Set("facebook-api-version", v)
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(body)
}

// suppressHTTPCode honours Graph's suppress_http_code=1 (errors answered
// with HTTP 200), which the JavaScript SDK sends.
func (c *call) suppressHTTPCode() bool {
	if c.params == nil {
		return false
	}
	b, ok, err := c.params.root().Bool("suppress_http_code")
	return ok && err == nil && b
}

// writeError answers err as a Graph error envelope.
func (c *call) writeError(err error) {
	ge := toGraphError(err, c.method, c.id)
	c.err = err
	if ge.cause != nil && !errors.Is(err, ge.cause) {
		c.err = ge.cause
	}
	if ge.AuthHeader != "" {
		c.w.Header().Set("WWW-Authenticate", ge.AuthHeader)
	}
	c.write(ge.Status, ge.body(c.traceID))
}
