package graphapi

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ordergraph/ordergraph"
)

type pagingBody struct {
	Data   []json.RawMessage `json:"data"`
	Paging *struct {
		Cursors struct {
			Before string `json:"before"`
			After  string `json:"after"`
		} `json:"cursors"`
		Next     string `json:"next"`
		Previous string `json:"previous"`
	} `json:"paging"`
}

func pagedEnv(t testing.TB, hasNext, hasPrev bool) (*testEnv, *[]ordergraph.OrderFilter) {
	e := newTestEnv(t)
	var filters []ordergraph.OrderFilter
	e.orders.FindOrdersFunc = func(_ context.Context, f ordergraph.OrderFilter) (*ordergraph.OrderPage, error) {
		filters = append(filters, f)
		return &ordergraph.OrderPage{Orders: []*ordergraph.Order{sampleOrder()}, Before: "CUR_B", After: "CUR_A", HasNext: hasNext, HasPrevious: hasPrev}, nil
	}
	return e, &filters
}

func decodePaging(t testing.TB, r testResp) pagingBody {
	t.Helper()
	var b pagingBody
	if err := json.Unmarshal([]byte(r.body), &b); err != nil {
		t.Fatal(err)
	}
	if b.Paging == nil {
		t.Fatalf("no paging: %s", r.body)
	}
	return b
}

func TestPaging_URLsCarryEveryParam(t *testing.T) {
	t.Parallel()
	e, filters := pagedEnv(t, true, true)
	q := "/v22.0/" + testCMSID + "/commerce_orders?state=%5B%22CREATED%22%5D&filters=has_refunds&updated_after=1529718360&fields=id,order_status&locale=en_US&limit=10&after=OLD"
	r := e.get(t, q, withHeader("Authorization", "Bearer tok-admin"), withHeader("X-Forwarded-Proto", "https"))
	b := decodePaging(t, r)
	if b.Paging.Cursors.Before != "CUR_B" || b.Paging.Cursors.After != "CUR_A" {
		t.Errorf("cursors = %+v", b.Paging.Cursors)
	}
	next, err := url.Parse(b.Paging.Next)
	if err != nil {
		t.Fatal(err)
	}
	if next.Scheme != "https" || next.Host != "graph.example.test" || next.Path != "/v22.0/"+testCMSID+"/commerce_orders" {
		t.Errorf("next = %s", b.Paging.Next)
	}
	wantQ := url.Values{
		"access_token": {"tok-admin"}, "state": {`["CREATED"]`}, "filters": {"has_refunds"}, "updated_after": {"1529718360"},
		"fields": {"id,order_status"}, "locale": {"en_US"}, "limit": {"10"}, "after": {"CUR_A"},
	}
	if diff := cmp.Diff(wantQ, next.Query()); diff != "" {
		t.Errorf("next query (-want +got):\n%s", diff)
	}
	prev, _ := url.Parse(b.Paging.Previous)
	wantQ.Del("after")
	wantQ.Set("before", "CUR_B")
	if diff := cmp.Diff(wantQ, prev.Query()); diff != "" {
		t.Errorf("previous query (-want +got):\n%s", diff)
	}

	// Following next as given asks for the same list after the cursor.
	r2 := e.get(t, b.Paging.Next)
	if r2.status != 200 {
		t.Fatalf("following next: %d %s", r2.status, r2.body)
	}
	first, second := (*filters)[0], (*filters)[1]
	if second.After != "CUR_A" || second.Limit != 10 || !cmp.Equal(first.States, second.States) || !cmp.Equal(first.Filters, second.Filters) || !first.UpdatedAfter.Equal(*second.UpdatedAfter) {
		t.Errorf("first %+v\nsecond %+v", first, second)
	}
}

func TestPaging_LastPageAndDefaults(t *testing.T) {
	t.Parallel()
	e, _ := pagedEnv(t, false, true)
	r := e.get(t, "/"+testPageID+"/commerce_orders?"+tok)
	b := decodePaging(t, r)
	if b.Paging.Next != "" {
		t.Errorf("last page has next: %s", b.Paging.Next)
	}
	prev, _ := url.Parse(b.Paging.Previous)
	if prev.Scheme != "http" || prev.Path != "/"+testPageID+"/commerce_orders" || prev.Query().Get("limit") != "25" || prev.Query().Get("access_token") != "tok-admin" {
		t.Errorf("previous = %s", b.Paging.Previous)
	}

	e, _ = pagedEnv(t, true, false)
	r = e.get(t, "/"+testPageID+"/commerce_orders?"+tok)
	if b := decodePaging(t, r); b.Paging.Previous != "" || b.Paging.Next == "" {
		t.Errorf("first page paging = %+v", b.Paging)
	}
}

func TestPaging_PublicURL(t *testing.T) {
	t.Parallel()
	e, _ := pagedEnv(t, true, false)
	e.h.cfg.PublicURL = "https://og.example.com/"
	r := e.get(t, "/v25.0/"+testPageID+"/commerce_orders?"+tok+"&status=CREATED")
	next, _ := url.Parse(decodePaging(t, r).Paging.Next)
	if next.Scheme+"://"+next.Host+next.Path != "https://og.example.com/v25.0/"+testPageID+"/commerce_orders" || next.Query().Get("status") != "CREATED" {
		t.Errorf("next = %s", next)
	}
}

func TestPaging_JSONBodyParamsOnGET(t *testing.T) {
	t.Parallel()
	e, _ := pagedEnv(t, true, false)
	// Meta's SDKs: token in the query, Content-Type json, body {}.
	r := e.do(t, "GET", "/v25.0/"+testPageID+"/commerce_orders?access_token=tok-admin&state=%5B%22CREATED%22%5D", "application/json", "{}")
	next, _ := url.Parse(decodePaging(t, r).Paging.Next)
	if next.Query().Get("state") != `["CREATED"]` || next.Query().Get("access_token") != "tok-admin" {
		t.Errorf("next = %s", next)
	}
}
