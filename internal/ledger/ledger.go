// Package ledger holds the money rules of ordergraph, as pure functions:
// which transactions a change to an order posts (a SALE per shipment with
// its processing fee, a REFUND per refund, a CHARGEBACK and its outcome per
// chargeback), and the reconciliation invariants every order and page must
// keep.
//
// Platform-funded promotions are not posted: a shipment captures the full
// price of its units, part of which the platform paid for the buyer; the
// reimbursements field of an order tells the seller which part.
package ledger

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ordergraph/ordergraph"
)

// TransactionID is the id of the transaction of type typ that source (a
// shipment, refund or chargeback) posts: derived, not drawn, so posting
// the same change twice collides on the store's key instead of paying
// twice.
func TransactionID(sourceID string, typ ordergraph.TransactionType) string {
	return sourceID + ":" + string(typ)
}

// Post returns the transactions that the change from before to after
// posts: one SALE for each new shipment (less its processing fee), one
// REFUND for each new refund, and for each new chargeback a CHARGEBACK of
// its amount followed by its outcome: CHARGEBACK_FEE (seller loses),
// CHARGEBACK_REVERSAL (seller wins) or GOODWILL_TRANSFER (the platform
// covers it). before is nil for a new order.
func Post(before, after *ordergraph.Order, fees ordergraph.FeeSchedule) []*ordergraph.Transaction {
	var out []*ordergraph.Transaction
	post := func(typ ordergraph.TransactionType, source string, at time.Time, gross, tax, fee int64) {
		out = append(out, &ordergraph.Transaction{
			ID: TransactionID(source, typ), PageID: after.PageID, OrderID: after.ID, Type: typ, Date: at,
			Currency: after.Currency, Gross: gross, Tax: tax, Fee: fee, Net: gross - fee, SourceID: source,
		})
	}
	for i := range after.Shipments {
		s := &after.Shipments[i]
		if before != nil && before.Shipment(s.ID, "") != nil {
			continue
		}
		gross := s.Capture.Total()
		post(ordergraph.TxnSale, s.ID, s.Created, gross, s.Capture.ItemsTax+s.Capture.ShippingTax, fees.Fee(gross))
	}
	for i := range after.Refunds {
		r := &after.Refunds[i]
		if before != nil && hasRefund(before, r.ID) {
			continue
		}
		post(ordergraph.TxnRefund, r.ID, r.Created, -r.Total(), -r.Tax(), 0)
	}
	for i := range after.Chargebacks {
		c := &after.Chargebacks[i]
		if before != nil && hasChargeback(before, c.ID) {
			continue
		}
		post(ordergraph.TxnChargeback, c.ID, c.Created, -c.Amount, 0, 0)
		switch c.Outcome {
		case ordergraph.ChargebackSellerLoses:
			post(ordergraph.TxnChargebackFee, c.ID, c.Created, -c.Fee, 0, 0)
		case ordergraph.ChargebackSellerWins:
			post(ordergraph.TxnChargebackReversal, c.ID, c.Created, c.Amount, 0, 0)
		case ordergraph.ChargebackGoodwill:
			post(ordergraph.TxnGoodwillTransfer, c.ID, c.Created, c.Amount, 0, 0)
		}
	}
	return out
}

// Posts reports whether the change from before to after posts anything,
// without a fee schedule: a new shipment, refund or chargeback.
func Posts(before, after *ordergraph.Order) bool {
	if before == nil {
		return len(after.Shipments)+len(after.Refunds)+len(after.Chargebacks) > 0
	}
	return len(after.Shipments) != len(before.Shipments) || len(after.Refunds) != len(before.Refunds) ||
		len(after.Chargebacks) != len(before.Chargebacks)
}

func hasRefund(o *ordergraph.Order, id string) bool {
	for i := range o.Refunds {
		if o.Refunds[i].ID == id {
			return true
		}
	}
	return false
}

func hasChargeback(o *ordergraph.Order, id string) bool {
	for i := range o.Chargebacks {
		if o.Chargebacks[i].ID == id {
			return true
		}
	}
	return false
}

// Discrepancy is a broken reconciliation invariant.
type Discrepancy = ordergraph.Discrepancy

// outcomeType is the transaction that follows a chargeback's CHARGEBACK.
var outcomeType = map[ordergraph.ChargebackOutcome]ordergraph.TransactionType{
	ordergraph.ChargebackSellerLoses: ordergraph.TxnChargebackFee,
	ordergraph.ChargebackSellerWins:  ordergraph.TxnChargebackReversal,
	ordergraph.ChargebackGoodwill:    ordergraph.TxnGoodwillTransfer,
}

