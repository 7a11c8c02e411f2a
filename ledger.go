package ordergraph

import "time"

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
// shipment's capture, or Flat for captures of FlatUpTo or less.
type FeeSchedule struct {
	RateBasisPoints int64
	Flat            int64
	FlatUpTo        int64
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
// shipment, or a flat 0.40 for shipments of 8.00 or less (in the
// currency's major unit, scaled to its exponent).
func DefaultFeeSchedule(currency string) FeeSchedule {
	exp, err := Exponent(currency)
	if err != nil {
		exp = 2
	}
	scale := int64(1)
	for range exp {
		scale *= 10
	}
	return FeeSchedule{RateBasisPoints: 500, Flat: Prorate(40, scale, 100), FlatUpTo: 8 * scale}
}

// PayoutDelay is how old a transaction must be before a payout sweeps it.
const PayoutDelay = 3 * 24 * time.Hour
