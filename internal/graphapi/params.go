package graphapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxBodyBytes bounds a request body; maxMultipartMemory bounds the part of
// a multipart form kept in memory (file parts are ignored).
const (
	maxBodyBytes = 10 << 20
	// maxBracketDepth bounds PHP bracket nesting (a[b][c]…): real clients
	// nest three or four levels, and unbounded nesting would let one
	// request exhaust the stack.
	maxBracketDepth    = 16
	maxMultipartMemory = 10 << 20
)

// params are a request's parameters merged from the query string and the
// body, whatever its encoding. Values are strings (form and query values,
// decoded lazily when a JSON object or array is expected), JSON values
// (string, json.Number, bool, nil, []any, map[string]any) from a JSON body,
// and the nested maps and arrays PHP bracket notation builds.
type params map[string]any

// parseParams merges the query string and the body of r: query first, the
// body's values override. The body is read as JSON, url-encoded form or
// multipart form according to Content-Type (or, without one, by its look),
// on any method.
func parseParams(r *http.Request) (params, error) {
	p := params{}
	for key, vals := range r.URL.Query() {
		for _, v := range vals {
			p.setForm(key, v)
		}
	}
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			return nil, errParam("body", msgBodyForm, "a request body", err)
		}
		if len(body) > maxBodyBytes {
			return nil, errParam("body", msgBodyTooLarge, maxBodyBytes)
		}
		if err := p.mergeBody(r.Header.Get("Content-Type"), body); err != nil {
			return nil, err
		}
	}
	p.normalize()
	return p, nil
}

func (p params) mergeBody(contentType string, body []byte) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	mediaType, mparams, _ := mime.ParseMediaType(contentType)
	switch {
	case mediaType == "application/json" || mediaType == "text/json" || strings.HasSuffix(mediaType, "+json"):
		return p.mergeJSON(trimmed)
	case mediaType == "application/x-www-form-urlencoded":
		return p.mergeForm(string(trimmed))
	case mediaType == "multipart/form-data":
		boundary := mparams["boundary"]
		if boundary == "" {
			return errParam("body", msgBodyForm, "multipart/form-data", "no boundary")
		}
		form, err := multipart.NewReader(bytes.NewReader(body), boundary).ReadForm(maxMultipartMemory)
		if err != nil {
			return errParam("body", msgBodyForm, "multipart/form-data", err)
		}
		defer func() { _ = form.RemoveAll() }()
		keys := make([]string, 0, len(form.Value))
		for k := range form.Value {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range form.Value[k] {
				p.setForm(k, v)
			}
		}
		return nil
	default:
		// No or another content type: a JSON object looks like one;
		// anything else is tried as a form.
		if trimmed[0] == '{' {
			return p.mergeJSON(trimmed)
		}
		if bytes.ContainsRune(trimmed, '=') {
			return p.mergeForm(string(trimmed))
		}
		return nil
	}
}

func (p params) mergeJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return errParam("body", msgBodyJSON, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return errParam("body", msgBodyJSON, "the body is not an object")
	}
	for k, val := range m {
		p[k] = val
	}
	return nil
}

func (p params) mergeForm(body string) error {
	vals, err := url.ParseQuery(body)
	if err != nil {
		return errParam("body", msgBodyForm, "application/x-www-form-urlencoded", err)
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range vals[k] {
			p.setForm(k, v)
		}
	}
	return nil
}

// bracketMap is a map built by PHP bracket notation; normalize turns those
// whose keys are all indexes into arrays.
type bracketMap map[string]any

// setForm sets a form or query value, following PHP bracket notation:
// a[b][0][c]=x nests, a[]=x appends. A plain key set twice keeps the last
// value.
func (p params) setForm(key, value string) {
	open := strings.IndexByte(key, '[')
	if open <= 0 || !strings.HasSuffix(key, "]") {
		p[key] = value
		return
	}
	path := []string{key[:open]}
	rest := key[open:]
	for len(rest) > 0 {
		if rest[0] != '[' {
			p[key] = value // not bracket notation after all
			return
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			p[key] = value
			return
		}
		path = append(path, rest[1:end])
		rest = rest[end+1:]
		if len(path) > maxBracketDepth {
			p[key] = value // deeper than any real request: keep it literal
			return
		}
	}
	var cur map[string]any = p
	for i, seg := range path {
		last := i == len(path)-1
		if seg == "" {
			seg = strconv.Itoa(len(cur))
		}
		if last {
			cur[seg] = value
			return
		}
		next, ok := cur[seg].(bracketMap)
		if !ok {
			next = bracketMap{}
			cur[seg] = next
		}
		cur = next
	}
}

// normalize turns bracket maps into plain maps, or into arrays when every
// key is an index (items[0][..], items[1][..]).
func (p params) normalize() {
	for k, v := range p {
		p[k] = normalizeValue(v)
	}
}

