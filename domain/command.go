package domain

import (
	"context"
	"errors"
)

type idempotencyKeyCtx struct{}

// WithIdempotencyKey returns a copy of ctx that carries a command's idempotency
// key to the repository. An empty key leaves ctx as it is.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	if key == "" {
		return ctx
	}
	return context.WithValue(ctx, idempotencyKeyCtx{}, key)
}

// IdempotencyKey returns the idempotency key carried by ctx, or "" when there
// is none. Repository adapters derive event ids from it: the same key, stream
// and position of the event within the decision always give the same id, so
// the event store deduplicates an append that is retried.
func IdempotencyKey(ctx context.Context) string {
	key, _ := ctx.Value(idempotencyKeyCtx{}).(string)
	return key
}

// RetryUpdate is how every service runs a command on an existing aggregate:
// one call of update (a repository's Update method) with decide, with key on
// the context. When the append fails with ErrConflict because another writer
// appended since the load, and decide itself succeeded, it runs update once
// more on the fresh stream. A conflict that decide reports, such as an
// assignment handed in twice, is returned at once: deciding again would give
// the same answer.
func RetryUpdate[A any](ctx context.Context, update func(context.Context, string, func(A) error) error, id, key string, decide func(A) error) error {
	ctx = WithIdempotencyKey(ctx, key)
	var decided error
	run := func(a A) error {
		decided = decide(a)
		return decided
	}
	err := update(ctx, id, run)
	if err != nil && decided == nil && errors.Is(err, ErrConflict) {
		err = update(ctx, id, run)
	}
	return err
}
