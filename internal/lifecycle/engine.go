package lifecycle

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/ledger"
	"github.com/ordergraph/ordergraph/internal/store"
)

// Engine runs every command of the order lifecycle: it loads an order,
// applies the pure rules of this package, and saves the order with its
// events, ledger transactions and idempotency record in one store
// transaction. It implements ordergraph.OrderService, AuthService,
// SandboxService and LedgerService.
type Engine struct {
	store  store.Store
	clock  ordergraph.Clock
	logger *slog.Logger
	// NewID returns a new numeric object id; tests swap it for a
	// deterministic sequence.
	NewID func() string
	// NewToken returns a new raw access token; tests swap it.
	NewToken func() string

	mu             sync.Mutex
	lastKeySweep   time.Time
	lastPayoutScan time.Time
}

var (
	_ ordergraph.OrderService   = (*Engine)(nil)
	_ ordergraph.AuthService    = (*Engine)(nil)
	_ ordergraph.SandboxService = (*Engine)(nil)
	_ ordergraph.LedgerService  = (*Engine)(nil)
)

// NewEngine returns an Engine on s reading time from clock.
func NewEngine(s store.Store, clock ordergraph.Clock, logger *slog.Logger) *Engine {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{store: s, clock: clock, logger: logger, NewID: NewIDGenerator(), NewToken: newRawToken}
}

// IdempotencyTTL is how long a first response is replayed for its key.
const IdempotencyTTL = 24 * time.Hour

// maxConflictRetries bounds how often a command is re-run after another
// writer changed its order between read and write.
const maxConflictRetries = 3

// command is the rule a write applies to an order at the page's now.
type command func(o *ordergraph.Order, page *ordergraph.Page, now time.Time) ([]Change, error)

// write runs cmd on one order in one transaction: replay or refuse by
// idempotency key, bring the order's timers up to date, apply the rule to a
// copy, and save the copy, its events and the idempotency record together.
// A refused command changes nothing.
func (e *Engine) write(ctx context.Context, pageID, orderID string, idem *ordergraph.Idempotency, cmd command) (*ordergraph.WriteResult, error) {
	return e.writeWith(ctx, pageID, orderID, idem, func(_ store.Tx, o *ordergraph.Order, p *ordergraph.Page, now time.Time) ([]Change, error) {
		return cmd(o, p, now)
	})
}

// txCommand is a command that also writes beside the order in its
// transaction.
type txCommand func(tx store.Tx, o *ordergraph.Order, page *ordergraph.Page, now time.Time) ([]Change, error)

// writeWith is write for a txCommand.
func (e *Engine) writeWith(ctx context.Context, pageID, orderID string, idem *ordergraph.Idempotency, cmd txCommand) (*ordergraph.WriteResult, error) {
	var res *ordergraph.WriteResult
	var err error
	for attempt := 0; ; attempt++ {
		res, err = e.writeOnce(ctx, pageID, orderID, idem, cmd)
		if ordergraph.ErrorCode(err) != ordergraph.ECONFLICT || attempt == maxConflictRetries {
			return res, err
		}
	}
}

func (e *Engine) writeOnce(ctx context.Context, pageID, orderID string, idem *ordergraph.Idempotency, cmd txCommand) (*ordergraph.WriteResult, error) {
	var res *ordergraph.WriteResult
	err := e.store.Write(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, pageID)
		if err != nil {
			return err
		}
		now := page.Now(e.clock)
		// The order is read (and, on PostgreSQL, locked) before the key is
		// checked: a second call with the same key waits for the first to
		// commit and then replays its answer, rather than running again.
		stored, err := tx.OrderGet(ctx, page.ID, orderID)
		if err != nil {
			return err
		}
		if replay, err := e.replay(ctx, tx, page, idem, now); err != nil || replay != nil {
			res = replay
			return err
		}
		o := stored.Clone()
		changes := Tick(o, now, autoAck(page), e.NewID)
		more, err := cmd(tx, o, page, now)
		if err != nil {
			return err
		}
		changes = append(changes, more...)
		if len(changes) > 0 {
			if err := e.save(ctx, tx, page, stored, o, now, changes); err != nil {
				return err
			}
		} else {
			o = stored
		}
		res = &ordergraph.WriteResult{Order: o}
		return e.remember(ctx, tx, page, idem, now, res)
	})
	return res, err
}

