package privacy

// Invariants of an erasure:
//   - a person is erased once (ErrAlreadyErased): the stream is the person's;
//   - the erasure names the person, at least one role they held, who asked
//     and why; the programme office and the retention schedule give a
//     reason, and a reference is a case number, never text.

import (
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Erase erases a person.
type Erase struct {
	ErasureID   string
	PersonID    string
	Roles       []PersonRole
	RequestedBy Requester
	ActorID     string
	Reason      Reason
	Reference   string
	At          time.Time
	domain.Envelope
}

// Erasure is the record of one person's erasure.
type Erasure struct {
	erased  *PersonErased
	loaded  int
	changes []domain.Event
}

// ReplayErasure rebuilds an erasure from its stream; with no events it is a
// person not erased.
func ReplayErasure(events ...domain.Event) *Erasure {
	e := &Erasure{}
	for _, ev := range events {
		e.apply(ev)
	}
	e.loaded = len(events)
	return e
}

// ID returns the erased person's id (the stream's id).
func (e *Erasure) ID() string {
	if e.erased == nil {
		return ""
	}
	return e.erased.PersonID
}

// Version returns the number of events loaded from the stream.
func (e *Erasure) Version() int { return e.loaded }

// Uncommitted returns the events recorded since the load.
func (e *Erasure) Uncommitted() []domain.Event { return e.changes }

// CatchUp applies events another writer appended.
func (e *Erasure) CatchUp(events ...domain.Event) {
	for _, ev := range events {
		e.apply(ev)
	}
	e.loaded += len(events)
}

// Committed marks the recorded events as stored.
func (e *Erasure) Committed() {
	e.loaded += len(e.changes)
	e.changes = nil
}

// Record returns the erasure as recorded, and whether there is one.
func (e *Erasure) Record() (PersonErased, bool) {
	if e.erased == nil {
		return PersonErased{}, false
	}
	r := *e.erased
	r.Roles = slices.Clone(r.Roles)
	return r, true
}

// Erase records the erasure of a person.
func (e *Erasure) Erase(c Erase) error {
	if e.erased != nil {
		return ErrAlreadyErased
	}
	ps := []*domain.FieldError{
		domain.RequireID("erasureId", c.ErasureID),
		domain.RequireID("personId", c.PersonID),
		domain.RequireTime("at", c.At),
		OptionalReference("reference", c.Reference),
	}
	if len(c.Roles) == 0 {
		ps = append(ps, domain.Invalid("personId", "names nobody Leerpad knows as a participant, manager or rater"))
	}
	switch c.RequestedBy {
	case RequesterSelf:
		if c.ActorID != c.PersonID {
			ps = append(ps, domain.Invalid("personId", "a person erases only themselves"))
		}
	case RequesterProgrammeOffice, RequesterRetention:
	default:
		ps = append(ps, domain.Required("requestedBy"))
	}
	if c.Reason.IsZero() {
		ps = append(ps, domain.Required("reason"))
	}
	if err := domain.Validate(ps...); err != nil {
		return err
	}
	e.record(PersonErased{ErasureID: c.ErasureID, PersonID: c.PersonID, Roles: slices.Clone(c.Roles), RequestedBy: c.RequestedBy,
		ActorID: c.ActorID, Reason: c.Reason, Reference: c.Reference, At: c.At})
	return nil
}

func (e *Erasure) record(ev domain.Event) {
	e.changes = append(e.changes, ev)
	e.apply(ev)
}

func (e *Erasure) apply(ev domain.Event) {
	if p, ok := ev.(PersonErased); ok && e.erased == nil {
		e.erased = &p
	}
}
