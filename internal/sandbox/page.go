package sandbox

import (
	"net/http"
	"strings"
	"time"

	"github.com/ordergraph/ordergraph"
)

// pageRequest is the body of POST /sandbox/pages.
type pageRequest struct {
	Name            string `json:"name"`
	Currency        string `json:"currency"`
	HandlingDays    *int   `json:"handling_days"`
	OrderManagement string `json:"order_management"`
	// StrictIdempotency makes idempotency_key required on the legacy
	// writes too.
	StrictIdempotency bool `json:"strict_idempotency"`
}

// pageResponse answers POST /sandbox/pages.
type pageResponse struct {
	ID          string `json:"id"`
	CMSID       string `json:"cms_id"`
	Name        string `json:"name"`
	Currency    string `json:"currency"`
	AccessToken string `json:"access_token"`
}

func (h *handler) createPage(w http.ResponseWriter, r *http.Request) {
	var req pageRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	spec, err := req.spec()
	if err != nil {
		writeError(w, r, err)
		return
	}
	page, token, err := h.svc.CreatePage(r.Context(), spec)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, pageResponse{
		ID: page.ID, CMSID: page.CMSID, Name: page.Name, Currency: page.Currency, AccessToken: token,
	})
}

// spec validates the request; empty fields are left for the service's
// defaults.
func (req pageRequest) spec() (ordergraph.PageSpec, error) {
	spec := ordergraph.PageSpec{Name: strings.TrimSpace(req.Name)}
	if req.Currency != "" {
		c, ok := ordergraph.ValidCurrency(req.Currency)
		if !ok {
			return spec, invalidField("currency", "currency must be an ISO 4217 code such as \"USD\", not %q.", req.Currency)
		}
		spec.Currency = c
	}
	if req.HandlingDays != nil {
		if *req.HandlingDays < 0 || *req.HandlingDays > ordergraph.MaxHandlingDays {
			return spec, invalidField("handling_days", "handling_days must be between 1 and %d days (0 for the default of %d), not %d.",
				ordergraph.MaxHandlingDays, ordergraph.DefaultHandlingDays, *req.HandlingDays)
		}
		spec.HandlingDays = *req.HandlingDays
	}
	switch m := strings.ToLower(req.OrderManagement); m {
	case "", ordergraph.ManagedByAPI, ordergraph.ManagedByCommerceManager:
		spec.OrderManagement = m
	default:
		return spec, invalidField("order_management", "order_management must be %q or %q, not %q.",
			ordergraph.ManagedByAPI, ordergraph.ManagedByCommerceManager, req.OrderManagement)
	}
	spec.StrictIdempotency = req.StrictIdempotency
	return spec, nil
}

// tokenRequest is the body of POST /sandbox/pages/{page_id}/tokens.
type tokenRequest struct {
	Role      string `json:"role"`
	ExpiresIn int64  `json:"expires_in"` // seconds; 0 never expires
}

// tokenResponse answers POST /sandbox/pages/{page_id}/tokens. ExpiresAt is
// null for a token that never expires.
type tokenResponse struct {
	AccessToken string          `json:"access_token"`
	Role        ordergraph.Role `json:"role"`
	ExpiresAt   *string         `json:"expires_at"`
}

// maxTokenLifetime bounds expires_in, so the expiry stays a real date.
const maxTokenLifetime = 100 * 365 * 24 * time.Hour

func (h *handler) createToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := decodeBody(r, &req); err != nil {
		writeError(w, r, err)
		return
	}
	role := ordergraph.RoleEditor
	if req.Role != "" {
		role = ordergraph.Role(strings.ToUpper(req.Role))
		if !role.Valid() {
			writeError(w, r, invalidField("role", "role must be one of ADMIN, EDITOR, MODERATOR, ADVERTISER or ANALYST, not %q.", req.Role))
			return
		}
	}
	if req.ExpiresIn < 0 || time.Duration(req.ExpiresIn) > maxTokenLifetime/time.Second {
		writeError(w, r, invalidField("expires_in", "expires_in must be a number of seconds between 0 (never expires) and %d, not %d.",
			int64(maxTokenLifetime/time.Second), req.ExpiresIn))
		return
	}
	raw, tok, err := h.svc.CreateToken(r.Context(), r.PathValue("page_id"), role, time.Duration(req.ExpiresIn)*time.Second)
	if err != nil {
		writeError(w, r, err)
		return
	}
	resp := tokenResponse{AccessToken: raw, Role: role}
	if tok != nil {
		resp.Role = tok.Role
		if tok.ExpiresAt != nil {
			s := formatTime(*tok.ExpiresAt)
			resp.ExpiresAt = &s
		}
	}
	writeJSON(w, http.StatusCreated, resp)
}

func (h *handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.RevokeToken(r.Context(), r.PathValue("token")); err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, successResponse{Success: true})
}

// successResponse answers actions, as the Graph API does.
type successResponse struct {
	Success bool `json:"success"`
}
