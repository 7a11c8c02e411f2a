package graphapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

// batchResult is one decoded entry of a batch response.
type batchResult struct {
	Code    int          `json:"code"`
	Headers []wireHeader `json:"headers"`
	Body    string       `json:"body"`
}

type wireHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func (r batchResult) header(name string) string {
	for _, h := range r.Headers {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

// batchOf decodes a batch response, failing the test on anything else.
func batchOf(t testing.TB, r testResp) []batchResult {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("batch answered %d: %s", r.status, r.body)
	}
	var out []batchResult
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatalf("not a batch response: %v: %s", err, r.body)
	}
	for i, e := range out {
		if !json.Valid([]byte(e.Body)) {
			t.Errorf("entry %d: body is not JSON: %q", i, e.Body)
		}
	}
	return out
}

// batchForm is a batch as a form body (what curl -F and the SDKs send).
func batchForm(batch string, extra ...string) string {
	v := url.Values{"batch": {batch}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v.Encode()
}

func TestBatch_WireShape(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.orders.AcknowledgeFunc = func(_ context.Context, cmd ordergraph.AcknowledgeCommand) (*ordergraph.WriteResult, error) {
		if cmd.MerchantOrderReference != "OMS-1" {
			t.Errorf("merchant_order_reference = %q", cmd.MerchantOrderReference)
		}
		return okResult(sampleOrder()), nil
	}
	batch := `[
		{"method":"GET","relative_url":"v25.0/` + testOrderID + `?fields=id"},
		{"method":"POST","relative_url":"/` + testOrderID + `/acknowledge_order","body":"merchant_order_reference=OMS-1"},
		{"method":"GET","relative_url":"123456789?fields=id"}
	]`
	r := e.postForm(t, "/", batchForm(batch, "access_token", "tok-admin"))
	usage := func(n int) string {
		return fmt.Sprintf(`{"100000000000001":[{"type":"pages","call_count":%d,"total_cputime":%[1]d,"total_time":%[1]d,"estimated_time_to_regain_access":0}]}`, n)
	}
	hdrs := func(version string) []wireHeader {
		return []wireHeader{
			{"Content-Type", "application/json; charset=UTF-8"},
			{"facebook-api-version", version},
			{"x-fb-trace-id", testTrace},
			{"X-Business-Use-Case-Usage", usage(0)},
			{"Cache-Control", "no-store"},
		}
	}
	want := []batchResult{
		{200, hdrs("v25.0"), `{"id":"64000782776004"}`},
		{200, hdrs("v25.0"), `{"id":"64000782776004","status":"IN_PROGRESS","state":"IN_PROGRESS"}`},
		{400, hdrs("v25.0"), `{"error":{"message":"Unsupported get request. Object with ID '123456789' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api","type":"GraphMethodException","code":100,"error_subcode":33,"is_transient":false,"fbtrace_id":"AbCdEfGhIjK"}}`},
	}
	if diff := cmp.Diff(want, batchOf(t, r)); diff != "" {
		t.Errorf("batch (-want +got):\n%s", diff)
	}
	if h := r.header.Get("X-Business-Use-Case-Usage"); h != usage(0) {
		t.Errorf("batch usage header = %q", h)
	}
	// Observe sees every entry, then the batch.
	e.mu.Lock()
	defer e.mu.Unlock()
	var routes []string
	for _, ri := range e.infos {
		routes = append(routes, fmt.Sprintf("%s %d %s", ri.Route, ri.Status, ri.PageID))
	}
	wantRoutes := []string{
		"GET /{order_id} 200 " + testPageID,
		"POST /{order_id}/acknowledge_order 200 " + testPageID,
		"GET /{id} 400 " + testPageID,
		"POST / 200 ",
	}
	if diff := cmp.Diff(wantRoutes, routes); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
}

func TestBatch_Encodings(t *testing.T) {
	t.Parallel()
	entry := `{"method":"GET","relative_url":"` + testOrderID + `?fields=id"}`
	tests := []struct {
		name, target, ctype, body string
		opts                      []reqOpt
	}{
		{"FormField", "/", "application/x-www-form-urlencoded", batchForm("["+entry+"]", "access_token", "tok-admin"), nil},
		{"QueryString", "/?" + batchForm("["+entry+"]", "access_token", "tok-admin"), "", "", nil},
		{"JSONBodyArray", "/v25.0/", "application/json", "[" + entry + "]", []reqOpt{withHeader("Authorization", "Bearer tok-admin")}},
		{"JSONBodyMember", "/", "application/json", `{"access_token":"tok-admin","batch":[` + entry + `]}`, nil},
		{"JSONBodyMemberAsString", "/", "application/json", `{"access_token":"tok-admin","batch":` + strconvQuote("["+entry+"]") + `}`, nil},
		{"BracketNotation", "/", "application/x-www-form-urlencoded", "access_token=tok-admin&batch[0][method]=GET&batch[0][relative_url]=" + url.QueryEscape(testOrderID+"?fields=id"), nil},
		{"OnAnEndpoint", "/me?access_token=tok-admin", "application/x-www-form-urlencoded", batchForm("[" + entry + "]"), nil},
		{"MethodOverride", "/?method=post&access_token=tok-admin&" + batchForm("["+entry+"]"), "", "", nil},
		{"NoMethodMeansGET", "/", "application/x-www-form-urlencoded", batchForm(`[{"relative_url":"`+testOrderID+`?fields=id"}]`, "access_token", "tok-admin"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			method := "POST"
			if tt.name == "MethodOverride" {
				method = "GET"
			}
			got := batchOf(t, e.do(t, method, tt.target, tt.ctype, tt.body, tt.opts...))
			if len(got) != 1 || got[0].Code != 200 || got[0].Body != `{"id":"64000782776004"}` {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestBatch_Tokens(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.orders.AcknowledgeFunc = func(context.Context, ordergraph.AcknowledgeCommand) (*ordergraph.WriteResult, error) {
		return okResult(sampleOrder()), nil
	}
	ack := "/" + testOrderID + "/acknowledge_order"
	batch := `[
		{"method":"POST","relative_url":"` + ack + `"},
		{"method":"POST","relative_url":"` + ack + `?access_token=tok-analyst"},
		{"method":"POST","relative_url":"` + ack + `","body":"access_token=tok-analyst"},
		{"method":"POST","relative_url":"` + ack + `","headers":["Authorization: OAuth tok-analyst"]},
		{"method":"GET","relative_url":"` + testOrderID + `","headers":[{"name":"Authorization","value":"Bearer tok-other"}]},
		{"method":"GET","relative_url":"` + testOrderID + `?access_token=nope"}
	]`
	got := batchOf(t, e.postForm(t, "/", batchForm(batch), withHeader("Authorization", "Bearer tok-editor")))
	codes := make([]string, len(got))
	for i, r := range got {
		var env struct{ Error graphErr }
		_ = json.Unmarshal([]byte(r.Body), &env)
		codes[i] = fmt.Sprintf("%d/%d", r.Code, env.Error.Code)
	}
	// The batch's token (an editor's, from the header) acknowledges; an
	// entry's own analyst token, in its URL, body or headers, may not;
	// another page's token sees nothing of this page; a bad token is 190.
	want := []string{"200/0", "403/200", "403/200", "403/200", "400/100", "400/190"}
	if diff := cmp.Diff(want, codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	if got[5].header("WWW-Authenticate") == "" || got[5].header("X-Business-Use-Case-Usage") != "" {
		t.Errorf("bad token entry headers: %+v", got[5].Headers)
	}
	// No token anywhere: each entry says so; the batch itself is fine.
	got = batchOf(t, e.postForm(t, "/", batchForm(`[{"method":"GET","relative_url":"`+testOrderID+`"}]`)))
	if len(got) != 1 || got[0].Code != 400 || !strings.Contains(got[0].Body, `"code":104`) {
		t.Errorf("no token: %+v", got)
	}
}

func TestBatch_Versions(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	batch := `[
		{"method":"GET","relative_url":"` + testOrderID + `?fields=id"},
		{"method":"GET","relative_url":"v22.0/` + testOrderID + `?fields=id"},
		{"method":"GET","relative_url":"https://graph.facebook.com/v9.0/` + testOrderID + `?fields=id"}
	]`
	got := batchOf(t, e.postForm(t, "/v24.0/", batchForm(batch, "access_token", "tok-admin")))
	var versions []string
	for _, r := range got {
		versions = append(versions, r.header("facebook-api-version"))
	}
	if diff := cmp.Diff([]string{"v24.0", "v22.0", "v9.0"}, versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	got = batchOf(t, e.postForm(t, "/", batchForm(batch, "access_token", "tok-admin", "include_headers", "false")))
	for i, r := range got {
		if r.Headers != nil || r.Code != 200 {
			t.Errorf("include_headers=false: entry %d: %+v", i, r)
		}
	}
	if strings.Contains(e.postForm(t, "/", batchForm(batch, "access_token", "tok-admin", "include_headers", "false")).body, `"headers"`) {
		t.Error("include_headers=false still renders headers")
	}
}

func TestBatch_Refused(t *testing.T) {
	t.Parallel()
	entry := `{"method":"GET","relative_url":"` + testOrderID + `"}`
	many := "[" + strings.TrimSuffix(strings.Repeat(entry+",", 51), ",") + "]"
	batchErr := func(msg string) graphErr {
		return graphErr{Message: msg, Type: "GraphBatchException", Code: 100, TraceID: testTrace}
	}
	tests := []struct {
		name, body string
		want       graphErr
	}{
		{"Missing", "access_token=tok-admin", graphErr{Message: "(#100) The parameter batch is required", Type: "OAuthException", Code: 100, TraceID: testTrace}},
		{"Empty", batchForm("[]"), graphErr{Message: "(#100) The parameter batch is required", Type: "OAuthException", Code: 100, TraceID: testTrace}},
		{"NotJSON", batchForm("GET /me"), graphErr{Message: "(#100) Param batch must be an array", Type: "OAuthException", Code: 100, TraceID: testTrace}},
		{"Object", batchForm(entry), graphErr{Message: "(#100) Param batch must be an array", Type: "OAuthException", Code: 100, TraceID: testTrace}},
		{"TooMany", batchForm(many), batchErr("Too many requests in batch message. Maximum batch size is 50")},
		{"EntryNotObject", batchForm(`[` + entry + `,"GET /me"]`), batchErr("Request 1 of the batch must be a JSON object with method, relative_url and optionally body")},
		{"NoRelativeURL", batchForm(`[{"method":"GET"}]`), batchErr(`Request 0 of the batch needs a relative_url, such as "v25.0/{page_id}/commerce_orders?state=CREATED"`)},
		{"BadRelativeURL", batchForm(`[{"method":"GET","relative_url":"%zz"}]`), batchErr(`Request 0 of the batch has a relative_url that is not a Graph path: "%zz"`)},
		{"BadMethod", batchForm(`[{"method":"PATCH","relative_url":"me"}]`), batchErr(`Request 0 of the batch has method "PATCH"; it must be GET, POST, PUT or DELETE`)},
		{"BadBody", batchForm(`[{"method":"POST","relative_url":"me","body":42}]`), batchErr(`Request 0 of the batch has a body that is not a form-encoded string such as "idempotency_key=abc&tracking_info=%7B...%7D"`)},
		{"BadHeaders", batchForm(`[{"method":"GET","relative_url":"me","headers":[42]}]`), batchErr(`Request 0 of the batch has headers that are not a list of "Name: value" strings or {"name","value"} objects`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			r := e.postForm(t, "/v25.0/?access_token=tok-admin", tt.body)
			if got := errorOf(t, r); r.status != 400 || got != tt.want {
				t.Errorf("got %d %+v\nwant %+v", r.status, got, tt.want)
			}
			if info := e.lastInfo(t); info.Route != "POST /" || len(e.infos) != 1 {
				t.Errorf("info = %+v (%d observed)", info, len(e.infos))
			}
		})
	}
	// GET / is not a batch.
	e := newTestEnv(t)
	if r := e.get(t, "/?"+batchForm("["+entry+"]", "access_token", "tok-admin")); r.status != 400 || errorOf(t, r).Type != "GraphMethodException" {
		t.Errorf("GET /: %d %s", r.status, r.body)
	}
	// A batch inside a batch fails as its entry only.
	nested := `[` + entry + `,{"method":"POST","relative_url":"/","body":` + strconvQuote(batchForm("["+entry+"]")) + `}]`
	got := batchOf(t, e.postForm(t, "/", batchForm(nested, "access_token", "tok-admin")))
	if len(got) != 2 || got[0].Code != 200 || got[1].Code != 400 || !strings.Contains(got[1].Body, "cannot itself be a batch") {
		t.Errorf("nested: %+v", got)
	}
}

func TestBatch_RateLimit(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	clock := newTestClock()
	e.h.cfg.RateLimiter = NewRateLimiter(clock, DefaultBudget)
	if err := e.h.cfg.RateLimiter.SetBudget(testPageID, 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	entry := `{"method":"GET","relative_url":"` + testOrderID + `?fields=id"}`
	r := e.postForm(t, "/", batchForm("["+entry+","+entry+","+entry+"]", "access_token", "tok-admin"))
	got := batchOf(t, r)
	if got[0].Code != 200 || got[1].Code != 200 || got[2].Code != 400 || !strings.Contains(got[2].Body, `"code":80001`) {
		t.Errorf("entries: %+v", got)
	}
	full := `{"100000000000001":[{"type":"pages","call_count":100,"total_cputime":100,"total_time":100,"estimated_time_to_regain_access":60}]}`
	if h := got[2].header("X-Business-Use-Case-Usage"); h != full {
		t.Errorf("entry 2 usage = %s", h)
	}
	if h := r.header.Get("X-Business-Use-Case-Usage"); h != full {
		t.Errorf("batch usage = %s", h)
	}
	// Two pages in one batch: the batch's header reports both.
	e.h.cfg.RateLimiter.ResetBudget(testPageID)
	r = e.postForm(t, "/", batchForm(`[`+entry+`,{"method":"GET","relative_url":"`+otherPageID+`?access_token=tok-other"}]`, "access_token", "tok-admin"))
	var u map[string]any
	if err := json.Unmarshal([]byte(r.header.Get("X-Business-Use-Case-Usage")), &u); err != nil || len(u) != 2 {
		t.Errorf("two-page usage = %q", r.header.Get("X-Business-Use-Case-Usage"))
	}
}

func TestBatch_AppSecretProof(t *testing.T) {
	t.Parallel()
	const secret = "s3cret"
	e := newTestEnv(t)
	e.h.cfg.AppSecret, e.h.cfg.RequireAppSecretProof = secret, true
	get := `{"method":"GET","relative_url":"` + testOrderID + `?fields=id"}`
	own := `{"method":"GET","relative_url":"` + testOrderID + `?fields=id&access_token=tok-editor"}`
	ownProved := `{"method":"GET","relative_url":"` + testOrderID + `?fields=id","body":"access_token=tok-editor&appsecret_proof=` + AppSecretProof(secret, "tok-editor") + `"}`
	batch := "[" + get + "," + own + "," + ownProved + "]"
	// The batch's proof goes with the batch's token only: an entry with
	// its own token needs its own proof.
	got := batchOf(t, e.postForm(t, "/", batchForm(batch, "access_token", "tok-admin", "appsecret_proof", AppSecretProof(secret, "tok-admin"))))
	if got[0].Code != 200 || got[1].Code != 400 || !strings.Contains(got[1].Body, "require an appsecret_proof") || got[2].Code != 200 {
		t.Errorf("entries: %+v", got)
	}
	got = batchOf(t, e.postForm(t, "/", batchForm("["+get+"]", "access_token", "tok-admin", "appsecret_proof", AppSecretProof("wrong", "tok-admin"))))
	if got[0].Code != 400 || !strings.Contains(got[0].Body, "Invalid appsecret_proof") {
		t.Errorf("bad batch proof: %+v", got)
	}
}
