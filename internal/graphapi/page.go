package graphapi

import (
	"net/http"

	"github.com/ordergraph/ordergraph"
)

// The seller's Page and its commerce merchant settings (CMS): integrations
// find the CMS id through GET /{page_id}?fields=commerce_merchant_settings
// and then list and acknowledge orders on either id.
var (
	pageType = newType("Page", true)
	cmsType  = newType("CommerceMerchantSettings", true)
)

func init() {
	pg := func(fn func(p *ordergraph.Page) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(func(_ *renderCtx, p *ordergraph.Page) (any, bool) { return fn(p) })
	}
	// The CMS fields of current-api.md §6. What ordergraph has no data for
	// (checkout message, contact email, call to action, terms, channel and
	// payment provider objects) is null, so omitted, as Graph omits unset fields.
	none := pg(func(*ordergraph.Page) (any, bool) { return nil, false })
	cmsType.add(
		scalar("id", pg(func(p *ordergraph.Page) (any, bool) { return p.CMSID, true })),
		scalar("display_name", pg(func(p *ordergraph.Page) (any, bool) { return p.Name, true })),
		obj("merchant_page", pageType, pg(func(p *ordergraph.Page) (any, bool) { return p, true })),
		scalar("checkout_message", none),
		scalar("contact_email", none),
		scalar("cta", none),
		scalar("facebook_channel", none),
		scalar("instagram_channel", none),
		scalar("merchant_status", pg(func(*ordergraph.Page) (any, bool) { return "ENABLED", true })),
		scalar("onsite_commerce_merchant", none),
		scalar("payment_provider", none),
		scalar("review_rejection_messages", pg(func(*ordergraph.Page) (any, bool) { return []string{}, true })),
		scalar("review_rejection_reasons", pg(func(*ordergraph.Page) (any, bool) { return []string{}, true })),
		scalar("terms", none),
	).setDefaults("display_name", "id")
	pageType.add(
		scalar("id", pg(func(p *ordergraph.Page) (any, bool) { return p.ID, true })),
		scalar("name", pg(func(p *ordergraph.Page) (any, bool) { return p.Name, true })),
		edge("commerce_merchant_settings", cmsType, pg(func(p *ordergraph.Page) (any, bool) {
			if p.CMSID == "" {
				return []any{}, true
			}
			return []any{p}, true
		})).withDefaults("id"),
	).setDefaults("name", "id")
}

// renderNode answers GET on a page-level node with typ.
func renderNode(c *call, typ *objectType, src any) error {
	sel, err := c.selection()
	if err != nil {
		return err
	}
	if err := validate(typ, sel); err != nil {
		return err
	}
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	out, err := rc.project(typ, src, sel)
	if err != nil {
		return err
	}
	return c.respond(http.StatusOK, out)
}

// getPage answers GET /{page_id}: {name, id}, and with
// fields=commerce_merchant_settings the CMS edge {"data":[{"id":...}]}.
func getPage(c *call) error { return renderNode(c, pageType, c.page) }

// getCMS answers GET /{cms_id}: {display_name, id}.
func getCMS(c *call) error { return renderNode(c, cmsType, c.page) }

// listCMS answers GET /{page_id}/commerce_merchant_settings: the page's
// CMS, as the page's commerce_merchant_settings field lists it.
func listCMS(c *call) error {
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	f := pageType.byName["commerce_merchant_settings"]
	v, _ := f.value(rc, c.page)
	srcs, _ := v.([]any)
	return c.serveEdge(rc, f, srcs)
}