func normalizeValue(v any) any {
	bm, ok := v.(bracketMap)
	if !ok {
		return v
	}
	idx := make([]int, 0, len(bm))
	for k := range bm {
		n, err := strconv.Atoi(k)
		if err != nil || n < 0 || strconv.Itoa(n) != k {
			idx = nil
			break
		}
		idx = append(idx, n)
	}
	if idx != nil && len(idx) == len(bm) {
		sort.Ints(idx)
		out := make([]any, len(idx))
		for i, n := range idx {
			out[i] = normalizeValue(bm[strconv.Itoa(n)])
		}
		return out
	}
	m := make(map[string]any, len(bm))
	for k, val := range bm {
		m[k] = normalizeValue(val)
	}
	return m
}

// node is a JSON object among the parameters, with the path used to name
// its members in error messages (items[0][quantity]).
type node struct {
	m    map[string]any
	path string
}

// root returns the top-level parameters as a node.
func (p params) root() node { return node{m: p} }

func (n node) name(key string) string {
	if n.path == "" {
		return key
	}
	return n.path + "[" + key + "]"
}

// absent reports whether a value counts as not given: missing, null, or an
// empty string.
func absent(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && strings.TrimSpace(s) == ""
}

// has reports whether key is given.
func (n node) has(key string) bool { return !absent(n.m[key]) }

// String returns a string parameter; numbers and booleans are accepted and
// kept as their decimal text (merchant_order_reference sent as 46192).
func (n node) String(key string) (string, error) {
	v := n.m[key]
	if absent(v) {
		return "", nil
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	}
	return "", errParam(n.name(key), msgParamString, n.name(key))
}

// RequiredString returns a string parameter that must be given.
func (n node) RequiredString(key string) (string, error) {
	s, err := n.String(key)
	if err != nil {
		return "", err
	}
	if s == "" {
		return "", errRequired(n.name(key))
	}
	return s, nil
}

func matchEnum(name, s string, allowed []string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(a, s) {
			return a, nil
		}
	}
	return "", errEnum(name, allowed, s)
}

// RequiredPositiveInt reads a required whole number above zero (a
// quantity).
func (n node) RequiredPositiveInt(key string) (int64, error) {
	q, present, err := n.Int(key)
	if err != nil || !present || q <= 0 {
		if !present && err == nil {
			return 0, errRequired(n.name(key))
		}
		return 0, errParam(n.name(key), msgParamPositiveInt, n.name(key))
	}
	return q, nil
}

// Int returns an integer parameter given as a number or a string ("3",
// 3, 3.0); ok is false when absent.
func (n node) Int(key string) (int64, bool, error) {
	v := n.m[key]
	if absent(v) {
		return 0, false, nil
	}
	i, ok := toInt(v)
	if !ok {
		return 0, true, errParam(n.name(key), msgParamInt, n.name(key))
	}
	return i, true, nil
}

func toInt(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = x.String()
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return int64(x), true
	case int64:
		return x, true
	default:
		return 0, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// Bool returns a boolean parameter: true/false, "true"/"false", 1/0, "1"/"0".
func (n node) Bool(key string) (bool, bool, error) {
	v := n.m[key]
	if absent(v) {
		return false, false, nil
	}
	switch x := v.(type) {
	case bool:
		return x, true, nil
	case string, json.Number, float64:
		var s string
		switch y := x.(type) {
		case string:
			s = y
		case json.Number:
			s = y.String()
		case float64:
			s = strconv.FormatFloat(y, 'f', -1, 64)
		}
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1", "1.0":
			return true, true, nil
		case "false", "0", "0.0":
			return false, true, nil
		}
	}
	return false, true, errParam(n.name(key), msgParamBool, n.name(key))
}

// Object returns a nested object parameter: a JSON object, a form value
// holding one, or bracket notation. "null" counts as absent.
func (n node) Object(key string) (node, bool, error) {
	v := n.m[key]
	m, present, ok := toObject(v)
	if !present {
		return node{}, false, nil
	}
	if !ok {
		return node{}, true, errParam(n.name(key), msgParamObject, n.name(key))
	}
	return node{m: m, path: n.name(key)}, true, nil
}

func toObject(v any) (m map[string]any, present, ok bool) {
	if absent(v) {
		return nil, false, true
	}
	switch x := v.(type) {
	case map[string]any:
		return x, true, true
	case string:
		j, err := decodeJSONValue(x)
		if err != nil {
			return nil, true, false
		}
		if j == nil {
			return nil, false, true
		}
		m, ok := j.(map[string]any)
		return m, true, ok
	}
	return nil, true, false
}

