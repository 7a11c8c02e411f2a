package graphapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/ordergraph/ordergraph"
)

// maxIdempotencyKey is the longest idempotency_key accepted, in characters.
const maxIdempotencyKey = 100

// responder renders a write's response from the saved order. It must be
// pure: it runs inside the write's transaction, and its bytes are stored
// and replayed to retries.
type responder func(o *ordergraph.Order) (status int, body []byte, err error)

// idempotency reads idempotency_key and returns the write's Idempotency, or
// nil when no key was given and none is required. req is the endpoint's
// decoded typed request: its canonical JSON is hashed, so the same request
// sent as JSON, as a form with JSON values or in bracket notation hashes
// the same, and parameters the endpoint ignores (the key itself, the token,
// the SDKs' echoed "id") never count.
func (c *call) idempotency(required bool, req any, respond responder) (*ordergraph.Idempotency, error) {
	key, err := idempotencyKey(c.params)
	if err != nil {
		return nil, err
	}
	if key == "" {
		if required {
			return nil, errRequired("idempotency_key")
		}
		return nil, nil
	}
	hash, err := requestHash(req)
	if err != nil {
		return nil, err
	}
	idem := &ordergraph.Idempotency{Key: key, ObjectID: c.objectID(), Edge: c.edge, RequestHash: hash}
	if respond != nil {
		idem.Respond = respond
	}
	return idem, nil
}

// idempotencyKey returns the idempotency_key parameter, "" when absent, or
// an error when it is not 1 to 100 printable characters.
func idempotencyKey(p params) (string, error) {
	v := p["idempotency_key"]
	if v == nil {
		return "", nil
	}
	key, err := p.root().String("idempotency_key")
	if err != nil {
		return "", errParam("idempotency_key", msgIdempotencyKey)
	}
	if s, ok := v.(string); ok && s == "" {
		return "", nil
	}
	if key == "" || utf8.RuneCountInString(key) > maxIdempotencyKey || !utf8.ValidString(key) {
		return "", errParam("idempotency_key", msgIdempotencyKey)
	}
	for _, r := range key {
		if !unicode.IsPrint(r) {
			return "", errParam("idempotency_key", msgIdempotencyKey)
		}
	}
	return key, nil
}

// requestHash is the hex SHA-256 of the canonical JSON of a typed request.
func requestHash(req any) (string, error) {
	b, err := marshal(req)
	if err != nil {
		return "", fmt.Errorf("hash request: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// writeResult answers a write: a replayed result verbatim, else the
// responder's rendering of the saved order (the same bytes the write
// stored).
func (c *call) writeResult(res *ordergraph.WriteResult, respond responder) error {
	if res == nil {
		return fmt.Errorf("%s: no write result", c.edge)
	}
	if res.Replayed {
		c.write(res.Status, res.Body)
		return nil
	}
	status, body, err := respond(res.Order)
	if err != nil {
		return err
	}
	c.write(status, body)
	return nil
}

// successResponse is the {"success":true} of Graph actions.
func successResponse(*ordergraph.Order) (int, []byte, error) {
	return 200, []byte(`{"success":true}`), nil
}
