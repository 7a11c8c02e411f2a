// Package sandbox serves the sandbox API: the JSON calls under /sandbox/
// that play the platform's side of the lifecycle (pages and tokens, buyers
// placing and cancelling orders, the per-page clock) for tests, the CLI and
// the console. The paths and bodies are the stable contract of
// shared/spec/sandbox.md; every answer, errors included, is JSON in the
// Graph error envelope so that one client decodes both surfaces.
package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// Messages of the sandbox API, in one place so they stay consistent.
const (
	msgNoAdminKey   = "The sandbox API is disabled: the server has no admin key."
	msgUnauthorized = "The sandbox API needs the server's admin key: send Authorization: Bearer <admin key>."
	msgUnknownPath  = "Unknown sandbox path: %s %s. See the sandbox API contract for the calls it takes."
	msgNotJSON      = "The sandbox API takes JSON bodies: send Content-Type: application/json (got %q)."
	msgBodyTooLarge = "The request body is larger than %d bytes."
	msgBadJSON      = "The request body is not valid JSON: %s."
	msgWrongType    = "The field %s must be %s, not a JSON %s."
	msgTrailingData = "The request body must hold exactly one JSON object."
	msgNotObject    = "The request body must be a JSON object, not a JSON %s."
	msgInternal     = "An unexpected error has occurred. Please retry your request later."
)

// maxBodyBytes bounds a request body.
const maxBodyBytes = 1 << 20

// Graph error types and codes the sandbox answers with.
const (
	graphOAuthType     = "OAuthException"
	graphMethodType    = "GraphMethodException"
	codeInvalidParam   = 100
	codeUnknownError   = 1
	codeServiceError   = 2
	codeTooManyCalls   = 4
	codeInvalidToken   = 190
	codePermission     = 200
	subcodeUnknownNode = 33
)

// NewHandler returns the sandbox API over svc, mounted by the server at
// /sandbox/ (the routes match the full /sandbox/... paths). Every call must
// carry adminKey as a bearer token; an empty adminKey refuses every call, so
// a server started without one never exposes the platform's controls.
func NewHandler(svc ordergraph.SandboxService, adminKey string) http.Handler {
	h := &handler{svc: svc, adminKey: sha256.Sum256([]byte(adminKey)), enabled: adminKey != ""}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sandbox/pages", h.createPage)
	mux.HandleFunc("POST /sandbox/pages/{page_id}/tokens", h.createToken)
	mux.HandleFunc("DELETE /sandbox/tokens/{token}", h.revokeToken)
	mux.HandleFunc("POST /sandbox/pages/{page_id}/orders", h.placeOrder)
	mux.HandleFunc("POST /sandbox/pages/{page_id}/orders:generate", h.generateOrders)
	mux.HandleFunc("POST /sandbox/orders/{order_id}/buyer_cancel", h.buyerCancel)
	mux.HandleFunc("POST /sandbox/orders/{order_id}/chargeback", h.chargeback)
	mux.HandleFunc("GET /sandbox/pages/{page_id}/clock", h.getClock)
	mux.HandleFunc("POST /sandbox/pages/{page_id}/clock", h.advanceClock)
	// Anything else, including a known path with another method, is an
	// unknown call: answered in JSON, never with the mux's plain text.
	mux.HandleFunc("/sandbox/", h.unknownPath)
	mux.HandleFunc("/sandbox", h.unknownPath)
	h.mux = mux
	return h
}

// handler authenticates every call, then routes it.
type handler struct {
	svc      ordergraph.SandboxService
	adminKey [sha256.Size]byte
	enabled  bool
	mux      *http.ServeMux
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Every answer carries a trace id, as the Graph API's do; an error's
	// fbtrace_id repeats it.
	w.Header().Set(traceHeader, newTraceID())
	if !h.enabled {
		writeError(w, r, &ordergraph.Error{Code: ordergraph.EUNAUTHORIZED, Message: msgNoAdminKey})
		return
	}
	if !h.authorized(r) {
		writeError(w, r, &ordergraph.Error{Code: ordergraph.EUNAUTHORIZED, Message: msgUnauthorized})
		return
	}
	h.mux.ServeHTTP(w, r)
}

// authorized compares the bearer token with the admin key in constant time
// (over fixed-length hashes, so the key's length does not leak either).
func (h *handler) authorized(r *http.Request) bool {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(key)))
	return subtle.ConstantTimeCompare(sum[:], h.adminKey[:]) == 1
}

func (h *handler) unknownPath(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, ordergraph.Errorf(ordergraph.EINVALID, msgUnknownPath, r.Method, r.URL.Path))
}

// decodeBody decodes the JSON body of r into v. An empty body decodes as
// {}; unknown fields are ignored, as the Graph API ignores unknown
// parameters; wrong types are EINVALID errors naming the field.
func decodeBody(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return ordergraph.Errorf(ordergraph.EINVALID, msgNotJSON, ct)
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return ordergraph.Errorf(ordergraph.EINVALID, msgBadJSON, "the body could not be read")
	}
	if len(body) > maxBodyBytes {
		return ordergraph.Errorf(ordergraph.EINVALID, msgBodyTooLarge, maxBodyBytes)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return ordergraph.Errorf(ordergraph.EINVALID, msgTrailingData)
	}
	return nil
}

