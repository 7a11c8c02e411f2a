package ordergraph_test

import (
	"testing"

	"github.com/ordergraph/ordergraph"
)

func TestParseAmount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, cur string
		want    int64
	}{
		{"5.5", "USD", 550}, {"5.50", "USD", 550}, {"5.500", "USD", 550}, {"0.55", "USD", 55},
		{"-1.02", "USD", -102}, {"12", "USD", 1200}, {".5", "USD", 50}, {"1250", "JPY", 1250},
		{"1250.0", "JPY", 1250}, {"1.234", "KWD", 1234}, {"0", "EUR", 0}, {" 4.99 ", "usd", 499},
	} {
		got, err := ordergraph.ParseAmount(tt.in, tt.cur)
		if err != nil || got != tt.want {
			t.Errorf("ParseAmount(%q, %s)=%d, %v; want %d", tt.in, tt.cur, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, cur string }{
		{"5.505", "USD"}, {"1.5", "JPY"}, {"abc", "USD"}, {"", "USD"}, {"1.", "USD"}, {"1e3", "USD"},
		{"--1", "USD"}, {"1.2.3", "USD"}, {"1", "XYZW"}, {"9999999999999999", "USD"},
	} {
		if got, err := ordergraph.ParseAmount(tt.in, tt.cur); err == nil {
			t.Errorf("ParseAmount(%q, %s)=%d, want an error", tt.in, tt.cur, got)
		} else if ordergraph.ErrorCode(err) != ordergraph.EINVALID {
			t.Errorf("ParseAmount(%q): code %q, want invalid", tt.in, ordergraph.ErrorCode(err))
		}
	}
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n    int64
		cur  string
		want string
	}{
		{550, "USD", "5.50"}, {5, "USD", "0.05"}, {0, "USD", "0.00"}, {-102, "USD", "-1.02"},
		{1250, "JPY", "1250"}, {1234, "KWD", "1.234"}, {7, "KWD", "0.007"},
	} {
		if got := ordergraph.FormatAmount(tt.n, tt.cur); got != tt.want {
			t.Errorf("FormatAmount(%d, %s)=%q, want %q", tt.n, tt.cur, got, tt.want)
		}
		if back, err := ordergraph.ParseAmount(tt.want, tt.cur); err != nil || back != tt.n {
			t.Errorf("round trip of %q: %d, %v", tt.want, back, err)
		}
	}
}

func TestProrate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ total, part, whole, want int64 }{
		{499, 2000, 3550, 281}, {100, 1, 3, 33}, {100, 2, 3, 67}, {100, 3, 3, 100},
		{1, 1, 2, 1}, {-1, 1, 2, -1}, {5, 0, 10, 0}, {5, 1, 0, 0},
		{9_000_000_000_000, 9_000_000_000_000, 9_000_000_000_000, 9_000_000_000_000},
	} {
		if got := ordergraph.Prorate(tt.total, tt.part, tt.whole); got != tt.want {
			t.Errorf("Prorate(%d, %d, %d)=%d, want %d", tt.total, tt.part, tt.whole, got, tt.want)
		}
	}
}

func TestAllocate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		total   int64
		weights []int64
	}{
		{100, []int64{1, 1, 1}}, {499, []int64{3000, 550}}, {1, []int64{1, 1}}, {7, []int64{0, 0}}, {0, []int64{5}},
	} {
		parts := ordergraph.Allocate(tt.total, tt.weights)
		var sum int64
		for _, p := range parts {
			sum += p
		}
		if sum != tt.total {
			t.Errorf("Allocate(%d, %v)=%v sums to %d", tt.total, tt.weights, parts, sum)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"5.5", "-1.02", "0.000", "12", ".5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ordergraph.ParseAmount(s, "USD")
		if err != nil {
			return
		}
		back, err := ordergraph.ParseAmount(ordergraph.FormatAmount(n, "USD"), "USD")
		if err != nil || back != n {
			t.Fatalf("%q parsed to %d, which does not round-trip (%d, %v)", s, n, back, err)
		}
	})
}

func TestExponentISO4217(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]int{
		"USD": 2, "EUR": 2, "JPY": 0, "KRW": 0, "CLP": 0, "KWD": 3, "BHD": 3, "IQD": 3,
		"COP": 2, "IDR": 2, "HUF": 2, "TWD": 2, "CLF": 4, "MRU": 2, "usd": 2,
	} {
		if got, err := ordergraph.Exponent(code); err != nil || got != want {
			t.Errorf("Exponent(%s)=%d, %v; want %d", code, got, err, want)
		}
	}
	for _, code := range []string{"XAU", "XXX", "ABC", "", "US"} {
		if _, err := ordergraph.Exponent(code); err == nil {
			t.Errorf("Exponent(%q) accepted", code)
		}
	}
}