// CheckOrder verifies an order against its transactions (those of other
// orders are ignored):
//
//   - captured − refunded − fees − chargebacks = net, where captured sums
//     the SALEs, refunded the REFUNDs, fees the processing fees and
//     chargebacks what the chargeback family (CHARGEBACK, CHARGEBACK_FEE,
//     CHARGEBACK_REVERSAL, GOODWILL_TRANSFER) took from the seller;
//   - every transaction's net is its gross less its fee, in the order's
//     currency;
//   - each shipment is posted once as a SALE of exactly its capture, each
//     refund once as a REFUND of exactly its total, each chargeback as a
//     CHARGEBACK of its amount and exactly the transaction of its outcome,
//     and nothing else is posted;
//   - the buyer never gets back more than was captured: refunds plus the
//     chargebacks the buyer kept stay within the captures.
func CheckOrder(o *ordergraph.Order, txns []*ordergraph.Transaction) []Discrepancy {
	var out []Discrepancy
	bad := func(format string, args ...any) {
		out = append(out, Discrepancy{PageID: o.PageID, OrderID: o.ID, Message: fmt.Sprintf(format, args...)})
	}
	amt := func(n int64) string { return ordergraph.FormatAmount(n, o.Currency) }
	bySource := map[string][]*ordergraph.Transaction{}
	var captured, refunded, fees, chargebacks, net int64
	for _, t := range txns {
		if t.OrderID != o.ID {
			continue
		}
		if t.Net != t.Gross-t.Fee {
			bad("transaction %s: net %s is not gross %s less fee %s", t.ID, amt(t.Net), amt(t.Gross), amt(t.Fee))
		}
		if t.Fee < 0 {
			bad("transaction %s: negative fee %s", t.ID, amt(t.Fee))
		}
		if t.Currency != o.Currency {
			bad("transaction %s is in %s, the order in %s", t.ID, t.Currency, o.Currency)
		}
		bySource[t.SourceID] = append(bySource[t.SourceID], t)
		switch t.Type {
		case ordergraph.TxnSale:
			captured += t.Gross
		case ordergraph.TxnRefund:
			refunded -= t.Gross
		case ordergraph.TxnChargeback, ordergraph.TxnChargebackFee, ordergraph.TxnChargebackReversal, ordergraph.TxnGoodwillTransfer:
			chargebacks -= t.Gross
		default:
			bad("transaction %s has unknown type %q", t.ID, t.Type)
		}
		fees += t.Fee
		net += t.Net
	}
	if got := captured - refunded - fees - chargebacks; got != net {
		bad("captured %s − refunded %s − fees %s − chargebacks %s = %s, but the transactions net %s",
			amt(captured), amt(refunded), amt(fees), amt(chargebacks), amt(got), amt(net))
	}
	for _, s := range o.Shipments {
		ts := bySource[s.ID]
		if len(ts) != 1 || ts[0].Type != ordergraph.TxnSale || ts[0].Gross != s.Capture.Total() {
			bad("shipment %s captured %s but is posted as %s", s.ID, amt(s.Capture.Total()), describe(ts, o.Currency))
		}
		delete(bySource, s.ID)
	}
	for _, r := range o.Refunds {
		ts := bySource[r.ID]
		if len(ts) != 1 || ts[0].Type != ordergraph.TxnRefund || ts[0].Gross != -r.Total() {
			bad("refund %s of %s is posted as %s", r.ID, amt(r.Total()), describe(ts, o.Currency))
		}
		delete(bySource, r.ID)
	}
	var kept int64 // chargebacks the buyer kept
	for _, c := range o.Chargebacks {
		ts := bySource[c.ID]
		want := map[ordergraph.TransactionType]int64{ordergraph.TxnChargeback: -c.Amount}
		switch c.Outcome {
		case ordergraph.ChargebackSellerLoses:
			want[ordergraph.TxnChargebackFee] = -c.Fee
		case ordergraph.ChargebackSellerWins, ordergraph.ChargebackGoodwill:
			want[outcomeType[c.Outcome]] = c.Amount
		default:
			bad("chargeback %s has unknown outcome %q", c.ID, c.Outcome)
		}
		ok := len(ts) == len(want)
		for _, t := range ts {
			if g, found := want[t.Type]; !found || g != t.Gross || t.Fee != 0 {
				ok = false
			}
		}
		if !ok {
			bad("chargeback %s of %s (%s) is posted as %s", c.ID, amt(c.Amount), c.Outcome, describe(ts, o.Currency))
		}
		if c.ReturnedToBuyer() {
			kept += c.Amount
		}
		delete(bySource, c.ID)
	}
	for src, ts := range bySource {
		bad("transactions of %s belong to no shipment, refund or chargeback of the order: %s", src, describe(ts, o.Currency))
	}
	if c := o.Captured().Total(); captured != c {
		bad("shipments captured %s but SALE transactions total %s", amt(c), amt(captured))
	}
	if refunded > captured {
		bad("refunded %s is above captured %s", amt(refunded), amt(captured))
	}
	if refunded+kept > captured {
		bad("refunds %s and chargebacks kept by the buyer %s return more than the %s captured", amt(refunded), amt(kept), amt(captured))
	}
	return out
}

