// Package orderdoc encodes an order as the document both stores keep in
// orders.doc: the whole ordergraph.Order in a compact binary form, beside
// the columns that filters use, so that reading an order costs one indexed
// row. Every list and read decodes it, and encoding/json took several
// times longer than the SQL around it. SQLite and PostgreSQL store the same
// bytes, so a database moves between them unchanged.
//
// The first byte names the format. docV1 is the layout below: fields in
// declaration order; integers as varints; strings and byte slices with a
// uvarint length; times as a presence byte and unix nanoseconds (UTC, exact
// to the nanosecond); slices with length+1, so nil and empty stay apart. A
// document starting with '{' is JSON (encoding/json of the Order), which
// Decode also reads.
//
// Adding a field to Order: append it to Encode and Decode under a new
// format byte, keep decoding the older formats without it, and
// TestOrderCodec fails until both are done. docV2 is docV1 followed by a
// trailer: the fulfillment of each shipment, the deduction, adjustment and
// return of each refund, and the returns. docV3 is docV2 followed by the
// chargebacks.
package orderdoc

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ordergraph/ordergraph"
)

const (
	docV1 byte = 1
	docV2 byte = 2
	docV3 byte = 3
)

// ErrCorrupt reports a document that does not decode.
var ErrCorrupt = errors.New("corrupt order document")

// Encode returns o's document in the newest format.
func Encode(o *ordergraph.Order) []byte {
	e := encoder{buf: make([]byte, 0, 1024)}
	e.buf = append(e.buf, docV3)
	e.string(o.ID)
	e.string(o.PageID)
	e.string(o.Currency)
	e.string(o.Channel)
	e.time(o.Created)
	e.time(o.LastUpdated)
	e.time(o.ReleaseAt)
	e.timePtr(o.ReleasedAt)
	e.timePtr(o.AckedAt)
	e.time(o.AckDueAt)
	e.bool(o.AckSLABreached)
	e.string(o.ShipByDate)
	e.int(int64(o.HandlingDays))
	e.string(string(o.Outcome))
	e.bool(o.AutoAcknowledge)
	e.string(o.MerchantOrderReference)

	b := &o.Buyer
	e.string(b.Name)
	e.string(b.Email)
	e.bool(b.EmailRemarketingOption)
	e.string(b.Phone)

	a := &o.ShippingAddress
	e.string(a.Name)
	e.string(a.FirstName)
	e.string(a.LastName)
	e.string(a.Street1)
	e.string(a.Street2)
	e.string(a.City)
	e.string(a.State)
	e.string(a.PostalCode)
	e.string(a.Country)

	s := &o.ShippingOption
	e.string(s.Name)
	e.string(s.ReferenceID)
	e.int(s.Price)
	e.int(s.Tax)
	e.string(s.TaxRate)
	e.int(int64(s.MinDays))
	e.int(int64(s.MaxDays))
	e.bool(o.TaxRemitted)

	e.len(o.Items == nil, len(o.Items))
	for i := range o.Items {
		it := &o.Items[i]
		e.string(it.ID)
		e.string(it.RetailerID)
		e.string(it.ProductID)
		e.string(it.ProductName)
		e.int(int64(it.Quantity))
		e.int(it.PricePerUnit)
		e.string(it.TaxRate)
		e.int(it.Tax)
		e.int(int64(it.Fulfilled))
		e.int(int64(it.Cancelled))
		e.int(it.CapturedAmount)
		e.int(it.CapturedTax)
		e.int(int64(it.RefundedQuantity))
		e.int(it.RefundedAmount)
		e.int(it.RefundedTax)
		e.int(int64(it.ReturnedQuantity))
	}

	e.len(o.Shipments == nil, len(o.Shipments))
	for i := range o.Shipments {
		sh := &o.Shipments[i]
		e.string(sh.ID)
		e.string(sh.ExternalShipmentID)
		e.time(sh.Created)
		e.itemQuantities(sh.Items)
		e.string(sh.Tracking.Carrier)
		e.string(sh.Tracking.TrackingNumber)
		e.string(sh.Tracking.ShippingMethodName)
		e.int(sh.Capture.Items)
		e.int(sh.Capture.ItemsTax)
		e.int(sh.Capture.Shipping)
		e.int(sh.Capture.ShippingTax)
	}

	e.len(o.Cancellations == nil, len(o.Cancellations))
	for i := range o.Cancellations {
		c := &o.Cancellations[i]
		e.string(c.ID)
		e.time(c.Created)
		e.string(c.Actor)
		e.string(c.ReasonCode)
		e.string(c.ReasonDescription)
		e.bool(c.RestockItems)
		e.itemQuantities(c.Items)
	}

	e.len(o.Refunds == nil, len(o.Refunds))
	for i := range o.Refunds {
		r := &o.Refunds[i]
		e.string(r.ID)
		e.time(r.Created)
		e.string(r.ReasonCode)
		e.string(r.ReasonText)
		e.len(r.Items == nil, len(r.Items))
		for j := range r.Items {
			ri := &r.Items[j]
			e.string(ri.ItemID)
			e.string(ri.RetailerID)
			e.int(int64(ri.Quantity))
			e.int(ri.Amount)
			e.int(ri.Tax)
		}
		e.int(r.Shipping)
		e.int(r.ShippingTax)
	}

	e.len(o.Promotions == nil, len(o.Promotions))
	for i := range o.Promotions {
		p := &o.Promotions[i]
		e.string(p.Reason)
		e.int(p.Amount)
		e.string(p.Sponsor)
	}

	e.int(o.Version)
	e.int(o.EventSeq)

	// docV2 trailer.
	for i := range o.Shipments {
		sh := &o.Shipments[i]
		e.string(sh.FulfillmentLocationID)
		e.address(&sh.FulfillmentAddress)
	}
	for i := range o.Refunds {
		r := &o.Refunds[i]
		e.int(r.Deduction)
		e.int(r.Adjustment)
		e.string(r.ReturnID)
	}
	e.len(o.Returns == nil, len(o.Returns))
	for i := range o.Returns {
		r := &o.Returns[i]
		e.string(r.ID)
		e.string(r.MerchantReturnID)
		e.time(r.Created)
		e.time(r.Updated)
		e.string(r.Actor)
		e.string(string(r.Status))
		e.string(r.Message)
		e.string(r.Notes)
		e.len(r.Items == nil, len(r.Items))
		for j := range r.Items {
			ri := &r.Items[j]
			e.string(ri.ItemID)
			e.string(ri.RetailerID)
			e.int(int64(ri.Quantity))
			e.string(ri.Reason)
		}
		e.string(r.RefundID)
	}

	// docV3 trailer.
	e.len(o.Chargebacks == nil, len(o.Chargebacks))
	for i := range o.Chargebacks {
		c := &o.Chargebacks[i]
		e.string(c.ID)
		e.time(c.Created)
		e.int(c.Amount)
		e.string(string(c.Outcome))
		e.int(c.Fee)
	}
	return e.buf
}

