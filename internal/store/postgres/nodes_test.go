package postgres_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/lifecycle"
	"github.com/ordergraph/ordergraph/internal/store"
	"github.com/ordergraph/ordergraph/internal/store/storetest"
)

// nodeClock is one node's base clock; the test moves every node's.
type nodeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *nodeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *nodeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// node is one ordergraph server: an engine on a connection pool of its
// own, with its own clock.
type node struct {
	engine *lifecycle.Engine
	db     store.Store
	clock  *nodeClock
}

// startNodes starts n nodes on one database (one schema of the test
// server), as n `ordergraph serve --db postgres://...` processes would be.
func startNodes(t *testing.T, n int) []*node {
	t.Helper()
	dsn := storetest.PostgresDSN(t)
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	nodes := make([]*node, n)
	for i := range nodes {
		db := storetest.OpenPostgresDSN(t, dsn)
		clock := &nodeClock{now: start}
		e := lifecycle.NewEngine(db, clock, nil)
		// Disjoint id ranges: the production generator's random node
		// number could, rarely, repeat between three nodes.
		e.NewID = lifecycle.SequentialIDs(int64(i+1) * 1_000_000_000)
		nodes[i] = &node{engine: e, db: db, clock: clock}
	}
	return nodes
}

// TestNodes_TimersAndShipsOnOneDatabase runs three servers on one
// PostgreSQL database: 1,000 orders on five pages (one with more than a
// timer batch, so nodes split a page too) wait out their hold, the
// clocks move past it, and every node runs the due timers at once. Each
// order must be released exactly once. Then clients of all three nodes
// race to ship the same units, and no order ships more than it holds.
func TestNodes_TimersAndShipsOnOneDatabase(t *testing.T) {
	t.Parallel()
	nodes := startNodes(t, 3)
	ctx := context.Background()
	perPage := []int{450, 250, 150, 100, 50}
	const total = 1000

	var pageIDs []string
	orders := map[string][]string{} // page id -> order ids
	for p, count := range perPage {
		n := nodes[p%len(nodes)]
		page, _, err := n.engine.CreatePage(ctx, ordergraph.PageSpec{Name: fmt.Sprint("Page ", p), OrderManagement: ordergraph.ManagedByAPI})
		if err != nil {
			t.Fatal(err)
		}
		ids, err := n.engine.GenerateOrders(ctx, page.ID, ordergraph.GenerateSpec{Count: count, Seed: int64(p)})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != count {
			t.Fatalf("generated %d orders, want %d", len(ids), count)
		}
		pageIDs = append(pageIDs, page.ID)
		orders[page.ID] = ids
	}
	counts, err := nodes[0].engine.OrderCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts[ordergraph.StateFBProcessing]; got != total {
		t.Fatalf("%d orders in FB_PROCESSING, want %d", got, total)
	}

	// Nothing is due yet.
	for _, n := range nodes {
		if got, err := n.engine.RunDueTimers(ctx); err != nil || got != 0 {
			t.Fatalf("RunDueTimers before the hold ends = %d, %v", got, err)
		}
	}
	for _, n := range nodes {
		n.clock.Advance(ordergraph.HoldDuration + time.Minute)
	}

	// Every node runs the timers, at once, until none has work left.
	released := make([]int, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() {
			for {
				got, err := n.engine.RunDueTimers(ctx)
				if err != nil {
					t.Errorf("node %d: RunDueTimers: %v", i, err)
					return
				}
				released[i] += got
				if got == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	t.Logf("orders released by each node: %v", released)
	sum := 0
	for _, n := range released {
		sum += n
	}
	if sum != total {
		t.Errorf("the nodes changed %d orders in all, want %d", sum, total)
	}

	// Exactly one RELEASED event per order, and every order is CREATED.
	for _, pageID := range pageIDs {
		storetest.MustRead(t, nodes[0].db, func(tx store.Tx) error {
			for _, id := range orders[pageID] {
				events, err := tx.EventList(ctx, pageID, id)
				if err != nil {
					return err
				}
				n := 0
				for _, e := range events {
					if e.Kind == ordergraph.EventReleased {
						n++
					}
				}
				if n != 1 {
					t.Errorf("order %s has %d RELEASED events, want 1", id, n)
				}
				o, err := tx.OrderGet(ctx, pageID, id)
				if err != nil {
					return err
				}
				if o.State() != ordergraph.StateCreated {
					t.Errorf("order %s is %s, want CREATED", id, o.State())
				}
			}
			return nil
		})
	}
	counts, err = nodes[0].engine.OrderCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts[ordergraph.StateCreated]; got != total {
		t.Errorf("%d orders CREATED, want %d", got, total)
	}

	t.Run("RacingShips", func(t *testing.T) {
		// Four orders on each page, acknowledged; then every unit of each
		// one's first line is shipped one at a time, by three clients on
		// each node at once, with three more attempts than units.
		type target struct {
			pageID string
			order  *ordergraph.Order
		}
		var targets []target
		for p, pageID := range pageIDs {
			for _, id := range orders[pageID][:4] {
				res, err := nodes[p%len(nodes)].engine.Acknowledge(ctx, ordergraph.AcknowledgeCommand{PageID: pageID, OrderID: id})
				if err != nil {
					t.Fatal(err)
				}
				targets = append(targets, target{pageID, res.Order})
			}
		}
		for _, tg := range targets {
			line := tg.order.Items[0]
			attempts := line.Quantity + 3
			var (
				mu      sync.Mutex
				shipped int
				wg      sync.WaitGroup
			)
			next := make(chan int, attempts)
			for a := range attempts {
				next <- a
			}
			close(next)
			for i, n := range nodes {
				for c := range 3 {
					wg.Go(func() {
						for a := range next {
							_, err := n.engine.Ship(ctx, ordergraph.ShipCommand{PageID: tg.pageID, OrderID: tg.order.ID,
								Items:    []ordergraph.ItemQuantity{{ItemID: line.ID, Quantity: 1}},
								Tracking: ordergraph.Tracking{Carrier: "UPS", TrackingNumber: fmt.Sprintf("1Z-%d-%d-%d", i, c, a)}})
							switch {
							case err == nil:
								mu.Lock()
								shipped++
								mu.Unlock()
							case ordergraph.ErrorCode(err) == ordergraph.EINVALID:
								// Refused: nothing left to ship.
							default:
								t.Errorf("node %d: ship %s: %v", i, tg.order.ID, err)
							}
						}
					})
				}
			}
			wg.Wait()
			o, err := nodes[0].engine.FindOrderByID(ctx, tg.pageID, tg.order.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := o.Items[0]
			if shipped != line.Quantity || got.Fulfilled != line.Quantity || len(o.Shipments) != shipped {
				t.Errorf("order %s: %d ships succeeded, %d of %d units fulfilled, %d shipments; want %d of each",
					o.ID, shipped, got.Fulfilled, line.Quantity, len(o.Shipments), line.Quantity)
			}
		}
	})
}

// BenchmarkNodes is the load test of docs/scaling.md: commands from 16
// concurrent clients per CPU, spread over 1 or 3 nodes (engines with
// their own pools) on one database, on orders of 8 pages. Acknowledge
// acknowledges a different CREATED order each time (a locked
// read-modify-write and an event); Get reads one order; List reads a
// page of 25.
func BenchmarkNodes(b *testing.B) {
	for _, n := range []int{1, 3} {
		for _, op := range []string{"Acknowledge", "Get", "List"} {
			b.Run(fmt.Sprintf("%s/Nodes=%d", op, n), func(b *testing.B) { benchNodes(b, n, op) })
		}
	}
}

func benchNodes(b *testing.B, n int, op string) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(b)
	var nodes []*lifecycle.Engine
	for i := range n {
		e := lifecycle.NewEngine(storetest.OpenPostgresDSN(b, dsn), &nodeClock{now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}, nil)
		e.NewID = lifecycle.SequentialIDs(int64(i+1) * 1_000_000_000)
		nodes = append(nodes, e)
	}
	const pages = 8
	perPage := 500
	if op == "Acknowledge" {
		perPage = b.N/pages + 1
	}
	type ref struct{ page, order string }
	var refs []ref
	for p := range pages {
		page, _, err := nodes[0].CreatePage(ctx, ordergraph.PageSpec{Name: fmt.Sprint("Page ", p)})
		if err != nil {
			b.Fatal(err)
		}
		for left := perPage; left > 0; left -= ordergraph.MaxGenerate {
			ids, err := nodes[0].GenerateOrders(ctx, page.ID, ordergraph.GenerateSpec{Count: min(left, ordergraph.MaxGenerate), Seed: int64(p), StartState: ordergraph.StateCreated})
			if err != nil {
				b.Fatal(err)
			}
			for _, id := range ids {
				refs = append(refs, ref{page.ID, id})
			}
		}
	}
	// Interleave pages, as traffic from many sellers does.
	slices.SortFunc(refs, func(x, y ref) int { return cmp.Compare(x.order[len(x.order)-3:], y.order[len(y.order)-3:]) })

	var next, client atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		e := nodes[int(client.Add(1))%len(nodes)]
		for pb.Next() {
			r := refs[int(next.Add(1)-1)%len(refs)]
			var err error
			switch op {
			case "Acknowledge":
				_, err = e.Acknowledge(ctx, ordergraph.AcknowledgeCommand{PageID: r.page, OrderID: r.order})
			case "Get":
				_, err = e.FindOrderByID(ctx, r.page, r.order)
			case "List":
				_, err = e.FindOrders(ctx, ordergraph.OrderFilter{PageID: r.page, States: []ordergraph.OrderState{ordergraph.StateCreated}, Limit: 25})
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
