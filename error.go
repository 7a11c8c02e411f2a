package ordergraph

import (
	"errors"
	"fmt"
)

// Error codes are the kinds of failure every edge (Graph JSON, sandbox JSON,
// console HTML, CLI) translates in exactly one table.
const (
	EINVALID      = "invalid"      // the request is malformed or breaks a rule
	ENOTFOUND     = "not_found"    // the object does not exist for this caller
	ECONFLICT     = "conflict"     // the object changed concurrently; retry
	EUNAUTHORIZED = "unauthorized" // no, bad, expired or revoked token
	EFORBIDDEN    = "forbidden"    // the token's role may not do this
	ERATELIMIT    = "rate_limited" // the page is over its call budget
	EINTERNAL     = "internal"     // anything else; message not shown to callers
	EUNAVAILABLE  = "unavailable"  // a transient failure worth retrying
)

// Error is the one error type of the domain. Code says what kind of failure
// it is; Subcode carries the platform's commerce error code (for example
// 1818111, "orders in state cancelled cannot be shipped") or one of
// ordergraph's own 39900xx codes, so that sellers' integrations can branch on
// the same numbers they see in production.
type Error struct {
	Code    string
	Subcode int
	// Title is a short human title, shown to users as error_user_title.
	Title string
	// Message says what is wrong and what would be allowed.
	Message string
	// Param names the request parameter at fault, when there is one.
	Param string
}

func (e *Error) Error() string {
	if e.Subcode != 0 {
		return fmt.Sprintf("ordergraph error: code=%s subcode=%d message=%s", e.Code, e.Subcode, e.Message)
	}
	return fmt.Sprintf("ordergraph error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CommerceErrorf returns an EINVALID *Error carrying a commerce subcode.
func CommerceErrorf(subcode int, title, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Subcode: subcode, Title: title, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err's *Error, or a generic message for
// any other error so internal details never reach callers.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "An unexpected error has occurred. Please retry your request later."
}

// ErrorSubcode returns the commerce subcode of err's *Error, or 0.
func ErrorSubcode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Subcode
	}
	return 0
}

// Commerce error codes of the platform (current-api.md §7) and ordergraph's
// own codes (3990000–3990999) where the platform's is unknown. The README
// lists them all.
const (
	SubcodeCannotShipCancelled    = 1818111
	SubcodeCannotRefundCancelled  = 1818105
	SubcodeAlreadyShipped         = 1818050
	SubcodeAlreadyCancelled       = 1818048
	SubcodeNotCharged             = 1818107
	SubcodeAllItemsDone           = 1818214
	SubcodeSomeItemsDone          = 1818215
	SubcodeInvalidRetailerID      = 2382021
	SubcodeRefundTaxTooHigh       = 2361091
	SubcodeDuplicateTracking      = 2382045
	SubcodeConcurrentModification = 2361081
	SubcodeInvalidOrderID         = 2361003

	SubcodeOrderProcessing       = 3990001 // no action is possible while FB_PROCESSING
	SubcodeOrderNotAcknowledged  = 3990002 // CREATED: acknowledge before shipping or cancelling
	SubcodeReferenceMismatch     = 3990003 // merchant_order_reference differs from the one set
	SubcodeRefundTooHigh         = 3990004 // item refund above what is still refundable
	SubcodeShippingRefundTooHigh = 3990005 // shipping refund above what is still refundable
	SubcodeUnknownItem           = 3990006 // retailer_id/item_id not on the order (ship, cancel)
	SubcodeIdempotencyMismatch   = 3990007 // idempotency_key reused with other parameters
	SubcodeNotInHold             = 3990008 // buyer cancel after the hold ended
	SubcodeCurrencyMismatch      = 3990009 // amount in another currency than the order's
	SubcodeDuplicateItem         = 3990010 // the same line named twice in one request
	SubcodeNothingToReturn       = 3990011 // no fulfilled unit left to return
	SubcodeReturnWindowClosed    = 3990012 // the 30-day return window has ended
	SubcodeReturnState           = 3990013 // the return's status does not allow this
	SubcodeUnknownShipment       = 3990014 // update_shipment names no shipment of the order
	SubcodeSnapshotBackwards     = 3990015 // item_updates lowers a quantity already reached
	SubcodeRefundAboveCharged    = 3990016 // refunds in all would exceed what was charged
)
