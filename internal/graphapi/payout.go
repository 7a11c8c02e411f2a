package graphapi

import (
	"net/http"

	"github.com/ordergraph/ordergraph"
)

// payoutType is CommercePayout: a bank transfer of a page's net
// transactions older than the payout delay (current-api.md §6).
var payoutType = newType("CommercePayout", false)

func declarePayoutTypes() {
	pay := func(fn func(rc *renderCtx, p *ordergraph.Payout) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	payoutType.add(
		obj("amount", moneyType, pay(func(_ *renderCtx, p *ordergraph.Payout) (any, bool) { return moneyObject(p.Amount, p.Currency), true })),
		scalar("payout_date", pay(func(rc *renderCtx, p *ordergraph.Payout) (any, bool) { return rc.time(p.Date), true })),
		scalar("payout_reference_id", pay(func(_ *renderCtx, p *ordergraph.Payout) (any, bool) { return p.ReferenceID, true })),
		scalar("status", pay(func(_ *renderCtx, p *ordergraph.Payout) (any, bool) { return string(p.Status), true })),
		scalar("transfer_id", pay(func(_ *renderCtx, p *ordergraph.Payout) (any, bool) { return str(p.TransferID) })),
	).setDefaults("amount", "payout_date", "payout_reference_id", "status", "transfer_id")
}

// listPayouts answers GET /{page_id|cms_id}/commerce_payouts: the page's
// payouts oldest first, filtered by start_time and end_time (Unix seconds
// or ISO 8601, inclusive, on the payout date), with cursor paging.
func listPayouts(c *call) error {
	if c.h.cfg.Ledger == nil {
		return errUnsupported(c.method, c.id)
	}
	root := c.params.root()
	f := ordergraph.PayoutFilter{PageID: c.page.ID}
	var err error
	if f.Start, err = root.Time("start_time"); err != nil {
		return err
	}
	if f.End, err = root.TimeEnd("end_time"); err != nil {
		return err
	}
	sel, err := c.selection()
	if err != nil {
		return err
	}
	if err := validate(payoutType, sel); err != nil {
		return err
	}
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	if f.Limit, f.After, f.Before, err = c.paging(); err != nil {
		return err
	}
	page, err := c.h.cfg.Ledger.FindPayouts(c.ctx, f)
	if err != nil {
		return err
	}
	data := make([]any, 0, len(page.Payouts))
	for _, p := range page.Payouts {
		out, err := rc.project(payoutType, p, sel)
		if err != nil {
			return err
		}
		data = append(data, out)
	}
	return c.respond(http.StatusOK, c.list(data, pageInfo{
		before: page.Before, after: page.After, hasNext: page.HasNext, hasPrevious: page.HasPrevious, limit: f.Limit,
	}))
}
