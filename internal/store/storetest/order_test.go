package storetest

import (
	"testing"

	"github.com/ordergraph/ordergraph"
)

func TestNewOrder(t *testing.T) {
	t.Parallel()
	for kind, want := range map[OrderKind]ordergraph.LegacyStatus{
		FBProcessing:  ordergraph.LegacyFBProcessing,
		Created:       ordergraph.LegacyCreated,
		InProgress:    ordergraph.LegacyInProgress,
		PartlyShipped: ordergraph.LegacyInProgress,
		Shipped:       ordergraph.LegacyShipped,
		Cancelled:     ordergraph.LegacyCancelled,
		Refunded:      ordergraph.LegacyRefunded,
	} {
		if got := NewOrder("1", "1", kind, T0).LegacyStatus(); got != want {
			t.Errorf("kind %d: LegacyStatus = %s, want %s", kind, got, want)
		}
	}
}
