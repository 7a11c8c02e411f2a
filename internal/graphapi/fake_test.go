package graphapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
)

// fakeOrders is a hand-written ordergraph.OrderService: each method calls
// its XxxFunc. Unset finders answer ENOTFOUND; unset writes fail the test.
type fakeOrders struct {
	t testing.TB

	FindOrderByIDFunc      func(ctx context.Context, pageID, orderID string) (*ordergraph.Order, error)
	FindOrdersFunc         func(ctx context.Context, f ordergraph.OrderFilter) (*ordergraph.OrderPage, error)
	FindProductByIDFunc    func(ctx context.Context, pageID, productID string) (*ordergraph.Product, error)
	FindPageFunc           func(ctx context.Context, id string) (*ordergraph.Page, error)
	AcknowledgeFunc        func(ctx context.Context, cmd ordergraph.AcknowledgeCommand) (*ordergraph.WriteResult, error)
	AcknowledgeBatchFunc   func(ctx context.Context, cmd ordergraph.AcknowledgeBatchCommand) (*ordergraph.WriteResult, []ordergraph.AcknowledgeOutcome, error)
	ShipFunc               func(ctx context.Context, cmd ordergraph.ShipCommand) (*ordergraph.WriteResult, error)
	CancelFunc             func(ctx context.Context, cmd ordergraph.CancelCommand) (*ordergraph.WriteResult, error)
	RefundFunc             func(ctx context.Context, cmd ordergraph.RefundCommand) (*ordergraph.WriteResult, error)
	UpdateShipmentFunc     func(ctx context.Context, cmd ordergraph.UpdateShipmentCommand) (*ordergraph.WriteResult, error)
	ApplyItemUpdatesFunc   func(ctx context.Context, cmd ordergraph.ItemUpdatesCommand) (*ordergraph.WriteResult, error)
	CreateReturnFunc       func(ctx context.Context, cmd ordergraph.ReturnCommand) (*ordergraph.WriteResult, error)
	UpdateReturnFunc       func(ctx context.Context, cmd ordergraph.UpdateReturnCommand) (*ordergraph.WriteResult, error)
	FindReturnByIDFunc     func(ctx context.Context, pageID, returnID string) (*ordergraph.Order, *ordergraph.Return, error)
	FindReturnsFunc        func(ctx context.Context, f ordergraph.ReturnFilter) (*ordergraph.ReturnPage, error)
	SetOrderManagementFunc func(ctx context.Context, pageID, mode string) (*ordergraph.Page, error)
}

var _ ordergraph.OrderService = (*fakeOrders)(nil)

func notFound() error { return &ordergraph.Error{Code: ordergraph.ENOTFOUND, Message: "not found"} }

func (f *fakeOrders) unexpected(name string) error {
	f.t.Errorf("unexpected call to %s", name)
	return errors.New("unexpected call to " + name)
}

func (f *fakeOrders) FindOrderByID(ctx context.Context, pageID, orderID string) (*ordergraph.Order, error) {
	if f.FindOrderByIDFunc == nil {
		return nil, notFound()
	}
	return f.FindOrderByIDFunc(ctx, pageID, orderID)
}

func (f *fakeOrders) FindOrders(ctx context.Context, flt ordergraph.OrderFilter) (*ordergraph.OrderPage, error) {
	if f.FindOrdersFunc == nil {
		return &ordergraph.OrderPage{}, nil
	}
	return f.FindOrdersFunc(ctx, flt)
}

func (f *fakeOrders) FindProductByID(ctx context.Context, pageID, productID string) (*ordergraph.Product, error) {
	if f.FindProductByIDFunc == nil {
		return nil, notFound()
	}
	return f.FindProductByIDFunc(ctx, pageID, productID)
}

func (f *fakeOrders) FindPage(ctx context.Context, id string) (*ordergraph.Page, error) {
	if f.FindPageFunc == nil {
		return nil, notFound()
	}
	return f.FindPageFunc(ctx, id)
}

