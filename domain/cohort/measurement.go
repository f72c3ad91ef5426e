package cohort

// Invariants of a cohort's impact measurement (leerpad.impact/v1 §4):
//   - the measurement is closed once, and not before the cohort's first day:
//     before that no module has been delivered, the enrolment may still
//     change, and closing would release a cohort that has nothing to show
//     yet (the programme office closes it once the post rounds are closed);
//   - closing freezes the participants the cohort contributes: those
//     enrolled and not withdrawn at that moment (MeasurementClosed
//     ParticipantIDs). A withdrawal afterwards does not change that set;
//   - a closed measurement's figures are frozen into the log at most once
//     (FreezeFigures), before anybody they count is erased;
//   - a cohort whose measurement is closed enrols nobody new: a participant
//     enrolled after the release would be outside the frozen set, so their
//     journey would be run in a cohort whose figures never count it.

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Errors of the impact measurement.
var (
	ErrMeasurementClosed     = fmt.Errorf("the cohort's impact measurement is closed: %w", domain.ErrConflict)
	ErrMeasurementOpen       = fmt.Errorf("the cohort's impact measurement is not closed: %w", domain.ErrConflict)
	ErrFiguresFrozen         = fmt.Errorf("the cohort's impact figures are already frozen: %w", domain.ErrConflict)
	ErrMeasurementNotStarted = fmt.Errorf("the cohort has not started yet: its impact measurement closes once it has run: %w", domain.ErrConflict)
)

// CloseMeasurement closes a cohort's impact measurement: its figures are
// released and the participants it contributes are frozen.
type CloseMeasurement struct {
	CohortID string
	At       time.Time
	domain.Envelope
}

// FreezeFigures records a released cohort's impact figures in its stream
// (FiguresFrozen).
type FreezeFigures struct {
	CohortID string
	Figures  []byte // the impact read model's frozen blocks, JSON
	At       time.Time
	domain.Envelope
}

// Measurement is where a cohort's impact measurement stands.
type Measurement struct {
	// Closed reports whether the programme office closed it; ClosedAt is when.
	Closed   bool
	ClosedAt time.Time
	// ParticipantIDs are the participants it contributes once closed,
	// sorted; none while open.
	ParticipantIDs []string
	// FiguresFrozen reports whether its figures are recorded in the log.
	FiguresFrozen bool
}

// Measurement returns where the cohort's impact measurement stands; the
// result is a copy.
func (c *Cohort) Measurement() Measurement {
	if c.measurement == nil {
		return Measurement{}
	}
	return Measurement{Closed: true, ClosedAt: c.measurement.At, ParticipantIDs: slices.Clone(c.measurement.ParticipantIDs),
		FiguresFrozen: c.figuresFrozen}
}

// CloseMeasurement records that the cohort's impact measurement is closed,
// with the participants enrolled and not withdrawn now, sorted.
func (c *Cohort) CloseMeasurement(cmd CloseMeasurement) error {
	if err := domain.Validate(
		domain.RequireID("cohortId", cmd.CohortID),
		domain.RequireTime("at", cmd.At),
	); err != nil {
		return fmt.Errorf("close measurement: %w", err)
	}
	if err := c.planned(cmd.CohortID); err != nil {
		return fmt.Errorf("close measurement: %w", err)
	}
	if c.measurement != nil {
		return fmt.Errorf("close measurement of cohort %s: closed on %s: %w", c.id, c.measurement.At.Format(time.RFC3339), ErrMeasurementClosed)
	}
	y, m, d := c.startsOn.Date()
	if first := time.Date(y, m, d, 0, 0, 0, 0, c.startsOn.Location()); cmd.At.Before(first) {
		return fmt.Errorf("close measurement of cohort %s: it starts on %s: %w", c.id, c.startsOn.Format(time.DateOnly), ErrMeasurementNotStarted)
	}
	ids := []string{}
	for id, p := range c.participants {
		if !p.withdrawn {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	c.record(MeasurementClosed{CohortID: c.id, ParticipantIDs: ids, At: cmd.At})
	return nil
}

// FreezeFigures records the figures of the cohort's closed measurement.
func (c *Cohort) FreezeFigures(cmd FreezeFigures) error {
	if err := domain.Validate(
		domain.RequireID("cohortId", cmd.CohortID),
		domain.RequireTime("at", cmd.At),
	); err != nil {
		return fmt.Errorf("freeze figures: %w", err)
	}
	if !json.Valid(cmd.Figures) || len(cmd.Figures) == 0 || cmd.Figures[0] != '{' {
		return fmt.Errorf("freeze figures: %w", domain.Invalid("figures", "must be a JSON object"))
	}
	if err := c.planned(cmd.CohortID); err != nil {
		return fmt.Errorf("freeze figures: %w", err)
	}
	if c.measurement == nil {
		return fmt.Errorf("freeze figures of cohort %s: %w", c.id, ErrMeasurementOpen)
	}
	if c.figuresFrozen {
		return fmt.Errorf("freeze figures of cohort %s: %w", c.id, ErrFiguresFrozen)
	}
	c.record(FiguresFrozen{CohortID: c.id, Figures: slices.Clone(cmd.Figures), At: cmd.At})
	return nil
}
