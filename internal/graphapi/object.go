package graphapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
	// key is the field whose value makes an entry's cursor in a list;
	// "" means id.
	key string
	// always are fields rendered whatever the selection names, beside it,
	// in declaration order (as a node's id is).
	always map[string]bool
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
	// noPaging edges render {"data":[...]} without paging, as the legacy
	// API's reimbursements and transaction_details do.
	noPaging bool
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

// alwaysRender names fields rendered whatever a selection names: an
// explicit selection gets them added, in declaration order.
func (t *objectType) alwaysRender(names ...string) *objectType {
	t.always = map[string]bool{}
	for _, n := range names {
		if t.byName[n] == nil {
			panic("graphapi: always-rendered field " + n + " not declared on " + t.name)
		}
		t.always[n] = true
	}
	return t
}

// withAlways merges t's always-rendered fields into an explicit selection,
// every field in declaration order.
func (t *objectType) withAlways(sel selection) selection {
	named := make(map[string]*fieldSel, len(sel))
	for _, fs := range sel {
		named[fs.name] = fs
	}
	out := make(selection, 0, len(t.fields))
	for _, f := range t.fields {
		if fs := named[f.name]; fs != nil {
			out = append(out, fs)
		} else if t.always[f.name] {
			out = append(out, &fieldSel{name: f.name})
		}
	}
	return out
}

// keyedBy names the field that identifies t's entries in lists (their
// cursors), for types without an id.
func (t *objectType) keyedBy(name string) *objectType {
	if t.byName[name] == nil {
		panic("graphapi: key field " + name + " not declared on " + t.name)
	}
	t.key = name
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

// unpaged makes an edge render {"data":[...]} without paging.
func (f *fieldDef) unpaged() *fieldDef {
	f.noPaging = true
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
	// txns are the loaded transactions of the orders rendered, by order
	// id (see call.loadTransactions).
	txns map[string][]*ordergraph.Transaction
	// edgeURL, when set, builds the paging.next URL of an edge rendered
	// inside a node (fields=items.limit(2)): the edge's own path on the
	// node, with sub as its fields.
	edgeURL func(nodeID, edge string, sub selection, limit int, after string) string
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
	} else if t.always != nil {
		sel = t.withAlways(sel)
	}
	out := make(object, 0, len(sel)+1)
	seenID := false
	nodeID := ""
	if t.node {
		nodeID = rc.idOf(t, src)
	}
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
		v, ok := rc.renderField(f, fs, src, nodeID)
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

// renderField renders one field of src, a field of node nodeID ("" when
// src is not a node).
func (rc *renderCtx) renderField(f *fieldDef, fs *fieldSel, src any, nodeID string) (any, bool) {
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
	case listField:
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
		return items, true
	case edgeField:
		srcs, _ := v.([]any)
		if f.noPaging {
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
			return object{{"data", items}}, true
		}
		// An edge inside a node is paged as the edge itself is: 25
		// entries unless .limit(n) says otherwise, with cursors and the
		// URL of the next page.
		limit := fs.limit
		if limit <= 0 {
			limit = defaultLimit
		}
		limit = min(limit, maxLimit)
		page, pi, err := rc.pageOf(f.typ, srcs, limit, "", "")
		if err != nil {
			return nil, false
		}
		items := make([]any, 0, len(page))
		for _, s := range page {
			o, err := rc.project(f.typ, s, sub)
			if err != nil {
				return nil, false
			}
			items = append(items, o)
		}
		out := object{{"data", items}}
		if len(items) == 0 {
			return out, true
		}
		paging := object{{"cursors", object{{"before", pi.before}, {"after", pi.after}}}}
		if pi.hasNext && nodeID != "" && rc.edgeURL != nil {
			paging = append(paging, member{"next", rc.edgeURL(nodeID, f.name, fs.sub, limit, pi.after)})
		}
		return append(out, member{"paging", paging}), true
	default:
		return v, true
	}
}

// str renders a string field, omitted when empty.
func str(s string) (any, bool) { return s, s != "" }

// idOf returns the id t renders for src ("" without an id field).
func (rc *renderCtx) idOf(t *objectType, src any) string {
	f := t.byName["id"]
	if f == nil {
		return ""
	}
	v, ok := f.value(rc, src)
	if !ok {
		return ""
	}
	s, _ := v.(string)
	return s
}

// Cursors of the objects inside one order (items, shipments, refunds...)
// and of other short lists: the object's id (or, for entries without one,
// its position), made opaque as Graph's cursors are. The list is small and
// in a stable order, so a cursor finds its place by looking.
const edgeCursorPrefix = "og1:"

func encodeEdgeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(edgeCursorPrefix + key))
}

func decodeEdgeCursor(s string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || !bytes.HasPrefix(b, []byte(edgeCursorPrefix)) {
		return "", false
	}
	return string(b[len(edgeCursorPrefix):]), true
}

// cursorKey is what an entry's cursor holds: its id (or key field), else
// "#position".
func (rc *renderCtx) cursorKey(t *objectType, src any, i int) string {
	if f := t.byName[t.key]; t.key != "" && f != nil {
		if v, ok := f.value(rc, src); ok {
			if s, _ := v.(string); s != "" {
				return s
			}
		}
	} else if id := rc.idOf(t, src); id != "" {
		return id
	}
	return "#" + strconv.Itoa(i)
}

// pageOf cuts one page of at most limit entries out of srcs, after or
// before the entry a cursor names.
func (rc *renderCtx) pageOf(t *objectType, srcs []any, limit int, after, before string) ([]any, pageInfo, error) {
	start, end := 0, len(srcs)
	find := func(param, cursor string) (int, error) {
		key, ok := decodeEdgeCursor(cursor)
		if ok {
			for i, s := range srcs {
				if rc.cursorKey(t, s, i) == key {
					return i, nil
				}
			}
		}
		return 0, errParam(param, msgParamCursor, param)
	}
	switch {
	case after != "":
		i, err := find("after", after)
		if err != nil {
			return nil, pageInfo{}, err
		}
		start = i + 1
		end = min(len(srcs), start+limit)
	case before != "":
		i, err := find("before", before)
		if err != nil {
			return nil, pageInfo{}, err
		}
		end = i
		start = max(0, end-limit)
	default:
		end = min(len(srcs), limit)
	}
	page := srcs[start:end]
	pi := pageInfo{limit: limit, hasPrevious: start > 0, hasNext: end < len(srcs)}
	if len(page) > 0 {
		pi.before = encodeEdgeCursor(rc.cursorKey(t, page[0], start))
		pi.after = encodeEdgeCursor(rc.cursorKey(t, page[len(page)-1], end-1))
	}
	return page, pi, nil
}
