package graphapi

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ordergraph/ordergraph"
)

// headerBUC is the header in which Graph reports a business object's
// rate-limit usage; integrations (WooCommerce) read its
// estimated_time_to_regain_access to back off.
const headerBUC = "X-Business-Use-Case-Usage"

// Budget is how many Graph calls a page may make in a window of Per.
// Calls 0 means unlimited.
type Budget struct {
	Calls int
	Per   time.Duration
}

// DefaultBudget is the budget of a page nobody set one for: 4800 calls an
// hour, the platform's base allowance of a Page.
var DefaultBudget = Budget{Calls: 4800, Per: time.Hour}

// unlimited reports whether the budget enforces nothing.
func (b Budget) unlimited() bool { return b.Calls <= 0 || b.Per <= 0 }

// RateLimiter meters each page's Graph calls against its Budget, so that a
// page over budget is answered error 80001 until its window ends, as the
// platform does, and every authenticated response reports the page's usage
// in X-Business-Use-Case-Usage.
//
// Windows are fixed: one opens with a page's first call and lasts the
// budget's Per; the next call after it ends opens a new one. They run on
// the limiter's clock, the server's real time (not a page's sandbox clock,
// which can be moved days ahead), so a test moves it instead of sleeping.
//
// Counts live in the memory of one process and are shared with nothing: in
// a deployment of several nodes each node enforces the budget on the calls
// it serves, so a page gets up to nodes × Calls in a window. Give each node
// its share of the budget if that matters; a restart forgets the counts.
//
// A RateLimiter is safe for concurrent use. The server holds one and the
// sandbox sets per-page budgets on it at run time (SetBudget).
type RateLimiter struct {
	clock ordergraph.Clock
	def   Budget

	mu    sync.Mutex
	pages map[string]*pageMeter
}

// pageMeter is one page's budget (when set) and current window.
type pageMeter struct {
	budget *Budget // nil: the limiter's default
	start  time.Time
	calls  int
}

// NewRateLimiter returns a limiter whose windows run on clock (nil: the
// system clock) and whose pages get def unless SetBudget says otherwise.
func NewRateLimiter(clock ordergraph.Clock, def Budget) *RateLimiter {
	if clock == nil {
		clock = ordergraph.SystemClock{}
	}
	return &RateLimiter{clock: clock, def: def, pages: map[string]*pageMeter{}}
}

// SetBudget gives a page its own budget of calls per per (calls 0:
// unlimited) and opens a fresh window, so the budget counts from now: a
// sandbox that sets {"calls":10,"per":"1h"} gets exactly ten more calls.
func (l *RateLimiter) SetBudget(pageID string, calls int, per time.Duration) error {
	if calls < 0 {
		return fmt.Errorf("rate limit: calls must be 0 (unlimited) or more, not %d", calls)
	}
	if calls > 0 && per <= 0 {
		return fmt.Errorf("rate limit: per must be a positive duration, not %s", per)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pages[pageID] = &pageMeter{budget: &Budget{Calls: calls, Per: per}}
	return nil
}

// ResetBudget puts a page back on the default budget, with a fresh window.
func (l *RateLimiter) ResetBudget(pageID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pages, pageID)
}

// Budget returns the budget a page is metered against.
func (l *RateLimiter) Budget(pageID string) Budget {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := l.pages[pageID]; m != nil && m.budget != nil {
		return *m.budget
	}
	return l.def
}

// Usage is a page's use of its budget in the current window, as Graph
// reports it.
type Usage struct {
	// CallCount is the percentage (0–100) of the window's calls used.
	CallCount int
	// EstimatedTimeToRegainAccess is the number of whole minutes until the
	// window ends, when no call is left in it; 0 otherwise.
	EstimatedTimeToRegainAccess int
}

// Usage returns a page's usage without counting a call.
func (l *RateLimiter) Usage(pageID string) Usage {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, b := l.meter(pageID)
	return m.usage(b, l.clock.Now())
}

// Take counts one call of the page and returns its usage after it; ok is
// false, and nothing is counted, when the page has no call left in the
// current window.
func (l *RateLimiter) Take(pageID string) (u Usage, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, b := l.meter(pageID)
	now := l.clock.Now()
	if !b.unlimited() && m.calls >= b.Calls && now.Before(m.start.Add(b.Per)) {
		return m.usage(b, now), false
	}
	if m.start.IsZero() || !b.unlimited() && !now.Before(m.start.Add(b.Per)) {
		m.start, m.calls = now, 0
	}
	m.calls++
	return m.usage(b, now), true
}

// meter returns the page's meter (created on first use) and its budget.
// The caller holds l.mu.
func (l *RateLimiter) meter(pageID string) (*pageMeter, Budget) {
	m := l.pages[pageID]
	if m == nil {
		m = &pageMeter{}
		l.pages[pageID] = m
	}
	if m.budget != nil {
		return m, *m.budget
	}
	return m, l.def
}

// usage computes the page's usage at now.
func (m *pageMeter) usage(b Budget, now time.Time) Usage {
	if b.unlimited() || m.start.IsZero() {
		return Usage{}
	}
	end := m.start.Add(b.Per)
	if !now.Before(end) {
		return Usage{} // the window is over: everything is regained
	}
	u := Usage{CallCount: min(100, m.calls*100/b.Calls)}
	if m.calls >= b.Calls {
		u.EstimatedTimeToRegainAccess = int((end.Sub(now) + time.Minute - 1) / time.Minute)
	}
	return u
}

// usageHeader renders X-Business-Use-Case-Usage for the given pages, in
// order. ordergraph meters calls only, so total_cputime and total_time
// report the call percentage too: a client that throttles on the highest
// of the three throttles exactly when the call budget runs out.
func usageHeader(l *RateLimiter, pageIDs ...string) string {
	out := make(object, 0, len(pageIDs))
	for _, id := range pageIDs {
		out = append(out, member{id, usageEntries(l.Usage(id))})
	}
	b, _ := marshal(out) // strings and ints only: cannot fail
	return string(b)
}

func usageEntries(u Usage) []any {
	return []any{object{
		{"type", "pages"},
		{"call_count", u.CallCount},
		{"total_cputime", u.CallCount},
		{"total_time", u.CallCount},
		{"estimated_time_to_regain_access", u.EstimatedTimeToRegainAccess},
	}}
}

// chargeCall counts the request against its page's budget and sets the
// usage header on the response; over budget it answers error 80001. It
// runs once the token is authenticated (and its appsecret_proof checked),
// so that nobody can spend a page's budget without its credentials.
func (c *call) chargeCall() error {
	l := c.h.cfg.RateLimiter
	u, ok := l.Take(c.page.ID)
	hdr, _ := marshal(object{{c.page.ID, usageEntries(u)}})
	c.w.Header().Set(headerBUC, string(hdr))
	if b := batchFrom(c.ctx); b != nil {
		b.touch(c.page.ID)
	}
	if !ok {
		return errRateLimited()
	}
	return nil
}

// errRateLimited is Graph's answer to a page over its call budget.
func errRateLimited() *graphError {
	return &graphError{Status: http.StatusBadRequest, Code: 80001, Type: typeOAuth, Message: msgRateLimited, Transient: true}
}