// replay returns the stored response for a key already used with the same
// parameters, and refuses one used with other parameters.
func (e *Engine) replay(ctx context.Context, tx store.Tx, page *ordergraph.Page, idem *ordergraph.Idempotency, now time.Time) (*ordergraph.WriteResult, error) {
	if idem == nil || idem.Key == "" {
		return nil, nil
	}
	key := store.IdempotencyKey{PageID: page.ID, ObjectID: idem.ObjectID, Edge: idem.Edge, Key: idem.Key}
	rec, err := tx.IdempotencyGet(ctx, key)
	if ordergraph.ErrorCode(err) == ordergraph.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if now.Sub(rec.Created) > IdempotencyTTL {
		// Expired: the key is free again.
		return nil, tx.IdempotencyDelete(ctx, key)
	}
	if rec.RequestHash != idem.RequestHash {
		return nil, &ordergraph.Error{Code: ordergraph.EINVALID, Subcode: ordergraph.SubcodeIdempotencyMismatch, Param: "idempotency_key",
			Title: "Idempotency Key Reused",
			Message: fmt.Sprintf("idempotency_key %q was already used for a different request to /%s/%s; use a new key for a new request, or resend the first request unchanged",
				idem.Key, idem.ObjectID, idem.Edge)}
	}
	return &ordergraph.WriteResult{Replayed: true, Status: rec.Status, Body: rec.Body}, nil
}

// remember stores the first response to a keyed write in its transaction.
func (e *Engine) remember(ctx context.Context, tx store.Tx, page *ordergraph.Page, idem *ordergraph.Idempotency, now time.Time, res *ordergraph.WriteResult) error {
	if idem == nil || idem.Key == "" || idem.Respond == nil {
		return nil
	}
	status, body, err := idem.Respond(res.Order)
	if err != nil {
		return fmt.Errorf("render idempotent response: %w", err)
	}
	res.Status, res.Body = status, bytes.Clone(body)
	key := store.IdempotencyKey{PageID: page.ID, ObjectID: idem.ObjectID, Edge: idem.Edge, Key: idem.Key}
	return tx.IdempotencyPut(ctx, &store.IdempotencyRecord{IdempotencyKey: key, RequestHash: idem.RequestHash, Status: status, Body: res.Body, Created: now})
}

// save writes a changed order (before is as it was stored), its events,
// the transactions the change posts and the rows that mirror it.
func (e *Engine) save(ctx context.Context, tx store.Tx, page *ordergraph.Page, before, o *ordergraph.Order, now time.Time, changes []Change) error {
	if now.After(o.LastUpdated) {
		o.LastUpdated = now
	} else {
		// The page clock never goes back, but two changes in one
		// microsecond must still order.
		o.LastUpdated = o.LastUpdated.Add(time.Microsecond)
	}
	o.Version++
	events := Events(o, now, changes) // stamps o.EventSeq before the update
	if err := tx.OrderUpdate(ctx, o); err != nil {
		return err
	}
	for _, ev := range events {
		if err := tx.EventInsert(ctx, ev); err != nil {
			return err
		}
	}
	if err := e.post(ctx, tx, page, before, o); err != nil {
		return err
	}
	return saveReturns(ctx, tx, before, o)
}

// post records the transactions that the change from before to o posts
// (ledger.Post) with the page's fee schedule, in the change's transaction:
// an order and its money never disagree.
func (e *Engine) post(ctx context.Context, tx store.Tx, page *ordergraph.Page, before, o *ordergraph.Order) error {
	if !ledger.Posts(before, o) {
		return nil
	}
	fees, err := e.feeSchedule(ctx, tx, page)
	if err != nil {
		return err
	}
	for _, t := range ledger.Post(before, o, fees) {
		if err := tx.TransactionInsert(ctx, t); err != nil {
			return fmt.Errorf("post %s of order %s: %w", t.Type, o.ID, err)
		}
	}
	return nil
}

