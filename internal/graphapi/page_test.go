package graphapi

import (
	"context"
	"testing"

	"github.com/ordergraph/ordergraph"
)

func TestGetPageAndCMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, want, wantRoute string
	}{
		{"Page", "/v22.0/" + testPageID + "?" + tok, `{"name":"Acme Tees","id":"` + testPageID + `"}`, "GET /{page_id}"},
		{"MagentoCMSLookup", "/v22.0/" + testPageID + "?" + tok + "&fields=commerce_merchant_settings", `{"commerce_merchant_settings":{"data":[{"id":"` + testCMSID + `"}],"paging":{"cursors":{"before":"b2cxOjIwMDAwMDAwMDAwMDAwMg","after":"b2cxOjIwMDAwMDAwMDAwMDAwMg"}}},"id":"` + testPageID + `"}`, "GET /{page_id}"},
		{"CMSEdgeFields", "/" + testPageID + "?" + tok + "&fields=commerce_merchant_settings{display_name}", `{"commerce_merchant_settings":{"data":[{"display_name":"Acme Tees","id":"` + testCMSID + `"}],"paging":{"cursors":{"before":"b2cxOjIwMDAwMDAwMDAwMDAwMg","after":"b2cxOjIwMDAwMDAwMDAwMDAwMg"}}},"id":"` + testPageID + `"}`, "GET /{page_id}"},
		{"CMSEdge", "/" + testPageID + "/commerce_merchant_settings?" + tok, `{"data":[{"id":"` + testCMSID + `"}],"paging":{"cursors":{"before":"b2cxOjIwMDAwMDAwMDAwMDAwMg","after":"b2cxOjIwMDAwMDAwMDAwMDAwMg"}}}`, "GET /{page_id}/commerce_merchant_settings"},
		{"CMS", "/" + testCMSID + "?" + tok, `{"display_name":"Acme Tees","id":"` + testCMSID + `"}`, "GET /{cms_id}"},
		{"CMSMerchantPage", "/" + testCMSID + "?" + tok + "&fields=merchant_page", `{"merchant_page":{"name":"Acme Tees","id":"` + testPageID + `"},"id":"` + testCMSID + `"}`, "GET /{cms_id}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			r := e.get(t, tt.path)
			if r.status != 200 || r.body != tt.want {
				t.Errorf("got %d %s\nwant %s", r.status, r.body, tt.want)
			}
			if info := e.lastInfo(t); info.Route != tt.wantRoute {
				t.Errorf("route = %s", info.Route)
			}
		})
	}
}

func TestGetPage_UnknownField(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.get(t, "/"+testPageID+"?"+tok+"&fields=fan_count")
	if ge := errorOf(t, r); ge.Message != "(#100) Tried accessing nonexisting field (fan_count) on node type (Page)" {
		t.Errorf("got %+v", ge)
	}
}

func TestGetProduct(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.orders.FindProductByIDFunc = func(_ context.Context, pageID, id string) (*ordergraph.Product, error) {
		switch {
		case pageID != testPageID:
			return nil, notFound()
		case id == "1747144002010730":
			return &ordergraph.Product{ID: id, PageID: pageID, RetailerID: "fb_tee_001", Name: "Tee", Price: 1250, Currency: "USD"}, nil
		case id == "1747144002010731":
			return &ordergraph.Product{ID: id, PageID: pageID, RetailerID: "fb_tee_002", Name: "Big Tee", Price: 123456, SalePrice: 99900, Currency: "USD"}, nil
		}
		return nil, notFound()
	}
	r := e.get(t, "/v25.0/1747144002010730?"+tok)
	if want := `{"id":"1747144002010730","retailer_id":"fb_tee_001","name":"Tee","price":"$12.50","currency":"USD"}`; r.body != want {
		t.Errorf("got %s", r.body)
	}
	r = e.get(t, "/1747144002010731?"+tok)
	if want := `{"id":"1747144002010731","retailer_id":"fb_tee_002","name":"Big Tee","price":"$1,234.56","currency":"USD","sale_price":"$999.00"}`; r.body != want {
		t.Errorf("got %s", r.body)
	}
	if info := e.lastInfo(t); info.Route != "GET /{product_id}" {
		t.Errorf("route = %s", info.Route)
	}
	r = e.get(t, "/1747144002010730?access_token=tok-other")
	if ge := errorOf(t, r); ge.Subcode != 33 {
		t.Errorf("other page's product: %+v", ge)
	}
}

func TestFormatPrice(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		amount int64
		cur    string
		want   string
	}{
		{1250, "USD", "$12.50"},
		{5, "USD", "$0.05"},
		{123456789, "USD", "$1,234,567.89"},
		{-1250, "USD", "-$12.50"},
		{1500, "JPY", "¥1,500"},
		{1250, "EUR", "€12.50"},
		{1250, "GBP", "£12.50"},
		{12345, "KWD", "KWD12.345"},
	} {
		if got := formatPrice(tt.amount, tt.cur); got != tt.want {
			t.Errorf("formatPrice(%d, %s) = %q, want %q", tt.amount, tt.cur, got, tt.want)
		}
	}
}