func (f *fakeOrders) Acknowledge(ctx context.Context, cmd ordergraph.AcknowledgeCommand) (*ordergraph.WriteResult, error) {
	if f.AcknowledgeFunc == nil {
		return nil, f.unexpected("Acknowledge")
	}
	return f.AcknowledgeFunc(ctx, cmd)
}

func (f *fakeOrders) AcknowledgeBatch(ctx context.Context, cmd ordergraph.AcknowledgeBatchCommand) (*ordergraph.WriteResult, []ordergraph.AcknowledgeOutcome, error) {
	if f.AcknowledgeBatchFunc == nil {
		return nil, nil, f.unexpected("AcknowledgeBatch")
	}
	return f.AcknowledgeBatchFunc(ctx, cmd)
}

func (f *fakeOrders) Ship(ctx context.Context, cmd ordergraph.ShipCommand) (*ordergraph.WriteResult, error) {
	if f.ShipFunc == nil {
		return nil, f.unexpected("Ship")
	}
	return f.ShipFunc(ctx, cmd)
}

func (f *fakeOrders) Cancel(ctx context.Context, cmd ordergraph.CancelCommand) (*ordergraph.WriteResult, error) {
	if f.CancelFunc == nil {
		return nil, f.unexpected("Cancel")
	}
	return f.CancelFunc(ctx, cmd)
}

func (f *fakeOrders) Refund(ctx context.Context, cmd ordergraph.RefundCommand) (*ordergraph.WriteResult, error) {
	if f.RefundFunc == nil {
		return nil, f.unexpected("Refund")
	}
	return f.RefundFunc(ctx, cmd)
}

func (f *fakeOrders) UpdateShipment(ctx context.Context, cmd ordergraph.UpdateShipmentCommand) (*ordergraph.WriteResult, error) {
	if f.UpdateShipmentFunc == nil {
		return nil, f.unexpected("UpdateShipment")
	}
	return f.UpdateShipmentFunc(ctx, cmd)
}

func (f *fakeOrders) ApplyItemUpdates(ctx context.Context, cmd ordergraph.ItemUpdatesCommand) (*ordergraph.WriteResult, error) {
	if f.ApplyItemUpdatesFunc == nil {
		return nil, f.unexpected("ApplyItemUpdates")
	}
	return f.ApplyItemUpdatesFunc(ctx, cmd)
}

func (f *fakeOrders) CreateReturn(ctx context.Context, cmd ordergraph.ReturnCommand) (*ordergraph.WriteResult, error) {
	if f.CreateReturnFunc == nil {
		return nil, f.unexpected("CreateReturn")
	}
	return f.CreateReturnFunc(ctx, cmd)
}

func (f *fakeOrders) UpdateReturn(ctx context.Context, cmd ordergraph.UpdateReturnCommand) (*ordergraph.WriteResult, error) {
	if f.UpdateReturnFunc == nil {
		return nil, f.unexpected("UpdateReturn")
	}
	return f.UpdateReturnFunc(ctx, cmd)
}

func (f *fakeOrders) FindReturnByID(ctx context.Context, pageID, returnID string) (*ordergraph.Order, *ordergraph.Return, error) {
	if f.FindReturnByIDFunc == nil {
		return nil, nil, notFound()
	}
	return f.FindReturnByIDFunc(ctx, pageID, returnID)
}

func (f *fakeOrders) FindReturns(ctx context.Context, flt ordergraph.ReturnFilter) (*ordergraph.ReturnPage, error) {
	if f.FindReturnsFunc == nil {
		return &ordergraph.ReturnPage{}, nil
	}
	return f.FindReturnsFunc(ctx, flt)
}

func (f *fakeOrders) SetOrderManagement(ctx context.Context, pageID, mode string) (*ordergraph.Page, error) {
	if f.SetOrderManagementFunc == nil {
		return nil, f.unexpected("SetOrderManagement")
	}
	return f.SetOrderManagementFunc(ctx, pageID, mode)
}

// fakeAuth is a hand-written ordergraph.AuthService.
type fakeAuth struct {
	AuthenticateFunc func(ctx context.Context, rawToken string) (*ordergraph.Token, *ordergraph.Page, error)
}

var _ ordergraph.AuthService = (*fakeAuth)(nil)

