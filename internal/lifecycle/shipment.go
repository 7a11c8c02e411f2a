package lifecycle

import (
	"time"

	"github.com/ordergraph/ordergraph"
)

// ShipParams is a shipment to attach.
type ShipParams struct {
	ID                     string
	Items                  []ordergraph.ItemQuantity // none: every unit in progress
	Tracking               ordergraph.Tracking
	ExternalShipmentID     string
	MerchantOrderReference string
	FulfillmentLocationID  string
	FulfillmentAddress     ordergraph.Address
}

// Ship marks units of an IN_PROGRESS order shipped under one tracking
// number and captures the buyer's payment for them: their price, their
// share of each line's tax, and a share of shipping and its tax pro-rated
// by value, all cent-exact.
func Ship(o *ordergraph.Order, now time.Time, p ShipParams) ([]Change, error) {
	if err := checkShippable(o); err != nil {
		return nil, err
	}
	if p.Tracking.Carrier == "" {
		return nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "tracking_info",
			Message: "(#100) The parameter tracking_info[carrier] is required"}
	}
	if err := checkTrackingUnused(o, "", p.Tracking); err != nil {
		return nil, err
	}
	for _, s := range o.Shipments {
		if p.ExternalShipmentID != "" && s.ExternalShipmentID == p.ExternalShipmentID {
			return nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "external_shipment_id",
				Message: "(#100) order " + o.ID + " already has a shipment with external_shipment_id " + p.ExternalShipmentID}
		}
	}
	if ref := p.MerchantOrderReference; ref != "" && o.MerchantOrderReference != "" && ref != o.MerchantOrderReference {
		return nil, errReference(o, ref)
	}
	units, err := unitsToShip(o, p.Items)
	if err != nil {
		return nil, err
	}
	if p.MerchantOrderReference != "" {
		o.MerchantOrderReference = p.MerchantOrderReference
	}

	valueBefore, valueTotal := shippedValue(o)
	s := ordergraph.Shipment{
		ID: p.ID, ExternalShipmentID: p.ExternalShipmentID, Created: now, Tracking: p.Tracking,
		FulfillmentLocationID: p.FulfillmentLocationID, FulfillmentAddress: p.FulfillmentAddress,
	}
	for i := range o.Items {
		k := units[i]
		if k == 0 {
			continue
		}
		it := &o.Items[i]
		before, after := int64(it.Fulfilled), int64(it.Fulfilled+k)
		amount := it.PricePerUnit * int64(k)
		tax := ordergraph.Prorate(it.Tax, after, int64(it.Quantity)) - ordergraph.Prorate(it.Tax, before, int64(it.Quantity))
		it.Fulfilled += k
		it.CapturedAmount += amount
		it.CapturedTax += tax
		s.Capture.Items += amount
		s.Capture.ItemsTax += tax
		s.Items = append(s.Items, ordergraph.ItemQuantity{ItemID: it.ID, RetailerID: it.RetailerID, Quantity: k})
	}
	valueAfter, _ := shippedValue(o)
	ship := o.ShippingOption
	s.Capture.Shipping = ordergraph.Prorate(ship.Price, valueAfter, valueTotal) - ordergraph.Prorate(ship.Price, valueBefore, valueTotal)
	s.Capture.ShippingTax = ordergraph.Prorate(ship.Tax, valueAfter, valueTotal) - ordergraph.Prorate(ship.Tax, valueBefore, valueTotal)
	o.Shipments = append(o.Shipments, s)
	return []Change{change(ordergraph.EventShipped, ordergraph.ActorSeller, map[string]any{
		"shipment_id": s.ID, "items": s.Items, "carrier": s.Tracking.Carrier, "tracking_number": s.Tracking.TrackingNumber,
		"captured": s.Capture.Total(),
	})}, nil
}

