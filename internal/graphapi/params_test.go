package graphapi

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustParams(t testing.TB, method, target, contentType, body string) params {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	p, err := parseParams(r)
	if err != nil {
		t.Fatalf("parseParams: %v", err)
	}
	return p
}

func TestParseParams_Brackets(t *testing.T) {
	t.Parallel()
	body := "items[0][retailer_id]=a&items[0][quantity]=2&items[1][retailer_id]=b&items[1][quantity]=1.0" +
		"&cancel_reason[reason_code]=OUT_OF_STOCK&fulfillment[fulfillment_address][city]=Boston&tags[]=x&tags[]=y&plain=1"
	p := mustParams(t, "POST", "/1/x", "application/x-www-form-urlencoded", body)
	want := params{
		"items": []any{
			map[string]any{"retailer_id": "a", "quantity": "2"},
			map[string]any{"retailer_id": "b", "quantity": "1.0"},
		},
		"cancel_reason": map[string]any{"reason_code": "OUT_OF_STOCK"},
		"fulfillment":   map[string]any{"fulfillment_address": map[string]any{"city": "Boston"}},
		"tags":          []any{"x", "y"},
		"plain":         "1",
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseParams_Encodings(t *testing.T) {
	t.Parallel()
	t.Run("GETWithJSONEmptyObject", func(t *testing.T) {
		t.Parallel()
		p := mustParams(t, "GET", "/1?fields=id", "application/json", "{}")
		if diff := cmp.Diff(params{"fields": "id"}, p); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("JSONContentTypeNoBody", func(t *testing.T) {
		t.Parallel()
		p := mustParams(t, "GET", "/1?a=b", "application/json", "")
		if diff := cmp.Diff(params{"a": "b"}, p); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("BodyOverridesQuery", func(t *testing.T) {
		t.Parallel()
		p := mustParams(t, "POST", "/1?a=query&b=query", "application/json", `{"a":"body","n":46192,"f":1.5,"ok":true}`)
		want := params{"a": "body", "b": "query", "n": json.Number("46192"), "f": json.Number("1.5"), "ok": true}
		if diff := cmp.Diff(want, p); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("NoContentTypeJSON", func(t *testing.T) {
		t.Parallel()
		p := mustParams(t, "POST", "/1", "", `{"a":"b"}`)
		if diff := cmp.Diff(params{"a": "b"}, p); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("NoContentTypeForm", func(t *testing.T) {
		t.Parallel()
		p := mustParams(t, "POST", "/1", "", `a=b&c[d]=e`)
		if diff := cmp.Diff(params{"a": "b", "c": map[string]any{"d": "e"}}, p); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("FormOnGET", func(t *testing.T) {
		t.Parallel()
		p := mustParams(t, "GET", "/1", "application/x-www-form-urlencoded", `limit=5`)
		if diff := cmp.Diff(params{"limit": "5"}, p); diff != "" {
			t.Error(diff)
		}
	})
}

func TestParseParams_BadBodies(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string][2]string{
		"InvalidJSON":   {"application/json", `{"a":`},
		"JSONArray":     {"application/json", `[1,2]`},
		"NoBoundary":    {"multipart/form-data", "x"},
		"BadMultipart":  {"multipart/form-data; boundary=zz", "garbage"},
		"BadFormEscape": {"application/x-www-form-urlencoded", "a=%zz"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/1", strings.NewReader(tc[1]))
			r.Header.Set("Content-Type", tc[0])
			if _, err := parseParams(r); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestNode_LenientValues(t *testing.T) {
	t.Parallel()
	p := params{
		"s_num": json.Number("46192"), "s_bool": true, "s_str": " x ",
		"i_str": "3", "i_float_str": "3.0", "i_num": json.Number("3"), "i_numf": json.Number("3.0"), "i_bad": "3.5",
		"b_true": "true", "b_1": json.Number("1"), "b_0s": "0", "b_bad": "maybe",
		"o_json": `{"k":"v"}`, "o_null": "null", "o_bad": `[1]`,
		"l_json": `[{"k":1}]`, "l_null": "null", "l_empty": "[]", "l_bad": `{"k":1}`,
	}
	root := p.root()
	str := func(k string) string {
		s, err := root.String(k)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		return s
	}
	if got := str("s_num"); got != "46192" {
		t.Errorf("s_num = %q", got)
	}
	if got := str("s_bool"); got != "true" {
		t.Errorf("s_bool = %q", got)
	}
	if got := str("s_str"); got != "x" {
		t.Errorf("s_str = %q", got)
	}
	for _, k := range []string{"i_str", "i_float_str", "i_num", "i_numf"} {
		if n, ok, err := root.Int(k); n != 3 || !ok || err != nil {
			t.Errorf("%s = %d %v %v", k, n, ok, err)
		}
	}
	if _, _, err := root.Int("i_bad"); err == nil {
		t.Error("i_bad: no error")
	}
	for k, want := range map[string]bool{"b_true": true, "b_1": true, "b_0s": false} {
		if b, ok, err := root.Bool(k); b != want || !ok || err != nil {
			t.Errorf("%s = %v %v %v", k, b, ok, err)
		}
	}
	if _, _, err := root.Bool("b_bad"); err == nil {
		t.Error("b_bad: no error")
	}
	if o, ok, err := root.Object("o_json"); !ok || err != nil || o.m["k"] != "v" || o.path != "o_json" {
		t.Errorf("o_json = %+v %v %v", o, ok, err)
	}
	if _, ok, err := root.Object("o_null"); ok || err != nil {
		t.Errorf("o_null = %v %v", ok, err)
	}
	if _, _, err := root.Object("o_bad"); err == nil {
		t.Error("o_bad: no error")
	}
	if l, ok, err := root.List("l_json"); len(l) != 1 || !ok || err != nil {
		t.Errorf("l_json = %v %v %v", l, ok, err)
	}
	if _, ok, err := root.List("l_null"); ok || err != nil {
		t.Errorf("l_null = %v %v", ok, err)
	}
	if l, ok, err := root.List("l_empty"); len(l) != 0 || !ok || err != nil {
		t.Errorf("l_empty = %v %v %v", l, ok, err)
	}
	if _, _, err := root.List("l_bad"); err == nil {
		t.Error("l_bad: no error")
	}
}

func TestNode_StringList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    any
		want []string
	}{
		{"Comma", "CREATED,IN_PROGRESS", []string{"CREATED", "IN_PROGRESS"}},
		{"Spaces", " CREATED , IN_PROGRESS ", []string{"CREATED", "IN_PROGRESS"}},
		{"QuotedList", `"CREATED,IN_PROGRESS"`, []string{"CREATED", "IN_PROGRESS"}},
		{"QuotedMembers", `"CREATED","IN_PROGRESS"`, []string{"CREATED", "IN_PROGRESS"}},
		{"JSONArrayString", `["CREATED", "IN_PROGRESS"]`, []string{"CREATED", "IN_PROGRESS"}},
		{"JSONArray", []any{"CREATED"}, []string{"CREATED"}},
		{"Single", "SHIPPED", []string{"SHIPPED"}},
		{"TrailingComma", "SHIPPED,", []string{"SHIPPED"}},
		{"Empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := params{"k": tt.v}.root().StringList("k")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestRequestHash_Canonical(t *testing.T) {
	t.Parallel()
	a, _ := requestHash(cancelRequest{ReasonCode: "OUT_OF_STOCK"})
	b, _ := requestHash(cancelRequest{ReasonCode: "OUT_OF_STOCK"})
	c, _ := requestHash(cancelRequest{ReasonCode: "CUSTOMER_REQUESTED"})
	if a != b || a == c || len(a) != 64 {
		t.Errorf("hashes %s %s %s", a, b, c)
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		v       any
		want    string
		wantErr bool
	}{
		{"Absent", nil, "", false},
		{"Empty", "", "", false},
		{"UUID", "cb090e84-e75a-9a34-45d3-5153bec88b65", "cb090e84-e75a-9a34-45d3-5153bec88b65", false},
		{"Number", json.Number("12345"), "12345", false},
		{"Max", strings.Repeat("k", 100), strings.Repeat("k", 100), false},
		{"TooLong", strings.Repeat("k", 101), "", true},
		{"Control", "a\x01b", "", true},
		{"Object", map[string]any{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := idempotencyKey(params{"idempotency_key": tt.v})
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
}

// TestParseParams_DeepBrackets sends a body of a million nested brackets:
// it must be answered, not overflow the stack.
func TestParseParams_DeepBrackets(t *testing.T) {
	t.Parallel()
	body := "a" + strings.Repeat("[b]", 1_000_000) + "=1&ok[x]=1"
	p := mustParams(t, "POST", "/1/x", "application/x-www-form-urlencoded", body)
	if _, ok := p["ok"].(map[string]any); !ok {
		t.Fatalf("shallow brackets still parse: %#v", p["ok"])
	}
	if len(p) != 2 {
		t.Fatalf("the deep key should be kept literal, got %d params", len(p))
	}
}

// TestTimeEnd: an inclusive end given to the second covers the whole
// second, a date the whole day, a fractional value itself.
func TestTimeEnd(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		fmt.Sprint(base.Unix()):        base.Add(time.Second - time.Nanosecond),
		"2026-01-05T09:00:00+0000":     base.Add(time.Second - time.Nanosecond),
		"2026-01-05":                   time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond),
		fmt.Sprint(base.Unix()) + ".5": base.Add(500 * time.Millisecond),
	} {
		got, err := params{"end_time": in}.root().TimeEnd("end_time")
		if err != nil || !got.Equal(want) {
			t.Errorf("TimeEnd(%q)=%v, %v; want %v", in, got, err, want)
		}
	}
}
