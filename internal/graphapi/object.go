package graphapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ordergraph/ordergraph"
)

// object is a JSON object whose keys keep the order they were added in, so
// every response renders the same bytes for the same data.
type object []member

type member struct {
	Key   string
	Value any
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := marshal(m.Key)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		v, err := marshal(m.Value)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", m.Key, err)
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshal encodes v as compact JSON without HTML escaping (paging URLs keep
// their "&") and without a trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Registry of object types: each Graph node or struct type is declared once,
// with its fields in declaration order, its default field list and its
// sub-object types; project renders any value of it by a fields= selection.
//
// To add a field to a type (the current API's many optional fields, the
// shipments/cancellations/refunds edges, reimbursements...), call add on the
// type's variable with a scalar/obj/list/edge field; nothing else changes.

// objectType is a Graph node type (node: true, which always carries its id)
// or a struct type nested in one.
type objectType struct {
	name     string
	node     bool
	fields   []*fieldDef
	byName   map[string]*fieldDef
	defaults selection
}

type fieldKind int

const (
	scalarField fieldKind = iota // a JSON scalar (or any ready-made value)
	objectField                  // a nested object of typ
	listField                    // an inline array of typ objects
	edgeField                    // {"data":[typ objects]}
)

// fieldDef is one field of a type. value returns the field's value from the
// source (a scalar for scalar fields; the nested source for objectField;
// []any of sources for listField and edgeField), or false to omit it.
type fieldDef struct {
	name string
	kind fieldKind
	typ  *objectType
	// defaults is the sub-selection used when the request gives none; nil
	// means typ's defaults.
	defaults selection
	// withheld fields are omitted while the order is FB_PROCESSING (buyer
	// details, email, shipping address: seed 000).
	withheld bool
	value    func(rc *renderCtx, src any) (any, bool)
}

func newType(name string, node bool) *objectType {
	return &objectType{name: name, node: node, byName: map[string]*fieldDef{}}
}

// add declares fields in order. Declaring a name twice is a programming
// error.
func (t *objectType) add(fs ...*fieldDef) *objectType {
	for _, f := range fs {
		if _, dup := t.byName[f.name]; dup {
			panic("graphapi: field " + f.name + " declared twice on " + t.name)
		}
		if f.kind != scalarField && f.typ == nil {
			panic("graphapi: field " + f.name + " of " + t.name + " needs a type")
		}
		t.fields = append(t.fields, f)
		t.byName[f.name] = f
	}
	return t
}

// setDefaults sets the fields rendered when no selection is given, in the
// order they are rendered.
func (t *objectType) setDefaults(names ...string) *objectType {
	t.defaults = mustSelection(t, names)
	return t
}

// mustSelection builds a flat selection of t's fields; an unknown name is a
// programming error.
func mustSelection(t *objectType, names []string) selection {
	sel := make(selection, 0, len(names))
	for _, n := range names {
		if t.byName[n] == nil {
			panic("graphapi: default field " + n + " not declared on " + t.name)
		}
		sel = append(sel, &fieldSel{name: n})
	}
	return sel
}

// on adapts a typed value function to a field's untyped source.
func on[T any](fn func(rc *renderCtx, v T) (any, bool)) func(*renderCtx, any) (any, bool) {
	return func(rc *renderCtx, src any) (any, bool) {
		v, ok := src.(T)
		if !ok {
			return nil, false
		}
		return fn(rc, v)
	}
}

func scalar(name string, fn func(*renderCtx, any) (any, bool)) *fieldDef {
	return &fieldDef{name: name, kind: scalarField, value: fn}
}

func obj(name string, typ *objectType, fn func(*renderCtx, any) (any, bool)) *fieldDef {
	return &fieldDef{name: name, kind: objectField, typ: typ, value: fn}
}

func list(name string, typ *objectType, fn func(*renderCtx, any) (any, bool)) *fieldDef {
	return &fieldDef{name: name, kind: listField, typ: typ, value: fn}
}

func edge(name string, typ *objectType, fn func(*renderCtx, any) (any, bool)) *fieldDef {
	return &fieldDef{name: name, kind: edgeField, typ: typ, value: fn}
}

// withhold marks f as withheld while the order is FB_PROCESSING.
func (f *fieldDef) withhold() *fieldDef {
	f.withheld = true
	return f
}

// withDefaults sets f's default sub-selection.
func (f *fieldDef) withDefaults(names ...string) *fieldDef {
	f.defaults = mustSelection(f.typ, names)
	return f
}

// validate checks a selection against t without data, so that a bad field
// fails before any lookup.
func validate(t *objectType, sel selection) error {
	for _, fs := range sel {
		f := t.byName[fs.name]
		if f == nil {
			return errParam("fields", msgNonexistingField, fs.name, t.name)
		}
		if fs.sub == nil {
			continue
		}
		if f.kind == scalarField {
			return errParam("fields", msgFieldNoSubfields, fs.name, t.name, fs.name)
		}
		if err := validate(f.typ, fs.sub); err != nil {
			return err
		}
	}
	return nil
}

// renderCtx carries what rendering needs beyond the source value.
type renderCtx struct {
	unixDates bool
	// order is the order being rendered: its currency and whether its buyer
	// data is withheld.
	order *ordergraph.Order
}

// withOrder returns a copy of rc rendering o.
func (rc *renderCtx) withOrder(o *ordergraph.Order) *renderCtx {
	c := *rc
	c.order = o
	return &c
}

// withheld reports whether buyer data of the current order is withheld.
func (rc *renderCtx) withheld() bool {
	return rc.order != nil && rc.order.State() == ordergraph.StateFBProcessing
}

// isoLayout is Graph's datetime format.
const isoLayout = "2006-01-02T15:04:05-0700"

// time renders t as Graph does: ISO 8601 with a +0000 offset, or Unix
// seconds with date_format=U.
func (rc *renderCtx) time(t time.Time) any {
	if rc.unixDates {
		return t.Unix()
	}
	return t.UTC().Format(isoLayout)
}

// money renders an amount of the current order's currency.
func (rc *renderCtx) money(amount int64) object {
	cur := ""
	if rc.order != nil {
		cur = rc.order.Currency
	}
	return moneyObject(amount, cur)
}

// moneyObject is Graph's currency_amount.
func moneyObject(amount int64, currency string) object {
	return object{{"amount", ordergraph.FormatAmount(amount, currency)}, {"currency", currency}}
}

// project renders src as t by sel; a nil sel renders t's defaults. Node
// types always carry their id: when a selection leaves it out, it is
// appended, as Graph does.
func (rc *renderCtx) project(t *objectType, src any, sel selection) (object, error) {
	explicit := sel != nil
	if !explicit {
		sel = t.defaults
	}
	out := make(object, 0, len(sel)+1)
	seenID := false
	for _, fs := range sel {
		f := t.byName[fs.name]
		if f == nil {
			return nil, errParam("fields", msgNonexistingField, fs.name, t.name)
		}
		if fs.name == "id" {
			seenID = true
		}
		if f.withheld && rc.withheld() {
			continue
		}
		v, ok := rc.renderField(f, fs, src)
		if !ok {
			continue
		}
		out = append(out, member{f.name, v})
	}
	if explicit && t.node && !seenID {
		if f := t.byName["id"]; f != nil {
			if v, ok := f.value(rc, src); ok {
				out = append(out, member{"id", v})
			}
		}
	}
	return out, nil
}

// renderField renders one field of src.
func (rc *renderCtx) renderField(f *fieldDef, fs *fieldSel, src any) (any, bool) {
	v, ok := f.value(rc, src)
	if !ok {
		return nil, false
	}
	sub := fs.sub
	if sub == nil && f.defaults != nil {
		sub = f.defaults
	}
	switch f.kind {
	case objectField:
		o, err := rc.project(f.typ, v, sub)
		if err != nil {
			return nil, false
		}
		return o, true
	case listField, edgeField:
		srcs, _ := v.([]any)
		if fs.limit > 0 && len(srcs) > fs.limit {
			srcs = srcs[:fs.limit]
		}
		items := make([]any, 0, len(srcs))
		for _, s := range srcs {
			o, err := rc.project(f.typ, s, sub)
			if err != nil {
				return nil, false
			}
			items = append(items, o)
		}
		if f.kind == listField {
			return items, true
		}
		return object{{"data", items}}, true
	default:
		return v, true
	}
}

// str renders a string field, omitted when empty.
func str(s string) (any, bool) { return s, s != "" }
