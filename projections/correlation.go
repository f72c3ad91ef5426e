package projections

import "context"

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
