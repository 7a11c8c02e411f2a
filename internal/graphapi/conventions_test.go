package graphapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/graphapi"
	"github.com/ordergraph/ordergraph/ordergraphtest"
)

// convFixture is an in-process ordergraph whose Graph handler has the
// conventions under test configured: a rate limiter on the test clock
// (so windows move without sleeping) and, optionally, an app secret.
type convFixture struct {
	srv     *ordergraphtest.Server
	url     string
	limiter *graphapi.RateLimiter
	page    *ordergraph.Page
	token   string
	// tees has 2 × "tee" and 1 × "cap"; mug has 1 × "mug". Both CREATED.
	tees, mug string
}

type convOptions struct {
	appSecret     string
	requireSecret bool
}

func newConvFixture(t *testing.T, o convOptions) *convFixture {
	t.Helper()
	srv := ordergraphtest.NewServer(t, ordergraphtest.WithSequentialIDs(64000782776000),
		ordergraphtest.WithTime(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)))
	auth, ok := srv.Orders.(ordergraph.AuthService)
	if !ok {
		t.Fatal("ordergraphtest's order service does not authenticate tokens")
	}
	limiter := graphapi.NewRateLimiter(srv.Clock, graphapi.DefaultBudget)
	h := graphapi.NewHandler(graphapi.Config{
		Orders: srv.Orders, Auth: auth, PublicURL: "https://graph.example.test",
		RateLimiter: limiter, AppSecret: o.appSecret, RequireAppSecretProof: o.requireSecret,
	})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	ctx := context.Background()
	page, token, err := srv.Sandbox.CreatePage(ctx, ordergraph.PageSpec{Name: "Conventions Shop"})
	if err != nil {
		t.Fatal(err)
	}
	f := &convFixture{srv: srv, url: ts.URL, limiter: limiter, page: page, token: token}
	buyer := ordergraph.Buyer{Name: "Ada Buyer", Email: "ada@example.com"}
	addr := ordergraph.Address{Name: "Ada Buyer", Street1: "1 Main St", City: "Portland", State: "OR", PostalCode: "97201", Country: "US"}
	place := func(items ...ordergraph.OrderSpecItem) string {
		t.Helper()
		o, err := srv.Sandbox.PlaceOrder(ctx, page.ID, ordergraph.OrderSpec{Items: items,
			Shipping: ordergraph.OrderSpecShipping{Name: "Standard", Price: "4.99"},
			Buyer:    buyer, ShippingAddress: addr, StartState: ordergraph.StateCreated})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	f.tees = place(
		ordergraph.OrderSpecItem{RetailerID: "tee", ProductName: "Tee", Quantity: 2, PricePerUnit: "12.00"},
		ordergraph.OrderSpecItem{RetailerID: "cap", ProductName: "Cap", Quantity: 1, PricePerUnit: "8.00"})
	f.mug = place(ordergraph.OrderSpecItem{RetailerID: "mug", ProductName: "Mug", Quantity: 1, PricePerUnit: "9.50"})
	return f
}

// convRequest is one HTTP call; the fixture's token is added to the query
// unless noToken.
type convRequest struct {
	method, path string
	form         url.Values // sent as application/x-www-form-urlencoded
	noToken      bool
}

