package ordergraph

import "time"

// Clock tells the time. Every timer of the lifecycle (the 30-minute hold,
// the 12-hour acknowledgement SLA, the 30-day return window, payouts) reads
// a page's clock, which is a base Clock plus the page's offset, so tests and
// the sandbox move time without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the Clock of the real world.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ClockFunc adapts a function to the Clock interface.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }
