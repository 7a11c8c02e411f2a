package ordergraph

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TransactionType is the kind of money movement on a seller's balance.
type TransactionType string

// Transaction types of the platform's reconciliation reports.
const (
	TxnSale               TransactionType = "SALE"
	TxnRefund             TransactionType = "REFUND"
	TxnChargeback         TransactionType = "CHARGEBACK"
	TxnChargebackFee      TransactionType = "CHARGEBACK_FEE"
	TxnChargebackReversal TransactionType = "CHARGEBACK_REVERSAL"
	TxnGoodwillTransfer   TransactionType = "GOODWILL_TRANSFER"
)

// Transaction is one movement of money on a page's balance, tied to an
// order: a shipment's capture (SALE), a refund, a chargeback and its
// outcome. Gross is signed from the seller's side (a sale is positive, a
// refund negative); Fee is the processing fee withheld (never negative);
// Net = Gross − Fee is what the balance moves by.
type Transaction struct {
	ID       string
	PageID   string
	OrderID  string
	Type     TransactionType
	Date     time.Time
	Currency string
	Gross    int64
	Tax      int64 // the tax within Gross
	Fee      int64
	Net      int64
	// SourceID is the shipment, refund or chargeback that caused it.
	SourceID string
	// PayoutReferenceID is set once a payout has swept the transaction.
	PayoutReferenceID string
}

// PayoutStatus is where a payout stands.
type PayoutStatus string

// Payout statuses.
const (
	PayoutCompleted PayoutStatus = "COMPLETED"
	PayoutFailed    PayoutStatus = "FAILED"
)

// Payout is a bank transfer of a page's net transactions older than the
// payout delay.
type Payout struct {
	ID          string
	PageID      string
	ReferenceID string
	TransferID  string
	Amount      int64
	Currency    string
	Date        time.Time
	Status      PayoutStatus
	// Transactions is how many transactions it swept.
	Transactions int
}

// FeeSchedule is a page's processing fee: Rate (in basis points) of each
// shipment's capture, or Flat for captures of FlatUpTo or less; and the
// fee withheld when the seller loses a chargeback.
type FeeSchedule struct {
	RateBasisPoints int64
	Flat            int64
	FlatUpTo        int64
	ChargebackFee   int64
}

// Fee returns the processing fee of a capture.
func (f FeeSchedule) Fee(gross int64) int64 {
	if gross <= 0 {
		return 0
	}
	if gross <= f.FlatUpTo {
		return min(f.Flat, gross)
	}
	return Prorate(gross, f.RateBasisPoints, 10000)
}

// DefaultFeeSchedule is the platform's default in a currency: 5% of a
// shipment, or a flat 0.40 for shipments of 8.00 or less, and 15.00 for a
// lost chargeback (in the currency's major unit, scaled to its exponent).
func DefaultFeeSchedule(currency string) FeeSchedule {
	exp, err := Exponent(currency)
	if err != nil {
		exp = 2
	}
	scale := int64(1)
	for range exp {
		scale *= 10
	}
	return FeeSchedule{RateBasisPoints: 500, Flat: Prorate(40, scale, 100), FlatUpTo: 8 * scale, ChargebackFee: 15 * scale}
}

// PayoutDelay is how old a transaction must be before a payout sweeps it.
const PayoutDelay = 3 * 24 * time.Hour

// ChargebackOutcome is how a buyer's payment dispute ended for the seller.
type ChargebackOutcome string

// Chargeback outcomes, as the sandbox scripts them.
const (
	// ChargebackSellerWins: the claim is rejected and the amount comes back
	// (CHARGEBACK, then CHARGEBACK_REVERSAL).
	ChargebackSellerWins ChargebackOutcome = "seller_wins"
	// ChargebackSellerLoses: the buyer keeps the amount and the seller pays
	// the chargeback fee (CHARGEBACK, then CHARGEBACK_FEE).
	ChargebackSellerLoses ChargebackOutcome = "seller_loses"
	// ChargebackGoodwill: the buyer keeps the amount and the platform covers
	// the seller's loss (CHARGEBACK, then GOODWILL_TRANSFER).
	ChargebackGoodwill ChargebackOutcome = "goodwill"
)

// ChargebackOutcomes lists every outcome.
var ChargebackOutcomes = []ChargebackOutcome{ChargebackSellerWins, ChargebackSellerLoses, ChargebackGoodwill}

// Chargeback is a buyer disputing part of a captured payment with their
// bank, decided at once (the sandbox scripts the outcome). Fee is the
// chargeback fee withheld from the seller: non-zero only when the seller
// loses.
type Chargeback struct {
	ID      string
	Created time.Time
	Amount  int64
	Outcome ChargebackOutcome
	Fee     int64
}

// ReturnedToBuyer reports whether the buyer kept the disputed amount: the
// seller lost, or the platform covered it. Such an amount can no longer be
// refunded.
func (c *Chargeback) ReturnedToBuyer() bool { return c.Outcome != ChargebackSellerWins }

// Discrepancy is a broken reconciliation invariant, found by the ledger
// check (ordergraph verify).
type Discrepancy struct {
	PageID  string
	OrderID string // "" for a page-level discrepancy
	Message string
}

func (d Discrepancy) String() string {
	if d.OrderID == "" {
		return fmt.Sprintf("page %s: %s", d.PageID, d.Message)
	}
	return fmt.Sprintf("page %s order %s: %s", d.PageID, d.OrderID, d.Message)
}

// PayoutReference is the bank reference of a payout, from its id:
// "FBMPUSS" and the id in base 36, the shape of the platform's
// (FBMPUSS5191u01g).
func PayoutReference(payoutID string) string {
	n, err := strconv.ParseUint(payoutID, 10, 64)
	if err != nil {
		return "FBMPUSS" + strings.ToLower(payoutID)
	}
	return "FBMPUSS" + strconv.FormatUint(n, 36)
}

// PayoutIDFromReference returns the id of the payout a reference made by
// PayoutReference names, or "" for another reference.
func PayoutIDFromReference(ref string) string {
	rest, ok := strings.CutPrefix(ref, "FBMPUSS")
	if !ok || rest == "" {
		return ""
	}
	n, err := strconv.ParseUint(rest, 36, 64)
	if err != nil {
		return ""
	}
	return strconv.FormatUint(n, 10)
}

// TaxLine is the tax of a transaction at one rate: Rate is a decimal
// ("0.1"), Amount is signed like the transaction (negative for a refund).
type TaxLine struct {
	Rate   string
	Amount int64
}

// TaxLines splits the tax of a SALE or REFUND of o by rate, the rates of
// the lines (and of shipping) it moved money for, in the order the lines
// first appear; rates that are equal as numbers share a line. Other
// transactions carry no tax. The amounts add up to t.Tax exactly.
func (o *Order) TaxLines(t *Transaction) []TaxLine {
	var out []TaxLine
	add := func(rate string, amount int64) {
		key := Percent(rate, 0)
		for i := range out {
			if Percent(out[i].Rate, 0) == key {
				out[i].Amount += amount
				return
			}
		}
		out = append(out, TaxLine{Rate: normalRate(rate), Amount: amount})
	}
	switch t.Type {
	case TxnSale:
		before := map[string]int{} // units of each line shipped before
		for i := range o.Shipments {
			s := &o.Shipments[i]
			for _, q := range s.Items {
				if s.ID == t.SourceID {
					if it := o.Item(q.ItemID); it != nil {
						b, a := int64(before[q.ItemID]), int64(before[q.ItemID]+q.Quantity)
						q := int64(it.Quantity)
						add(it.TaxRate, Prorate(it.Tax, a, q)-Prorate(it.Tax, b, q))
					}
				}
				before[q.ItemID] += q.Quantity
			}
			if s.ID == t.SourceID {
				if s.Capture.ShippingTax != 0 {
					add(o.ShippingOption.TaxRate, s.Capture.ShippingTax)
				}
				break
			}
		}
	case TxnRefund:
		for i := range o.Refunds {
			r := &o.Refunds[i]
			if r.ID != t.SourceID {
				continue
			}
			for _, ri := range r.Items {
				rate := ""
				if it := o.Item(ri.ItemID); it != nil {
					rate = it.TaxRate
				}
				add(rate, -ri.Tax)
			}
			if r.ShippingTax != 0 {
				add(o.ShippingOption.TaxRate, -r.ShippingTax)
			}
		}
	default:
		return nil
	}
	var sum int64
	for _, l := range out {
		sum += l.Amount
	}
	if sum != t.Tax {
		// The order no longer explains the transaction (it was changed
		// outside the engine): report its tax whole, at no rate.
		return []TaxLine{{Rate: "0", Amount: t.Tax}}
	}
	return out
}

// TaxRate is a transaction's tax rate as the reports show it: the
// percentages of its tax lines, joined by ";" ("10%", "10%;7.25%"), or ""
// without tax lines.
func TaxRate(lines []TaxLine) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		parts = append(parts, Percent(l.Rate, 0)+"%")
	}
	return strings.Join(parts, ";")
}

// Percent writes a decimal rate ("0.0725") as a percentage with at least
// minDecimals decimals ("7.25" for 0 or 2, "10.10" for "0.101" and 2). An
// empty or malformed rate is 0.
func Percent(rate string, minDecimals int) string {
	whole, frac, _ := strings.Cut(normalRate(rate), ".")
	frac += strings.Repeat("0", max(0, 2-len(frac)))
	whole, frac = strings.TrimLeft(whole+frac[:2], "0"), strings.TrimRight(frac[2:], "0")
	if whole == "" {
		whole = "0"
	}
	frac += strings.Repeat("0", max(0, minDecimals-len(frac)))
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// normalRate returns a non-negative decimal rate as written, or "0" when
// it is not one.
func normalRate(rate string) string {
	rate = strings.TrimSpace(rate)
	whole, frac, dot := strings.Cut(rate, ".")
	if whole == "" && frac == "" || dot && frac == "" {
		return "0"
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return "0"
		}
	}
	if whole == "" {
		return "0." + frac
	}
	return rate
}
