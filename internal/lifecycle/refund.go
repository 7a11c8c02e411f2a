package lifecycle

import (
	"fmt"
	"time"

	"github.com/ordergraph/ordergraph"
)

// RefundParams is a seller's refund. No Items and no Shipping is a full
// refund of everything still refundable.
type RefundParams struct {
	ID         string
	ReasonCode string
	ReasonText string
	Items      []ordergraph.RefundItemRequest
	Shipping   *int64
	Deduction  int64  // kept back from the buyer (RETURN_SHIPPING)
	Adjustment *int64 // refunded beyond items and shipping
	ReturnID   string // the return this refund settles
}

// Refund returns money for fulfilled units to the buyer. A line is refunded
// by quantity (its price per unit) or by an amount before tax; the tax
// refunded with it is its pro-rated share of the tax captured, and shipping
// tax follows shipping the same way, so the sum of refunds never exceeds
// what was captured and a full refund returns it to the minor unit.
func Refund(o *ordergraph.Order, now time.Time, p RefundParams) ([]Change, error) {
	// Lines are refunded one by one; work on a copy so a refused refund
	// leaves o untouched.
	work := o.Clone()
	changes, err := refund(work, now, p)
	if err != nil {
		return nil, err
	}
	*o = *work
	return changes, nil
}

func refund(o *ordergraph.Order, now time.Time, p RefundParams) ([]Change, error) {
	switch {
	case o.State() == ordergraph.StateFBProcessing:
		return nil, errProcessing(o, "refunded")
	case len(o.Shipments) == 0 && o.State() == ordergraph.StateCompleted:
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeCannotRefundCancelled, "Cannot Refund Order",
			"Orders in state 'cancelled' cannot be refunded: every unit of order %s was cancelled and never charged", o.ID)
	case len(o.Shipments) == 0:
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeNotCharged, "Order not charged",
			"This order has not been charged. There is nothing to refund: order %s is %s and no unit has shipped; ship units before refunding them, or cancel units that will not ship",
			o.ID, o.State())
	}
	r := ordergraph.Refund{ID: p.ID, Created: now, ReasonCode: p.ReasonCode, ReasonText: p.ReasonText, ReturnID: p.ReturnID}
	var ret *ordergraph.Return
	if p.ReturnID != "" {
		var items []ordergraph.RefundItemRequest
		var err error
		if ret, items, err = refundableReturn(o, p.ReturnID); err != nil {
			return nil, err
		}
		if len(p.Items) == 0 {
			p.Items = items
		} else if err := checkReturnItems(o, ret, p.Items); err != nil {
			return nil, err
		}
		if r.ReasonCode == "" {
			r.ReasonCode = ordergraph.RefundForReturn
		}
	}
	var shipping int64
	full := len(p.Items) == 0 && p.Shipping == nil && p.Adjustment == nil
	if full {
		// The lines are applied once the refund is final: a full refund
		// after chargebacks the buyer kept is scaled down first.
		for i := range o.Items {
			it := &o.Items[i]
			amount, tax := it.CapturedAmount-it.RefundedAmount, it.CapturedTax-it.RefundedTax
			if amount == 0 && tax == 0 {
				continue
			}
			q := it.Fulfilled - it.RefundedQuantity
			r.Items = append(r.Items, ordergraph.RefundItem{ItemID: it.ID, RetailerID: it.RetailerID, Quantity: q, Amount: amount, Tax: tax})
		}
		shipping = o.Captured().Shipping - refundedShipping(o)
	} else {
		for _, req := range p.Items {
			ri, err := refundLine(o, req)
			if err != nil {
				return nil, err
			}
			if ri != nil {
				r.Items = append(r.Items, *ri)
			}
			if req.ShippingAmount != nil {
				if *req.ShippingAmount < 0 {
					return nil, errNegative("shipping_refund", *req.ShippingAmount, o.Currency)
				}
				shipping += *req.ShippingAmount
			}
		}
		if p.Shipping != nil {
			if *p.Shipping < 0 {
				return nil, errNegative("shipping_refund", *p.Shipping, o.Currency)
			}
			shipping += *p.Shipping
		}
	}
	captured := o.Captured()
	already := refundedShipping(o)
	if shipping > captured.Shipping-already {
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeShippingRefundTooHigh, "Shipping Refund Too High",
			"the shipping refund %s is above the %s of shipping still refundable on order %s (%s charged, %s refunded)",
			amt(shipping, o), amt(captured.Shipping-already, o), o.ID, amt(captured.Shipping, o), amt(already, o))
	}
	r.Shipping = shipping
	alreadyTax := refundedShippingTax(o)
	r.ShippingTax = proratedRemainder(captured.ShippingTax, already+shipping, captured.Shipping, alreadyTax)
	if p.Adjustment != nil {
		if *p.Adjustment < 0 {
			return nil, errNegative("adjustment_amount", *p.Adjustment, o.Currency)
		}
		r.Adjustment = *p.Adjustment
	}
	if p.Deduction < 0 {
		return nil, errNegative("deduction_amount", p.Deduction, o.Currency)
	}
	if gross := r.Total(); p.Deduction > gross {
		return nil, invalid("deductions", "(#100) the deduction %s is above the %s this refund returns", amt(p.Deduction, o), amt(gross, o))
	}
	r.Deduction = p.Deduction
	// In all, refunds never return more than the buyer was charged, less
	// what chargebacks already gave back to the buyer.
	var before, kept int64
	for _, old := range o.Refunds {
		before += old.Total()
	}
	for _, c := range o.Chargebacks {
		if c.ReturnedToBuyer() {
			kept += c.Amount
		}
	}
	charged := o.Captured().Total()
	if left := charged - before - kept; full && left > 0 && r.Total() > left {
		// Everything still refundable is what the buyer paid less what
		// refunds and kept chargebacks already gave back: spread that over
		// the lines and shipping in proportion, to the minor unit.
		capRefund(&r, left)
	}
	if full {
		for _, ri := range r.Items {
			applyItemRefund(o.Item(ri.ItemID), ri.Quantity, ri.Amount, ri.Tax)
		}
	}
	if before+kept+r.Total() > charged {
		detail := ""
		if kept > 0 {
			detail = fmt.Sprintf(" (the buyer kept %s of chargebacks)", amt(kept, o))
		}
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeRefundAboveCharged, "Refund Too High",
			"this refund of %s would bring what the buyer got back on order %s to %s, above the %s charged%s; at most %s can still be refunded",
			amt(r.Total(), o), o.ID, amt(before+kept+r.Total(), o), amt(charged, o), detail, amt(max(0, charged-before-kept), o))
	}
	if r.Total() == 0 && r.Deduction == 0 {
		if len(p.Items) == 0 && p.Shipping == nil && p.Adjustment == nil {
			return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeAllItemsDone, "Order Already Refunded",
				"Order is already fulfilled, cancelled or refunded: everything charged for order %s has been refunded", o.ID)
		}
		return nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "items",
			Message: "(#100) the refund is of nothing: give a positive item refund or shipping refund, or no items for a full refund"}
	}
	o.Refunds = append(o.Refunds, r)
	if ret != nil {
		if ret.Status != ordergraph.ReturnMerchantCompleted {
			markReturned(o, ret)
		}
		ret.Status, ret.Updated, ret.RefundID = ordergraph.ReturnRefunded, now, r.ID
	}
	return []Change{change(ordergraph.EventRefunded, ordergraph.ActorSeller, map[string]any{
		"refund_id": r.ID, "reason_code": r.ReasonCode, "total": r.Total(), "items": r.Items,
	})}, nil
}

