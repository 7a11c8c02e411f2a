package graphapi

import (
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// An order's promotions, in the two shapes the API has had: the current
// promotion_details (CommercePromotionDetail) and the reimbursements of the
// legacy API, which the deprecated promotions edge of the current one
// still lists (CommerceOrderReimbursement, {reason, value}).
var (
	promotionDetailType = newType("CommercePromotionDetail", false)
	reimbursementType   = newType("CommerceOrderReimbursement", false)
)

// promotionRef is one promotion of an order, with its position: the
// promotion has no id of its own, so its promotion_id is derived from both.
type promotionRef struct {
	order *ordergraph.Order
	index int
	p     *ordergraph.Promotion
}

func declarePromotionTypes() {
	promo := func(fn func(rc *renderCtx, r *promotionRef) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(fn)
	}
	promotionDetailType.add(
		scalar("promotion_id", promo(func(_ *renderCtx, r *promotionRef) (any, bool) { return promotionID(r.order.ID, r.index), true })),
		obj("applied_amount", moneyType, promo(func(rc *renderCtx, r *promotionRef) (any, bool) {
			return moneyObject(r.p.Amount, r.order.Currency), true
		})),
		scalar("campaign_name", promo(func(_ *renderCtx, r *promotionRef) (any, bool) { return campaignName(r.p.Reason), true })),
		// Platform promotions are not coupons: no coupon_code (null).
		scalar("coupon_code", promo(func(_ *renderCtx, r *promotionRef) (any, bool) { return nil, false })),
		scalar("sponsor", promo(func(_ *renderCtx, r *promotionRef) (any, bool) { return sponsor(r.p), true })),
		// Every promotion here applies to the whole order.
		scalar("target_granularity", promo(func(_ *renderCtx, _ *promotionRef) (any, bool) { return "order_level", true })),
		scalar("applied_after_tax", promo(func(_ *renderCtx, _ *promotionRef) (any, bool) { return false, true })),
		scalar("retailer_id", promo(func(_ *renderCtx, _ *promotionRef) (any, bool) { return "", true })),
	).setDefaults("promotion_id", "applied_amount", "campaign_name", "coupon_code", "sponsor", "target_granularity", "applied_after_tax", "retailer_id").
		keyedBy("promotion_id")

	reimbursementType.add(
		scalar("reason", promo(func(_ *renderCtx, r *promotionRef) (any, bool) { return r.p.Reason, true })),
		obj("value", moneyType, promo(func(_ *renderCtx, r *promotionRef) (any, bool) {
			return moneyObject(r.p.Amount, r.order.Currency), true
		})),
	).setDefaults("reason", "value")
}

// promotionDetails lists every promotion of the order.
func promotionDetails(o *ordergraph.Order) []any {
	out := make([]any, 0, len(o.Promotions))
	for i := range o.Promotions {
		out = append(out, &promotionRef{order: o, index: i, p: &o.Promotions[i]})
	}
	return out
}

// reimbursements lists the promotions the platform paid for: what it
// reimburses the seller.
func reimbursements(o *ordergraph.Order) []any {
	out := make([]any, 0, len(o.Promotions))
	for i := range o.Promotions {
		if sponsor(&o.Promotions[i]) == "facebook" {
			out = append(out, &promotionRef{order: o, index: i, p: &o.Promotions[i]})
		}
	}
	return out
}

// sponsor is who funds a promotion: "facebook" (the default, as every
// platform promotion is) or "merchant".
func sponsor(p *ordergraph.Promotion) string {
	if s := strings.ToLower(p.Sponsor); s != "" {
		return s
	}
	return "facebook"
}

// facebookPaid returns what platform promotions paid towards the order.
func facebookPaid(o *ordergraph.Order) int64 {
	var n int64
	for i := range o.Promotions {
		if sponsor(&o.Promotions[i]) == "facebook" {
			n += o.Promotions[i].Amount
		}
	}
	return n
}

// promotionsTotal returns every promotion's amount: what the buyer did not
// pay.
func promotionsTotal(o *ordergraph.Order) int64 {
	var n int64
	for _, p := range o.Promotions {
		n += p.Amount
	}
	return n
}

// promotionID is a promotion's stable numeric id: the same for the same
// order and position on every read.
func promotionID(orderID string, index int) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(orderID + ":" + strconv.Itoa(index)))
	// 15 digits, never starting with 0, like the platform's ids.
	return strconv.FormatUint(100000000000000+h.Sum64()%900000000000000, 10)
}

// campaignName turns a reason code into a name a seller shows
// ("FREE_SHIPPING" → "Free shipping").
func campaignName(reason string) string {
	s := strings.ToLower(strings.ReplaceAll(reason, "_", " "))
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
