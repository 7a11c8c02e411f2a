package lifecycle

import (
	"context"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store"
)

// ChargebackParams is a buyer's payment dispute as the sandbox files it:
// Fee is the page's chargeback fee, withheld only if the seller loses.
type ChargebackParams struct {
	ID      string
	Amount  int64
	Outcome ordergraph.ChargebackOutcome
	Fee     int64
}

// Chargeback records a dispute of part of what the buyer was charged,
// decided at once. Only captured money can be disputed: the amount is
// above zero and at most what the shipments captured less what was
// refunded and what earlier chargebacks disputed.
func Chargeback(o *ordergraph.Order, now time.Time, p ChargebackParams) ([]Change, error) {
	switch p.Outcome {
	case ordergraph.ChargebackSellerWins, ordergraph.ChargebackSellerLoses, ordergraph.ChargebackGoodwill:
	default:
		return nil, invalid("outcome", "(#100) outcome must be one of %s, not %q", outcomeNames(), p.Outcome)
	}
	if len(o.Shipments) == 0 {
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeNotCharged, "Order not charged",
			"order %s is %s and no unit has shipped, so nothing was captured to charge back; ship units first (the buyer is charged per shipment)",
			o.ID, o.State())
	}
	if p.Amount <= 0 {
		return nil, invalid("amount", "(#100) amount must be above zero, got %s", ordergraph.FormatAmount(p.Amount, o.Currency))
	}
	captured := o.Captured().Total()
	var refunded, disputed int64
	for i := range o.Refunds {
		refunded += o.Refunds[i].Total()
	}
	for _, c := range o.Chargebacks {
		disputed += c.Amount
	}
	if left := captured - refunded - disputed; p.Amount > left {
		return nil, invalid("amount",
			"(#100) the chargeback of %s is above the %s still disputable on order %s: %s captured, %s refunded, %s already charged back",
			amt(p.Amount, o), amt(max(0, left), o), o.ID, amt(captured, o), amt(refunded, o), amt(disputed, o))
	}
	c := ordergraph.Chargeback{ID: p.ID, Created: now, Amount: p.Amount, Outcome: p.Outcome}
	if p.Outcome == ordergraph.ChargebackSellerLoses {
		c.Fee = max(0, p.Fee)
	}
	o.Chargebacks = append(o.Chargebacks, c)
	return []Change{change(ordergraph.EventChargeback, ordergraph.ActorPlatform, map[string]any{
		"chargeback_id": c.ID, "amount": c.Amount, "outcome": c.Outcome, "fee": c.Fee,
	})}, nil
}

func outcomeNames() string {
	names := make([]string, len(ordergraph.ChargebackOutcomes))
	for i, o := range ordergraph.ChargebackOutcomes {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

// Chargeback files a buyer's dispute on a shipped order and posts its
// transactions, in one transaction. pageID may be empty: the order is then
// looked up on every page.
func (e *Engine) Chargeback(ctx context.Context, pageID, orderID, amount string, outcome ordergraph.ChargebackOutcome) (*ordergraph.Order, *ordergraph.Chargeback, error) {
	if pageID == "" {
		var err error
		if pageID, err = e.orderPage(ctx, orderID); err != nil {
			return nil, nil, err
		}
	}
	if strings.TrimSpace(amount) == "" {
		return nil, nil, invalid("amount", "(#100) amount is required: the disputed amount, a decimal such as \"5.00\" in the order's currency")
	}
	id := e.NewID()
	res, err := e.writeWith(ctx, pageID, orderID, nil, func(tx store.Tx, o *ordergraph.Order, page *ordergraph.Page, now time.Time) ([]Change, error) {
		n, err := ordergraph.ParseAmount(amount, o.Currency)
		if err != nil {
			return nil, invalid("amount", "(#100) amount: %s", ordergraph.ErrorMessage(err))
		}
		fees, err := e.feeSchedule(ctx, tx, page)
		if err != nil {
			return nil, err
		}
		return Chargeback(o, now, ChargebackParams{ID: id, Amount: n, Outcome: ordergraph.ChargebackOutcome(strings.ToLower(string(outcome))), Fee: fees.ChargebackFee})
	})
	if err != nil {
		return nil, nil, err
	}
	for i := range res.Order.Chargebacks {
		if c := &res.Order.Chargebacks[i]; c.ID == id {
			return res.Order, c, nil
		}
	}
	return res.Order, nil, nil
}

// feeSchedule returns the page's fee schedule: its own, or the platform's
// default in its currency.
func (e *Engine) feeSchedule(ctx context.Context, tx store.Tx, page *ordergraph.Page) (ordergraph.FeeSchedule, error) {
	f, err := tx.FeeScheduleGet(ctx, page.ID)
	switch {
	case err == nil:
		return *f, nil
	case ordergraph.ErrorCode(err) == ordergraph.ENOTFOUND:
		return ordergraph.DefaultFeeSchedule(page.Currency), nil
	}
	return ordergraph.FeeSchedule{}, err
}
