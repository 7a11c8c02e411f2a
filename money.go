package ordergraph

import (
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/text/currency"
)

// Money is an exact amount in the minor units of an ISO 4217 currency
// (cents for USD, yen for JPY, fils for KWD). Amounts never pass through
// floating point.
type Money struct {
	Amount   int64
	Currency string
}

// Exponent returns the number of minor-unit digits of an ISO 4217 currency
// code (USD 2, JPY 0, KWD 3), as ISO 4217 lists them. (CLDR's display
// digits, which golang.org/x/text/currency reports, differ for several
// currencies, such as IQD, COP and IDR.)
func Exponent(code string) (int, error) {
	c, ok := ValidCurrency(code)
	if !ok {
		return 0, Errorf(EINVALID, "%q is not an ISO 4217 currency code", code)
	}
	if e, ok := minorUnits[c]; ok {
		return e, nil
	}
	return 2, nil
}

// minorUnits lists the ISO 4217 currencies whose minor unit is not 2.
var minorUnits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// notMoney are ISO 4217 codes with no minor unit that no order is priced
// in: precious metals, special drawing rights, bond units, testing codes.
var notMoney = map[string]bool{
	"XAU": true, "XAG": true, "XPD": true, "XPT": true, "XDR": true, "XBA": true, "XBB": true,
	"XBC": true, "XBD": true, "XSU": true, "XUA": true, "XTS": true, "XXX": true,
}

// newCurrencies are ISO 4217 codes newer than golang.org/x/text's table.
var newCurrencies = map[string]bool{"MRU": true, "SLE": true, "VES": true, "STN": true, "ZWG": true}

// ValidCurrency reports whether code is an ISO 4217 currency an order can
// be priced in, and returns it in its canonical upper-case form.
func ValidCurrency(code string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if notMoney[c] {
		return "", false
	}
	if newCurrencies[c] {
		return c, true
	}
	u, err := currency.ParseISO(c)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// ParseAmount parses a decimal string such as "5.5", "5.50", "-1.02" or "12"
// into minor units of the currency. More fractional digits than the
// currency's exponent are refused unless they are zeros ("5.500" is 550
// cents; "5.505" is an error), so no amount is ever rounded silently.
func ParseAmount(s, code string) (int64, error) {
	exp, err := Exponent(code)
	if err != nil {
		return 0, err
	}
	str := strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(str, "-") {
		neg, str = true, str[1:]
	} else if strings.HasPrefix(str, "+") {
		str = str[1:]
	}
	whole, frac, hasDot := strings.Cut(str, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, Errorf(EINVALID, "%q is not a decimal amount", s)
	}
	if hasDot && frac == "" {
		return 0, Errorf(EINVALID, "%q is not a decimal amount", s)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, Errorf(EINVALID, "%q is not a decimal amount", s)
		}
	}
	trimmed := strings.TrimRight(frac, "0")
	if len(trimmed) > exp {
		return 0, Errorf(EINVALID, "%q has more than %d decimal places, the precision of %s", s, exp, code)
	}
	frac += strings.Repeat("0", exp)
	digits := strings.TrimLeft(whole+frac[:exp], "0")
	if len(digits) > 15 {
		return 0, Errorf(EINVALID, "%q is too large an amount", s)
	}
	var n int64
	for _, r := range digits {
		n = n*10 + int64(r-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// FormatAmount formats minor units as a decimal string with exactly the
// currency's exponent of fractional digits ("5.50" for 550 USD cents, "550"
// for 550 JPY). An unknown currency is formatted with two digits.
func FormatAmount(amount int64, code string) string {
	exp, err := Exponent(code)
	if err != nil {
		exp = 2
	}
	sign := ""
	u := uint64(amount)
	if amount < 0 {
		sign, u = "-", uint64(-amount)
	}
	s := fmt.Sprintf("%0*d", exp+1, u)
	if exp == 0 {
		return sign + s
	}
	return sign + s[:len(s)-exp] + "." + s[len(s)-exp:]
}

// String formats m as "5.50 USD".
func (m Money) String() string { return FormatAmount(m.Amount, m.Currency) + " " + m.Currency }

// Prorate returns total × part ÷ whole rounded half away from zero, exactly.
// It is the share of total that belongs to part of whole. Summed over a
// sequence of cumulative parts (Prorate(total, n, whole) − Prorate(total,
// n−k, whole)), the shares add up to total exactly when part reaches whole:
// this is how tax and shipping are captured shipment by shipment without
// losing or inventing a minor unit.
func Prorate(total, part, whole int64) int64 {
	if whole == 0 {
		return 0
	}
	num := new(big.Int).Mul(big.NewInt(total), big.NewInt(part))
	den := big.NewInt(whole)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	// Round half away from zero: |2r| >= |den|.
	r2 := new(big.Int).Abs(new(big.Int).Mul(r, big.NewInt(2)))
	if r2.Cmp(new(big.Int).Abs(den)) >= 0 {
		if (num.Sign() < 0) != (den.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// Allocate splits total across weights in proportion, rounding cumulative
// shares (see Prorate), so the parts always sum to total exactly. Zero weights
// get zero unless all weights are zero, in which case total is split evenly.
func Allocate(total int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
	if len(weights) == 0 {
		return out
	}
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if sum == 0 {
		weights = make([]int64, len(out))
		for i := range weights {
			weights[i] = 1
		}
		sum = int64(len(weights))
	}
	prev := int64(0)
	var cum int64
	for i, w := range weights {
		cum += w
		next := Prorate(total, cum, sum)
		out[i] = next - prev
		prev = next
	}
	return out
}
