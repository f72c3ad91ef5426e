// Package projections holds Leerpad's read models and what they share: the
// envelope in which the runner hands them events, the Projection contract,
// the Checkpoint that makes their handlers idempotent, and the Frame (name,
// lock, checkpoint) every read model embeds. Each read model is a package of
// its own (portfolio, cohortdashboard, behaviourchange, offer, raterlinks, impact); they are
// pure Go over domain events, kept in memory, and rebuilt by replaying the log
// or restored from a snapshot (Snapshotter, snapshot.go).
//
// The transport (a watermill router over the event store's catch-up
// subscription) lives elsewhere: it decodes each recorded event with the
// codec, wraps it in an Event and calls Handle. An event whose name the codec
// does not know is handed over as an UnknownEvent, so that every read model
// skips it, counts it and still moves its checkpoint on.
package projections

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Event is one recorded domain event as a read model receives it: where it
// was stored, when, and the decoded payload.
type Event struct {
	// Stream is the stream the event belongs to, "<category>-<uuid>".
	Stream string
	// Revision is the event's number within its stream, from 0.
	Revision uint64
	// Position is the event's commit position in the global log ($all). It
	// only grows along the log; a read model's checkpoint is the position of
	// the last event it applied.
	Position uint64
	// Recorded is when the store committed the event. Read models use the
	// payload's own time (its At) for anything they show, because Recorded
	// changes when events are copied to another store.
	Recorded time.Time
	// Data is the decoded payload, or an UnknownEvent.
	Data domain.Event
}

// UnknownEvent stands for a stored event whose name the codec does not know,
// e.g. one written by newer code. Read models skip and count it.
type UnknownEvent struct {
	Name string
}

// EventName returns the stored name of the unknown event.
func (u UnknownEvent) EventName() string { return u.Name }

// Projection is a read model fed by the runner.
type Projection interface {
	// Name is the read model's stable name; it keys its checkpoint and
	// consumer group, so renaming it means a full rebuild.
	Name() string
	// Handle applies one event. It is deterministic and idempotent: an event
	// at or below the revision already applied for its stream changes
	// nothing. An event of a type the read model does not handle is skipped;
	// an UnknownEvent, or a type from outside the domain, is also counted
	// (Unknown). Handle returns an error wrapping domain.ErrInvalid only for
	// an envelope it cannot use (no stream, no data); the runner retries it
	// and then sends it to the poison queue.
	Handle(ctx context.Context, e Event) error
	// Position is the global position of the last event handled (applied or
	// skipped), 0 before the first. Lag is the log's head minus Position.
	Position() uint64
	// Unknown is how many events of unknown types were skipped.
	Unknown() uint64
}

// Warmer is a read model that prepares answers once it has caught up with
// the log: the runner calls Warm once, in its own goroutine, after every
// projection has caught up, so that the first questions after a start are
// answered as fast as later ones. Warm must be safe beside Handle and the
// queries, and return when ctx ends.
type Warmer interface {
	Warm(ctx context.Context)
}

// ParseStream splits a stream name "<category>-<id>" at its first hyphen (ids
// are UUIDs, which hold hyphens of their own). It is the inverse of the event
// store's StreamID, which builds the name; ok is false when either part is
// empty.
func ParseStream(stream string) (category, id string, ok bool) {
	category, id, ok = strings.Cut(stream, "-")
	return category, id, ok && category != "" && id != ""
}

// Checkpoint is what a read model remembers of the log: the last revision
// applied per stream, the global position of the last event, and how many
// unknown events it skipped. It is not safe for concurrent use: the read model
// that holds it guards it with its own lock, in the same critical section as
// the change to its data, so the checkpoint and the data never disagree.
type Checkpoint struct {
	position  uint64
	revisions map[string]uint64
	unknown   uint64
	domain    map[string]domain.EventType // domainTypes(), read only
}

// NewCheckpoint returns the checkpoint of a read model that has seen nothing.
func NewCheckpoint() *Checkpoint {
	return &Checkpoint{revisions: make(map[string]uint64), domain: domainTypes()}
}

// Check reports whether e is new: not at or below the revision already
// applied for its stream. It returns an error wrapping domain.ErrInvalid for
// an envelope without stream or data.
func (c *Checkpoint) Check(e Event) (fresh bool, err error) {
	if e.Stream == "" {
		return false, domain.Invalid("stream", "is required")
	}
	if e.Data == nil {
		return false, domain.Invalid("data", "is required for %s@%d", e.Stream, e.Revision)
	}
	last, seen := c.revisions[e.Stream]
	return !seen || e.Revision > last, nil
}

// Done records e as handled: its stream's revision and, when it is further
// along the log, its position.
func (c *Checkpoint) Done(e Event) {
	c.revisions[e.Stream] = e.Revision
	if e.Position > c.position {
		c.position = e.Position
	}
}

// Skip records that the read model does not handle e. An UnknownEvent or an
// event from outside the domain's event types is counted; a domain event the
// read model simply has no use for is not.
func (c *Checkpoint) Skip(e Event) {
	_, unknown := e.Data.(UnknownEvent)
	if _, known := c.domain[e.Data.EventName()]; unknown || !known {
		c.unknown++
	}
}

// Apply is the core of a read model's Handle, run under the read model's
// lock (read models reach it through the package function Apply, which takes
// the lock of their Frame): it ignores e when the checkpoint has passed it, runs handle
// otherwise, counts e as skipped when handle reports it does not know its
// type (Skip), and records e as handled (Done). An envelope without stream
// or data is an error, prefixed with the read model's name.
func (c *Checkpoint) Apply(name string, e Event, handle func() (known bool)) error {
	fresh, err := c.Check(e)
	if err != nil {
		return fmt.Errorf("%s: handle event: %w", name, err)
	}
	if !fresh {
		return nil
	}
	if !handle() {
		c.Skip(e)
	}
	c.Done(e)
	return nil
}

// Position returns the global position of the last event handled.
func (c *Checkpoint) Position() uint64 { return c.position }

// Unknown returns how many unknown events were skipped.
func (c *Checkpoint) Unknown() uint64 { return c.unknown }
