package graphapi

import (
	"fmt"
	"net/http"

	"github.com/ordergraph/ordergraph"
)

// order_management_apps (current-api.md §6): a page whose commerce account
// has an order management app registered manages its orders through the
// API; without one, Commerce Manager does and released orders acknowledge
// themselves. POST registers the calling app; GET lists it.
var appType = newType("Application", true)

// orderManagementApp is the app ordergraph answers as registered: tokens
// are not issued per app here, so every page's app is this one.
var orderManagementApp = struct{ id, name string }{"1009000000000001", "ordergraph"}

func init() {
	appType.add(
		scalar("id", on(func(_ *renderCtx, _ *ordergraph.Page) (any, bool) { return orderManagementApp.id, true })),
		scalar("name", on(func(_ *renderCtx, _ *ordergraph.Page) (any, bool) { return orderManagementApp.name, true })),
	).setDefaults("id", "name")
}

// listOrderManagementApps answers GET /{cms_id|page_id}/order_management_apps:
// the registered app, or none when Commerce Manager manages the orders.
func listOrderManagementApps(c *call) error {
	rc, err := c.renderCtx()
	if err != nil {
		return err
	}
	var srcs []any
	if c.page.OrderManagement != ordergraph.ManagedByCommerceManager {
		srcs = append(srcs, c.page)
	}
	return c.serveEdge(rc, &fieldDef{name: "order_management_apps", kind: edgeField, typ: appType}, srcs)
}

// registerOrderManagementApp answers POST /{cms_id|page_id}/order_management_apps:
// the page's orders are managed through the API from now on, and wait in
// CREATED for acknowledgement.
func registerOrderManagementApp(c *call) error {
	if _, err := c.h.cfg.Orders.SetOrderManagement(c.ctx, c.page.ID, ordergraph.ManagedByAPI); err != nil {
		return fmt.Errorf("register order management app: %w", err)
	}
	return c.respond(http.StatusOK, object{{"success", true}})
}
