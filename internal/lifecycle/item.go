package lifecycle

import (
	"fmt"
	"strings"

	"github.com/ordergraph/ordergraph"
)

// unitsFunc tells how many units of a line a command may still act on.
type unitsFunc func(it *ordergraph.Item) int

// resolveUnits turns requested (item or retailer id, quantity) pairs into
// quantities per line index. A retailer_id shared by several lines spreads
// over them in order. Unknown ids answer unknownSubcode; more units than
// available answer SubcodeSomeItemsDone, saying how many are left.
func resolveUnits(o *ordergraph.Order, req []ordergraph.ItemQuantity, available unitsFunc, verb string, unknownSubcode int) (map[int]int, error) {
	out := make(map[int]int)
	for _, r := range req {
		if r.Quantity <= 0 {
			return nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "quantity",
				Message: fmt.Sprintf("(#100) quantity must be a positive whole number, got %d for %s", r.Quantity, describeRef(r.ItemID, r.RetailerID))}
		}
		lines := matchLines(o, r.ItemID, r.RetailerID)
		if len(lines) == 0 {
			return nil, errUnknownItem(o, r.ItemID, r.RetailerID, unknownSubcode)
		}
		left := r.Quantity
		total := 0
		for _, i := range lines {
			free := available(&o.Items[i]) - out[i]
			total += free
			if free <= 0 {
				continue
			}
			n := min(free, left)
			out[i] += n
			left -= n
			if left == 0 {
				break
			}
		}
		if left > 0 {
			return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeSomeItemsDone, "Items Already Processed",
				"Selected order items are already fulfilled, cancelled or refunded: %s has %d unit(s) left to be %s, %d requested",
				describeRef(r.ItemID, r.RetailerID), max(total, 0), verb, r.Quantity)
		}
	}
	return out, nil
}

// matchLines returns the indexes of the lines an id names.
func matchLines(o *ordergraph.Order, itemID, retailerID string) []int {
	var out []int
	for i := range o.Items {
		it := &o.Items[i]
		if itemID != "" && it.ID == itemID || itemID == "" && retailerID != "" && it.RetailerID == retailerID {
			out = append(out, i)
		}
	}
	return out
}

func describeRef(itemID, retailerID string) string {
	if itemID != "" {
		return fmt.Sprintf("item_id %s", itemID)
	}
	return fmt.Sprintf("retailer_id %q", retailerID)
}

func errUnknownItem(o *ordergraph.Order, itemID, retailerID string, subcode int) error {
	if itemID == "" && retailerID == "" {
		return &ordergraph.Error{Code: ordergraph.EINVALID, Param: "items",
			Message: "(#100) each item needs a retailer_id or an item_id"}
	}
	var ids []string
	for _, it := range o.Items {
		if itemID != "" {
			ids = append(ids, it.ID)
		} else {
			ids = append(ids, fmt.Sprintf("%q", it.RetailerID))
		}
	}
	title := "Unknown Item"
	if subcode == ordergraph.SubcodeInvalidRetailerID {
		title = "Invalid 'retailer_id' for Item in Refund Request"
	}
	return ordergraph.CommerceErrorf(subcode, title,
		"order %s has no line with %s; its lines are %s", o.ID, describeRef(itemID, retailerID), strings.Join(ids, ", "))
}