func (e *encoder) address(a *ordergraph.Address) {
	e.string(a.Name)
	e.string(a.FirstName)
	e.string(a.LastName)
	e.string(a.Street1)
	e.string(a.Street2)
	e.string(a.City)
	e.string(a.State)
	e.string(a.PostalCode)
	e.string(a.Country)
}

func (d *decoder) address(a *ordergraph.Address) {
	a.Name = d.string()
	a.FirstName = d.string()
	a.LastName = d.string()
	a.Street1 = d.string()
	a.Street2 = d.string()
	a.City = d.string()
	a.State = d.string()
	a.PostalCode = d.string()
	a.Country = d.string()
}

// Decode reads a document of any format, binary or JSON, with every time
// in UTC. A document that does not decode is ErrCorrupt.
func Decode(doc []byte) (*ordergraph.Order, error) {
	var o ordergraph.Order
	if len(doc) == 0 {
		return nil, ErrCorrupt
	}
	switch doc[0] {
	case '{':
		if err := json.Unmarshal(doc, &o); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		utcOrder(&o)
		return &o, nil
	case docV1, docV2, docV3:
	default:
		return nil, fmt.Errorf("%w: unknown format %d", ErrCorrupt, doc[0])
	}

	// One string holds every string field: decoding allocates once for
	// them all, not once each.
	d := decoder{buf: string(doc[1:])}
	o.ID = d.string()
	o.PageID = d.string()
	o.Currency = d.string()
	o.Channel = d.string()
	o.Created = d.time()
	o.LastUpdated = d.time()
	o.ReleaseAt = d.time()
	o.ReleasedAt = d.timePtr()
	o.AckedAt = d.timePtr()
	o.AckDueAt = d.time()
	o.AckSLABreached = d.bool()
	o.ShipByDate = d.string()
	o.HandlingDays = d.intn()
	o.Outcome = ordergraph.HoldOutcome(d.string())
	o.AutoAcknowledge = d.bool()
	o.MerchantOrderReference = d.string()

	b := &o.Buyer
	b.Name = d.string()
	b.Email = d.string()
	b.EmailRemarketingOption = d.bool()
	b.Phone = d.string()

	a := &o.ShippingAddress
	a.Name = d.string()
	a.FirstName = d.string()
	a.LastName = d.string()
	a.Street1 = d.string()
	a.Street2 = d.string()
	a.City = d.string()
	a.State = d.string()
	a.PostalCode = d.string()
	a.Country = d.string()

	s := &o.ShippingOption
	s.Name = d.string()
	s.ReferenceID = d.string()
	s.Price = d.int()
	s.Tax = d.int()
	s.TaxRate = d.string()
	s.MinDays = d.intn()
	s.MaxDays = d.intn()
	o.TaxRemitted = d.bool()

	o.Items = makeSlice[ordergraph.Item](&d)
	for i := range o.Items {
		it := &o.Items[i]
		it.ID = d.string()
		it.RetailerID = d.string()
		it.ProductID = d.string()
		it.ProductName = d.string()
		it.Quantity = d.intn()
		it.PricePerUnit = d.int()
		it.TaxRate = d.string()
		it.Tax = d.int()
		it.Fulfilled = d.intn()
		it.Cancelled = d.intn()
		it.CapturedAmount = d.int()
		it.CapturedTax = d.int()
		it.RefundedQuantity = d.intn()
		it.RefundedAmount = d.int()
		it.RefundedTax = d.int()
		it.ReturnedQuantity = d.intn()
	}

	o.Shipments = makeSlice[ordergraph.Shipment](&d)
	for i := range o.Shipments {
		sh := &o.Shipments[i]
		sh.ID = d.string()
		sh.ExternalShipmentID = d.string()
		sh.Created = d.time()
		sh.Items = d.itemQuantities()
		sh.Tracking.Carrier = d.string()
		sh.Tracking.TrackingNumber = d.string()
		sh.Tracking.ShippingMethodName = d.string()
		sh.Capture.Items = d.int()
		sh.Capture.ItemsTax = d.int()
		sh.Capture.Shipping = d.int()
		sh.Capture.ShippingTax = d.int()
	}

	o.Cancellations = makeSlice[ordergraph.Cancellation](&d)
	for i := range o.Cancellations {
		c := &o.Cancellations[i]
		c.ID = d.string()
		c.Created = d.time()
		c.Actor = d.string()
		c.ReasonCode = d.string()
		c.ReasonDescription = d.string()
		c.RestockItems = d.bool()
		c.Items = d.itemQuantities()
	}

	o.Refunds = makeSlice[ordergraph.Refund](&d)
	for i := range o.Refunds {
		r := &o.Refunds[i]
		r.ID = d.string()
		r.Created = d.time()
		r.ReasonCode = d.string()
		r.ReasonText = d.string()
		r.Items = makeSlice[ordergraph.RefundItem](&d)
		for j := range r.Items {
			ri := &r.Items[j]
			ri.ItemID = d.string()
			ri.RetailerID = d.string()
			ri.Quantity = d.intn()
			ri.Amount = d.int()
			ri.Tax = d.int()
		}
		r.Shipping = d.int()
		r.ShippingTax = d.int()
	}

	o.Promotions = makeSlice[ordergraph.Promotion](&d)
	for i := range o.Promotions {
		p := &o.Promotions[i]
		p.Reason = d.string()
		p.Amount = d.int()
		p.Sponsor = d.string()
	}

	o.Version = d.int()
	o.EventSeq = d.int()

	if doc[0] >= docV2 {
		for i := range o.Shipments {
			sh := &o.Shipments[i]
			sh.FulfillmentLocationID = d.string()
			d.address(&sh.FulfillmentAddress)
		}
		for i := range o.Refunds {
			r := &o.Refunds[i]
			r.Deduction = d.int()
			r.Adjustment = d.int()
			r.ReturnID = d.string()
		}
		o.Returns = makeSlice[ordergraph.Return](&d)
		for i := range o.Returns {
			r := &o.Returns[i]
			r.ID = d.string()
			r.MerchantReturnID = d.string()
			r.Created = d.time()
			r.Updated = d.time()
			r.Actor = d.string()
			r.Status = ordergraph.ReturnStatus(d.string())
			r.Message = d.string()
			r.Notes = d.string()
			r.Items = makeSlice[ordergraph.ReturnItem](&d)
			for j := range r.Items {
				ri := &r.Items[j]
				ri.ItemID = d.string()
				ri.RetailerID = d.string()
				ri.Quantity = d.intn()
				ri.Reason = d.string()
			}
			r.RefundID = d.string()
		}
	}
	if doc[0] >= docV3 {
		o.Chargebacks = makeSlice[ordergraph.Chargeback](&d)
		for i := range o.Chargebacks {
			c := &o.Chargebacks[i]
			c.ID = d.string()
			c.Created = d.time()
			c.Amount = d.int()
			c.Outcome = ordergraph.ChargebackOutcome(d.string())
			c.Fee = d.int()
		}
	}
	if d.err == nil && len(d.buf) != 0 {
		d.err = fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(d.buf))
	}
	if d.err != nil {
		return nil, d.err
	}
	return &o, nil
}

