package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
)

// Viewer reads an aggregate as its stream holds it now and returns the
// stream's revision (an error wrapping domain.ErrNotFound for a missing
// stream); the event store's repositories are Viewers. see must only read
// the aggregate, and not keep it.
type Viewer[A any] interface {
	View(ctx context.Context, id string, see func(A)) (uint64, error)
}

// This file is the one place where the facts of access decisions come from.
//
// They are read from the log, never from a read model (docs/decisions/
// 0008-access-facts-from-the-log.md): a journey's participant, manager and
// shared sections, a cohort's trainers and a round's journey as their
// streams hold them at the moment of the decision. A command is then
// appended expecting the revision its facts were read at, so a manager whose
// access was revoked (a change of manager, a section no longer shared) in
// between is refused on the next attempt instead of writing.

// journeyFacts are the facts of an access decision on a journey, for kind.
type journeyFacts struct {
	resource access.Resource
	revision uint64
	status   journey.Status
}

// journeyFacts reads the facts of kind on journey id; see, when not nil,
// reads more of the journey in the same view.
func (a *App) journeyFacts(ctx context.Context, id string, kind access.Kind, see func(*journey.Journey)) (journeyFacts, error) {
	var f journeyFacts
	erased := false
	rev, err := a.journeys.View(ctx, id, func(j *journey.Journey) {
		if erased = j.Erased(); erased {
			return
		}
		f.resource = access.Resource{Kind: kind, ParticipantID: j.ParticipantID(), ManagerID: j.ManagerID(), CohortID: j.CohortID()}
		f.status = j.Status()
		if see != nil {
			see(j)
		}
	})
	if err == nil && erased {
		// An erased journey is gone for every reader and writer; nothing
		// of it is a fact any more.
		err = journey.ErrErased
	}
	if err != nil {
		return journeyFacts{}, notFound("journey", id, err)
	}
	f.revision = rev
	if needsTrainers(kind) {
		if f.resource.CohortTrainerIDs, err = a.cohortTrainers(ctx, f.resource.CohortID); err != nil {
			return f, err
		}
	}
	return f, nil
}

// needsTrainers reports whether the access rules of kind ask for the
// trainers of the journey's cohort.
func needsTrainers(kind access.Kind) bool {
	return slices.Contains([]access.Kind{access.KindAssignment, access.KindIntervisionSession, access.KindCoachingSession,
		access.KindAttendance, access.KindMeasurement}, kind)
}

// cohortTrainers returns the trainers of a cohort now.
func (a *App) cohortTrainers(ctx context.Context, cohortID string) ([]string, error) {
	var ts []string
	if _, err := a.cohorts.View(ctx, cohortID, func(c *cohort.Cohort) { ts = slices.Clone(c.TrainerIDs()) }); err != nil {
		return nil, notFound("cohort", cohortID, err)
	}
	return ts, nil
}

// cohortFacts are the facts of an access decision on a cohort, for kind.
type cohortFacts struct {
	resource access.Resource
	revision uint64
}

// cohortFacts reads the facts of kind on cohort id: its trainers; see,
// when not nil, reads more of the cohort in the same view. For a cohort
// that does not exist the error wraps domain.ErrNotFound, and the facts
// still name the cohort, with no trainers.
func (a *App) cohortFacts(ctx context.Context, id string, kind access.Kind, see func(*cohort.Cohort)) (cohortFacts, error) {
	f := cohortFacts{resource: access.Resource{Kind: kind, CohortID: id}}
	rev, err := a.cohorts.View(ctx, id, func(c *cohort.Cohort) {
		f.resource.CohortTrainerIDs = slices.Clone(c.TrainerIDs())
		if see != nil {
			see(c)
		}
	})
	if err != nil {
		return f, notFound("cohort", id, err)
	}
	f.revision = rev
	return f, nil
}

// groupFacts reads the facts of kind on intervision group groupID of
// cohort cohortID: the cohort's trainers and the group's members now (none
// for a group not formed, or dissolved); see, when not nil, reads more of
// the cohort in the same view. A member who withdrew from the cohort, or
// was re-formed out of the group, is no longer one.
func (a *App) groupFacts(ctx context.Context, cohortID, groupID string, kind access.Kind, see func(*cohort.Cohort)) (cohortFacts, error) {
	var members []string
	f, err := a.cohortFacts(ctx, cohortID, kind, func(c *cohort.Cohort) {
		members, _ = c.Group(groupID)
		if see != nil {
			see(c)
		}
	})
	f.resource.GroupMemberIDs = members
	return f, err
}

// roundOfJourney returns the revision of 360 round roundID, which must
// belong to journey journeyID (ErrNotFound otherwise), so that nobody
// reaches another journey's round through a journey of their own.
func (a *App) roundOfJourney(ctx context.Context, journeyID, roundID string) (uint64, error) {
	var j string
	rev, err := a.rounds.View(ctx, roundID, func(r *feedback.Round) { j = r.JourneyID() })
	if err != nil {
		return 0, notFound("360 round", roundID, err)
	}
	if j != journeyID {
		return 0, fmt.Errorf("360 round %s not found in journey %s: %w", roundID, journeyID, domain.ErrNotFound)
	}
	return rev, nil
}

// notFound names what was not found, in the user's words, for an error
// wrapping domain.ErrNotFound; other errors pass unchanged.
func notFound(what, id string, err error) error {
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("%s %s not found: %w", what, id, domain.ErrNotFound)
	}
	return err
}
