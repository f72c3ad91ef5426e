package usecase

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
)

// Write is how a command is to be written, besides its own fields.
type Write struct {
	// Actor is who gives the command.
	Actor access.Principal
	// CorrelationID ties the events of one request together.
	CorrelationID string
	// IdempotencyKey is the client's key for the request, or "". A request
	// sent again with the same key writes nothing twice and creates the same
	// ids; the key is scoped to the actor and the operation, so keys of
	// different callers or operations never meet.
	IdempotencyKey string
	// IfMatch, when set, is the revision of the resource the client read: the
	// command is refused with ErrPreconditionFailed when the resource changed
	// since. Without it, a command that loses a race with another writer is
	// decided again on the fresh state.
	IfMatch domain.Revision
}

// Written is what a command wrote: the id of what it created or changed,
// the revision of that resource's stream after the write, and the global log
// position of the write (0 when it recorded nothing), which a later read may
// wait for (read-your-writes).
type Written struct {
	ID       string
	Revision uint64
	Position uint64
}

// ErrPreconditionFailed means the resource changed since the client read the
// revision it sent (If-Match).
var ErrPreconditionFailed = errors.New("the resource changed since you read it")

// ErrBusy means a command lost the race against other writers on the same
// resource in every attempt; nothing was written.
var ErrBusy = fmt.Errorf("other changes to this resource were being saved at the same moment; nothing was saved, try again: %w", domain.ErrConflict)

// attempts is how often a command without If-Match is decided when other
// writers keep appending to its stream first.
const attempts = 8

// Clock tells the time of a command. The domain never reads the clock.
type Clock func() time.Time

// IDs makes the ids of what commands create.
type IDs func() string

// op is one command of a request under way: its Write, the name of its
// operation and the resource it acts on, which together scope the
// idempotency key.
type op struct {
	w      Write
	name   string
	target string
}

// key is the idempotency key of one command of the request: empty without
// a client key, else derived from the actor, the operation, its target, the
// client's key and part, so that each command of a request that writes more
// than once has its own.
func (o op) key(part string) string {
	if o.w.IdempotencyKey == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(o.w.Actor.Subject + "\x00" + o.name + "\x00" + o.target + "\x00" + o.w.IdempotencyKey + "\x00" + part))
	return hex.EncodeToString(sum[:16])
}

// idNamespace scopes the ids derived from idempotency keys.
var idNamespace = uuid.MustParse("b0f3c7a2-5d1e-4f6a-8c9b-2e7d4a1f3c50")

// newID is the id of a resource the command creates: derived from the
// idempotency key when there is one (a retry creates the same resource),
// fresh otherwise.
func (o op) newID(ids IDs, part string) string {
	if k := o.key("id:" + part); k != "" {
		return uuid.NewSHA1(idNamespace, []byte(k)).String()
	}
	return ids()
}

// envelope is the domain envelope of the command, decided on revision.
func (o op) envelope(part string, revision domain.Revision) domain.Envelope {
	return domain.Envelope{Actor: o.w.Actor.Subject, CorrelationID: o.w.CorrelationID, IdempotencyKey: o.key(part), Expected: revision}
}

// decided runs attempt until it is not refused as stale: attempt reads the
// facts it decides on (and their revision), checks access and runs the
// command expecting that revision. With If-Match the client's revision must
// be the one read, and a stale attempt is not repeated: the client decides
// again on what it reads now.
func (o op) decided(ctx context.Context, attempt func() (domain.Written, error)) (domain.Written, error) {
	for i := 1; ; i++ {
		w, err := attempt()
		switch {
		case err == nil, !errors.Is(err, domain.ErrStale):
			return w, err
		case o.ifMatch():
			return w, ErrPreconditionFailed
		case i == attempts:
			return w, ErrBusy
		}
		// Let the writers that won go first: a random pause that grows
		// with each attempt (at most a few milliseconds), so that writers
		// that met once do not meet again in lockstep.
		pause := time.NewTimer(time.Duration(rand.Int64N(int64(time.Millisecond) << (i - 1)))) //nolint:gosec // a pause, not a secret
		select {
		case <-ctx.Done():
			pause.Stop()
			return w, ctx.Err()
		case <-pause.C:
		}
	}
}

func (o op) ifMatch() bool {
	_, set := o.w.IfMatch.Get()
	return set
}

// expect returns the revision a command is decided on and appended
// expecting: the one read, or with If-Match the client's. With If-Match the
// repository then recognises a retry of a command that was written (and
// answers as the first time), and refuses anything else as stale, which
// decided turns into ErrPreconditionFailed.
func (o op) expect(read uint64) (domain.Revision, error) {
	if want, set := o.w.IfMatch.Get(); set {
		return domain.AtRevision(want), nil
	}
	return domain.AtRevision(read), nil
}

// check refuses with ErrPreconditionFailed when the client sent If-Match
// and the resource is at another revision: for a request whose writes go
// to other streams than the one If-Match is about.
func (o op) check(read uint64) error {
	if want, set := o.w.IfMatch.Get(); set && want != read {
		return ErrPreconditionFailed
	}
	return nil
}

// settle returns the revision a command is decided on: with If-Match the
// client's (it must be the one read); otherwise the one read when pin is
// true (the access decision rests on facts another write could change),
// else any, so that a command whose access cannot change under it is not
// refused because unrelated entries were appended meanwhile.
func (o op) settle(read uint64, pin bool) (domain.Revision, error) {
	if o.ifMatch() || pin {
		return o.expect(read)
	}
	return domain.Revision{}, nil
}

// written is the answer of a command on resource id.
func written(id string, w domain.Written) Written {
	return Written{ID: id, Revision: w.Revision, Position: w.Position}
}