type encoder struct{ buf []byte }

func (e *encoder) int(v int64)     { e.buf = binary.AppendVarint(e.buf, v) }
func (e *encoder) uint(v uint64)   { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) string(s string) { e.uint(uint64(len(s))); e.buf = append(e.buf, s...) }

func (e *encoder) bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

// len writes a slice's length, keeping nil apart from empty.
func (e *encoder) len(isNil bool, n int) {
	if isNil {
		e.uint(0)
	} else {
		e.uint(uint64(n) + 1)
	}
}

func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.bool(false)
		return
	}
	e.bool(true)
	e.int(t.UnixNano())
}

func (e *encoder) timePtr(t *time.Time) {
	e.bool(t != nil)
	if t != nil {
		e.time(*t)
	}
}

func (e *encoder) itemQuantities(qs []ordergraph.ItemQuantity) {
	e.len(qs == nil, len(qs))
	for _, q := range qs {
		e.string(q.ItemID)
		e.string(q.RetailerID)
		e.int(int64(q.Quantity))
	}
}

// decoder reads what encoder wrote. After the first error every read
// returns a zero value and err keeps that error.
type decoder struct {
	buf string
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = ErrCorrupt
	}
	d.buf = ""
}

func (d *decoder) uint() uint64 {
	// binary.Uvarint, on a string.
	var v uint64
	for i := 0; i < len(d.buf) && i < binary.MaxVarintLen64; i++ {
		b := d.buf[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				break // overflow
			}
			d.buf = d.buf[i+1:]
			return v | uint64(b)<<(7*i)
		}
		v |= uint64(b&0x7f) << (7 * i)
	}
	d.fail()
	return 0
}

