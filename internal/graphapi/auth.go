package graphapi

import (
	"fmt"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// authenticate reads the access token (the access_token parameter, an
// "Authorization: Bearer|OAuth <token>" header, or else a batch entry's
// batch's token), resolves it to its page and role, and checks its
// appsecret_proof. The page scopes everything the request touches.
func (c *call) authenticate() error {
	raw, err := c.params.root().String("access_token")
	if err != nil {
		return err
	}
	if raw == "" {
		raw = tokenFromHeader(c.r.Header.Get("Authorization"))
	}
	inheritedProof := ""
	if raw == "" {
		raw, inheritedProof = batchCredentials(c.ctx)
	}
	if raw == "" {
		return errTokenRequired()
	}
	c.rawToken = raw
	tok, page, err := c.h.cfg.Auth.Authenticate(c.ctx, raw)
	if err != nil {
		if ordergraph.ErrorCode(err) == ordergraph.EUNAUTHORIZED {
			return err
		}
		return fmt.Errorf("authenticate: %w", err)
	}
	if tok == nil || page == nil {
		return &ordergraph.Error{Code: ordergraph.EUNAUTHORIZED, Message: msgInvalidToken}
	}
	if err := c.checkAppSecretProof(raw, inheritedProof); err != nil {
		return err
	}
	c.token, c.page = tok, page
	return nil
}

// tokenFromHeader returns the token of an Authorization header with the
// Bearer or OAuth scheme.
func tokenFromHeader(h string) string {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok {
		return ""
	}
	if !strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "OAuth") {
		return ""
	}
	return strings.TrimSpace(tok)
}