func describe(ts []*ordergraph.Transaction, currency string) string {
	if len(ts) == 0 {
		return "nothing"
	}
	s := ""
	for i, t := range ts {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %s", t.Type, ordergraph.FormatAmount(t.Gross, currency))
	}
	return s
}

// PageCheck verifies a page's balance as its transactions and payouts
// stream past, in any order and in constant memory (but for one sum per
// payout reference): the nets of the transactions equal what the payouts
// paid out plus what is still unpaid, every payout's amount is the sum of
// the transactions that carry its reference, and no reference is carried
// that no payout has.
type PageCheck struct {
	PageID   string
	Currency string
	total    int64
	balance  int64
	paid     int64
	swept    map[string]int64
	payouts  map[string]int64
	dupes    []string
	// ordersNet is the net of the transactions checked against their
	// orders (see AddOrderNet).
	ordersNet int64
	orderSeen bool
}

// NewPageCheck starts the check of a page.
func NewPageCheck(pageID, currency string) *PageCheck {
	return &PageCheck{PageID: pageID, Currency: currency, swept: map[string]int64{}, payouts: map[string]int64{}}
}

// AddTransaction counts one of the page's transactions.
func (c *PageCheck) AddTransaction(t *ordergraph.Transaction) {
	c.total += t.Net
	if t.PayoutReferenceID == "" {
		c.balance += t.Net
	} else {
		c.swept[t.PayoutReferenceID] += t.Net
	}
}

// AddPayout counts one of the page's payouts.
func (c *PageCheck) AddPayout(p *ordergraph.Payout) {
	if _, dup := c.payouts[p.ReferenceID]; dup {
		c.dupes = append(c.dupes, p.ReferenceID)
	}
	c.payouts[p.ReferenceID] += p.Amount
	c.paid += p.Amount
}

// AddOrderNet counts the net of transactions that CheckOrder checked
// against their order, so that Discrepancies can report transactions that
// belong to no order.
func (c *PageCheck) AddOrderNet(net int64) {
	c.ordersNet += net
	c.orderSeen = true
}

// Discrepancies returns what the page's transactions and payouts break.
func (c *PageCheck) Discrepancies() []Discrepancy {
	var out []Discrepancy
	amt := func(n int64) string { return ordergraph.FormatAmount(n, c.Currency) }
	bad := func(format string, args ...any) {
		out = append(out, Discrepancy{PageID: c.PageID, Message: fmt.Sprintf(format, args...)})
	}
	for _, ref := range c.dupes {
		bad("payout reference %s is used by more than one payout", ref)
	}
	for _, ref := range sortedKeys(c.payouts) {
		if c.swept[ref] != c.payouts[ref] {
			bad("payout %s paid %s but its transactions net %s", ref, amt(c.payouts[ref]), amt(c.swept[ref]))
		}
	}
	for _, ref := range sortedKeys(c.swept) {
		if _, ok := c.payouts[ref]; !ok {
			bad("transactions carry payout reference %s, which no payout has", ref)
		}
	}
	if c.total != c.paid+c.balance {
		bad("transactions net %s, but paid out %s + balance %s = %s", amt(c.total), amt(c.paid), amt(c.balance), amt(c.paid+c.balance))
	}
	if c.orderSeen && c.ordersNet != c.total {
		bad("transactions net %s, but those of the page's orders net %s: %s belongs to no order", amt(c.total), amt(c.ordersNet), amt(c.total-c.ordersNet))
	}
	return out
}

func sortedKeys(m map[string]int64) []string { return slices.Sorted(maps.Keys(m)) }

// CheckPage verifies a page's balance from all its transactions and
// payouts at once; see PageCheck.
func CheckPage(pageID string, txns []*ordergraph.Transaction, payouts []*ordergraph.Payout) []Discrepancy {
	c := NewPageCheck(pageID, "")
	if len(txns) > 0 {
		c.Currency = txns[0].Currency
	}
	for _, t := range txns {
		c.AddTransaction(t)
	}
	for _, p := range payouts {
		c.AddPayout(p)
	}
	return c.Discrepancies()
}

// Due returns the transactions a payout at now sweeps: those not yet paid
// out, dated at least delay before now.
func Due(txns []*ordergraph.Transaction, now time.Time, delay time.Duration) []*ordergraph.Transaction {
	var out []*ordergraph.Transaction
	for _, t := range txns {
		if t.PayoutReferenceID == "" && !t.Date.After(now.Add(-delay)) {
			out = append(out, t)
		}
	}
	return out
}
