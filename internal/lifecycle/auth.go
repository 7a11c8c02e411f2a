package lifecycle

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// Token subcodes of Graph's error 190.
const (
	SubcodeTokenRevoked = 460
	SubcodeTokenExpired = 463
)

// HashToken returns the stored form of a raw access token.
func HashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newRawToken returns a page-token-shaped random string ("EAA…").
func newRawToken() string {
	b := make([]byte, 120)
	_, _ = rand.Read(b)
	out := []byte("EAAO")
	for _, c := range b {
		out = append(out, tokenAlphabet[int(c)%len(tokenAlphabet)])
	}
	return string(out)
}

// Authenticate resolves a raw access token to its token and page.
func (e *Engine) Authenticate(ctx context.Context, raw string) (*ordergraph.Token, *ordergraph.Page, error) {
	invalid := &ordergraph.Error{Code: ordergraph.EUNAUTHORIZED, Message: "Invalid OAuth access token - Cannot parse access token"}
	if raw == "" || len(raw) > 1024 {
		return nil, nil, invalid
	}
	var tok *ordergraph.Token
	var page *ordergraph.Page
	err := e.store.Read(ctx, func(tx store.Tx) (err error) {
		if tok, err = tx.TokenGet(ctx, HashToken(raw)); err != nil {
			return err
		}
		page, err = tx.PageGet(ctx, tok.PageID)
		return err
	})
	if ordergraph.ErrorCode(err) == ordergraph.ENOTFOUND {
		return nil, nil, invalid
	} else if err != nil {
		return nil, nil, err
	}
	now := e.clock.Now()
	if tok.RevokedAt != nil {
		return nil, nil, &ordergraph.Error{Code: ordergraph.EUNAUTHORIZED, Subcode: SubcodeTokenRevoked,
			Message: "Error validating access token: The session has been invalidated because the token was revoked at " + tok.RevokedAt.UTC().Format(time.RFC1123) + "."}
	}
	if tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt) {
		return nil, nil, &ordergraph.Error{Code: ordergraph.EUNAUTHORIZED, Subcode: SubcodeTokenExpired,
			Message: "Error validating access token: Session has expired on " + tok.ExpiresAt.UTC().Format(time.RFC1123) + ". The current time is " + now.Format(time.RFC1123) + "."}
	}
	return tok, page, nil
}
