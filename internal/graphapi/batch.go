package graphapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxBatch is the most requests one batch may carry, as on the platform.
const maxBatch = 50

// batchRoute is the route name of a batch request, for Observe.
const batchRoute = "POST /"

// batchEntry is one request of a batch, validated and ready to serve.
type batchEntry struct {
	method      string
	target      string // "/v25.0/123/commerce_orders?state=CREATED"
	body        []byte
	contentType string
	headers     [][2]string
}

// batchState is a batch in flight, carried to its entries in their
// context: the batch's credentials, which an entry without its own token
// uses, and the pages the entries were charged to, for the batch's usage
// header.
type batchState struct {
	token, proof string
	pages        []string
}

type batchKey struct{}

// batchFrom returns the batch a request is an entry of, or nil.
func batchFrom(ctx context.Context) *batchState {
	b, _ := ctx.Value(batchKey{}).(*batchState)
	return b
}

// batchCredentials returns the token and appsecret_proof an entry inherits
// from its batch; "" outside a batch.
func batchCredentials(ctx context.Context) (token, proof string) {
	if b := batchFrom(ctx); b != nil {
		return b.token, b.proof
	}
	return "", ""
}

// touch records that an entry was charged to pageID.
func (b *batchState) touch(pageID string) {
	if !slices.Contains(b.pages, pageID) {
		b.pages = append(b.pages, pageID)
	}
}

// isBatch reports whether the request is a batch: a POST to the root, or
// a POST anywhere with a batch parameter (Graph's "POST /ENDPOINT?batch=").
func (c *call) isBatch() bool {
	return c.method == http.MethodPost && (c.id == "" || c.params.root().has("batch"))
}

// serveBatch answers a batch: each entry is served in turn by the same
// handler, in process, as if it had come alone, and answered as
// {"code","headers","body"} with the body as a JSON string. An entry's
// failure is its own; only a malformed batch fails as a whole. Entries
// are independent (no JSONPath references between them) and each is
// charged to its page's rate budget like any call; the batch itself is
// not.
func (c *call) serveBatch() error {
	c.routeName = batchRoute
	if batchFrom(c.ctx) != nil {
		return errBatch(msgBatchNested)
	}
	entries, err := c.batchEntries()
	if err != nil {
		return err
	}
	root := c.params.root()
	token, err := root.String("access_token")
	if err != nil {
		return err
	}
	if token == "" {
		token = tokenFromHeader(c.r.Header.Get("Authorization"))
	}
	proof, err := root.String("appsecret_proof")
	if err != nil {
		return err
	}
	includeHeaders, given, err := root.Bool("include_headers")
	if err != nil {
		return err
	}
	if !given {
		includeHeaders = true
	}
	state := &batchState{token: token, proof: proof}
	ctx := context.WithValue(c.ctx, batchKey{}, state)
	out := make([]any, len(entries))
	for i, e := range entries {
		out[i] = c.h.serveEntry(ctx, c.r, e, includeHeaders)
	}
	if len(state.pages) > 0 {
		c.w.Header().Set(headerBUC, usageHeader(c.h.cfg.RateLimiter, state.pages...))
	}
	return c.respond(http.StatusOK, out)
}

