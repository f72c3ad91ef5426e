package projections

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
)

// CorrelationIDKey is the key of the correlation id in an event's custom
// metadata (eventstore.Metadata writes it there).
const CorrelationIDKey = "correlationId"

type correlationKey struct{}

// WithCorrelationID returns ctx carrying a correlation id.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// CorrelationID returns the correlation id a handler's context carries: that
// of the command that caused the event being handled, "" when it had none.
func CorrelationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}

// correlate takes the correlation id from the event's metadata and puts it on
// the message's context, and under watermill's own key in its metadata (so
// that watermill's middlewares and a poisoned message carry it too).
func correlate(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		if id := msg.Metadata.Get(CorrelationIDKey); id != "" {
			msg.Metadata.Set(middleware.CorrelationIDMetadataKey, id)
			msg.SetContext(WithCorrelationID(msg.Context(), id))
		}
		return h(msg)
	}
}
