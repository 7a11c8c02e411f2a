package graphapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// The money an order moved, as the platform reports it (seed 003
// "Reimbursements and Transactions", current-api.md §5.9 and §6): each
// SALE, REFUND and chargeback transaction with its processing fee, net,
// tax rate, tax details per jurisdiction and payout reference. Three views
// share the rows: the legacy order's transaction_details, the payments
// edge's transaction_details, and GET /{page_id}/commerce_transactions.
var (
	// transactionType is CommerceOrderTransactionDetail as the current API
	// lists it, with its order's fields.
	transactionType = newType("CommerceOrderTransactionDetail", false)
	// legacyTransactionType is the legacy order's transaction_details entry:
	// its money fields always render, tax_rate and tax_details on request
	// (the seed's sample asks for transaction_details{tax_rate,tax_details}
	// and gets them all).
	legacyTransactionType = newType("CommerceOrderTransactionDetail", false)
	taxDetailType         = newType("CommerceOrderTransactionTaxDetail", false)
)

// Fixed values of a tax detail row: ordergraph charges one kind of tax,
// the state's retail sales tax on ordinary goods.
const (
	taxCategory   = "FBMP_OTHER_TAXABLE"
	taxImposition = "Retail Sales and Use Tax"
)

// txnRef is a transaction with its order.
type txnRef struct {
	order *ordergraph.Order
	t     *ordergraph.Transaction
}

// taxRow is one tax detail row of a transaction.
type taxRow struct {
	ref  *txnRef
	line ordergraph.TaxLine
}

