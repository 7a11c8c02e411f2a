package ordergraphtest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store/storetest"
	"github.com/ordergraph/ordergraph/ordergraphtest"
)

// TestNewServer_Postgres runs two servers on one PostgreSQL database, each
// in a schema of its own: neither sees the other's pages.
func TestNewServer_Postgres(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t) // skips without a server
	a := ordergraphtest.NewServer(t, ordergraphtest.WithPostgres(url))
	b := ordergraphtest.NewServer(t, ordergraphtest.WithPostgres(url))
	resp, err := http.Get(a.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	ctx := context.Background()
	page, _, err := a.Sandbox.CreatePage(ctx, ordergraph.PageSpec{Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Orders.FindProductByID(ctx, page.ID, "1"); ordergraph.ErrorCode(err) != ordergraph.ENOTFOUND {
		t.Errorf("server b found server a's page: %v", err)
	}
}
