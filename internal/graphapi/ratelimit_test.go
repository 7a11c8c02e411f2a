package graphapi

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestRateLimiter_Window(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	l := NewRateLimiter(clock, DefaultBudget)
	if err := l.SetBudget("p1", 5, time.Hour); err != nil {
		t.Fatal(err)
	}
	var got []Usage
	for i := 0; i < 5; i++ {
		u, ok := l.Take("p1")
		if !ok {
			t.Fatalf("call %d refused", i+1)
		}
		got = append(got, u)
		clock.Advance(time.Minute)
	}
	want := []Usage{{20, 0}, {40, 0}, {60, 0}, {80, 0}, {100, 56}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	// 5 minutes into the window: 55 minutes to go.
	u, ok := l.Take("p1")
	if ok || u != (Usage{100, 55}) {
		t.Errorf("6th call: ok=%v %+v, want refused with 100%% and 55 min", ok, u)
	}
	// Refused calls count for nothing: still 55 minutes, rounded up.
	clock.Advance(54*time.Minute + time.Second)
	if u, ok := l.Take("p1"); ok || u.EstimatedTimeToRegainAccess != 1 {
		t.Errorf("near the end: ok=%v %+v", ok, u)
	}
	clock.Advance(time.Minute)
	if u, ok := l.Take("p1"); !ok || u != (Usage{20, 0}) {
		t.Errorf("next window: ok=%v %+v", ok, u)
	}
	// Another page is metered on its own, on the default budget.
	if u, ok := l.Take("p2"); !ok || u != (Usage{0, 0}) {
		t.Errorf("p2: ok=%v %+v", ok, u)
	}
	if b := l.Budget("p2"); b != DefaultBudget {
		t.Errorf("p2 budget = %+v", b)
	}
}

func TestRateLimiter_Budgets(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	l := NewRateLimiter(clock, Budget{Calls: 2, Per: time.Minute})
	l.Take("p")
	l.Take("p")
	if _, ok := l.Take("p"); ok {
		t.Fatal("default budget not enforced")
	}
	// SetBudget opens a fresh window.
	if err := l.SetBudget("p", 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := l.Usage("p"); got != (Usage{}) {
		t.Errorf("after SetBudget: %+v", got)
	}
	if _, ok := l.Take("p"); !ok {
		t.Error("first call after SetBudget refused")
	}
	if _, ok := l.Take("p"); ok {
		t.Error("second call of a 1-call budget allowed")
	}
	// 0 is unlimited.
	if err := l.SetBudget("p", 0, 0); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i++ {
		if u, ok := l.Take("p"); !ok || u != (Usage{}) {
			t.Fatalf("unlimited call %d: ok=%v %+v", i, ok, u)
		}
	}
	l.ResetBudget("p")
	if b := l.Budget("p"); b != (Budget{Calls: 2, Per: time.Minute}) {
		t.Errorf("after ResetBudget: %+v", b)
	}
	for _, bad := range []Budget{{Calls: -1, Per: time.Hour}, {Calls: 3, Per: 0}, {Calls: 3, Per: -time.Second}} {
		if err := l.SetBudget("p", bad.Calls, bad.Per); err == nil {
			t.Errorf("SetBudget(%d, %s) accepted", bad.Calls, bad.Per)
		}
	}
}

// TestRateLimiter_Concurrent checks that racing calls never overspend.
func TestRateLimiter_Concurrent(t *testing.T) {
	t.Parallel()
	l := NewRateLimiter(newTestClock(), Budget{Calls: 100, Per: time.Hour})
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for i := 0; i < 16; i++ {
		wg.Go(func() {
			for j := 0; j < 20; j++ {
				if _, ok := l.Take("p"); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 100 {
		t.Errorf("allowed %d calls, want 100", allowed)
	}
}

// usageOf decodes X-Business-Use-Case-Usage.
func usageOf(t testing.TB, r testResp) map[string][]map[string]any {
	t.Helper()
	h := r.header.Get("X-Business-Use-Case-Usage")
	if h == "" {
		t.Fatalf("no X-Business-Use-Case-Usage header (status %d): %s", r.status, r.body)
	}
	var m map[string][]map[string]any
	if err := json.Unmarshal([]byte(h), &m); err != nil {
		t.Fatalf("X-Business-Use-Case-Usage is not JSON: %v: %s", err, h)
	}
	return m
}

func TestRateLimit_Handler(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	clock := newTestClock()
	e.h.cfg.RateLimiter = NewRateLimiter(clock, DefaultBudget)
	if err := e.h.cfg.RateLimiter.SetBudget(testPageID, 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	r := e.get(t, "/v25.0/"+testOrderID+"?"+tok)
	want := `{"100000000000001":[{"type":"pages","call_count":50,"total_cputime":50,"total_time":50,"estimated_time_to_regain_access":0}]}`
	if r.status != 200 || r.header.Get("X-Business-Use-Case-Usage") != want {
		t.Errorf("1st: %d %q", r.status, r.header.Get("X-Business-Use-Case-Usage"))
	}
	// An error answered to an authenticated call carries the header and
	// counts.
	clock.Advance(30 * time.Minute)
	r = e.get(t, "/v25.0/"+testOrderID+"?fields=shoe_size&"+tok)
	want = `{"100000000000001":[{"type":"pages","call_count":100,"total_cputime":100,"total_time":100,"estimated_time_to_regain_access":30}]}`
	if r.status != 400 || r.header.Get("X-Business-Use-Case-Usage") != want {
		t.Errorf("2nd: %d %q", r.status, r.header.Get("X-Business-Use-Case-Usage"))
	}
	r = e.postJSON(t, "/v25.0/"+testOrderID+"/acknowledge_order?"+tok, `{}`) // Acknowledge is never reached
	got := errorOf(t, r)
	wantErr := graphErr{
		Message: "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
		Type:    "OAuthException", Code: 80001, Transient: true, TraceID: testTrace,
	}
	if r.status != 400 || got != wantErr || r.header.Get("X-Business-Use-Case-Usage") != want {
		t.Errorf("3rd: %d %+v %q", r.status, got, r.header.Get("X-Business-Use-Case-Usage"))
	}
	if info := e.lastInfo(t); info.PageID != testPageID || info.Status != 400 {
		t.Errorf("info = %+v", info)
	}
	// Another page's token is metered on its own budget.
	r = e.get(t, "/v25.0/"+otherPageID+"?access_token=tok-other")
	if u := usageOf(t, r); len(u) != 1 || u[otherPageID] == nil {
		t.Errorf("other page usage = %v", u)
	}
	// Unauthenticated requests are charged to nobody and say nothing.
	for _, q := range []string{"", "access_token=nope"} {
		r := e.get(t, "/v25.0/"+testOrderID+"?"+q)
		if h := r.header.Get("X-Business-Use-Case-Usage"); h != "" || r.status != 400 {
			t.Errorf("%q: %d header %q", q, r.status, h)
		}
	}
	clock.Advance(30 * time.Minute)
	if r := e.get(t, "/v25.0/"+testOrderID+"?"+tok); r.status != 200 {
		t.Errorf("after the window: %d %s", r.status, r.body)
	}
}