func (f *convFixture) do(t *testing.T, r convRequest) response {
	t.Helper()
	u := f.url + r.path
	if !r.noToken {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "access_token=" + url.QueryEscape(f.token)
	}
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	req, err := http.NewRequest(r.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("%s %s: body is not JSON: %s", r.method, r.path, b)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// Trace ids are random: goldens mask them in bodies, in batch entries'
// JSON-string bodies and in batch entries' x-fb-trace-id headers.
var (
	escapedTraceRE = regexp.MustCompile(`\\"fbtrace_id\\":\\"[^\\"]*\\"`)
	headerTraceRE  = regexp.MustCompile(`"name":"x-fb-trace-id","value":"[^"]*"`)
)

func maskTraces(compact []byte) []byte {
	b := escapedTraceRE.ReplaceAll(compact, []byte(`\"fbtrace_id\":\"<trace>\"`))
	b = headerTraceRE.ReplaceAll(b, []byte(`"name":"x-fb-trace-id","value":"<trace>"`))
	return traceRE.ReplaceAll(b, []byte(`"fbtrace_id":"<trace>"`))
}

// indent pretty-prints JSON with its trace ids masked.
func indent(t *testing.T, b []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, maskTraces(b), "", "  "); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out.String()
}

// show renders one exchange for a golden file: the request line, its form
// body, the status, the usage header and the body.
func show(t *testing.T, r convRequest, got response) string {
	t.Helper()
	var s strings.Builder
	fmt.Fprintf(&s, "%s %s\n", r.method, r.path)
	if r.form != nil {
		fmt.Fprintf(&s, "%s\n", r.form.Encode())
	}
	fmt.Fprintf(&s, "%d\n", got.status)
	if u := got.header.Get("X-Business-Use-Case-Usage"); u != "" {
		fmt.Fprintf(&s, "X-Business-Use-Case-Usage: %s\n", u)
	}
	fmt.Fprintf(&s, "%s\n", indent(t, got.body))
	return s.String()
}

// convGolden compares text with testdata/conventions/<name>.golden.
func convGolden(t *testing.T, name, text string) {
	t.Helper()
	path := filepath.Join("testdata", "conventions", name+".golden")
	assertGolden(t, name, path, text)
}

// batchEntry is one entry of a batch response as Graph answers it.
type batchEntry struct {
	Code    int `json:"code"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	Body string `json:"body"`
}

// showBatch renders a batch exchange for a golden file: the batch as sent
// (indented), the wire response, then each entry's body decoded, for
// reading.
func showBatch(t *testing.T, r convRequest, batch string, got response) (string, []batchEntry) {
	t.Helper()
	var entries []batchEntry
	if err := json.Unmarshal(got.body, &entries); err != nil {
		t.Fatalf("not a batch response (%d): %v: %s", got.status, err, got.body)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "%s %s\nbatch=%s\n", r.method, r.path, indent(t, []byte(batch)))
	fmt.Fprintf(&s, "%d\nX-Business-Use-Case-Usage: %s\n%s\n", got.status, got.header.Get("X-Business-Use-Case-Usage"), indent(t, got.body))
	for i, e := range entries {
		fmt.Fprintf(&s, "\n# entry %d: %d\n%s\n", i, e.Code, indent(t, []byte(e.Body)))
	}
	return s.String(), entries
}

// TestConventions_BatchMixed sends one batch that lists CREATED orders,
// acknowledges one, ships part of it with a form-encoded body, reads it
// back and makes one request the platform refuses: each entry is answered
// as it would be alone, the refused one fails by itself, and the writes
// are as real as any.
func TestConventions_BatchMixed(t *testing.T) {
	f := newConvFixture(t, convOptions{})
	// A budget of 100 calls shows each entry counted as one call.
	if err := f.limiter.SetBudget(f.page.ID, 100, time.Hour); err != nil {
		t.Fatal(err)
	}
	ship := url.Values{
		"items":           {`[{"retailer_id":"tee","quantity":2}]`},
		"tracking_info":   {`{"carrier":"FEDEX","tracking_number":"1Z999AA10123456784","shipping_method_name":"2 Day"}`},
		"idempotency_key": {"ship-tees-1"},
	}.Encode()
	batch := `[
  {"method":"GET","relative_url":"v25.0/` + f.page.ID + `/commerce_orders?state=CREATED&fields=id,order_status"},
  {"method":"POST","relative_url":"v25.0/` + f.tees + `/acknowledge_order","body":"merchant_order_reference=OMS-7&idempotency_key=ack-tees-1"},
  {"method":"POST","relative_url":"v25.0/` + f.tees + `/shipments","body":` + jsonString(ship) + `},
  {"method":"GET","relative_url":"/` + f.tees + `?fields=id,order_status,merchant_order_id,ship_by_date"},
  {"method":"POST","relative_url":"v25.0/` + f.mug + `/shipments","body":"tracking_info=%7B%22carrier%22%3A%22UPS%22%2C%22tracking_number%22%3A%221Z1%22%7D"}
]`
	r := convRequest{method: "POST", path: "/v25.0/", form: url.Values{"batch": {batch}}}
	got := f.do(t, r)
	if got.status != 200 {
		t.Fatalf("batch: %d %s", got.status, got.body)
	}
	text, entries := showBatch(t, r, batch, got)
	convGolden(t, "batch_mixed", text)

	codes := make([]int, len(entries))
	for i, e := range entries {
		codes[i] = e.Code
		if len(e.Headers) == 0 || e.Headers[0].Name != "Content-Type" || e.Headers[0].Value != "application/json; charset=UTF-8" {
			t.Errorf("entry %d headers: %+v", i, e.Headers)
		}
	}
	if diff := cmp.Diff([]int{200, 200, 200, 200, 400}, codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	// The writes happened; the refused one changed nothing.
	ctx := context.Background()
	tees, err := f.srv.Orders.FindOrderByID(ctx, f.page.ID, f.tees)
	if err != nil {
		t.Fatal(err)
	}
	if tees.State() != ordergraph.StateInProgress || tees.Items[0].Fulfilled != 2 || tees.MerchantOrderReference != "OMS-7" {
		t.Errorf("tees after the batch: state %s, tee fulfilled %d, reference %q", tees.State(), tees.Items[0].Fulfilled, tees.MerchantOrderReference)
	}
	mug, err := f.srv.Orders.FindOrderByID(ctx, f.page.ID, f.mug)
	if err != nil {
		t.Fatal(err)
	}
	if mug.State() != ordergraph.StateCreated {
		t.Errorf("mug after the batch: %s", mug.State())
	}

	// The same batch again: the keyed writes replay their first answers
	// and change nothing; the list no longer has the acknowledged order.
	again := f.do(t, r)
	var replayed []batchEntry
	if err := json.Unmarshal(again.body, &replayed); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{1, 2} {
		if replayed[i].Code != entries[i].Code || replayed[i].Body != entries[i].Body {
			t.Errorf("entry %d replayed as %d %s, first %d %s", i, replayed[i].Code, replayed[i].Body, entries[i].Code, entries[i].Body)
		}
	}
	if strings.Contains(replayed[0].Body, f.tees) {
		t.Errorf("acknowledged order still listed as CREATED: %s", replayed[0].Body)
	}
	after, err := f.srv.Orders.FindOrderByID(ctx, f.page.ID, f.tees)
	if err != nil {
		t.Fatal(err)
	}
	if after.Items[0].Fulfilled != 2 || len(after.Shipments) != len(tees.Shipments) {
		t.Errorf("replayed batch shipped again: fulfilled %d, %d shipments", after.Items[0].Fulfilled, len(after.Shipments))
	}
}

// jsonString quotes s as a JSON string, "&" and all.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSpace(b.String())
}

// TestConventions_RateLimit exhausts a page budget of 5 calls: the sixth
// is refused with 80001, the usage header counts up to 100 and says when
// access comes back, and it does come back when the window ends.
func TestConventions_RateLimit(t *testing.T) {
	f := newConvFixture(t, convOptions{})
	if err := f.limiter.SetBudget(f.page.ID, 5, time.Hour); err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	read := convRequest{method: "GET", path: "/v25.0/" + f.tees + "?fields=id"}
	for i := 1; i <= 6; i++ {
		got := f.do(t, read)
		if i < 6 {
			fmt.Fprintf(&s, "# call %d\n%d\nX-Business-Use-Case-Usage: %s\n\n", i, got.status, got.header.Get("X-Business-Use-Case-Usage"))
			if got.status != 200 {
				t.Errorf("call %d: %d %s", i, got.status, got.body)
			}
			f.srv.Clock.Advance(time.Minute)
			continue
		}
		fmt.Fprintf(&s, "# call %d\n%s", i, show(t, read, got))
		var env struct{ Error map[string]any }
		if err := json.Unmarshal(got.body, &env); err != nil || got.status != 400 || env.Error["code"] != float64(80001) || env.Error["is_transient"] != true {
			t.Errorf("call 6: %d %s", got.status, got.body)
		}
	}
	// Writes are refused alike, and change nothing.
	ack := convRequest{method: "POST", path: "/v25.0/" + f.tees + "/acknowledge_order"}
	if got := f.do(t, ack); got.status != 400 || !bytes.Contains(got.body, []byte(`"code":80001`)) {
		t.Errorf("write over budget: %d %s", got.status, got.body)
	}
	if o, err := f.srv.Orders.FindOrderByID(context.Background(), f.page.ID, f.tees); err != nil || o.State() != ordergraph.StateCreated {
		t.Errorf("order after a refused write: %v %v", o.State(), err)
	}
	// The window opened with the first call, 5 minutes ago.
	f.srv.Clock.Advance(54 * time.Minute)
	got := f.do(t, read)
	fmt.Fprintf(&s, "\n# 59 minutes after the first call\n%d\nX-Business-Use-Case-Usage: %s\n", got.status, got.header.Get("X-Business-Use-Case-Usage"))
	f.srv.Clock.Advance(time.Minute)
	got = f.do(t, read)
	fmt.Fprintf(&s, "\n# 60 minutes after the first call\n%s", show(t, read, got))
	if got.status != 200 {
		t.Errorf("after the window: %d %s", got.status, got.body)
	}
	convGolden(t, "rate_limit_exhausted", s.String())
}

// TestConventions_UsageHeaderEverywhere checks that every response to an
// authenticated request carries X-Business-Use-Case-Usage for the token's
// page, successes and errors alike, and that unauthenticated ones do not.
func TestConventions_UsageHeaderEverywhere(t *testing.T) {
	f := newConvFixture(t, convOptions{})
	v := "/v25.0/"
	authenticated := []convRequest{
		{method: "GET", path: v + f.page.ID},
		{method: "GET", path: v + f.page.ID + "?fields=commerce_merchant_settings"},
		{method: "GET", path: v + f.page.ID + "/commerce_orders"},
		{method: "GET", path: v + f.page.ID + "/commerce_orders?status=CREATED"},
		{method: "GET", path: v + f.tees},
		{method: "GET", path: v + f.tees + "/items"},
		{method: "POST", path: v + f.tees + "/acknowledge_order", form: url.Values{"idempotency_key": {"k1"}}},
		{method: "POST", path: v + f.mug + "/shipments", form: url.Values{"tracking_info": {`{"carrier":"ups","tracking_number":"1"}`}}},
		{method: "GET", path: v + f.tees + "?fields=shoe_size"},
		{method: "GET", path: v + "123456789"},
		{method: "POST", path: v + f.tees + "/teleport"},
		{method: "GET", path: "/" + f.tees},
		{method: "POST", path: v, form: url.Values{"batch": {`[{"method":"GET","relative_url":"` + f.tees + `"}]`}}},
	}
	for _, r := range authenticated {
		got := f.do(t, r)
		var usage map[string][]map[string]any
		h := got.header.Get("X-Business-Use-Case-Usage")
		if err := json.Unmarshal([]byte(h), &usage); err != nil || len(usage[f.page.ID]) != 1 {
			t.Errorf("%s %s (%d): X-Business-Use-Case-Usage = %q", r.method, r.path, got.status, h)
			continue
		}
		u := usage[f.page.ID][0]
		for _, k := range []string{"type", "call_count", "total_cputime", "total_time", "estimated_time_to_regain_access"} {
			if _, ok := u[k]; !ok {
				t.Errorf("%s %s: usage lacks %s: %s", r.method, r.path, k, h)
			}
		}
	}
	unauthenticated := []convRequest{
		{method: "GET", path: v + f.tees, noToken: true},
		{method: "GET", path: v + f.tees + "?access_token=EAAnope", noToken: true},
		{method: "GET", path: v, noToken: true},
	}
	for _, r := range unauthenticated {
		if got := f.do(t, r); got.header.Get("X-Business-Use-Case-Usage") != "" {
			t.Errorf("%s %s (%d): unexpected usage header %q", r.method, r.path, got.status, got.header.Get("X-Business-Use-Case-Usage"))
		}
	}
}

// TestConventions_AppSecretProof: with an app secret that is required, a
// right proof passes, a wrong one and a missing one are refused as the
// platform refuses them.
func TestConventions_AppSecretProof(t *testing.T) {
	const secret = "ogtest-app-secret"
	f := newConvFixture(t, convOptions{appSecret: secret, requireSecret: true})
	path := "/v25.0/" + f.tees + "?fields=id,order_status"
	cases := []struct {
		name   string
		proof  string
		status int
	}{
		{"good", graphapi.AppSecretProof(secret, f.token), 200},
		{"bad", graphapi.AppSecretProof("not-the-secret", f.token), 400},
		{"missing", "", 400},
	}
	for _, c := range cases {
		r := convRequest{method: "GET", path: path}
		if c.proof != "" {
			r.path += "&appsecret_proof=" + c.proof
		}
		got := f.do(t, r)
		if got.status != c.status {
			t.Errorf("%s: %d %s", c.name, got.status, got.body)
		}
		if c.proof != "" {
			r.path = strings.ReplaceAll(r.path, c.proof, "<proof>")
		}
		convGolden(t, "appsecret_proof_"+c.name, show(t, r, got))
	}
}

// TestConventions_DateFormatU checks date_format=U renders every date as
// Unix seconds, on a node and on a list.
func TestConventions_DateFormatU(t *testing.T) {
	f := newConvFixture(t, convOptions{})
	r := convRequest{method: "GET", path: "/v25.0/" + f.tees + "?fields=id,created,last_updated,ship_by_date&date_format=U"}
	got := f.do(t, r)
	convGolden(t, "date_format_u", show(t, r, got))
	var o map[string]any
	if err := json.Unmarshal(got.body, &o); err != nil {
		t.Fatal(err)
	}
	want := float64(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC).Unix())
	if o["created"] != want || o["last_updated"] != want {
		t.Errorf("created %v, last_updated %v, want %v", o["created"], o["last_updated"], want)
	}
	list := f.do(t, convRequest{method: "GET", path: "/v25.0/" + f.page.ID + "/commerce_orders?fields=id,created&date_format=U"})
	var l struct{ Data []map[string]any }
	if err := json.Unmarshal(list.body, &l); err != nil || len(l.Data) != 2 {
		t.Fatalf("list: %v %s", err, list.body)
	}
	for _, o := range l.Data {
		if _, ok := o["created"].(float64); !ok {
			t.Errorf("list entry created = %#v, want a number", o["created"])
		}
	}
	// Without it, ISO 8601 with a +0000 offset.
	iso := f.do(t, convRequest{method: "GET", path: "/v25.0/" + f.tees + "?fields=created"})
	if !bytes.Contains(iso.body, []byte(`"created":"2026-01-05T09:00:00+0000"`)) {
		t.Errorf("default date format: %s", iso.body)
	}
}

// TestConventions_EdgeLimit checks .limit(n) on an edge selected in fields,
// on a node and on every entry of a list.
func TestConventions_EdgeLimit(t *testing.T) {
	f := newConvFixture(t, convOptions{})
	count := func(path string) []int {
		t.Helper()
		got := f.do(t, convRequest{method: "GET", path: path})
		if got.status != 200 {
			t.Fatalf("%s: %d %s", path, got.status, got.body)
		}
		type items struct {
			Items struct{ Data []json.RawMessage }
		}
		var list struct{ Data []items }
		var node items
		if strings.Contains(path, "/commerce_orders") {
			if err := json.Unmarshal(got.body, &list); err != nil {
				t.Fatal(err)
			}
		} else {
			if err := json.Unmarshal(got.body, &node); err != nil {
				t.Fatal(err)
			}
			list.Data = []items{node}
		}
		var n []int
		for _, o := range list.Data {
			n = append(n, len(o.Items.Data))
		}
		return n
	}
	v := "/v25.0/"
	for _, c := range []struct {
		path string
		want []int
	}{
		{v + f.tees + "?fields=items{retailer_id}", []int{2}},
		{v + f.tees + "?fields=items.limit(1){retailer_id}", []int{1}},
		{v + f.tees + "?fields=items{retailer_id}.limit(1)", []int{1}},
		{v + f.tees + "?fields=items.limit(5)", []int{2}},
		{v + f.page.ID + "/commerce_orders?fields=id,items.limit(1){retailer_id}", []int{1, 1}},
		{v + f.page.ID + "/commerce_orders?fields=id,items", []int{2, 1}},
	} {
		if got := count(c.path); !cmp.Equal(got, c.want) {
			t.Errorf("%s: items per order %v, want %v", c.path, got, c.want)
		}
	}
}

// TestConventions_UnknownFields pins the platform's error for a field a
// node type does not have, at every depth and on every kind of read.
func TestConventions_UnknownFields(t *testing.T) {
	f := newConvFixture(t, convOptions{})
	v := "/v25.0/"
	for _, c := range []struct{ name, path string }{
		{"order", v + f.tees + "?fields=id,shoe_size"},
		{"order_nested_item", v + f.tees + "?fields=id,items{retailer_id,shoe_size}"},
		{"order_nested_struct", v + f.tees + "?fields=buyer_details{name,shoe_size}"},
		{"order_scalar_subfields", v + f.tees + "?fields=id{shoe_size}"},
		{"list", v + f.page.ID + "/commerce_orders?fields=id,shoe_size"},
		{"items_edge", v + f.tees + "/items?fields=retailer_id,shoe_size"},
		{"page", v + f.page.ID + "?fields=name,shoe_size"},
		{"modifier", v + f.tees + "?fields=items.order(chronological)"},
	} {
		r := convRequest{method: "GET", path: c.path}
		got := f.do(t, r)
		if got.status != 400 {
			t.Errorf("%s: %d %s", c.name, got.status, got.body)
		}
		convGolden(t, "unknown_field_"+c.name, show(t, r, got))
	}
}
