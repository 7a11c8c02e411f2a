// Package ledger holds the money rules of ordergraph, as pure functions:
// which transactions a change to an order posts (a SALE per shipment with
// its processing fee, a REFUND per refund), and the reconciliation
// invariants every order and page must keep.
package ledger

import (
	"fmt"
	"time"

	"github.com/ordergraph/ordergraph"
)

// Post returns the transactions that the change from before to after
// posts: one SALE for each new shipment and one REFUND for each new
// refund. before is nil for a new order. newID names each transaction.
func Post(before, after *ordergraph.Order, fees ordergraph.FeeSchedule, newID func() string) []*ordergraph.Transaction {
	var out []*ordergraph.Transaction
	seen := func(list int, id string) bool {
		if before == nil {
			return false
		}
		switch list {
		case 0:
			return before.Shipment(id, "") != nil
		default:
			for _, r := range before.Refunds {
				if r.ID == id {
					return true
				}
			}
		}
		return false
	}
	for i := range after.Shipments {
		s := &after.Shipments[i]
		if seen(0, s.ID) {
			continue
		}
		gross := s.Capture.Total()
		fee := fees.Fee(gross)
		out = append(out, &ordergraph.Transaction{
			ID: newID(), PageID: after.PageID, OrderID: after.ID, Type: ordergraph.TxnSale, Date: s.Created,
			Currency: after.Currency, Gross: gross, Tax: s.Capture.ItemsTax + s.Capture.ShippingTax,
			Fee: fee, Net: gross - fee, SourceID: s.ID,
		})
	}
	for i := range after.Refunds {
		r := &after.Refunds[i]
		if seen(1, r.ID) {
			continue
		}
		gross := -r.Total()
		out = append(out, &ordergraph.Transaction{
			ID: newID(), PageID: after.PageID, OrderID: after.ID, Type: ordergraph.TxnRefund, Date: r.Created,
			Currency: after.Currency, Gross: gross, Tax: -r.Tax(), Net: gross, SourceID: r.ID,
		})
	}
	return out
}

// Discrepancy is a broken reconciliation invariant.
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

// CheckOrder verifies an order against its transactions: captured −
// refunded − fees − chargebacks = net, each shipment posted once as a SALE
// of exactly its capture, each refund once as a REFUND of exactly its
// total, and no refund above what was captured.
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
		bySource[t.SourceID] = append(bySource[t.SourceID], t)
		switch t.Type {
		case ordergraph.TxnSale:
			captured += t.Gross
		case ordergraph.TxnRefund:
			refunded -= t.Gross
		default:
			chargebacks -= t.Gross
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
	}
	for _, r := range o.Refunds {
		ts := bySource[r.ID]
		if len(ts) != 1 || ts[0].Type != ordergraph.TxnRefund || ts[0].Gross != -r.Total() {
			bad("refund %s of %s is posted as %s", r.ID, amt(r.Total()), describe(ts, o.Currency))
		}
	}
	if c := o.Captured().Total(); captured != c {
		bad("shipments captured %s but SALE transactions total %s", amt(c), amt(captured))
	}
	if refunded > captured {
		bad("refunded %s is above captured %s", amt(refunded), amt(captured))
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

// CheckPage verifies a page's balance: the nets of its transactions equal
// what its payouts paid out plus what is still unpaid, and every payout's
// amount is the sum of the transactions that carry its reference.
func CheckPage(pageID string, txns []*ordergraph.Transaction, payouts []*ordergraph.Payout) []Discrepancy {
	var out []Discrepancy
	bad := func(format string, args ...any) {
		out = append(out, Discrepancy{PageID: pageID, Message: fmt.Sprintf(format, args...)})
	}
	swept := map[string]int64{}
	var total, balance int64
	for _, t := range txns {
		total += t.Net
		if t.PayoutReferenceID == "" {
			balance += t.Net
		} else {
			swept[t.PayoutReferenceID] += t.Net
		}
	}
	var paid int64
	for _, p := range payouts {
		paid += p.Amount
		if swept[p.ReferenceID] != p.Amount {
			bad("payout %s paid %d but its transactions net %d", p.ReferenceID, p.Amount, swept[p.ReferenceID])
		}
		delete(swept, p.ReferenceID)
	}
	for ref := range swept {
		bad("transactions carry payout reference %s, which no payout has", ref)
	}
	if total != paid+balance {
		bad("transactions net %d, but paid out %d + balance %d = %d", total, paid, balance, paid+balance)
	}
	return out
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
