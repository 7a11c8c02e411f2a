package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordergraph/ordergraph/internal/graphapi"
)

// TestServe_AppSecretProof checks that --app-secret and
// --require-appsecret-proof reach the Graph API.
func TestServe_AppSecretProof(t *testing.T) {
	t.Parallel()
	_, err := runCommand(t, "serve", "--require-appsecret-proof", "--db", filepath.Join(t.TempDir(), "unused.db"))
	if err == nil || !strings.Contains(err.Error(), "--app-secret") {
		t.Fatalf("--require-appsecret-proof alone: err=%v, want one naming --app-secret", err)
	}

	const secret = "test-app-secret"
	srv, stdout := MustRunServe(t, serveOptions{db: filepath.Join(t.TempDir(), "og.db"), adminKey: "test-admin", demo: true,
		appSecret: secret, requireAppSecretProof: true})
	banner := stdout.String()
	page, token := bannerValue(t, banner, "page id"), bannerValue(t, banner, "page token")
	base := srv.URL() + "/v25.0/" + page + "?access_token=" + url.QueryEscape(token)
	if status, body := httpGet(t, base); status != http.StatusBadRequest || !strings.Contains(body, "require an appsecret_proof") {
		t.Errorf("without a proof: %d %s", status, body)
	}
	if status, body := httpGet(t, base+"&appsecret_proof="+graphapi.AppSecretProof("wrong", token)); status != http.StatusBadRequest || !strings.Contains(body, "Invalid appsecret_proof") {
		t.Errorf("with a wrong proof: %d %s", status, body)
	}
	if status, body := httpGet(t, base+"&appsecret_proof="+graphapi.AppSecretProof(secret, token)); status != http.StatusOK {
		t.Errorf("with the proof: %d %s", status, body)
	}
}