func (f *fakeAuth) Authenticate(ctx context.Context, raw string) (*ordergraph.Token, *ordergraph.Page, error) {
	return f.AuthenticateFunc(ctx, raw)
}

// Fixture ids.
const (
	testPageID  = "100000000000001"
	testCMSID   = "200000000000002"
	otherPageID = "100000000000009"
	testOrderID = "64000782776004"
	testTrace   = "AbCdEfGhIjK"
)

func testPage() *ordergraph.Page {
	return &ordergraph.Page{ID: testPageID, CMSID: testCMSID, Name: "Acme Tees", Currency: "USD"}
}

// testTokens maps raw tokens to roles; "expired", "revoked" and anything
// else are refused.
var testTokens = map[string]ordergraph.Role{
	"tok-admin":   ordergraph.RoleAdmin,
	"tok-editor":  ordergraph.RoleEditor,
	"tok-analyst": ordergraph.RoleAnalyst,
	"tok-other":   ordergraph.RoleAdmin, // another page's token
}

func testAuthenticate(_ context.Context, raw string) (*ordergraph.Token, *ordergraph.Page, error) {
	switch raw {
	case "expired":
		return nil, nil, &ordergraph.Error{Code: ordergraph.EUNAUTHORIZED, Subcode: 463, Message: "Error validating access token: Session has expired on Monday, 14-May-18 23:00:00 PDT."}
	case "revoked":
		return nil, nil, &ordergraph.Error{Code: ordergraph.EUNAUTHORIZED, Subcode: 460, Message: "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."}
	case "broken":
		return nil, nil, errors.New("database is on fire")
	}
	role, ok := testTokens[raw]
	if !ok {
		return nil, nil, &ordergraph.Error{Code: ordergraph.EUNAUTHORIZED, Message: "Invalid OAuth access token - Cannot parse access token"}
	}
	page := testPage()
	if raw == "tok-other" {
		page = &ordergraph.Page{ID: otherPageID, CMSID: "200000000000099", Name: "Other", Currency: "USD"}
	}
	return &ordergraph.Token{Hash: "h-" + raw, PageID: page.ID, Role: role}, page, nil
}

// sampleOrder is the order of the legacy seed's sample response, IN_PROGRESS.
func sampleOrder() *ordergraph.Order {
	created := time.Date(2018, 5, 14, 23, 2, 59, 0, time.UTC)
	updated := time.Date(2018, 5, 14, 23, 3, 22, 0, time.UTC)
	released := created.Add(30 * time.Minute)
	acked := released.Add(time.Minute)
	return &ordergraph.Order{
		ID: testOrderID, PageID: testPageID, Currency: "USD", Channel: "Instagram",
		Created: created, LastUpdated: updated, ReleasedAt: &released, AckedAt: &acked,
		ShipByDate: "2018-05-17", MerchantOrderReference: "46192",
		Buyer:           ordergraph.Buyer{Name: "John Smith", Email: "user@example.com", EmailRemarketingOption: false, Phone: "+12065550100"},
		ShippingAddress: ordergraph.Address{Name: "John Smith", FirstName: "John", LastName: "Smith", Street1: "1101 Dexter Ave N", City: "Seattle", State: "WA", PostalCode: "98109-3517", Country: "US"},
		ShippingOption:  ordergraph.ShippingOption{Name: "STANDARD (3-5 Business days)", ReferenceID: "", Price: 0, Tax: 0, MinDays: 5, MaxDays: 7},
		TaxRemitted:     true,
		Items: []ordergraph.Item{{
			ID: "2082596341811586", RetailerID: "1522693943pages_commerce_sell5ac27737cc5fc7490521823", ProductID: "1747144002010730",
			ProductName: "Tee", Quantity: 1, PricePerUnit: 55, TaxRate: "0.101", Tax: 6,
		}},
		Version: 3,
	}
}

// processingOrder is an order still in FB_PROCESSING.
func processingOrder() *ordergraph.Order {
	o := sampleOrder()
	o.ReleasedAt, o.AckedAt, o.ShipByDate = nil, nil, ""
	return o
}