// List returns an array parameter: a JSON array, a form value holding one,
// or bracket notation. "null" counts as absent; "[]" is present and empty.
func (n node) List(key string) ([]any, bool, error) {
	v := n.m[key]
	if absent(v) {
		return nil, false, nil
	}
	switch x := v.(type) {
	case []any:
		return x, true, nil
	case string:
		j, err := decodeJSONValue(x)
		if err == nil {
			if j == nil {
				return nil, false, nil
			}
			if l, ok := j.([]any); ok {
				return l, true, nil
			}
		}
	}
	return nil, true, errParam(n.name(key), msgParamList, n.name(key))
}

// Elem returns the i-th element of the array parameter key as an object.
func (n node) Elem(key string, i int, v any) (node, error) {
	name := n.name(key) + "[" + strconv.Itoa(i) + "]"
	m, present, ok := toObject(v)
	if !present || !ok {
		return node{}, errParam(name, msgParamObject, name)
	}
	return node{m: m, path: name}, nil
}

// StringList returns a list of strings given as a comma list ("A,B"), a
// quoted comma list ("\"A,B\"", as the legacy docs send it), a JSON array
// (["A","B"]), or an array parameter.
func (n node) StringList(key string) ([]string, error) {
	v := n.m[key]
	if absent(v) {
		return nil, nil
	}
	var raw []any
	switch x := v.(type) {
	case []any:
		raw = x
	case string:
		s := strings.TrimSpace(x)
		if strings.HasPrefix(s, "[") {
			j, err := decodeJSONValue(s)
			l, ok := j.([]any)
			if err != nil || !ok {
				return nil, errParam(n.name(key), msgParamList, n.name(key))
			}
			raw = l
			break
		}
		for _, part := range strings.Split(s, ",") {
			raw = append(raw, part)
		}
	case json.Number:
		raw = []any{x.String()}
	default:
		return nil, errParam(n.name(key), msgParamList, n.name(key))
	}
	out := make([]string, 0, len(raw))
	for _, e := range raw {
		var s string
		switch x := e.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		default:
			return nil, errParam(n.name(key), msgParamList, n.name(key))
		}
		s = strings.Trim(s, "\"' \t")
		if s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// EnumList returns a StringList whose members must be among allowed (any
// case), in their allowed spelling, without duplicates.
func (n node) EnumList(key string, allowed []string) ([]string, error) {
	vals, err := n.StringList(key)
	if err != nil || len(vals) == 0 {
		return nil, err
	}
	out := make([]string, 0, len(vals))
	seen := map[string]bool{}
	for i, v := range vals {
		a, err := matchEnum(n.name(key)+"["+strconv.Itoa(i)+"]", v, allowed)
		if err != nil {
			return nil, err
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out, nil
}

// Time returns a datetime parameter given as Unix seconds (a number or a
// numeric string) or as ISO 8601 ("+0000", "+00:00" or "Z" offsets).
func (n node) Time(key string) (*time.Time, error) {
	t, _, err := n.timeAndGrain(key)
	return t, err
}

// TimeEnd reads a time parameter that ends an inclusive range (end_time):
// a value given to the second covers that whole second, and a date the
// whole day, so stored times with nanoseconds are not cut off.
func (n node) TimeEnd(key string) (*time.Time, error) {
	t, grain, err := n.timeAndGrain(key)
	if t == nil || err != nil {
		return t, err
	}
	end := t.Add(grain - time.Nanosecond)
	return &end, nil
}

// timeAndGrain parses a time parameter (Unix seconds, possibly fractional,
// or ISO 8601) and says how fine the value was given.
func (n node) timeAndGrain(key string) (*time.Time, time.Duration, error) {
	v := n.m[key]
	if absent(v) {
		return nil, 0, nil
	}
	s, err := n.String(key)
	if err != nil {
		return nil, 0, err
	}
	s = unquote(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		sec, frac := math.Modf(f)
		t := time.Unix(int64(sec), int64(frac*1e9)).UTC()
		grain := time.Second
		if frac != 0 {
			grain = time.Nanosecond
		}
		return &t, grain, nil
	}
	for _, layout := range []string{isoLayout, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			grain := time.Second
			switch {
			case layout == "2006-01-02":
				grain = 24 * time.Hour
			case t.Nanosecond() != 0:
				grain = time.Nanosecond
			}
			return &t, grain, nil
		}
	}
	return nil, 0, errParam(n.name(key), msgParamTime, n.name(key), s)
}

// unquote drops one pair of double or single quotes around s.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// decodeJSONValue decodes a form value that holds JSON, keeping numbers
// exact.
func decodeJSONValue(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

// queryValue renders a parameter back into a query-string value for paging
// URLs: strings as they came, numbers and booleans as text, structures as
// JSON.
func queryValue(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	default:
		b, err := marshal(x)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
}