// refundLine refunds one requested line and returns what it refunded, or
// nil for a request that only refunds shipping.
func refundLine(o *ordergraph.Order, req ordergraph.RefundItemRequest) (*ordergraph.RefundItem, error) {
	lines := matchLines(o, req.ItemID, req.RetailerID)
	if len(lines) == 0 {
		if req.ItemID == "" && req.RetailerID != "" {
			return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeInvalidRetailerID, "Invalid 'retailer_id' for Item in Refund Request",
				"We're unable to find the corresponding product in the refund request: order %s has no line with retailer_id %q. Please make sure that the 'retailer_id' field has a valid value.",
				o.ID, req.RetailerID)
		}
		return nil, errUnknownItem(o, req.ItemID, req.RetailerID, ordergraph.SubcodeInvalidRetailerID)
	}
	if req.Quantity != 0 && req.Amount != nil {
		return nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "items",
			Message: fmt.Sprintf("(#100) %s gives both a refund quantity and a refund amount; give exactly one", describeRef(req.ItemID, req.RetailerID))}
	}
	if req.Quantity < 0 {
		return nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "item_refund_quantity",
			Message: fmt.Sprintf("(#100) item_refund_quantity must be a positive whole number, got %d", req.Quantity)}
	}
	if req.Quantity == 0 && req.Amount == nil {
		if req.ShippingAmount != nil {
			return nil, nil
		}
		return nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "items",
			Message: fmt.Sprintf("(#100) %s needs a refund quantity or a refund amount", describeRef(req.ItemID, req.RetailerID))}
	}
	// The first of the named lines that still has something to refund.
	it := &o.Items[lines[0]]
	for _, i := range lines {
		if c := &o.Items[i]; c.CapturedAmount-c.RefundedAmount > 0 {
			it = c
			break
		}
	}
	if it.Fulfilled == 0 {
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeNotCharged, "Item not charged",
			"%s of order %s has not shipped, so it has not been charged and there is nothing to refund; cancel it instead",
			describeRef(req.ItemID, req.RetailerID), o.ID)
	}
	remaining := it.CapturedAmount - it.RefundedAmount
	var amount int64
	q := 0
	if req.Quantity > 0 {
		if left := it.Fulfilled - it.RefundedQuantity; req.Quantity > left {
			return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeSomeItemsDone, "Items Already Refunded",
				"Selected order items are already fulfilled, cancelled or refunded: %s has %d shipped unit(s) not yet refunded, %d requested",
				describeRef(req.ItemID, req.RetailerID), left, req.Quantity)
		}
		q = req.Quantity
		amount = min(it.PricePerUnit*int64(q), remaining)
	} else {
		amount = *req.Amount
		if amount < 0 {
			return nil, errNegative("item_refund", amount, o.Currency)
		}
		if amount > remaining {
			return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeRefundTooHigh, "Refund Too High",
				"the item refund %s for %s is above the %s still refundable for it (%s charged, %s refunded)",
				amt(amount, o), describeRef(req.ItemID, req.RetailerID), amt(remaining, o), amt(it.CapturedAmount, o), amt(it.RefundedAmount, o))
		}
	}
	tax := proratedRemainder(it.CapturedTax, it.RefundedAmount+amount, it.CapturedAmount, it.RefundedTax)
	applyItemRefund(it, q, amount, tax)
	return &ordergraph.RefundItem{ItemID: it.ID, RetailerID: it.RetailerID, Quantity: q, Amount: amount, Tax: tax}, nil
}

