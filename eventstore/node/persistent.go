package node

import (
	"log/slog"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/persistent"
)

// persistentService serves persistent subscriptions (placeholder: being written).
type persistentService struct {
	persistent.UnimplementedPersistentSubscriptionsServer
}

func newPersistentService(e *Engine, logger *slog.Logger) (*persistentService, error) {
	return &persistentService{}, nil
}

// Close stops every subscription connection and background loop.
func (p *persistentService) Close() {}
