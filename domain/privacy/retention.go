package privacy

// Invariants of a retention policy:
//   - both periods lie between MinDays and MaxDays;
//   - a policy that does not change records nothing.

import (
	"time"

	"github.com/leerpad/leerpad/domain"
)

// SetRetention sets a programme's retention policy.
type SetRetention struct {
	ProgrammeID   string
	JourneyDays   int
	ReadAuditDays int
	At            time.Time
	domain.Envelope
}

// Retention is a programme's retention policy.
type Retention struct {
	programmeID   string
	journeyDays   int
	readAuditDays int
	setAt         time.Time
	loaded        int
	changes       []domain.Event
}

// ReplayRetention rebuilds a policy from its stream; with no events it is
// the default.
func ReplayRetention(events ...domain.Event) *Retention {
	r := &Retention{journeyDays: DefaultJourneyDays, readAuditDays: DefaultReadAuditDays}
	for _, e := range events {
		r.apply(e)
	}
	r.loaded = len(events)
	return r
}

// ID returns the programme's id.
func (r *Retention) ID() string { return r.programmeID }

// Version returns the number of events loaded from the stream.
func (r *Retention) Version() int { return r.loaded }

// Uncommitted returns the events recorded since the load.
func (r *Retention) Uncommitted() []domain.Event { return r.changes }

// CatchUp applies events another writer appended.
func (r *Retention) CatchUp(events ...domain.Event) {
	for _, e := range events {
		r.apply(e)
	}
	r.loaded += len(events)
}

// Committed marks the recorded events as stored.
func (r *Retention) Committed() {
	r.loaded += len(r.changes)
	r.changes = nil
}

// JourneyDays is how many days after it ended a journey is kept.
func (r *Retention) JourneyDays() int { return r.journeyDays }

// ReadAuditDays is how many days a record of a portfolio read is kept.
func (r *Retention) ReadAuditDays() int { return r.readAuditDays }

// SetAt is when the policy was last set; zero for the default.
func (r *Retention) SetAt() time.Time { return r.setAt }

// Set sets the policy.
func (r *Retention) Set(c SetRetention) error {
	if err := domain.Validate(
		domain.RequireID("programmeId", c.ProgrammeID),
		checkDays("journeyDays", c.JourneyDays),
		checkDays("readAuditDays", c.ReadAuditDays),
		domain.RequireTime("at", c.At),
	); err != nil {
		return err
	}
	if r.programmeID != "" && r.journeyDays == c.JourneyDays && r.readAuditDays == c.ReadAuditDays {
		return nil
	}
	r.record(RetentionSet{ProgrammeID: c.ProgrammeID, JourneyDays: c.JourneyDays, ReadAuditDays: c.ReadAuditDays, At: c.At})
	return nil
}

func (r *Retention) record(e domain.Event) {
	r.changes = append(r.changes, e)
	r.apply(e)
}

func (r *Retention) apply(e domain.Event) {
	if s, ok := e.(RetentionSet); ok {
		r.programmeID, r.journeyDays, r.readAuditDays, r.setAt = s.ProgrammeID, s.JourneyDays, s.ReadAuditDays, s.At
	}
}

// Due reports whether a journey that ended at ended is due for erasure at
// now under this policy.
func (r *Retention) Due(ended, now time.Time) bool {
	return !ended.IsZero() && !now.Before(ended.Add(Days(r.journeyDays)))
}