func (d *decoder) int() int64 {
	u := d.uint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// intn reads an int field.
func (d *decoder) intn() int {
	v := d.int()
	if v < math.MinInt || v > math.MaxInt {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *decoder) string() string {
	n := d.uint()
	if n > uint64(len(d.buf)) {
		d.fail()
		return ""
	}
	s := d.buf[:n]
	d.buf = d.buf[n:]
	return s
}

func (d *decoder) bool() bool {
	if len(d.buf) == 0 || d.buf[0] > 1 {
		d.fail()
		return false
	}
	v := d.buf[0] == 1
	d.buf = d.buf[1:]
	return v
}

// len reads a slice's length; ok is false for a nil slice.
func (d *decoder) len() (n int, ok bool) {
	v := d.uint()
	// Every element takes at least one byte: a larger count is corrupt,
	// and must not allocate.
	if v == 0 || v-1 > uint64(len(d.buf)) {
		if v != 0 {
			d.fail()
		}
		return 0, false
	}
	return int(v - 1), true
}

func makeSlice[T any](d *decoder) []T {
	n, ok := d.len()
	if !ok {
		return nil
	}
	return make([]T, n)
}

func (d *decoder) time() time.Time {
	if !d.bool() {
		return time.Time{}
	}
	return time.Unix(0, d.int()).UTC()
}

func (d *decoder) timePtr() *time.Time {
	if !d.bool() {
		return nil
	}
	t := d.time()
	return &t
}

func (d *decoder) itemQuantities() []ordergraph.ItemQuantity {
	qs := makeSlice[ordergraph.ItemQuantity](d)
	for i := range qs {
		qs[i].ItemID = d.string()
		qs[i].RetailerID = d.string()
		qs[i].Quantity = d.intn()
	}
	return qs
}

// utcOrder puts every time of a JSON-decoded o in UTC, as the store
// returns all times.
func utcOrder(o *ordergraph.Order) {
	o.Created = o.Created.UTC()
	o.LastUpdated = o.LastUpdated.UTC()
	o.ReleaseAt = o.ReleaseAt.UTC()
	o.AckDueAt = o.AckDueAt.UTC()
	if o.ReleasedAt != nil {
		*o.ReleasedAt = o.ReleasedAt.UTC()
	}
	if o.AckedAt != nil {
		*o.AckedAt = o.AckedAt.UTC()
	}
	for i := range o.Shipments {
		o.Shipments[i].Created = o.Shipments[i].Created.UTC()
	}
	for i := range o.Cancellations {
		o.Cancellations[i].Created = o.Cancellations[i].Created.UTC()
	}
	for i := range o.Refunds {
		o.Refunds[i].Created = o.Refunds[i].Created.UTC()
	}
	for i := range o.Returns {
		o.Returns[i].Created = o.Returns[i].Created.UTC()
		o.Returns[i].Updated = o.Returns[i].Updated.UTC()
	}
	for i := range o.Chargebacks {
		o.Chargebacks[i].Created = o.Chargebacks[i].Created.UTC()
	}
}