func applyItemRefund(it *ordergraph.Item, q int, amount, tax int64) {
	it.RefundedAmount += amount
	it.RefundedTax += tax
	it.RefundedQuantity += q
	if it.RefundedAmount == it.CapturedAmount {
		it.RefundedQuantity = it.Fulfilled
	}
}

// proratedRemainder returns the tax to refund now so that the tax refunded
// in all reaches tax's share of the amount refunded in all (part of whole),
// given refunded so far: cumulative, so rounding never drifts, and bounded
// by what is left.
func proratedRemainder(tax, part, whole, refunded int64) int64 {
	if whole == 0 {
		return 0
	}
	n := ordergraph.Prorate(tax, part, whole) - refunded
	return max(0, min(n, tax-refunded))
}

func refundedShippingTax(o *ordergraph.Order) int64 {
	var n int64
	for _, r := range o.Refunds {
		n += r.ShippingTax
	}
	return n
}

func refundedShipping(o *ordergraph.Order) int64 {
	var n int64
	for _, r := range o.Refunds {
		n += r.Shipping
	}
	return n
}

func amt(n int64, o *ordergraph.Order) string {
	return ordergraph.FormatAmount(n, o.Currency) + " " + o.Currency
}

func errNegative(param string, n int64, currency string) error {
	return &ordergraph.Error{Code: ordergraph.EINVALID, Param: param,
		Message: fmt.Sprintf("(#100) %s must not be negative, got %s", param, ordergraph.FormatAmount(n, currency))}
}

// checkReturnItems refuses refund lines a return does not hold: a refund
// that settles a return refunds that return's units only.
func checkReturnItems(o *ordergraph.Order, ret *ordergraph.Return, items []ordergraph.RefundItemRequest) error {
	for _, req := range items {
		held := 0
		for _, i := range matchLines(o, req.ItemID, req.RetailerID) {
			for _, ri := range ret.Items {
				if ri.ItemID == o.Items[i].ID {
					held += ri.Quantity
				}
			}
		}
		if held == 0 {
			return invalid("items", "(#100) return %s does not hold %s; a refund with return_id refunds the return's lines only",
				ret.ID, describeRef(req.ItemID, req.RetailerID))
		}
		if req.Quantity > held {
			return invalid("items", "(#100) return %s holds %d unit(s) of %s, %d requested", ret.ID, held, describeRef(req.ItemID, req.RetailerID), req.Quantity)
		}
	}
	return nil
}

// capRefund scales a refund's items, their tax, shipping and its tax down
// in proportion so that it gives back exactly left; a line no longer
// refunded whole becomes a refund by amount.
func capRefund(r *ordergraph.Refund, left int64) {
	weights := make([]int64, 0, 2*len(r.Items)+2)
	for _, it := range r.Items {
		weights = append(weights, it.Amount, it.Tax)
	}
	weights = append(weights, r.Shipping, r.ShippingTax)
	parts := ordergraph.Allocate(left+r.Deduction-r.Adjustment, weights)
	for i := range r.Items {
		it := &r.Items[i]
		if parts[2*i] != it.Amount || parts[2*i+1] != it.Tax {
			it.Quantity = 0
		}
		it.Amount, it.Tax = parts[2*i], parts[2*i+1]
	}
	n := len(parts)
	r.Shipping, r.ShippingTax = parts[n-2], parts[n-1]
}