// batchEntries reads and validates the batch parameter: a JSON array (in
// a form field, a JSON body member, or as the JSON body itself) of 1 to 50
// {"method","relative_url","body","headers"} objects.
func (c *call) batchEntries() ([]batchEntry, error) {
	root := c.params.root()
	list, ok, err := root.List("batch")
	if err != nil {
		return nil, err
	}
	if !ok || len(list) == 0 {
		return nil, errRequired("batch")
	}
	if len(list) > maxBatch {
		return nil, errBatch(fmt.Sprintf(msgBatchTooMany, maxBatch))
	}
	entries := make([]batchEntry, len(list))
	for i, v := range list {
		n, err := root.Elem("batch", i, v)
		if err != nil {
			return nil, errBatch(fmt.Sprintf(msgBatchNotObject, i))
		}
		if entries[i], err = c.batchEntry(i, n); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// batchEntry validates the i-th request of a batch.
func (c *call) batchEntry(i int, n node) (batchEntry, error) {
	var e batchEntry
	method, err := n.String("method")
	if err != nil {
		return e, errBatch(fmt.Sprintf(msgBatchMethod, i, fmt.Sprint(n.m["method"])))
	}
	switch e.method = strings.ToUpper(method); e.method {
	case "":
		e.method = http.MethodGet
	case http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodPut:
	default:
		return e, errBatch(fmt.Sprintf(msgBatchMethod, i, method))
	}
	rel, err := n.String("relative_url")
	if err != nil || rel == "" {
		return e, errBatch(fmt.Sprintf(msgBatchRelativeURL, i))
	}
	if e.target, err = c.batchTarget(rel); err != nil {
		return e, errBatch(fmt.Sprintf(msgBatchBadURL, i, rel))
	}
	switch b := n.m["body"].(type) {
	case nil:
	case string:
		if strings.TrimSpace(b) != "" {
			e.body, e.contentType = []byte(b), "application/x-www-form-urlencoded"
		}
	case map[string]any:
		// Not Graph's encoding, but what a client building the batch as
		// JSON naturally sends.
		if e.body, err = marshal(b); err != nil {
			return e, errBatch(fmt.Sprintf(msgBatchBody, i))
		}
		e.contentType = "application/json"
	default:
		return e, errBatch(fmt.Sprintf(msgBatchBody, i))
	}
	headers, _, err := n.List("headers")
	if err != nil {
		return e, errBatch(fmt.Sprintf(msgBatchHeaders, i))
	}
	for _, h := range headers {
		name, value, ok := batchHeader(h)
		if !ok {
			return e, errBatch(fmt.Sprintf(msgBatchHeaders, i))
		}
		e.headers = append(e.headers, [2]string{name, value})
	}
	return e, nil
}

// batchHeader reads an entry header given as "Name: value" (what the PHP
// SDK sends) or {"name","value"} (the shape Graph answers with).
func batchHeader(v any) (name, value string, ok bool) {
	switch h := v.(type) {
	case string:
		name, value, ok = strings.Cut(h, ":")
	case map[string]any:
		var okName, okValue bool
		name, okName = h["name"].(string)
		value, okValue = h["value"].(string)
		ok = okName && okValue
	}
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	return name, value, ok && name != ""
}

// batchTarget turns a relative_url ("v25.0/123/commerce_orders?state=X",
// "/123?fields=id", or a full graph URL) into the path and query the entry
// is served at. An entry without a version gets the batch's.
func (c *call) batchTarget(rel string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(rel))
	if err != nil {
		return "", err
	}
	// A full URL (https://graph.facebook.com/v25.0/...) keeps its path and
	// query only.
	path := strings.TrimLeft(u.EscapedPath(), "/")
	first, _, _ := strings.Cut(path, "/")
	if c.version != "" && !versionRE.MatchString(first) {
		path = c.version + "/" + path
	}
	target := "/" + path
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	if _, err := url.ParseRequestURI(target); err != nil {
		return "", err
	}
	return target, nil
}

// serveEntry serves one entry of a batch through the handler and renders
// its response as Graph's batch does.
func (h *handler) serveEntry(ctx context.Context, outer *http.Request, e batchEntry, includeHeaders bool) object {
	var body io.Reader = http.NoBody
	if e.body != nil {
		body = bytes.NewReader(e.body)
	}
	rec := &entryRecorder{header: http.Header{}}
	req, err := http.NewRequestWithContext(ctx, e.method, e.target, body)
	if err != nil {
		// Cannot happen: the target was parsed when the batch was read.
		c := &call{h: h, w: rec, r: outer, ctx: ctx, traceID: h.traceID(), method: e.method}
		c.writeError(fmt.Errorf("batch entry %s %s: %w", e.method, e.target, err))
	} else {
		req.Host, req.TLS, req.RemoteAddr = outer.Host, outer.TLS, outer.RemoteAddr
		if p := outer.Header.Get("X-Forwarded-Proto"); p != "" {
			req.Header.Set("X-Forwarded-Proto", p)
		}
		if e.contentType != "" {
			req.Header.Set("Content-Type", e.contentType)
		}
		for _, hv := range e.headers {
			req.Header.Set(hv[0], hv[1])
		}
		h.ServeHTTP(rec, req)
	}
	out := object{{"code", rec.code()}}
	if includeHeaders {
		out = append(out, member{"headers", rec.headerList()})
	}
	return append(out, member{"body", rec.body.String()})
}

// entryHeaders are the response headers a batch entry reports, in order,
// under the names Graph reports them with.
var entryHeaders = []string{"Content-Type", "facebook-api-version", "x-fb-trace-id", headerBUC, "WWW-Authenticate", "Cache-Control"}

// entryRecorder captures the response of a batch entry.
type entryRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *entryRecorder) Header() http.Header { return r.header }

func (r *entryRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *entryRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

func (r *entryRecorder) code() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// headerList renders the entry's headers as Graph's [{"name","value"}].
func (r *entryRecorder) headerList() []any {
	out := []any{}
	for _, name := range entryHeaders {
		if v := r.header.Get(name); v != "" {
			out = append(out, object{{"name", name}, {"value", v}})
		}
	}
	return out
}

// parseRootParams parses the parameters of a request to the root, where a
// batch may also come as the JSON body itself ([{...},{...}]); any other
// body is parsed as everywhere else.
func parseRootParams(r *http.Request) (params, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return parseParams(r)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, errParam("body", msgBodyForm, "a request body", err)
	}
	if len(body) > maxBodyBytes {
		return nil, errParam("body", msgBodyTooLarge, maxBodyBytes)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		r.Body = http.NoBody
		p, err := parseParams(r)
		if err != nil {
			return nil, err
		}
		p["batch"] = string(trimmed)
		return p, nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return parseParams(r)
}

// errBatch is Graph's answer to a malformed batch.
func errBatch(msg string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 100, Type: typeBatch, Message: msg}
}
