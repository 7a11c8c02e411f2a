package graphapi

import (
	"strings"
	"testing"
)

func TestAppSecretProof_Value(t *testing.T) {
	t.Parallel()
	// hex(HMAC-SHA256(key="secret", "token")), as openssl computes it:
	// printf token | openssl dgst -sha256 -hmac secret
	const want = "e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a"
	got := AppSecretProof("secret", "token")
	if len(got) != 64 || strings.ToLower(got) != got {
		t.Fatalf("AppSecretProof = %q, want 64 lower-case hex digits", got)
	}
	if got != want {
		t.Errorf("AppSecretProof = %s, want %s", got, want)
	}
}

func TestAppSecretProof(t *testing.T) {
	t.Parallel()
	const secret = "0123456789abcdef0123456789abcdef"
	good := AppSecretProof(secret, "tok-admin")
	invalid := graphErr{Message: "Invalid appsecret_proof provided in the API argument", Type: "GraphMethodException", Code: 100, TraceID: testTrace}
	required := graphErr{Message: "API calls from the server require an appsecret_proof argument", Type: "GraphMethodException", Code: 100, TraceID: testTrace}
	tests := []struct {
		name     string
		secret   string
		require  bool
		query    string
		header   string
		wantErr  *graphErr
		charged  bool
		wantPage string
	}{
		{"Good", secret, false, tok + "&appsecret_proof=" + good, "", nil, true, testPageID},
		{"GoodUpperCase", secret, true, tok + "&appsecret_proof=" + strings.ToUpper(good), "", nil, true, testPageID},
		{"GoodWithBearer", secret, true, "appsecret_proof=" + good, "Bearer tok-admin", nil, true, testPageID},
		{"Bad", secret, false, tok + "&appsecret_proof=" + AppSecretProof("other secret", "tok-admin"), "", &invalid, false, ""},
		{"OtherTokensProof", secret, false, tok + "&appsecret_proof=" + AppSecretProof(secret, "tok-editor"), "", &invalid, false, ""},
		{"NotHex", secret, false, tok + "&appsecret_proof=zz", "", &invalid, false, ""},
		{"MissingOptional", secret, false, tok, "", nil, true, testPageID},
		{"MissingRequired", secret, true, tok, "", &required, false, ""},
		{"NoSecretIgnoresProof", "", false, tok + "&appsecret_proof=whatever", "", nil, true, testPageID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			e.h.cfg.AppSecret, e.h.cfg.RequireAppSecretProof = tt.secret, tt.require
			var opts []reqOpt
			if tt.header != "" {
				opts = append(opts, withHeader("Authorization", tt.header))
			}
			r := e.get(t, "/v25.0/"+testOrderID+"?fields=id&"+tt.query, opts...)
			if tt.wantErr == nil {
				if r.status != 200 {
					t.Errorf("got %d %s", r.status, r.body)
				}
			} else if got := errorOf(t, r); r.status != 400 || got != *tt.wantErr {
				t.Errorf("got %d %+v\nwant %+v", r.status, got, *tt.wantErr)
			}
			// A caller without the secret spends none of the page's budget.
			if charged := r.header.Get("X-Business-Use-Case-Usage") != ""; charged != tt.charged {
				t.Errorf("charged = %v, want %v", charged, tt.charged)
			}
			if info := e.lastInfo(t); info.PageID != tt.wantPage {
				t.Errorf("info.PageID = %q, want %q", info.PageID, tt.wantPage)
			}
		})
	}
}

// TestAppSecretProof_TokenErrorsFirst checks that a bad token is reported
// as such before its proof is looked at.
func TestAppSecretProof_TokenErrorsFirst(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.h.cfg.AppSecret, e.h.cfg.RequireAppSecretProof = "s3cret", true
	r := e.get(t, "/v25.0/"+testOrderID+"?access_token=nope")
	if got := errorOf(t, r); got.Code != 190 {
		t.Errorf("got %+v, want code 190", got)
	}
	r = e.get(t, "/v25.0/"+testOrderID)
	if got := errorOf(t, r); got.Code != 104 {
		t.Errorf("got %+v, want code 104", got)
	}
}