// testEnv is a handler over fakes, with a fixed trace id and the
// RequestInfos it observed.
type testEnv struct {
	orders *fakeOrders
	auth   *fakeAuth
	h      *handler

	mu    sync.Mutex
	infos []RequestInfo
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	e := &testEnv{orders: &fakeOrders{t: t}, auth: &fakeAuth{AuthenticateFunc: testAuthenticate}}
	e.orders.FindOrderByIDFunc = func(_ context.Context, pageID, orderID string) (*ordergraph.Order, error) {
		if pageID == testPageID && orderID == testOrderID {
			return sampleOrder(), nil
		}
		return nil, notFound()
	}
	e.h = newHandler(Config{Orders: e.orders, Auth: e.auth, Observe: func(ri RequestInfo) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.infos = append(e.infos, ri)
	}})
	e.h.traceID = func() string { return testTrace }
	return e
}

func (e *testEnv) lastInfo(t testing.TB) RequestInfo {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.infos) == 0 {
		t.Fatal("Observe was not called")
	}
	return e.infos[len(e.infos)-1]
}

// reqOpt shapes a test request.
type reqOpt func(r *http.Request)

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

// testResp is a recorded response.
type testResp struct {
	status int
	header http.Header
	body   string
}

// json decodes the body, failing the test on anything but JSON.
func (r testResp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// do serves one request. body is sent with contentType when non-empty.
func (e *testEnv) do(t testing.TB, method, target, contentType, body string, opts ...reqOpt) testResp {
	t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	var req *http.Request
	if rd != nil {
		req = httptest.NewRequest(method, target, rd)
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.Host = "graph.example.test"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, o := range opts {
		o(req)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	res := testResp{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if ct := res.header.Get("Content-Type"); ct != "application/json; charset=UTF-8" {
		t.Errorf("%s %s: Content-Type = %q", method, target, ct)
	}
	if !json.Valid([]byte(res.body)) {
		t.Errorf("%s %s: body is not JSON: %s", method, target, res.body)
	}
	if got := res.header.Get("x-fb-trace-id"); got != testTrace {
		t.Errorf("%s %s: x-fb-trace-id = %q", method, target, got)
	}
	return res
}

func (e *testEnv) get(t testing.TB, target string, opts ...reqOpt) testResp {
	t.Helper()
	return e.do(t, http.MethodGet, target, "", "", opts...)
}

func (e *testEnv) postJSON(t testing.TB, target, body string, opts ...reqOpt) testResp {
	t.Helper()
	return e.do(t, http.MethodPost, target, "application/json", body, opts...)
}

func (e *testEnv) postForm(t testing.TB, target, body string, opts ...reqOpt) testResp {
	t.Helper()
	return e.do(t, http.MethodPost, target, "application/x-www-form-urlencoded", body, opts...)
}

// postMultipart sends fields as curl -F does, in order.
func (e *testEnv) postMultipart(t testing.TB, target string, fields [][2]string, opts ...reqOpt) testResp {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return e.do(t, http.MethodPost, target, mw.FormDataContentType(), buf.String(), opts...)
}

// graphErr is the decoded error envelope.
type graphErr struct {
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	UserTitle string `json:"error_user_title"`
	UserMsg   string `json:"error_user_msg"`
	Transient bool   `json:"is_transient"`
	TraceID   string `json:"fbtrace_id"`
}

// errorOf decodes an error envelope, failing the test if the body is not
// one.
func errorOf(t testing.TB, r testResp) graphErr {
	t.Helper()
	var env struct {
		Error *graphErr `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.body), &env); err != nil || env.Error == nil {
		t.Fatalf("not an error envelope (status %d): %s", r.status, r.body)
	}
	if env.Error.TraceID != r.header.Get("x-fb-trace-id") {
		t.Errorf("fbtrace_id %q != header %q", env.Error.TraceID, r.header.Get("x-fb-trace-id"))
	}
	return *env.Error
}

// okResult is a write result for the fakes: the order as saved.
func okResult(o *ordergraph.Order) *ordergraph.WriteResult {
	return &ordergraph.WriteResult{Order: o}
}

const tok = "access_token=tok-admin"
