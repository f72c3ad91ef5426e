package cohort_test

import (
	"slices"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/domaintest"
)

func TestCloseMeasurement(t *testing.T) {
	after := startsOn.AddDate(0, 6, 0)
	closeAt := func(when time.Time) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			return c.CloseMeasurement(cohort.CloseMeasurement{CohortID: cohortID, At: when})
		}
	}
	withdrawn := func(n int) cohort.ParticipantWithdrawn {
		return cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[n], At: at}
	}
	closed := func(when time.Time, ids ...string) cohort.MeasurementClosed {
		return cohort.MeasurementClosed{CohortID: cohortID, ParticipantIDs: ids, At: when}
	}
	domaintest.Run(t, cohort.Replay, []domaintest.Case[*cohort.Cohort]{
		{Name: "freezes the participants enrolled and not withdrawn, sorted", Given: withParticipants(4, withdrawn(1)), When: closeAt(after),
			Want: []domain.Event{closed(after, p[0], p[2], p[3])}},
		{Name: "a cohort without participants closes with none", Given: withParticipants(0), When: closeAt(after),
			Want: []domain.Event{closed(after, []string{}...)}},
		{Name: "on the cohort's first day", Given: withParticipants(1), When: closeAt(startsOn), Want: []domain.Event{closed(startsOn, p[0])}},
		{Name: "before the cohort starts", Given: withParticipants(1), When: closeAt(startsOn.Add(-time.Minute)), WantErr: cohort.ErrMeasurementNotStarted},
		{Name: "twice", Given: withParticipants(1, closed(after, p[0])), When: closeAt(after.Add(time.Hour)), WantErr: cohort.ErrMeasurementClosed},
		{Name: "a cohort never planned", When: closeAt(after), WantErr: cohort.ErrCohortNotFound},
		{Name: "without a time", Given: withParticipants(1), When: closeAt(time.Time{}), WantErr: domain.ErrInvalid, WantField: "at"},
		{Name: "nobody is enrolled after it", Given: withParticipants(1, closed(after, p[0])), WantErr: cohort.ErrMeasurementClosed,
			When: func(c *cohort.Cohort) error {
				return c.Enrol(cohort.EnrolParticipant{CohortID: cohortID, ParticipantID: p[5], Name: "Late", Email: "late@agency.example", At: after})
			}},
		{Name: "a participant still withdraws after it", Given: withParticipants(2, closed(after, p[0], p[1])),
			When: func(c *cohort.Cohort) error {
				return c.Withdraw(cohort.WithdrawParticipant{CohortID: cohortID, ParticipantID: p[1], At: after})
			}, Want: []domain.Event{cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[1], At: after}}},
	})
}

// TestFreezeFigures: a closed measurement's figures are recorded once, as
// given; never while it is open, never twice, never anything but a JSON
// object.
func TestFreezeFigures(t *testing.T) {
	after := startsOn.AddDate(0, 6, 0)
	closed := cohort.MeasurementClosed{CohortID: cohortID, ParticipantIDs: []string{p[0]}, At: after}
	figures := []byte(`{"journeys":1}`)
	freeze := func(b []byte) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			return c.FreezeFigures(cohort.FreezeFigures{CohortID: cohortID, Figures: b, At: after})
		}
	}
	frozen := cohort.FiguresFrozen{CohortID: cohortID, Figures: figures, At: after}
	domaintest.Run(t, cohort.Replay, []domaintest.Case[*cohort.Cohort]{
		{Name: "after the closure", Given: withParticipants(1, closed), When: freeze(figures), Want: []domain.Event{frozen}},
		{Name: "while open", Given: withParticipants(1), When: freeze(figures), WantErr: cohort.ErrMeasurementOpen},
		{Name: "twice", Given: withParticipants(1, closed, frozen), When: freeze(figures), WantErr: cohort.ErrFiguresFrozen},
		{Name: "not an object", Given: withParticipants(1, closed), When: freeze([]byte(`[1]`)), WantErr: domain.ErrInvalid, WantField: "figures"},
		{Name: "not JSON", Given: withParticipants(1, closed), When: freeze([]byte(`{"a":`)), WantErr: domain.ErrInvalid, WantField: "figures"},
	})
	c := cohort.Replay(withParticipants(1, closed, frozen)...)
	if m := c.Measurement(); !m.Closed || !m.FiguresFrozen {
		t.Fatalf("measurement %+v, want closed with its figures frozen", m)
	}
}

// TestMeasurementStaysFrozen checks what the cohort answers of its
// measurement: nothing while open; once closed, when and whom, unchanged by
// a withdrawal afterwards; and its details say when it was closed.
func TestMeasurementStaysFrozen(t *testing.T) {
	c := cohort.Replay(withParticipants(3)...)
	if m := c.Measurement(); m.Closed || m.ParticipantIDs != nil || !c.Details().MeasurementClosedAt.IsZero() {
		t.Fatalf("open measurement %+v, details closed at %v", m, c.Details().MeasurementClosedAt)
	}
	when := startsOn.AddDate(0, 8, 0)
	if err := c.CloseMeasurement(cohort.CloseMeasurement{CohortID: cohortID, At: when}); err != nil {
		t.Fatal(err)
	}
	if err := c.Withdraw(cohort.WithdrawParticipant{CohortID: cohortID, ParticipantID: p[0], At: when.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	m := c.Measurement()
	if !m.Closed || !m.ClosedAt.Equal(when) || !slices.Equal(m.ParticipantIDs, []string{p[0], p[1], p[2]}) {
		t.Fatalf("measurement %+v", m)
	}
	m.ParticipantIDs[0] = "changed by the caller"
	if d := c.Details(); c.Measurement().ParticipantIDs[0] != p[0] || !d.MeasurementClosedAt.Equal(when) || d.Size != 2 {
		t.Fatalf("measurement %+v, details %+v", c.Measurement(), d)
	}
}
