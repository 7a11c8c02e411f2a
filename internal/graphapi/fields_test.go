package graphapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want selection
	}{
		{"Empty", "", nil},
		{"Blank", "  ", nil},
		{"Flat", "id,created", selection{{name: "id"}, {name: "created"}}},
		{"Nested", "items{retailer_id,quantity}", selection{{name: "items", sub: selection{{name: "retailer_id"}, {name: "quantity"}}}}},
		{"Spaces", " buyer_details{ name, email } , id ", selection{{name: "buyer_details", sub: selection{{name: "name"}, {name: "email"}}}, {name: "id"}}},
		{"LimitBefore", "items.limit(5){id}", selection{{name: "items", limit: 5, sub: selection{{name: "id"}}}}},
		{"LimitAfter", "items{id}.limit(2)", selection{{name: "items", limit: 2, sub: selection{{name: "id"}}}}},
		{"LimitNoSub", "items.limit( 3 )", selection{{name: "items", limit: 3}}},
		{"DeepNesting", "estimated_payment_details{subtotal{items{amount}},tax}", selection{{name: "estimated_payment_details", sub: selection{
			{name: "subtotal", sub: selection{{name: "items", sub: selection{{name: "amount"}}}}}, {name: "tax"}}}}},
		{"Quoted", `"reimbursements,transaction_details{tax_rate,tax_details}"`, selection{{name: "reimbursements"}, {name: "transaction_details", sub: selection{{name: "tax_rate"}, {name: "tax_details"}}}}},
		{"EmptyEntries", "id,,created,", selection{{name: "id"}, {name: "created"}}},
		{"Duplicates", "id,created,id", selection{{name: "id"}, {name: "created"}}},
		{"EmptyBraces", "items{}", selection{{name: "items"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseFields(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(fieldSel{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFields_SyntaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		wantMsg string
	}{
		{"id,a}}", `Syntax error "Expected end of string instead of "}"." at character 4: id,a}}`},
		{"items{id", `Syntax error "Expected "}" before the end of the string." at character 8: items{id`},
		{"items{id}{x}", `Syntax error "Expected "," instead of "{"." at character 9: items{id}{x}`},
		{"id created", `Syntax error "Expected "," instead of "c"." at character 3: id created`},
		{"items.limit(x)", `Syntax error "Expected a positive integer in .limit() instead of "x"." at character 12: items.limit(x)`},
		{"items.limit(0)", `Syntax error "Expected a positive integer in .limit() instead of "0"." at character 12: items.limit(0)`},
		{"items.limit(5", `Syntax error "Expected ")" before the end of the string." at character 12: items.limit(5`},
		{"items.(5)", `Syntax error "Expected a modifier name after "."." at character 6: items.(5)`},
		{"a,{b}", `Syntax error "Expected a field name instead of "{"." at character 2: a,{b}`},
		{"a-b", `Syntax error "Expected "," instead of "-"." at character 1: a-b`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := parseFields(tt.in)
			var ge *graphError
			if !errors.As(err, &ge) {
				t.Fatalf("err = %v", err)
			}
			if ge.Code != 2500 || ge.Message != tt.wantMsg {
				t.Errorf("got %d %q\nwant %q", ge.Code, ge.Message, tt.wantMsg)
			}
		})
	}
}

func TestParseFields_UnsupportedModifier(t *testing.T) {
	t.Parallel()
	_, err := parseFields("items.as(lines)")
	if err == nil || err.Error() != "ordergraph error: code=invalid message=Field modifier .as() is not supported on items; only .limit(n) is" {
		t.Errorf("err = %v", err)
	}
}

func TestFieldsSyntaxErrorEnvelope(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.get(t, "/"+testOrderID+"?"+tok+"&fields=items{id")
	ge := errorOf(t, r)
	if r.status != 400 || ge.Code != 2500 || ge.Type != "OAuthException" {
		t.Errorf("got %d %+v", r.status, ge)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	sel, _ := parseFields("id{x}")
	if err := validate(currentOrderType, sel); err == nil || err.Error() != "ordergraph error: code=invalid message=Field id of node type (CommerceOrder) has no subfields: id{...} cannot be selected" {
		t.Errorf("err = %v", err)
	}
	sel, _ = parseFields("items{fb_product_id}")
	if err := validate(currentOrderType, sel); err == nil {
		t.Error("current items accept fb_product_id")
	}
	if err := validate(legacyOrderType, sel); err != nil {
		t.Error(err)
	}
}

func TestObjectTypes_DefaultsAreDeclared(t *testing.T) {
	t.Parallel()
	// Every registered type renders its defaults without error for a
	// zero-ish source: declaring a default that does not exist panics at
	// init, so reaching here means the registry is consistent.
	for _, typ := range []*objectType{legacyOrderType, currentOrderType, itemType, legacyItemType, productType, pageType, cmsType} {
		if len(typ.defaults) == 0 {
			t.Errorf("%s has no defaults", typ.name)
		}
	}
}

// TestParseFields_Deep refuses absurd nesting instead of overflowing the
// stack.
func TestParseFields_Deep(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("a{", 100000) + "b" + strings.Repeat("}", 100000)
	if _, err := parseFields(deep); err == nil {
		t.Fatal("100000 levels of fields parsed")
	}
	ok := strings.Repeat("a{", 10) + "b" + strings.Repeat("}", 10)
	if _, err := parseFields(ok); err != nil {
		t.Fatalf("10 levels: %v", err)
	}
}
