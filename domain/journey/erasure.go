package journey

// Invariants of a journey's erasure (docs/decisions/0015):
//   - a journey whose participant is erased takes no command any more: for
//     every reader it is gone (ErrErased), and its sharing ends;
//   - the manager of an ended journey is erased from it with the manager's
//     erasure; an active journey gets a new manager first
//     (ErrJourneyActive);
//   - erasing again records nothing, so an erasure repeated after a
//     failure completes what the first left undone.

import (
	"fmt"

	"github.com/leerpad/leerpad/domain"
)

// Erase records that the journey's participant was erased; a journey
// already erased records nothing (an erasure repeated after a failure).
func (j *Journey) Erase(c Erase) error {
	if err := domain.Validate(domain.RequireID("journeyId", c.JourneyID), domain.RequireID("erasureId", c.ErasureID),
		domain.RequireTime("at", c.At)); err != nil {
		return fmt.Errorf("erase journey: %w", err)
	}
	if j.id == "" {
		return fmt.Errorf("erase journey %s: %w", c.JourneyID, ErrNotEnrolled)
	}
	if j.erased {
		return nil
	}
	j.record(Erased{ErasureID: c.ErasureID, At: c.At})
	return nil
}

// EraseManager records that the journey's manager was erased. Only an
// ended journey loses its manager this way (an active one gets a new
// manager first: ErrJourneyActive); a journey whose manager is someone
// else (or no one) records nothing.
func (j *Journey) EraseManager(c EraseManager) error {
	if err := domain.Validate(domain.RequireID("journeyId", c.JourneyID), domain.RequireID("erasureId", c.ErasureID),
		domain.RequireTime("at", c.At)); err != nil {
		return fmt.Errorf("erase manager: %w", err)
	}
	switch {
	case j.id == "":
		return fmt.Errorf("erase manager of journey %s: %w", c.JourneyID, ErrNotEnrolled)
	case j.managerID == "" || j.managerID != c.ManagerID:
		return nil
	case j.status == StatusActive:
		return fmt.Errorf("erase manager of journey %s: %w", j.id, ErrJourneyActive)
	}
	j.record(ManagerErased{ErasureID: c.ErasureID, At: c.At})
	return nil
}

// Erased reports whether the journey's participant was erased.
func (j *Journey) Erased() bool { return j.erased }
