package graphapi

import (
	"strings"

	"github.com/ordergraph/ordergraph"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// productType is the catalog product an order line points at (the item's
// fb_product_id / product_id).
var productType = newType("ProductItem", true)

func init() {
	prod := func(fn func(p *ordergraph.Product) (any, bool)) func(*renderCtx, any) (any, bool) {
		return on(func(_ *renderCtx, p *ordergraph.Product) (any, bool) { return fn(p) })
	}
	productType.add(
		scalar("id", prod(func(p *ordergraph.Product) (any, bool) { return p.ID, true })),
		scalar("retailer_id", prod(func(p *ordergraph.Product) (any, bool) { return p.RetailerID, true })),
		scalar("name", prod(func(p *ordergraph.Product) (any, bool) { return p.Name, true })),
		scalar("price", prod(func(p *ordergraph.Product) (any, bool) { return formatPrice(p.Price, p.Currency), true })),
		scalar("currency", prod(func(p *ordergraph.Product) (any, bool) { return p.Currency, true })),
		scalar("sale_price", prod(func(p *ordergraph.Product) (any, bool) {
			return formatPrice(p.SalePrice, p.Currency), p.SalePrice != 0
		})),
	).setDefaults("id", "retailer_id", "name", "price", "currency", "sale_price")
}

var symbolPrinter = message.NewPrinter(language.English)

// formatPrice formats an amount as Graph formats product prices: the
// currency's symbol before the amount with thousands separators ("$12.50",
// "$1,234.00", "¥1,500", "CHF12.00").
func formatPrice(amount int64, code string) string {
	sym := code
	if u, err := currency.ParseISO(code); err == nil {
		sym = symbolPrinter.Sprint(currency.Symbol(u))
	}
	s := ordergraph.FormatAmount(amount, code)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return sign + sym + b.String()
}

// getProduct answers GET /{product_id}.
func getProduct(c *call) error {
	return renderNode(c, productType, c.product)
}
