package domain

import (
	"context"
	"fmt"
)

// Envelope is what every command carries besides its own fields: who gave
// it, the request it belongs to, whether a retry of it must record nothing
// twice, and the revision of the stream it was decided on. Commands embed
// it; repositories read it, so that what a command needs is in its
// signature, never in a context value.
type Envelope struct {
	// Actor is the pseudonymous subject id of who gave the command. It goes
	// into the metadata of the events written, never into their payload.
	Actor string
	// CorrelationID ties the events of one request together (metadata).
	CorrelationID string
	// IdempotencyKey, when set, gives each event a deterministic id: the same
	// key, stream and position of the event within the decision always give
	// the same id, so a command retried with the same key records nothing
	// twice and succeeds as the first attempt did.
	IdempotencyKey string
	// Expected, when set, is the revision the stream must be at: the command
	// is decided on that revision and appended expecting it, so nothing can
	// slip in between a check made on it and the write (ErrStale otherwise).
	Expected Revision
}

// Revision is an optional stream revision: the 0-based number of a stream's
// last event. The zero value is "any revision".
type Revision struct {
	n   uint64
	set bool
}

// AtRevision is the revision n.
func AtRevision(n uint64) Revision { return Revision{n: n, set: true} }

// Get returns the revision and whether one is set.
func (r Revision) Get() (uint64, bool) { return r.n, r.set }

// String returns the revision as a number, or "any".
func (r Revision) String() string {
	if !r.set {
		return "any"
	}
	return fmt.Sprint(r.n)
}

// ErrStale means the stream is not at the revision a command expected
// (Envelope.Expected): another writer appended since it was read. It is a
// conflict; the use case decides whether to read again and retry, or, when
// the revision came from the client (If-Match), to answer that it failed.
var ErrStale = fmt.Errorf("the stream changed since it was read: %w", ErrConflict)

// Written is what a command wrote: the revision of its stream's last event
// after the write, and the global log position of that event. Position is 0
// when the command recorded nothing (a decision without events); a command
// recognised as a retry by its idempotency key reports where its events
// were written the first time.
type Written struct {
	Revision uint64
	Position uint64
}

// After returns the later of two writes of one request, by log position:
// what a request that wrote twice reports.
func (w Written) After(o Written) Written {
	if o.Position > w.Position {
		return o
	}
	return w
}

// UpdateFunc is a repository's Update: load the aggregate id, let decide
// record events, append them as env says.
type UpdateFunc[A any] func(ctx context.Context, id string, env Envelope, decide func(A) error) (Written, error)