// saveReturns mirrors the returns a change opened or moved into the
// object index (new ones) and the returns listing.
func saveReturns(ctx context.Context, tx store.Tx, before, o *ordergraph.Order) error {
	for i := range o.Returns {
		r := &o.Returns[i]
		old := before.Return(r.ID)
		if old == nil {
			// A new return is a Graph node of its own: index its id.
			if err := tx.ObjectIndexPut(ctx, store.ObjectRef{PageID: o.PageID, ObjectID: r.ID, OrderID: o.ID, Kind: "return"}); err != nil {
				return err
			}
		} else if old.Status == r.Status && old.MerchantReturnID == r.MerchantReturnID {
			continue
		}
		row := store.ReturnRow{PageID: o.PageID, ID: r.ID, OrderID: o.ID, Created: r.Created, Status: r.Status, MerchantReturnID: r.MerchantReturnID}
		if err := tx.ReturnPut(ctx, row); err != nil {
			return err
		}
	}
	return nil
}

func autoAck(p *ordergraph.Page) bool {
	return p.OrderManagement == ordergraph.ManagedByCommerceManager
}

// FindPage returns the page with the given id or CMS id.
func (e *Engine) FindPage(ctx context.Context, id string) (*ordergraph.Page, error) {
	var p *ordergraph.Page
	err := e.store.Read(ctx, func(tx store.Tx) (err error) {
		p, err = tx.PageGet(ctx, id)
		return err
	})
	return p, err
}

