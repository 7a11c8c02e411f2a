package graphapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// Every user-facing message of the Graph layer, in one block. Messages that
// the platform words a known way keep its wording; the others say what is
// wrong and what would be allowed.
const (
	msgUnsupportedRequest = "Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
	msgUnsupportedRoot    = "Unsupported %s request. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
	msgUnknownPath        = "Unknown path components: %s"
	msgAliasNotFound      = "(#803) Some of the aliases you requested do not exist: %s"
	msgDeprecatedVersion  = "(#2635) You are calling a deprecated version of the Graph API (%s). The Order Management API is served from v3.2 up; please update to the latest version: %s."
	msgTokenRequired      = "An access token is required to request this resource."
	msgInvalidToken       = "Invalid OAuth access token - Cannot parse access token"
	msgPermission         = "(#200) Requires pages_manage_orders permission to manage the object"
	msgRoleTooLow         = "This token's page role is %s; managing orders needs the EDITOR role or above (ADMIN or EDITOR)."
	msgInternal           = "An unexpected error has occurred. Please retry your request later."
	msgPanic              = "An unknown error occurred"
	msgUnavailable        = "(#2) Service temporarily unavailable"
	msgRateLimited        = "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
	msgConcurrentTitle    = "Concurrent Order Modification"
	msgConcurrent         = "Multiple requests are attempting to modify this order at the same time. Only one request can modify an order at a time. Please retry."
	msgInvalidOrderID     = "Invalid Order ID"

	msgParamRequired    = "The parameter %s is required"
	msgParamEnum        = "Param %s must be one of {%s}: %q is not"
	msgParamString      = "Param %s must be a string"
	msgParamInt         = "Param %s must be an integer"
	msgParamPositiveInt = "Param %s must be a positive integer"
	msgParamBool        = "Param %s must be a boolean (true, false, 1 or 0)"
	msgParamObject      = "Param %s must be a JSON object"
	msgParamList        = "Param %s must be an array"
	msgParamTooMany     = "Param %s must have at most %d entries; %d were given"
	msgParamTooFew      = "Param %s must have at least %d entry"
	msgParamTime        = "Param %s must be a Unix timestamp in seconds or an ISO 8601 datetime such as 2018-05-14T23:02:59+0000: %q is not"
	msgParamLimit       = "Param limit must be a positive integer (at most %d orders are returned per page): %q is not"
	msgParamIDOrNot     = "Param %s must name the item by exactly one of retailer_id or item_id"
	msgParamPattern     = "Param %s may contain only letters, digits and underscores: %q does not"
	msgParamCarrier     = "Param %s must be a supported carrier code: %q is not one (for example fedex, ups, usps, dhl, dhl_ecommerce_us, ontrac, canada_post, royal_mail or other; see https://developers.facebook.com/documentation/ads-commerce/commerce-platform/order-management/carrier-codes)"
	msgParamAmount      = "Param %s must be a decimal amount such as \"5.50\": %s"
	msgParamNegative    = "Param %s must not be negative: %q is"
	msgCurrencyMismatch = "Param %s is in %s but order %s is in %s; refund amounts must be in the order's currency"
	msgCurrencyTitle    = "Currency Mismatch"
	msgIdempotencyKey   = "Param idempotency_key must be a printable string of 1 to 100 characters"
	msgBodyJSON         = "The request body is not a valid JSON object: %v"
	msgBodyTooLarge     = "The request body is larger than %d bytes"
	msgBodyForm         = "The request body could not be read as %s: %v"

	// The current API's item-level writes and edges.
	msgParamQuantityOrAmount = "Param %s must give exactly one of item_refund_quantity or item_refund_amount"
	msgParamFulfillment      = "Param %s must give exactly one of fulfillment_location_id or fulfillment_address"
	msgParamNonNegativeInt   = "Param %s must be a whole number, 0 or more"
	msgParamCursor           = "Param %s is not a valid cursor; pass a cursor exactly as a previous response's paging.cursors gave it"

	msgNonexistingField = "Tried accessing nonexisting field (%s) on node type (%s)"
	msgFieldNoSubfields = "Field %s of node type (%s) has no subfields: %s{...} cannot be selected"
	msgFieldsSyntax     = "Syntax error \"%s\" at character %d: %s"
	msgFieldsModifier   = "Field modifier .%s() is not supported on %s; only .limit(n) is"

	msgAppSecretProofInvalid  = "Invalid appsecret_proof provided in the API argument"
	msgAppSecretProofRequired = "API calls from the server require an appsecret_proof argument"

	msgBatchTooMany     = "Too many requests in batch message. Maximum batch size is %d"
	msgBatchNested      = "A request in a batch cannot itself be a batch"
	msgBatchNotObject   = "Request %d of the batch must be a JSON object with method, relative_url and optionally body"
	msgBatchMethod      = "Request %d of the batch has method %q; it must be GET, POST, PUT or DELETE"
	msgBatchRelativeURL = "Request %d of the batch needs a relative_url, such as \"v25.0/{page_id}/commerce_orders?state=CREATED\""
	msgBatchBadURL      = "Request %d of the batch has a relative_url that is not a Graph path: %q"
	msgBatchBody        = "Request %d of the batch has a body that is not a form-encoded string such as \"idempotency_key=abc&tracking_info=%%7B...%%7D\""
	msgBatchHeaders     = "Request %d of the batch has headers that are not a list of \"Name: value\" strings or {\"name\",\"value\"} objects"
)

