package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// TimeLayout is how the sandbox writes times: the Graph API's ISO 8601
// with a +0000 offset.
const TimeLayout = "2006-01-02T15:04:05-0700"

// maxAdvance bounds one clock move, so the arithmetic never overflows.
const maxAdvance = 100 * 365 * 24 * time.Hour

// formatTime writes t in UTC with TimeLayout.
func formatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseDuration parses a clock advance: a Go duration ("30m", "1h30m",
// "90s") optionally led by a whole or decimal number of days ("1d", "2d",
// "1d12h", "1.5d"). Negative durations are refused: a page's clock never
// goes back.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if strings.HasPrefix(in, "-") {
		return 0, fmt.Errorf("duration %q is negative: a page's clock never goes back", s)
	}
	in = strings.TrimPrefix(in, "+")
	var d time.Duration
	if days, rest, ok := strings.Cut(in, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || days == "" || strings.ContainsAny(days, "eEnNiIxX+-") {
			return 0, fmt.Errorf("duration %q: %q is not a number of days", s, days)
		}
		if n > float64(maxAdvance/(24*time.Hour)) {
			return 0, fmt.Errorf("duration %q is longer than %d days", s, maxAdvance/(24*time.Hour))
		}
		d = time.Duration(n * float64(24*time.Hour))
		in = rest
	}
	if in != "" {
		rest, err := time.ParseDuration(in)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %q is not a Go duration", s, in)
		}
		if rest < 0 {
			return 0, fmt.Errorf("duration %q is negative: a page's clock never goes back", s)
		}
		d += rest
	}
	if d > maxAdvance || d < 0 {
		return 0, fmt.Errorf("duration %q is longer than %d days", s, maxAdvance/(24*time.Hour))
	}
	return d, nil
}

// timeLayouts are the forms ParseTime accepts: +0000 (the Graph API's),
// +00:00 and Z (RFC 3339, the seeds' samples), with optional fractions.
var timeLayouts = []string{
	TimeLayout,
	"2006-01-02T15:04:05.999999999-0700",
	time.RFC3339Nano,
}

// ParseTime parses an ISO 8601 time with an explicit offset, written as
// +0000, +00:00 or Z.
func ParseTime(s string) (time.Time, error) {
	in := strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, in); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not ISO 8601 with an offset", s)
}

// durationText and timeText are string fields that name their format when
// a client sends another JSON type.
type (
	durationText string
	timeText     string
)

// clockRequest is the body of POST /sandbox/pages/{page_id}/clock: exactly
// one of advance and now.
type clockRequest struct {
	Advance *durationText `json:"advance"`
	Now     *timeText     `json:"now"`
}

// clockResponse answers the clock calls; Offset only on GET.
type clockResponse struct {
	Now    string `json:"now"`
	Offset string `json:"offset,omitempty"`
}

func (h *handler) getClock(w http.ResponseWriter, r *http.Request) {
	now, offset, err := h.svc.PageClock(r.Context(), r.PathValue("page_id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, clockResponse{Now: formatTime(now), Offset: offset.String()})
}

func (h *handler) advanceClock(w http.ResponseWriter, r *http.Request) {
	var req clockRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	var (
		d  time.Duration
		at time.Time
	)
	switch {
	case req.Advance != nil && req.Now != nil:
		writeError(w, r, invalidField("advance", msgClockOneOf+" Not both."))
		return
	case req.Advance != nil:
		var err error
		if d, err = ParseDuration(string(*req.Advance)); err != nil {
			writeError(w, r, invalidField("advance", "advance must be a duration such as \"30m\", \"12h\" or \"2d\": %v.", err))
			return
		}
	case req.Now != nil:
		var err error
		if at, err = ParseTime(string(*req.Now)); err != nil {
			writeError(w, r, invalidField("now", "now must be a time such as \"2026-01-01T00:00:00+0000\": %v.", err))
			return
		}
	default:
		writeError(w, r, invalidField("advance", msgClockOneOf))
		return
	}
	now, err := h.svc.AdvanceClock(r.Context(), r.PathValue("page_id"), d, at)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, clockResponse{Now: formatTime(now)})
}

const msgClockOneOf = `Send {"advance":"30m"} to move the page's clock forward by a duration, or {"now":"2026-01-01T00:00:00+0000"} to move it to a time.`