// checkShippable refuses shipments outside IN_PROGRESS with the
// platform's codes.
func checkShippable(o *ordergraph.Order) error {
	switch o.State() {
	case ordergraph.StateFBProcessing:
		return errProcessing(o, "shipped")
	case ordergraph.StateCreated:
		return errNotAcknowledged(o, "shipped")
	case ordergraph.StateCompleted:
		if o.Fulfilled() == 0 {
			return ordergraph.CommerceErrorf(ordergraph.SubcodeCannotShipCancelled, "Cannot Ship Order",
				"Orders in state 'cancelled' cannot be shipped: every unit of order %s is cancelled", o.ID)
		}
		return ordergraph.CommerceErrorf(ordergraph.SubcodeAllItemsDone, "Order Already Processed",
			"Order is already fulfilled, cancelled or refunded: order %s has no unit left to ship (%d shipped, %d cancelled)",
			o.ID, o.Fulfilled(), o.Cancelled())
	}
	return nil
}

func unitsToShip(o *ordergraph.Order, req []ordergraph.ItemQuantity) (map[int]int, error) {
	if len(req) == 0 {
		all := make(map[int]int)
		for i := range o.Items {
			all[i] = o.Items[i].InProgress()
		}
		return all, nil
	}
	return resolveUnits(o, req, (*ordergraph.Item).InProgress, "shipped", ordergraph.SubcodeUnknownItem)
}

// shippedValue returns the value of the units shipped so far and of all
// units: the weights shipping is pro-rated by. Orders of free items weigh
// units instead.
func shippedValue(o *ordergraph.Order) (shipped, total int64) {
	for i := range o.Items {
		it := &o.Items[i]
		shipped += it.PricePerUnit * int64(it.Fulfilled)
		total += it.Subtotal()
	}
	if total > 0 {
		return shipped, total
	}
	shipped, total = 0, 0
	for i := range o.Items {
		shipped += int64(o.Items[i].Fulfilled)
		total += int64(o.Items[i].Quantity)
	}
	return shipped, total
}

// checkTrackingUnused refuses a tracking number another shipment of the
// order (other than except) already carries.
func checkTrackingUnused(o *ordergraph.Order, except string, t ordergraph.Tracking) error {
	if t.TrackingNumber == "" {
		return nil
	}
	for _, s := range o.Shipments {
		if s.ID != except && s.Tracking.TrackingNumber == t.TrackingNumber {
			return ordergraph.CommerceErrorf(ordergraph.SubcodeDuplicateTracking, "Duplicate Tracking Info",
				"order %s already has a shipment (%s) with tracking number %q; each shipment needs its own tracking number",
				o.ID, s.ID, t.TrackingNumber)
		}
	}
	return nil
}

// UpdateShipment replaces the carrier and tracking number of a shipment
// already attached; its items cannot change.
func UpdateShipment(o *ordergraph.Order, shipmentID, externalID string, t ordergraph.Tracking) ([]Change, error) {
	if shipmentID == "" && externalID == "" {
		return nil, invalid("shipment_id", "(#100) The parameter shipment_id or external_shipment_id is required")
	}
	s := o.Shipment(shipmentID, externalID)
	if s == nil {
		ref := "shipment_id " + shipmentID
		if shipmentID == "" {
			ref = "external_shipment_id " + externalID
		}
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeUnknownShipment, "Unknown Shipment",
			"order %s has no shipment with %s; GET /%s/shipments lists its shipments", o.ID, ref, o.ID)
	}
	if t.Carrier == "" {
		return nil, invalid("tracking_info", "(#100) The parameter tracking_info[carrier] is required")
	}
	if s.Tracking.Carrier == t.Carrier && s.Tracking.TrackingNumber == t.TrackingNumber &&
		(t.ShippingMethodName == "" || t.ShippingMethodName == s.Tracking.ShippingMethodName) {
		return nil, ordergraph.CommerceErrorf(ordergraph.SubcodeDuplicateTracking, "Duplicate Tracking Info",
			"shipment %s of order %s already has carrier %s and tracking number %q", s.ID, o.ID, t.Carrier, t.TrackingNumber)
	}
	if err := checkTrackingUnused(o, s.ID, t); err != nil {
		return nil, err
	}
	if t.ShippingMethodName == "" {
		t.ShippingMethodName = s.Tracking.ShippingMethodName
	}
	old := s.Tracking
	s.Tracking = t
	return []Change{change(ordergraph.EventShipmentUpdated, ordergraph.ActorSeller, map[string]any{
		"shipment_id": s.ID, "old_tracking_number": old.TrackingNumber, "tracking_number": t.TrackingNumber, "carrier": t.Carrier,
	})}, nil
}