// Graph error types.
const (
	typeOAuth       = "OAuthException"
	typeGraphMethod = "GraphMethodException"
	typeBatch       = "GraphBatchException"
)

// graphError is one Graph error envelope, ready to be written. Errors that
// only the Graph layer knows (a missing token, an unknown path, a fields
// syntax error) are built as graphErrors by the constructors below; every
// other error is an *ordergraph.Error translated by toGraphError.
type graphError struct {
	Status    int
	Code      int
	Subcode   int
	Type      string
	Message   string
	UserTitle string
	UserMsg   string
	Transient bool
	// AuthHeader is the WWW-Authenticate header of token errors.
	AuthHeader string
	// cause is the error behind the envelope, for Observe.
	cause error
}

func (e *graphError) Error() string {
	return fmt.Sprintf("graph error %d/%d: %s", e.Code, e.Subcode, e.Message)
}

func (e *graphError) Unwrap() error { return e.cause }

// toGraphError is the one table from ordergraph errors to Graph envelopes.
// method and id name the request's verb and object for the "unsupported
// request" message of ENOTFOUND.
func toGraphError(err error, method, id string) *graphError {
	var ge *graphError
	if errors.As(err, &ge) {
		return ge
	}
	var e *ordergraph.Error
	if !errors.As(err, &e) {
		return &graphError{Status: http.StatusInternalServerError, Code: 2, Type: typeOAuth, Message: msgInternal, Transient: true, cause: err}
	}
	switch e.Code {
	case ordergraph.EINVALID:
		if e.Subcode != 0 {
			// A commerce rule: the platform's code as error_subcode.
			return &graphError{Status: http.StatusBadRequest, Code: 100, Subcode: e.Subcode, Type: typeOAuth,
				Message: e.Message, UserTitle: e.Title, UserMsg: e.Message, cause: err}
		}
		return &graphError{Status: http.StatusBadRequest, Code: 100, Type: typeOAuth, Message: hashPrefix(100, e.Message), cause: err}
	case ordergraph.ENOTFOUND:
		return errUnsupported(method, id)
	case ordergraph.ECONFLICT:
		msg := e.Message
		if msg == "" {
			msg = msgConcurrent
		}
		return &graphError{Status: http.StatusBadRequest, Code: 100, Subcode: ordergraph.SubcodeConcurrentModification, Type: typeOAuth,
			Message: msg, UserTitle: msgConcurrentTitle, UserMsg: msg, Transient: true, cause: err}
	case ordergraph.EUNAUTHORIZED:
		msg := e.Message
		if msg == "" {
			msg = msgInvalidToken
		}
		sub := 0
		if e.Subcode == 463 || e.Subcode == 460 || e.Subcode == 458 || e.Subcode == 467 {
			sub = e.Subcode
		}
		return &graphError{Status: http.StatusBadRequest, Code: 190, Subcode: sub, Type: typeOAuth, Message: msg,
			AuthHeader: fmt.Sprintf(`OAuth "Facebook Platform" "invalid_token" %q`, msg), cause: err}
	case ordergraph.EFORBIDDEN:
		return &graphError{Status: http.StatusForbidden, Code: 200, Type: typeOAuth, Message: msgPermission,
			UserTitle: "Permission Denied", UserMsg: e.Message, cause: err}
	case ordergraph.ERATELIMIT:
		return &graphError{Status: http.StatusBadRequest, Code: 80001, Type: typeOAuth, Message: msgRateLimited, UserMsg: e.Message, Transient: true, cause: err}
	case ordergraph.EUNAVAILABLE:
		return &graphError{Status: http.StatusInternalServerError, Code: 2, Type: typeOAuth, Message: msgUnavailable, Transient: true, cause: err}
	default:
		return &graphError{Status: http.StatusInternalServerError, Code: 2, Type: typeOAuth, Message: msgInternal, Transient: true, cause: err}
	}
}

