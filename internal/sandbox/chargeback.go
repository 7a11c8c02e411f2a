package sandbox

import (
	"net/http"

	"github.com/ordergraph/ordergraph"
)

// chargebackRequest is the body of POST /sandbox/orders/{order_id}/chargeback:
// the disputed amount (a decimal in the order's currency) and how the
// dispute ends. page_id is optional, as for buyer_cancel.
type chargebackRequest struct {
	PageID  string  `json:"page_id"`
	Amount  decimal `json:"amount"`
	Outcome string  `json:"outcome"`
}

// chargebackResponse is the new chargeback's id.
type chargebackResponse struct {
	ID string `json:"id"`
}

// chargeback files a buyer's payment dispute on a shipped order, decided at
// once: the ledger posts CHARGEBACK, then CHARGEBACK_FEE (seller_loses),
// CHARGEBACK_REVERSAL (seller_wins) or GOODWILL_TRANSFER (goodwill).
func (h *handler) chargeback(w http.ResponseWriter, r *http.Request) {
	var req chargebackRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	if req.Amount == "" {
		writeError(w, r, invalidField("amount", `amount is required: the disputed amount, a decimal such as "5.00" in the order's currency.`))
		return
	}
	if err := checkDecimal("amount", string(req.Amount)); err != nil {
		writeError(w, r, err)
		return
	}
	if req.Outcome == "" {
		writeError(w, r, invalidField("outcome", "outcome is required: %q, %q or %q.",
			ordergraph.ChargebackSellerWins, ordergraph.ChargebackSellerLoses, ordergraph.ChargebackGoodwill))
		return
	}
	pageID := req.PageID
	if pageID == "" {
		pageID = r.URL.Query().Get("page_id")
	}
	_, c, err := h.svc.Chargeback(r.Context(), pageID, r.PathValue("order_id"), string(req.Amount), ordergraph.ChargebackOutcome(req.Outcome))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, chargebackResponse{ID: c.ID})
}