// jsonError turns a decoding error into a message that says what to fix.
func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &typ):
		if typ.Field == "" {
			return ordergraph.Errorf(ordergraph.EINVALID, msgNotObject, typ.Value)
		}
		return &ordergraph.Error{Code: ordergraph.EINVALID, Param: typ.Field,
			Message: fmt.Sprintf(msgWrongType, typ.Field, describeType(typ.Type), typ.Value)}
	case errors.As(err, &syntax):
		return ordergraph.Errorf(ordergraph.EINVALID, msgBadJSON, fmt.Sprintf("%s (at byte %d)", syntax.Error(), syntax.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ordergraph.Errorf(ordergraph.EINVALID, msgBadJSON, "it ends early")
	}
	return ordergraph.Errorf(ordergraph.EINVALID, msgBadJSON, err.Error())
}

// describeType names what a field takes, the way the contract's readers
// think of it.
func describeType(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t {
	case reflect.TypeFor[decimal]():
		return `a decimal amount such as "12.50"`
	case reflect.TypeFor[durationText]():
		return `a duration string such as "30m" or "2d"`
	case reflect.TypeFor[timeText]():
		return `a time string such as "2026-01-01T00:00:00+0000"`
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return describeType(t.Elem())
	}
	return "an object"
}

// decimal is an amount or rate as a decimal string. It also takes a JSON
// number (12.5), as integrations often send, keeping its exact digits.
type decimal string

// UnmarshalJSON takes a JSON string or number.
func (d *decimal) UnmarshalJSON(b []byte) error {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		*d = decimal(x)
		return nil
	case json.Number:
		*d = decimal(x.String())
		return nil
	}
	return &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[decimal]()}
}

// jsonKind names the kind of a JSON value, as json's own errors do.
func jsonKind(b []byte) string {
	switch strings.TrimSpace(string(b))[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case '"':
		return "string"
	}
	return "number"
}

// invalidField returns the EINVALID error for a field with a wrong value.
func invalidField(field, format string, args ...any) error {
	return &ordergraph.Error{Code: ordergraph.EINVALID, Param: field, Message: fmt.Sprintf(format, args...)}
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":{"message":"`+msgInternal+`","type":"OAuthException","code":1,"is_transient":true}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// errorBody is the Graph error envelope.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	Code        int    `json:"code"`
	Subcode     int    `json:"error_subcode,omitempty"`
	UserTitle   string `json:"error_user_title,omitempty"`
	UserMessage string `json:"error_user_msg,omitempty"`
	IsTransient bool   `json:"is_transient"`
	TraceID     string `json:"fbtrace_id"`
}

// errorStatus is the one table translating domain error codes for the
// sandbox edge: HTTP status, Graph error type and Graph code. Like the Graph
// API, a missing object is a 400 with subcode 33, never a 404.
var errorStatus = map[string]struct {
	status int
	typ    string
	code   int
}{
	ordergraph.EINVALID:      {http.StatusBadRequest, graphOAuthType, codeInvalidParam},
	ordergraph.ENOTFOUND:     {http.StatusBadRequest, graphMethodType, codeInvalidParam},
	ordergraph.ECONFLICT:     {http.StatusConflict, graphOAuthType, codeInvalidParam},
	ordergraph.EUNAUTHORIZED: {http.StatusUnauthorized, graphOAuthType, codeInvalidToken},
	ordergraph.EFORBIDDEN:    {http.StatusForbidden, graphOAuthType, codePermission},
	ordergraph.ERATELIMIT:    {http.StatusTooManyRequests, graphOAuthType, codeTooManyCalls},
	ordergraph.EUNAVAILABLE:  {http.StatusServiceUnavailable, graphOAuthType, codeServiceError},
	ordergraph.EINTERNAL:     {http.StatusInternalServerError, graphOAuthType, codeUnknownError},
}

// writeError answers err in the Graph error envelope. Internal errors are
// logged (with slog's default logger, which cmd configures) and shown to the
// caller only as a generic message.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := ordergraph.ErrorCode(err)
	m, ok := errorStatus[code]
	if !ok {
		code, m = ordergraph.EINTERNAL, errorStatus[ordergraph.EINTERNAL]
	}
	traceID := w.Header().Get(traceHeader)
	if traceID == "" {
		traceID = newTraceID()
		w.Header().Set(traceHeader, traceID)
	}
	d := errorDetail{Type: m.typ, Code: m.code, Message: ordergraph.ErrorMessage(err), TraceID: traceID}
	var e *ordergraph.Error
	if errors.As(err, &e) {
		d.Subcode, d.UserTitle = e.Subcode, e.Title
	}
	switch code {
	case ordergraph.ENOTFOUND:
		if d.Subcode == 0 {
			d.Subcode = subcodeUnknownNode
		}
	case ordergraph.EINTERNAL:
		d.Message, d.Subcode, d.UserTitle = msgInternal, 0, ""
		d.IsTransient = true
		slog.ErrorContext(r.Context(), "sandbox request failed",
			"method", r.Method, "path", redactToken(r.URL.Path), "fbtrace_id", traceID, "err", err)
	case ordergraph.EUNAVAILABLE:
		d.IsTransient = true
	case ordergraph.EUNAUTHORIZED:
		w.Header().Set("WWW-Authenticate", `Bearer realm="ordergraph sandbox"`)
	}
	if d.UserTitle != "" {
		d.UserMessage = d.Message
	}
	writeJSON(w, m.status, errorBody{Error: d})
}

// traceHeader is the Graph API's trace id header.
const traceHeader = "x-fb-trace-id"

// newTraceID returns a Graph-like fbtrace_id: 11 base64url characters.
func newTraceID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// redactToken hides the token in DELETE /sandbox/tokens/{token} paths, so
// logs never hold a usable access token.
func redactToken(path string) string {
	if rest, ok := strings.CutPrefix(path, "/sandbox/tokens/"); ok && rest != "" {
		return "/sandbox/tokens/<redacted>"
	}
	return path
}
