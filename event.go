package ordergraph

import (
	"encoding/json"
	"time"
)

// Event kinds: one per kind of change an order goes through.
const (
	EventPlaced            = "PLACED"
	EventReleased          = "RELEASED"
	EventBuyerCancel       = "BUYER_CANCELLED"
	EventFraudCancel       = "FRAUD_CANCELLED"
	EventAcknowledged      = "ACKNOWLEDGED"
	EventShipped           = "SHIPPED"
	EventCancelled         = "CANCELLED"
	EventRefunded          = "REFUNDED"
	EventAckSLABreach      = "ACK_SLA_BREACHED"
	EventShipmentUpdated   = "SHIPMENT_UPDATED"
	EventReturnRequested   = "RETURN_REQUESTED"
	EventReturnUpdated     = "RETURN_UPDATED"
	EventManagementChanged = "ORDER_MANAGEMENT_CHANGED"
	EventChargeback        = "CHARGEBACK"
)

// Event is an append-only record of one change to an order. Timelines,
// item updates, notifications and webhooks read them.
type Event struct {
	PageID  string
	OrderID string
	Seq     int64 // the order's version after the change
	Kind    string
	Actor   string
	At      time.Time
	Data    json.RawMessage
}
