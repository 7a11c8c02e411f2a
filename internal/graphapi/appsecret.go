package graphapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// AppSecretProof returns the appsecret_proof of an access token: the hex
// HMAC-SHA256 of the token keyed by the app secret, as Meta's SDKs compute
// it.
func AppSecretProof(appSecret, accessToken string) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(accessToken))
	return hex.EncodeToString(mac.Sum(nil))
}

// checkAppSecretProof verifies the request's appsecret_proof against the
// token it authenticated with, as the platform does for an app that has an
// app secret: a proof that is given must match, and one is required when
// Config.RequireAppSecretProof is set. Without Config.AppSecret there is
// nothing to verify against and a proof is ignored. inherited is the batch
// entry's proof when the entry uses its batch's token.
func (c *call) checkAppSecretProof(rawToken, inherited string) error {
	secret := c.h.cfg.AppSecret
	if secret == "" {
		return nil
	}
	proof, err := c.params.root().String("appsecret_proof")
	if err != nil {
		return errAppSecretProof(msgAppSecretProofInvalid)
	}
	if proof == "" {
		proof = inherited
	}
	if proof == "" {
		if c.h.cfg.RequireAppSecretProof {
			return errAppSecretProof(msgAppSecretProofRequired)
		}
		return nil
	}
	got, err := hex.DecodeString(strings.TrimSpace(proof))
	want, _ := hex.DecodeString(AppSecretProof(secret, rawToken))
	if err != nil || !hmac.Equal(got, want) {
		return errAppSecretProof(msgAppSecretProofInvalid)
	}
	return nil
}

// errAppSecretProof is Graph's answer to a missing or wrong
// appsecret_proof.
func errAppSecretProof(msg string) *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 100, Type: typeGraphMethod, Message: msg}
}
