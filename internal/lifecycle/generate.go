package lifecycle

import (
	"fmt"
	"math/rand/v2"

	"github.com/ordergraph/ordergraph"
)

type catalogEntry struct {
	retailerID, name string
	price            int64 // in minor units of a 2-digit currency
}

var catalog = []catalogEntry{
	{"fb_tee_001", "Organic Cotton Tee", 2400},
	{"fb_tee_002", "Heavyweight Pocket Tee", 3200},
	{"fb_hoodie_010", "Fleece Pullover Hoodie", 6800},
	{"fb_cap_020", "Washed Canvas Cap", 2200},
	{"fb_sock_030", "Merino Crew Socks (3 pack)", 1800},
	{"fb_mug_040", "Stoneware Mug 12oz", 1650},
	{"fb_tote_050", "Recycled Canvas Tote", 1999},
	{"fb_candle_060", "Cedar & Sage Candle", 2850},
	{"fb_bottle_070", "Insulated Bottle 20oz", 3499},
	{"fb_jeans_080", "Slim Selvedge Jeans", 11800},
	{"fb_scarf_090", "Lambswool Scarf", 5400},
	{"fb_sneaker_100", "Court Sneaker", 8900},
	{"fb_wallet_110", "Leather Card Wallet", 4500},
	{"fb_poster_120", "Risograph Print A3", 1500},
	{"fb_notebook_130", "Dot Grid Notebook", 1295},
	{"fb_sticker_140", "Sticker Pack", 550},
}

var firstNames = []string{"John", "Maria", "Wei", "Aisha", "Lucas", "Sofia", "Noah", "Emma", "Kenji", "Fatima", "Liam", "Olivia"}
var lastNames = []string{"Smith", "Garcia", "Chen", "Khan", "Müller", "Rossi", "Johnson", "Nguyen", "Tanaka", "Okafor", "Brown", "Silva"}

var addresses = []ordergraph.Address{
	{Street1: "1101 Dexter Ave N", City: "Seattle", State: "WA", PostalCode: "98109-3517", Country: "US"},
	{Street1: "1 Hacker Way", City: "Menlo Park", State: "CA", PostalCode: "94025", Country: "US"},
	{Street1: "770 Broadway", Street2: "Floor 2", City: "New York", State: "NY", PostalCode: "10003", Country: "US"},
	{Street1: "225 Bush St", City: "San Francisco", State: "CA", PostalCode: "94104", Country: "US"},
	{Street1: "100 Congress Ave", Street2: "Suite 2000", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"},
	{Street1: "401 N Michigan Ave", City: "Chicago", State: "IL", PostalCode: "60611", Country: "US"},
	{Street1: "1 Boston Pl", City: "Boston", State: "MA", PostalCode: "02108", Country: "US"},
}

var taxRates = []string{"0", "0.06", "0.0725", "0.0875", "0.101"}

var shippingOptions = []ordergraph.OrderSpecShipping{
	{Name: "STANDARD (3-5 Business days)", Price: "0", MinDays: 3, MaxDays: 5},
	{Name: "Standard", Price: "4.99", MinDays: 3, MaxDays: 7},
	{Name: "Express (1-2 Business days)", Price: "12.50", TaxRate: "0.06", MinDays: 1, MaxDays: 2},
}

// GenerateSpecs returns g.Count realistic random checkouts in currency,
// the same ones for the same seed.
func GenerateSpecs(g ordergraph.GenerateSpec, currency string) []ordergraph.OrderSpec {
	r := rand.New(rand.NewPCG(uint64(g.Seed), uint64(g.Seed)^0x9e3779b97f4a7c15))
	exp, _ := ordergraph.Exponent(currency)
	price := func(cents int64) string {
		n := cents
		for i := exp; i < 2; i++ {
			n /= 10
		}
		for i := 2; i < exp; i++ {
			n *= 10
		}
		return ordergraph.FormatAmount(n, currency)
	}
	out := make([]ordergraph.OrderSpec, g.Count)
	for i := range out {
		first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		addr := addresses[r.IntN(len(addresses))]
		addr.Name = first + " " + last
		rate := taxRates[r.IntN(len(taxRates))]
		s := ordergraph.OrderSpec{
			Buyer: ordergraph.Buyer{
				Name: first + " " + last, EmailRemarketingOption: r.IntN(3) == 0,
				Email: fmt.Sprintf("%x@marketplace.facebook.com", r.Uint64()&0xffffffffff),
			},
			ShippingAddress: addr,
			Channel:         []string{"facebook", "instagram"}[r.IntN(2)],
			StartState:      g.StartState,
		}
		ship := shippingOptions[r.IntN(len(shippingOptions))]
		ship.Price = price(mustCents(ship.Price))
		s.Shipping = ship
		lines := 1 + r.IntN(3)
		seen := map[int]bool{}
		for range lines {
			k := r.IntN(len(catalog))
			if seen[k] {
				continue
			}
			seen[k] = true
			c := catalog[k]
			s.Items = append(s.Items, ordergraph.OrderSpecItem{
				RetailerID: c.retailerID, ProductName: c.name, Quantity: 1 + r.IntN(3)*r.IntN(2),
				PricePerUnit: price(c.price), TaxRate: rate,
			})
		}
		if r.IntN(10) == 0 && ship.Price != price(0) {
			s.Promotions = []ordergraph.OrderSpecPromotion{{Reason: "FREE_SHIPPING", Amount: ship.Price}}
		}
		out[i] = s
	}
	return out
}

func mustCents(s string) int64 {
	n, err := ordergraph.ParseAmount(s, "USD")
	if err != nil {
		panic(err)
	}
	return n
}