func declareTransactionTypes() {
	row := func(fn func(rc *renderCtx, r *taxRow) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	taxDetailType.add(
		scalar("tax_category", row(func(_ *renderCtx, _ *taxRow) (any, bool) { return taxCategory, true })),
		scalar("jurisdiction", row(func(_ *renderCtx, r *taxRow) (any, bool) { return jurisdiction(&r.ref.order.ShippingAddress) })),
		scalar("imposition", row(func(_ *renderCtx, _ *taxRow) (any, bool) { return taxImposition, true })),
		scalar("item_tax_rate", row(func(_ *renderCtx, r *taxRow) (any, bool) { return ordergraph.Percent(r.line.Rate, 2) + "%", true })),
		obj("item_tax_amount", moneyType, row(func(_ *renderCtx, r *taxRow) (any, bool) {
			return moneyObject(r.line.Amount, r.ref.t.Currency), true
		})),
	).setDefaults("tax_category", "jurisdiction", "imposition", "item_tax_rate", "item_tax_amount")

	txn := func(fn func(rc *renderCtx, r *txnRef) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	money := func(fn func(t *ordergraph.Transaction) int64) func(*renderCtx, any) (any, bool) {
		return txn(func(_ *renderCtx, r *txnRef) (any, bool) { return moneyObject(fn(r.t), r.t.Currency), true })
	}
	transactionTypeField := scalar("transaction_type", txn(func(_ *renderCtx, r *txnRef) (any, bool) { return string(r.t.Type), true }))
	transactionDate := scalar("transaction_date", txn(func(rc *renderCtx, r *txnRef) (any, bool) { return rc.time(r.t.Date), true }))
	// The fee is what the seller paid: a negative amount ("-0.05").
	processingFee := obj("processing_fee", moneyType, money(func(t *ordergraph.Transaction) int64 { return -t.Fee }))
	netPayment := obj("net_payment_amount", moneyType, money(func(t *ordergraph.Transaction) int64 { return t.Net }))
	taxRateField := scalar("tax_rate", txn(func(_ *renderCtx, r *txnRef) (any, bool) { return str(ordergraph.TaxRate(r.taxLines())) }))
	taxDetails := edge("tax_details", taxDetailType, txn(func(_ *renderCtx, r *txnRef) (any, bool) { return r.taxRows(), true })).unpaged()
	payoutRef := scalar("payout_reference_id", txn(func(_ *renderCtx, r *txnRef) (any, bool) { return str(r.t.PayoutReferenceID) }))
	// A payout's transfer id is its id, which its reference encodes.
	transferID := scalar("transfer_id", txn(func(_ *renderCtx, r *txnRef) (any, bool) {
		return str(ordergraph.PayoutIDFromReference(r.t.PayoutReferenceID))
	}))

	legacyTransactionType.add(transactionTypeField, transactionDate, processingFee, netPayment, taxRateField, taxDetails, payoutRef).
		setDefaults("transaction_type", "transaction_date", "processing_fee", "net_payment_amount", "payout_reference_id").
		alwaysRender("transaction_type", "transaction_date", "processing_fee", "net_payment_amount", "payout_reference_id")

	transactionType.add(
		transactionTypeField, transactionDate,
		obj("order_details", currentOrderType, txn(func(_ *renderCtx, r *txnRef) (any, bool) { return r.order, r.order != nil })),
		scalar("order_id", txn(func(_ *renderCtx, r *txnRef) (any, bool) { return r.t.OrderID, true })),
		scalar("merchant_order_id", txn(func(_ *renderCtx, r *txnRef) (any, bool) { return str(r.order.MerchantOrderReference) })),
		scalar("order_created", txn(func(rc *renderCtx, r *txnRef) (any, bool) { return rc.time(r.order.Created), true })),
		transferID, processingFee, netPayment, taxRateField, payoutRef,
		scalar("postal_code", txn(func(_ *renderCtx, r *txnRef) (any, bool) { return str(r.order.ShippingAddress.PostalCode) })),
		scalar("state", txn(func(_ *renderCtx, r *txnRef) (any, bool) { return str(r.order.ShippingAddress.State) })),
		edge("items", shipmentItemType, txn(func(_ *renderCtx, r *txnRef) (any, bool) { return r.lines(), true })),
		taxDetails,
	).setDefaults("transaction_type", "transaction_date", "order_id", "merchant_order_id", "order_created", "transfer_id",
		"processing_fee", "net_payment_amount", "tax_rate", "payout_reference_id", "postal_code", "state")
}

func (r *txnRef) taxLines() []ordergraph.TaxLine { return r.order.TaxLines(r.t) }

func (r *txnRef) taxRows() []any {
	lines := r.taxLines()
	out := make([]any, 0, len(lines))
	for _, l := range lines {
		out = append(out, &taxRow{ref: r, line: l})
	}
	return out
}

// lines are the order lines a transaction moved money for, with their
// units and tax: a SALE's shipment, a REFUND's lines. Chargebacks dispute
// the payment, not lines.
func (r *txnRef) lines() []any {
	o := r.order
	switch r.t.Type {
	case ordergraph.TxnSale:
		for _, s := range shipments(o) {
			if s := s.(*shipmentRef); s.s.ID == r.t.SourceID {
				return s.lines
			}
		}
	case ordergraph.TxnRefund:
		for i := range o.Refunds {
			if rf := &o.Refunds[i]; rf.ID == r.t.SourceID {
				out := make([]any, 0, len(rf.Items))
				for _, ri := range rf.Items {
					if it := o.Item(ri.ItemID); it != nil {
						out = append(out, &shipmentLine{item: it, quantity: ri.Quantity, tax: -ri.Tax})
					}
				}
				return out
			}
		}
	}
	return []any{}
}

// orderTransactions lists the transactions of o that rc loaded, oldest
// first, keeping those keep accepts (all when nil).
func (rc *renderCtx) orderTransactions(o *ordergraph.Order, keep func(*ordergraph.Transaction) bool) []any {
	ts := rc.txns[o.ID]
	out := make([]any, 0, len(ts))
	for _, t := range ts {
		if keep == nil || keep(t) {
			out = append(out, &txnRef{order: o, t: t})
		}
	}
	return out
}

// selects reports whether sel names field at any depth.
func selects(sel selection, field string) bool {
	for _, fs := range sel {
		if fs.name == field || selects(fs.sub, field) {
			return true
		}
	}
	return false
}

// loadTransactions loads the transactions of orders into rc when sel
// renders them (transaction_details, at any depth), in one call for a
// whole list. Without a ledger service, orders show no transactions.
func (c *call) loadTransactions(rc *renderCtx, sel selection, orders ...*ordergraph.Order) error {
	if !selects(sel, "transaction_details") || c.h.cfg.Ledger == nil || len(orders) == 0 {
		return nil
	}
	f := ordergraph.TransactionFilter{PageID: c.page.ID, Limit: maxLimit}
	for _, o := range orders {
		f.OrderIDs = append(f.OrderIDs, o.ID)
	}
	if rc.txns == nil {
		rc.txns = map[string][]*ordergraph.Transaction{}
	}
	for {
		page, err := c.h.cfg.Ledger.FindTransactions(c.ctx, f)
		if err != nil {
			return fmt.Errorf("find transactions: %w", err)
		}
		for _, r := range page.Transactions {
			rc.txns[r.Transaction.OrderID] = append(rc.txns[r.Transaction.OrderID], r.Transaction)
		}
		if !page.HasNext {
			return nil
		}
		f.After = page.After
	}
}

// listTransactions answers GET /{page_id|cms_id}/commerce_transactions:
// the page's transactions oldest first, filtered by start_time and
// end_time (Unix seconds or ISO 8601, inclusive) and payout_reference_id,
// with cursor paging.
func listTransactions(c *call) error {
	if c.h.cfg.Ledger == nil {
		return errUnsupported(c.method, c.id)
	}
	root := c.params.root()
	f := ordergraph.TransactionFilter{PageID: c.page.ID}
	var err error
	if f.Start, err = root.Time("start_time"); err != nil {
		return err
	}
	if f.End, err = root.TimeEnd("end_time"); err != nil {
		return err
	}
	if f.PayoutReferenceID, err = root.String("payout_reference_id"); err != nil {
		return err
	}
	f.PayoutReferenceID = strings.TrimSpace(unquote(f.PayoutReferenceID))
	sel, err := c.selection()
	if err != nil {
		return err
	}
	if err := validate(transactionType, sel); err != nil {
		return err
	}
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	if f.Limit, f.After, f.Before, err = c.paging(); err != nil {
		return err
	}
	page, err := c.h.cfg.Ledger.FindTransactions(c.ctx, f)
	if err != nil {
		return err
	}
	data := make([]any, 0, len(page.Transactions))
	for _, r := range page.Transactions {
		out, err := rc.withOrder(r.Order).project(transactionType, &txnRef{order: r.Order, t: r.Transaction}, sel)
		if err != nil {
			return err
		}
		data = append(data, out)
	}
	return c.respond(http.StatusOK, c.list(data, pageInfo{
		before: page.Before, after: page.After, hasNext: page.HasNext, hasPrevious: page.HasPrevious, limit: f.Limit,
	}))
}

// jurisdiction is the tax jurisdiction of a shipping address: its US
// state's name in capitals ("WASHINGTON" for WA), or the state or region
// as given, upper-cased, elsewhere.
func jurisdiction(a *ordergraph.Address) (any, bool) {
	s := strings.ToUpper(strings.TrimSpace(a.State))
	if name, ok := usStates[s]; ok && (a.Country == "" || strings.EqualFold(a.Country, "US")) {
		return name, true
	}
	return str(s)
}

// usStates maps US state and territory codes to their names.
var usStates = map[string]string{
	"AL": "ALABAMA", "AK": "ALASKA", "AZ": "ARIZONA", "AR": "ARKANSAS", "CA": "CALIFORNIA", "CO": "COLORADO",
	"CT": "CONNECTICUT", "DE": "DELAWARE", "DC": "DISTRICT OF COLUMBIA", "FL": "FLORIDA", "GA": "GEORGIA",
	"HI": "HAWAII", "ID": "IDAHO", "IL": "ILLINOIS", "IN": "INDIANA", "IA": "IOWA", "KS": "KANSAS",
	"KY": "KENTUCKY", "LA": "LOUISIANA", "ME": "MAINE", "MD": "MARYLAND", "MA": "MASSACHUSETTS",
	"MI": "MICHIGAN", "MN": "MINNESOTA", "MS": "MISSISSIPPI", "MO": "MISSOURI", "MT": "MONTANA",
	"NE": "NEBRASKA", "NV": "NEVADA", "NH": "NEW HAMPSHIRE", "NJ": "NEW JERSEY", "NM": "NEW MEXICO",
	"NY": "NEW YORK", "NC": "NORTH CAROLINA", "ND": "NORTH DAKOTA", "OH": "OHIO", "OK": "OKLAHOMA",
	"OR": "OREGON", "PA": "PENNSYLVANIA", "RI": "RHODE ISLAND", "SC": "SOUTH CAROLINA", "SD": "SOUTH DAKOTA",
	"TN": "TENNESSEE", "TX": "TEXAS", "UT": "UTAH", "VT": "VERMONT", "VA": "VIRGINIA", "WA": "WASHINGTON",
	"WV": "WEST VIRGINIA", "WI": "WISCONSIN", "WY": "WYOMING",
	"AS": "AMERICAN SAMOA", "GU": "GUAM", "MP": "NORTHERN MARIANA ISLANDS", "PR": "PUERTO RICO",
	"VI": "U.S. VIRGIN ISLANDS",
}