// FindOrderByID returns one of the page's orders as of the page's clock:
// timers that are due but not yet run are applied to the copy returned.
func (e *Engine) FindOrderByID(ctx context.Context, pageID, orderID string) (*ordergraph.Order, error) {
	var o *ordergraph.Order
	var page *ordergraph.Page
	err := e.store.Read(ctx, func(tx store.Tx) (err error) {
		if page, err = tx.PageGet(ctx, pageID); err != nil {
			return err
		}
		o, err = tx.OrderGet(ctx, page.ID, orderID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if due := o.NextTimer(); !due.IsZero() && !page.Now(e.clock).Before(due) {
		// Run the due timer now rather than show a stale state.
		if _, err := e.runTimers(ctx, page.ID, []string{o.ID}); err != nil {
			return nil, err
		}
		return e.FindOrderByID(ctx, pageID, orderID)
	}
	return o, nil
}

// FindProductByID returns a catalog product of the page.
func (e *Engine) FindProductByID(ctx context.Context, pageID, productID string) (*ordergraph.Product, error) {
	var p *ordergraph.Product
	err := e.store.Read(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, pageID)
		if err != nil {
			return err
		}
		p, err = tx.ProductGet(ctx, page.ID, productID)
		return err
	})
	return p, err
}

// Acknowledge acknowledges one order.
func (e *Engine) Acknowledge(ctx context.Context, cmd ordergraph.AcknowledgeCommand) (*ordergraph.WriteResult, error) {
	return e.write(ctx, cmd.PageID, cmd.OrderID, cmd.Idempotency, func(o *ordergraph.Order, _ *ordergraph.Page, now time.Time) ([]Change, error) {
		return Acknowledge(o, now, cmd.MerchantOrderReference)
	})
}

// AcknowledgeBatch acknowledges each order in its own transaction, so one
// bad order never fails the others. The batch's idempotency record is kept
// against the page.
func (e *Engine) AcknowledgeBatch(ctx context.Context, cmd ordergraph.AcknowledgeBatchCommand) (*ordergraph.WriteResult, []ordergraph.AcknowledgeOutcome, error) {
	if len(cmd.Orders) > ordergraph.MaxAcknowledgeBatch {
		return nil, nil, &ordergraph.Error{Code: ordergraph.EINVALID, Param: "orders",
			Message: fmt.Sprintf("(#100) orders takes at most %d orders per call, got %d", ordergraph.MaxAcknowledgeBatch, len(cmd.Orders))}
	}
	page, err := e.FindPage(ctx, cmd.PageID)
	if err != nil {
		return nil, nil, err
	}
	if idem := cmd.Idempotency; idem != nil && idem.Key != "" {
		var replay *ordergraph.WriteResult
		err := e.store.Write(ctx, func(tx store.Tx) (err error) {
			replay, err = e.replay(ctx, tx, page, idem, page.Now(e.clock))
			return err
		})
		if err != nil || replay != nil {
			return replay, nil, err
		}
	}
	out := make([]ordergraph.AcknowledgeOutcome, 0, len(cmd.Orders))
	for _, c := range cmd.Orders {
		c.PageID, c.Idempotency = page.ID, nil
		res, err := e.Acknowledge(ctx, c)
		oc := ordergraph.AcknowledgeOutcome{OrderID: c.OrderID, Err: err}
		if err == nil {
			oc.Order = res.Order
		} else if code := ordergraph.ErrorCode(err); code == ordergraph.EINTERNAL || code == ordergraph.EUNAVAILABLE {
			return nil, nil, err
		}
		out = append(out, oc)
	}
	res := &ordergraph.WriteResult{}
	if idem := cmd.Idempotency; idem != nil && idem.Key != "" && idem.RespondBatch != nil {
		status, body, err := idem.RespondBatch(out)
		if err != nil {
			return nil, nil, fmt.Errorf("render idempotent response: %w", err)
		}
		res.Status, res.Body = status, body
		err = e.store.Write(ctx, func(tx store.Tx) error {
			now := page.Now(e.clock)
			// A concurrent call with the same key may have finished first:
			// its answer stands.
			if replay, err := e.replay(ctx, tx, page, idem, now); err != nil || replay != nil {
				res = replay
				return err
			}
			key := store.IdempotencyKey{PageID: page.ID, ObjectID: idem.ObjectID, Edge: idem.Edge, Key: idem.Key}
			return tx.IdempotencyPut(ctx, &store.IdempotencyRecord{IdempotencyKey: key, RequestHash: idem.RequestHash, Status: status, Body: body, Created: now})
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return res, out, nil
}

// Ship attaches a shipment.
func (e *Engine) Ship(ctx context.Context, cmd ordergraph.ShipCommand) (*ordergraph.WriteResult, error) {
	id := e.NewID()
	p := ShipParams{ID: id, Items: cmd.Items, Tracking: cmd.Tracking, ExternalShipmentID: cmd.ExternalShipmentID,
		MerchantOrderReference: cmd.MerchantOrderReference, FulfillmentLocationID: cmd.FulfillmentLocationID}
	if cmd.FulfillmentAddress != nil {
		p.FulfillmentAddress = *cmd.FulfillmentAddress
	}
	return e.create(ctx, cmd.PageID, cmd.OrderID, id, cmd.Idempotency, func(o *ordergraph.Order, _ *ordergraph.Page, now time.Time) ([]Change, error) {
		return Ship(o, now, p)
	})
}

// UpdateShipment changes a shipment's tracking.
func (e *Engine) UpdateShipment(ctx context.Context, cmd ordergraph.UpdateShipmentCommand) (*ordergraph.WriteResult, error) {
	return e.write(ctx, cmd.PageID, cmd.OrderID, cmd.Idempotency, func(o *ordergraph.Order, _ *ordergraph.Page, now time.Time) ([]Change, error) {
		return UpdateShipment(o, cmd.ShipmentID, cmd.ExternalShipmentID, cmd.Tracking)
	})
}

// ApplyItemUpdates applies an order snapshot.
func (e *Engine) ApplyItemUpdates(ctx context.Context, cmd ordergraph.ItemUpdatesCommand) (*ordergraph.WriteResult, error) {
	return e.write(ctx, cmd.PageID, cmd.OrderID, cmd.Idempotency, func(o *ordergraph.Order, _ *ordergraph.Page, now time.Time) ([]Change, error) {
		return ApplyItemUpdates(o, now, ItemUpdatesParams{MerchantOrderReference: cmd.MerchantOrderReference, Items: cmd.Items}, e.NewID)
	})
}

// Cancel cancels units.
func (e *Engine) Cancel(ctx context.Context, cmd ordergraph.CancelCommand) (*ordergraph.WriteResult, error) {
	id := e.NewID()
	return e.create(ctx, cmd.PageID, cmd.OrderID, id, cmd.Idempotency, func(o *ordergraph.Order, _ *ordergraph.Page, now time.Time) ([]Change, error) {
		return Cancel(o, now, CancelParams{ID: id, Items: cmd.Items, ReasonCode: cmd.ReasonCode,
			ReasonDescription: cmd.ReasonDescription, RestockItems: cmd.RestockItems})
	})
}

// Refund refunds fulfilled units.
func (e *Engine) Refund(ctx context.Context, cmd ordergraph.RefundCommand) (*ordergraph.WriteResult, error) {
	id := e.NewID()
	return e.create(ctx, cmd.PageID, cmd.OrderID, id, cmd.Idempotency, func(o *ordergraph.Order, _ *ordergraph.Page, now time.Time) ([]Change, error) {
		return Refund(o, now, RefundParams{ID: id, ReasonCode: cmd.ReasonCode, ReasonText: cmd.ReasonText,
			Items: cmd.Items, Shipping: cmd.Shipping, Deduction: cmd.Deduction, Adjustment: cmd.Adjustment, ReturnID: cmd.ReturnID})
	})
}

// CreateReturn opens a return.
func (e *Engine) CreateReturn(ctx context.Context, cmd ordergraph.ReturnCommand) (*ordergraph.WriteResult, error) {
	id := e.NewID()
	actor := cmd.Actor
	if actor == "" {
		actor = ordergraph.ActorSeller
	}
	return e.create(ctx, cmd.PageID, cmd.OrderID, id, cmd.Idempotency, func(o *ordergraph.Order, _ *ordergraph.Page, now time.Time) ([]Change, error) {
		return RequestReturn(o, now, ReturnParams{ID: id, Items: cmd.Items, MerchantReturnID: cmd.MerchantReturnID, Message: cmd.Message, Actor: actor})
	})
}

// UpdateReturn moves a return along.
func (e *Engine) UpdateReturn(ctx context.Context, cmd ordergraph.UpdateReturnCommand) (*ordergraph.WriteResult, error) {
	orderID, err := e.returnOrder(ctx, cmd.PageID, cmd.ReturnID)
	if err != nil {
		return nil, err
	}
	return e.write(ctx, cmd.PageID, orderID, cmd.Idempotency, func(o *ordergraph.Order, _ *ordergraph.Page, now time.Time) ([]Change, error) {
		return UpdateReturn(o, now, cmd.ReturnID, cmd.Event, cmd.Notes, cmd.MerchantReturnID)
	})
}

// FindReturnByID returns a return and its order.
func (e *Engine) FindReturnByID(ctx context.Context, pageID, returnID string) (*ordergraph.Order, *ordergraph.Return, error) {
	orderID, err := e.returnOrder(ctx, pageID, returnID)
	if err != nil {
		return nil, nil, err
	}
	o, err := e.FindOrderByID(ctx, pageID, orderID)
	if err != nil {
		return nil, nil, err
	}
	r := o.Return(returnID)
	if r == nil {
		return nil, nil, ordergraph.Errorf(ordergraph.ENOTFOUND, "return %s does not exist", returnID)
	}
	return o, r, nil
}

func (e *Engine) returnOrder(ctx context.Context, pageID, returnID string) (string, error) {
	var ref *store.ObjectRef
	err := e.store.Read(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, pageID)
		if err != nil {
			return err
		}
		ref, err = tx.ObjectIndexGet(ctx, page.ID, returnID)
		return err
	})
	if err != nil {
		return "", err
	}
	if ref.Kind != "return" {
		return "", ordergraph.Errorf(ordergraph.ENOTFOUND, "return %s does not exist", returnID)
	}
	return ref.OrderID, nil
}

// SetOrderManagement switches how the page's orders are managed: through
// the API (an order management app is registered), or in Commerce
// Manager, where released orders acknowledge themselves.
func (e *Engine) SetOrderManagement(ctx context.Context, pageID, mode string) (*ordergraph.Page, error) {
	if mode != ordergraph.ManagedByAPI && mode != ordergraph.ManagedByCommerceManager {
		return nil, invalid("order_management", "(#100) order management must be api or commerce_manager, got %q", mode)
	}
	var page *ordergraph.Page
	err := e.store.Write(ctx, func(tx store.Tx) (err error) {
		if page, err = tx.PageGet(ctx, pageID); err != nil {
			return err
		}
		if page.OrderManagement == mode {
			return nil
		}
		page.OrderManagement = mode
		return tx.PageUpdate(ctx, page)
	})
	return page, err
}

// create runs a command that creates an object with a known id and
// reports it in the result.
func (e *Engine) create(ctx context.Context, pageID, orderID, id string, idem *ordergraph.Idempotency, cmd command) (*ordergraph.WriteResult, error) {
	res, err := e.write(ctx, pageID, orderID, idem, cmd)
	if err == nil && !res.Replayed {
		res.CreatedID = id
	}
	return res, err
}

// timerBatch is how many due orders one timer transaction handles.
const timerBatch = 200

// dueScan is how many due orders RunDueTimers looks at to find the pages
// with work: several batches' worth, so that a node whose first page
// another node is already running finds the next pages.
const dueScan = 5 * timerBatch

// runTimers applies due timers to the named orders of one page, in one
// transaction, and returns how many changed. Each OrderGet locks its order
// (on PostgreSQL), so a timer another node runs at once is applied once:
// the later transaction reads the result and Tick finds nothing due. A
// transaction the database broke (a deadlock with another node's runTimers
// locking the same orders in another order) is retried.
func (e *Engine) runTimers(ctx context.Context, pageID string, ids []string) (n int, err error) {
	for attempt := 0; ; attempt++ {
		err = e.store.Write(ctx, func(tx store.Tx) error {
			page, err := tx.PageGet(ctx, pageID)
			if err != nil {
				return err
			}
			n, err = e.tick(ctx, tx, page, ids)
			return err
		})
		if ordergraph.ErrorCode(err) != ordergraph.ECONFLICT || attempt == maxConflictRetries {
			return n, err
		}
	}
}

// claimTimers runs, in one transaction, the timers of up to timerBatch of
// the page's due orders that no other transaction holds: OrderDueList in a
// Write claims them (FOR UPDATE SKIP LOCKED on PostgreSQL), so nodes
// running timers at once take disjoint batches instead of queueing on the
// same rows. It returns how many orders changed.
func (e *Engine) claimTimers(ctx context.Context, pageID string) (n int, err error) {
	err = e.store.Write(ctx, func(tx store.Tx) error {
		page, err := tx.PageGet(ctx, pageID)
		if err != nil {
			return err
		}
		ids, err := tx.OrderDueList(ctx, page.ID, page.Now(e.clock), timerBatch)
		if err != nil {
			return err
		}
		n, err = e.tick(ctx, tx, page, ids)
		return err
	})
	return n, err
}

// tick applies the due timers of the named orders of page in tx, and
// returns how many changed.
func (e *Engine) tick(ctx context.Context, tx store.Tx, page *ordergraph.Page, ids []string) (int, error) {
	n := 0
	now := page.Now(e.clock)
	for _, id := range ids {
		stored, err := tx.OrderGet(ctx, page.ID, id)
		if ordergraph.ErrorCode(err) == ordergraph.ENOTFOUND {
			continue
		} else if err != nil {
			return n, err
		}
		o := stored.Clone()
		changes := Tick(o, now, autoAck(page), e.NewID)
		if len(changes) == 0 {
			continue
		}
		if err := e.save(ctx, tx, page, stored, o, now, changes); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// runPageTimers runs every timer of one page due by its clock.
func (e *Engine) runPageTimers(ctx context.Context, pageID string) (int, error) {
	total := 0
	for {
		var ids []string
		err := e.store.Read(ctx, func(tx store.Tx) error {
			page, err := tx.PageGet(ctx, pageID)
			if err != nil {
				return err
			}
			ids, err = tx.OrderDueList(ctx, page.ID, page.Now(e.clock), timerBatch)
			return err
		})
		if err != nil || len(ids) == 0 {
			return total, err
		}
		n, err := e.runTimers(ctx, pageID, ids)
		total += n
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil // nothing changed: do not spin on the same rows
		}
	}
}

// RunDueTimers runs the timers (hold ends, acknowledgement deadlines) that
// are due on any page by its clock, then the payouts due, and returns how
// many orders changed plus how many payouts were made. The server calls it
// periodically; servers sharing a PostgreSQL database all call it, and each
// due order is changed, each due transaction paid out, by exactly one of
// them.
func (e *Engine) RunDueTimers(ctx context.Context) (int, error) {
	if err := e.forgetExpiredKeys(ctx); err != nil {
		return 0, err
	}
	n, err := e.runDueOrderTimers(ctx)
	if err != nil {
		return n, err
	}
	if !e.due(&e.lastPayoutScan, time.Minute) {
		return n, nil
	}
	paid, err := e.runDuePayouts(ctx)
	return n + paid, err
}

// due reports whether at least every has passed on the base clock since
// *last, and if so moves *last to now: periodic work the timer loop runs
// less often than its tick.
func (e *Engine) due(last *time.Time, every time.Duration) bool {
	now := e.clock.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if !last.IsZero() && now.Sub(*last) < every {
		return false
	}
	*last = now
	return true
}

// runDueOrderTimers runs the order timers due on any page, and returns how
// many orders changed.
func (e *Engine) runDueOrderTimers(ctx context.Context) (int, error) {
	total := 0
	for {
		var refs []store.OrderRef
		err := e.store.Read(ctx, func(tx store.Tx) (err error) {
			refs, err = tx.OrderDueAnyList(ctx, e.clock.Now(), dueScan)
			return err
		})
		if err != nil || len(refs) == 0 {
			return total, err
		}
		// The list says which pages have due orders; each page's are
		// claimed in the transaction that runs them.
		seen := make(map[string]bool)
		var pages []string
		for _, r := range refs {
			if !seen[r.PageID] {
				seen[r.PageID] = true
				pages = append(pages, r.PageID)
			}
		}
		changed := 0
		for _, p := range pages {
			n, err := e.claimTimers(ctx, p)
			changed += n
			if err != nil {
				return total + changed, err
			}
		}
		total += changed
		if changed == 0 {
			// Done, or what is left is other nodes' claims: do not spin.
			return total, nil
		}
	}
}

// forgetExpiredKeys deletes idempotency records past their TTL by real
// time (page clocks only run ahead of it, so none is deleted early for a
// page) at most once a minute.
func (e *Engine) forgetExpiredKeys(ctx context.Context) error {
	if !e.due(&e.lastKeySweep, time.Minute) {
		return nil
	}
	now := e.clock.Now()
	return e.store.Write(ctx, func(tx store.Tx) error {
		_, err := tx.IdempotencyDeleteBefore(ctx, now.Add(-IdempotencyTTL))
		return err
	})
}

// OrderCounts returns the number of orders per state across pages, for
// metrics.
func (e *Engine) OrderCounts(ctx context.Context) (map[ordergraph.OrderState]int, error) {
	var m map[ordergraph.OrderState]int
	err := e.store.Read(ctx, func(tx store.Tx) (err error) {
		m, err = tx.OrderCountByState(ctx, "")
		return err
	})
	return m, err
}

// Ping reports whether the store answers, for health checks.
func (e *Engine) Ping(ctx context.Context) error { return e.store.Ping(ctx) }
