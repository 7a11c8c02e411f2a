package ordergraph_test

import (
	"testing"

	"github.com/ordergraph/ordergraph"
)

func TestPercent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		rate string
		min  int
		want string
	}{
		{"0.1", 0, "10"}, {"0.101", 0, "10.1"}, {"0.0725", 0, "7.25"}, {"0.065", 2, "6.50"}, {"0.101", 2, "10.10"},
		{"1", 0, "100"}, {".2", 0, "20"}, {"0", 2, "0.00"}, {"", 0, "0"}, {"abc", 0, "0"}, {"0.00001", 0, "0.001"},
	} {
		if got := ordergraph.Percent(tt.rate, tt.min); got != tt.want {
			t.Errorf("Percent(%q, %d) = %q, want %q", tt.rate, tt.min, got, tt.want)
		}
	}
	lines := []ordergraph.TaxLine{{Rate: "0.1"}, {Rate: "0.0725"}}
	if got := ordergraph.TaxRate(lines); got != "10%;7.25%" {
		t.Errorf("TaxRate = %q", got)
	}
}

func TestPayoutReference(t *testing.T) {
	t.Parallel()
	ref := ordergraph.PayoutReference("64000900000016")
	if ref != "FBMPUSSmoplvelu8" {
		t.Errorf("PayoutReference = %q", ref)
	}
	if id := ordergraph.PayoutIDFromReference(ref); id != "64000900000016" {
		t.Errorf("PayoutIDFromReference(%q) = %q", ref, id)
	}
	for _, bad := range []string{"", "FBMPUSS", "OTHER123", "FBMPUSS!!"} {
		if id := ordergraph.PayoutIDFromReference(bad); id != "" {
			t.Errorf("PayoutIDFromReference(%q) = %q, want none", bad, id)
		}
	}
}

// TestTaxLines splits a shipment's and a refund's tax by rate, shipping tax
// joining the lines of its rate.
func TestTaxLines(t *testing.T) {
	t.Parallel()
	o := &ordergraph.Order{Currency: "USD",
		Items: []ordergraph.Item{
			{ID: "a", Quantity: 3, PricePerUnit: 1000, TaxRate: "0.1", Tax: 300},
			{ID: "b", Quantity: 1, PricePerUnit: 550, TaxRate: "0.0725", Tax: 40},
		},
		ShippingOption: ordergraph.ShippingOption{Price: 499, Tax: 50, TaxRate: "0.10"},
		Shipments: []ordergraph.Shipment{
			{ID: "s1", Items: []ordergraph.ItemQuantity{{ItemID: "a", Quantity: 1}}, Capture: ordergraph.Capture{Items: 1000, ItemsTax: 100, Shipping: 140, ShippingTax: 14}},
			{ID: "s2", Items: []ordergraph.ItemQuantity{{ItemID: "a", Quantity: 2}, {ItemID: "b", Quantity: 1}}, Capture: ordergraph.Capture{Items: 2550, ItemsTax: 240, Shipping: 359, ShippingTax: 36}},
		},
		Refunds: []ordergraph.Refund{{ID: "r1", Items: []ordergraph.RefundItem{{ItemID: "b", Amount: 550, Tax: 40}}, ShippingTax: 5}},
	}
	sale := &ordergraph.Transaction{Type: ordergraph.TxnSale, SourceID: "s2", Tax: 276}
	got := o.TaxLines(sale)
	if len(got) != 2 || got[0] != (ordergraph.TaxLine{Rate: "0.1", Amount: 236}) || got[1] != (ordergraph.TaxLine{Rate: "0.0725", Amount: 40}) {
		t.Errorf("SALE tax lines %+v", got)
	}
	refund := &ordergraph.Transaction{Type: ordergraph.TxnRefund, SourceID: "r1", Tax: -45}
	got = o.TaxLines(refund)
	if len(got) != 2 || got[0] != (ordergraph.TaxLine{Rate: "0.0725", Amount: -40}) || got[1] != (ordergraph.TaxLine{Rate: "0.10", Amount: -5}) {
		t.Errorf("REFUND tax lines %+v", got)
	}
	// A transaction the order no longer explains keeps its tax, at no rate.
	if got := o.TaxLines(&ordergraph.Transaction{Type: ordergraph.TxnSale, SourceID: "s1", Tax: 999}); len(got) != 1 || got[0].Amount != 999 {
		t.Errorf("unexplained tax lines %+v", got)
	}
	if got := o.TaxLines(&ordergraph.Transaction{Type: ordergraph.TxnChargeback, SourceID: "c"}); got != nil {
		t.Errorf("chargeback tax lines %+v", got)
	}
}
