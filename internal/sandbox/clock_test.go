package sandbox_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph/internal/sandbox"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"30m":      30 * time.Minute,
		"1h30m":    90 * time.Minute,
		"90s":      90 * time.Second,
		"0s":       0,
		"1d":       24 * time.Hour,
		"2d":       48 * time.Hour,
		"1d12h":    36 * time.Hour,
		"1.5d":     36 * time.Hour,
		"2d30m":    48*time.Hour + 30*time.Minute,
		" +12h ":   12 * time.Hour,
		"36500d":   36500 * 24 * time.Hour,
		"0d":       0,
		"1d0h0m1s": 24*time.Hour + time.Second,
	} {
		got, err := sandbox.ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q)=%v, %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-30m", "-1d", "1d-1h", "d", "xd", "1w", "30", "1e3d", "Infd", "NaNd", "36501d", "1dd", "2d 3h", "0x10d", "1d2"} {
		if got, err := sandbox.ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q)=%v, want an error", in, got)
		}
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, in := range []string{
		"2026-01-01T00:00:00+0000",
		"2026-01-01T00:00:00+00:00",
		"2026-01-01T00:00:00Z",
		"2026-01-01T02:00:00+0200",
		"2026-01-01T02:00:00+02:00",
		"2025-12-31T19:00:00-0500",
		"2026-01-01T00:00:00.000Z",
	} {
		got, err := sandbox.ParseTime(in)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q)=%v, %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-01-01", "2026-01-01T00:00:00", "yesterday", "1767225600"} {
		if got, err := sandbox.ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q)=%v, want an error", in, got)
		}
	}
}

// Ensure GET /sandbox/pages/{page_id}/clock answers now and the offset.
func TestHandler_GetClock(t *testing.T) {
	t.Parallel()
	svc, h := setup(t)
	svc.PageClockFn = func(_ context.Context, pageID string) (time.Time, time.Duration, error) {
		if pageID != "101" {
			t.Errorf("pageID=%q, want 101", pageID)
		}
		return time.Date(2026, 3, 4, 5, 6, 7, 8, time.FixedZone("X", 3600)), 26*time.Hour + 30*time.Minute, nil
	}
	status, body := do(t, h, "GET", "/sandbox/pages/101/clock", "")
	want := map[string]any{"now": "2026-03-04T04:06:07+0000", "offset": "26h30m0s"}
	if diff := cmp.Diff(want, body); status != http.StatusOK || diff != "" {
		t.Errorf("status=%d; body mismatch (-want +got):\n%s", status, diff)
	}
}

// Ensure POST /sandbox/pages/{page_id}/clock moves the clock by a duration
// or to a time.
func TestHandler_AdvanceClock(t *testing.T) {
	t.Parallel()
	result := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, body string
		wantD      time.Duration
		wantAt     time.Time
	}{
		{"Advance", `{"advance":"30m"}`, 30 * time.Minute, time.Time{}},
		{"AdvanceDays", `{"advance":"2d"}`, 48 * time.Hour, time.Time{}},
		{"AdvanceZero", `{"advance":"0s"}`, 0, time.Time{}},
		{"Now", `{"now":"2026-01-01T00:00:00+0000"}`, 0, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"NowColon", `{"now":"2026-01-01T00:00:00+00:00"}`, 0, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"NowZ", `{"now":"2026-01-01T00:00:00Z"}`, 0, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			svc, h := setup(t)
			svc.AdvanceClockFn = func(_ context.Context, pageID string, d time.Duration, at time.Time) (time.Time, error) {
				if pageID != "101" || d != c.wantD || !at.Equal(c.wantAt) {
					t.Errorf("AdvanceClock(%q, %v, %v), want (101, %v, %v)", pageID, d, at, c.wantD, c.wantAt)
				}
				return result, nil
			}
			status, body := do(t, h, "POST", "/sandbox/pages/101/clock", c.body)
			want := map[string]any{"now": "2026-01-02T00:00:00+0000"}
			if diff := cmp.Diff(want, body); status != http.StatusOK || diff != "" {
				t.Errorf("status=%d; body mismatch (-want +got):\n%s", status, diff)
			}
		})
	}
	for _, c := range []struct{ name, body, word string }{
		{"ErrEmpty", `{}`, "advance"},
		{"ErrBoth", `{"advance":"1h","now":"2026-01-01T00:00:00Z"}`, "Not both"},
		{"ErrNegative", `{"advance":"-1h"}`, "never goes back"},
		{"ErrUnit", `{"advance":"1w"}`, "duration"},
		{"ErrAdvanceType", `{"advance":1800}`, `duration string such as "30m"`},
		{"ErrNow", `{"now":"tomorrow"}`, "now must be a time"},
		{"ErrNowType", `{"now":1767225600}`, "time string"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, h := setup(t)
			status, body := do(t, h, "POST", "/sandbox/pages/101/clock", c.body)
			wantError(t, status, body, http.StatusBadRequest, 100, c.word)
		})
	}
}