// hashPrefix puts Graph's "(#code) " before a message that lacks it.
func hashPrefix(code int, msg string) string {
	if strings.HasPrefix(msg, "(#") {
		return msg
	}
	return fmt.Sprintf("(#%d) %s", code, msg)
}

// errUnsupported is Graph's answer for an object that does not exist, is
// another page's, or has no such edge or method.
func errUnsupported(method, id string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 100, Subcode: 33, Type: typeGraphMethod,
		Message: fmt.Sprintf(msgUnsupportedRequest, strings.ToLower(method), id)}
}

// errUnsupportedRoot answers a request on "/" itself.
func errUnsupportedRoot(method string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 100, Type: typeGraphMethod,
		Message: fmt.Sprintf(msgUnsupportedRoot, strings.ToLower(method))}
}

// errUnknownPath answers a path with more than /{id}/{edge}.
func errUnknownPath(rest string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 2500, Type: typeOAuth, Message: fmt.Sprintf(msgUnknownPath, rest)}
}

// errAlias answers an id that is not numeric (Graph treats it as a
// username alias).
func errAlias(id string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 803, Type: typeOAuth, Message: fmt.Sprintf(msgAliasNotFound, id)}
}

// errVersion answers a version prefix older than v3.2.
func errVersion(v string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 2635, Type: typeOAuth, Message: fmt.Sprintf(msgDeprecatedVersion, v, LatestVersion)}
}

// errTokenRequired answers a request without an access token.
func errTokenRequired() *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 104, Type: typeOAuth, Message: msgTokenRequired}
}

// errFieldsSyntax answers a fields= value that does not parse.
func errFieldsSyntax(what string, pos int, fields string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 2500, Type: typeOAuth, Message: fmt.Sprintf(msgFieldsSyntax, what, pos, fields)}
}

// errPanic answers a request whose handler panicked.
func errPanic(cause error) *graphError {
	return &graphError{Status: http.StatusInternalServerError, Code: 1, Type: typeOAuth, Message: msgPanic, Transient: true, cause: cause}
}

// errForbidden refuses a write to a token whose role is below EDITOR.
func errForbidden(role ordergraph.Role) error {
	return &ordergraph.Error{Code: ordergraph.EFORBIDDEN, Message: fmt.Sprintf(msgRoleTooLow, role)}
}

// Parameter errors: EINVALID *ordergraph.Errors naming the parameter, which
// the table turns into "(#100) ..." envelopes.

func errRequired(name string) error {
	return &ordergraph.Error{Code: ordergraph.EINVALID, Param: name, Message: fmt.Sprintf(msgParamRequired, name)}
}

func errParam(name, format string, args ...any) error {
	return &ordergraph.Error{Code: ordergraph.EINVALID, Param: name, Message: fmt.Sprintf(format, args...)}
}

func errEnum(name string, allowed []string, got string) error {
	return errParam(name, msgParamEnum, name, strings.Join(allowed, ", "), got)
}

// envelope is the JSON shape of a Graph error, in Graph's key order.
type envelope struct {
	Error envelopeBody `json:"error"`
}

type envelopeBody struct {
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode,omitempty"`
	UserTitle string `json:"error_user_title,omitempty"`
	UserMsg   string `json:"error_user_msg,omitempty"`
	Transient bool   `json:"is_transient"`
	TraceID   string `json:"fbtrace_id"`
}

// body renders the envelope with the request's trace id.
func (e *graphError) body(traceID string) []byte {
	b, err := marshal(envelope{Error: envelopeBody{
		Message: e.Message, Type: e.Type, Code: e.Code, Subcode: e.Subcode,
		UserTitle: e.UserTitle, UserMsg: e.UserMsg, Transient: e.Transient, TraceID: traceID,
	}})
	if err != nil {
		// Cannot happen: every field is a string, int or bool.
		return []byte(`{"error":{"message":"An unexpected error has occurred. Please retry your request later.","type":"OAuthException","code":2,"is_transient":true,"fbtrace_id":"` + traceID + `"}}`)
	}
	return b
}
