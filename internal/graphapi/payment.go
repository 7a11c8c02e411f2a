package graphapi

import (
	"github.com/ordergraph/ordergraph"
)

// The payments edge (current-api.md §5.9): the buyer's payment is captured
// shipment by shipment, so there is one payment per shipment, identified by
// the shipment's id, with its share of items, shipping and tax, and, on
// request, transaction_details: the SALE that captured it, with its fee,
// net and payout reference. Refunds and chargebacks are the order's, not
// one shipment's: commerce_transactions and the legacy transaction_details
// list them.
var (
	orderPaymentType    = newType("CommerceOrderPayment", true)
	paymentSubtotalType = newType("CommerceOrderPaymentSubtotal", false)
)

// paymentRef is the payment one shipment captured.
type paymentRef struct {
	order *ordergraph.Order
	s     *shipmentRef
}

func declarePaymentTypes() {
	pay := func(fn func(rc *renderCtx, p *paymentRef) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	money := func(fn func(c ordergraph.Capture) int64) func(*renderCtx, any) (any, bool) {
		return pay(func(_ *renderCtx, p *paymentRef) (any, bool) {
			return moneyObject(fn(p.s.s.Capture), p.order.Currency), true
		})
	}
	paymentSubtotalType.add(
		obj("items", moneyType, money(func(c ordergraph.Capture) int64 { return c.Items })),
		obj("shipping", moneyType, money(func(c ordergraph.Capture) int64 { return c.Shipping })),
	).setDefaults("items", "shipping")
	orderPaymentType.add(
		scalar("id", pay(func(_ *renderCtx, p *paymentRef) (any, bool) { return p.s.s.ID, true })),
		obj("subtotal", paymentSubtotalType, pay(func(_ *renderCtx, p *paymentRef) (any, bool) { return p, true })),
		obj("tax", moneyType, money(func(c ordergraph.Capture) int64 { return c.ItemsTax + c.ShippingTax })),
		scalar("tax_remitted", pay(func(_ *renderCtx, p *paymentRef) (any, bool) { return p.order.TaxRemitted, true })),
		obj("total_amount", moneyType, money(ordergraph.Capture.Total)),
		edge("shipments", shipmentType, pay(func(_ *renderCtx, p *paymentRef) (any, bool) { return []any{p.s}, true })).
			withDefaults("id", "external_shipment_id"),
		edge("transaction_details", transactionType, pay(func(rc *renderCtx, p *paymentRef) (any, bool) {
			return rc.orderTransactions(p.order, func(t *ordergraph.Transaction) bool { return t.SourceID == p.s.s.ID }), true
		})).unpaged().withDefaults("transaction_type", "transaction_date", "transfer_id", "processing_fee", "net_payment_amount",
			"tax_rate", "tax_details", "payout_reference_id"),
	).setDefaults("id", "subtotal", "tax", "tax_remitted", "total_amount", "shipments")
}

// payments lists one payment per shipment of the order, oldest first.
func payments(o *ordergraph.Order) []any {
	ships := shipments(o)
	out := make([]any, 0, len(ships))
	for _, s := range ships {
		out = append(out, &paymentRef{order: o, s: s.(*shipmentRef)})
	}
	return out
}
