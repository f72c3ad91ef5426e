package usecase

import (
	"context"
	"errors"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/impact"
)

// The impact measurement of leerpad.impact/v2: a population's figures as of
// a log position (asOf; 0: the read model's checkpoint). A read as of a
// position the read model has not reached waits for it as a read with
// Leerpad-Min-Position does, and answers NotCaughtUpError when the wait
// ends first (docs/decisions/0012-impact-read-model.md).

// Impacts is the impact read model.
type Impacts interface {
	Name() string
	Cohort(cohortID string, asOf uint64) (impact.Population, error)
	Programme(programmeID string, asOf uint64) (impact.Population, error)
	Entity(entityID, programmeID string, asOf uint64) (impact.Population, error)
	Module(moduleID string, asOf uint64) (impact.Population, error)
	// Frozen is a released cohort's figures as the log keeps them
	// (cohort.FreezeFigures): id-free blocks of at least k people.
	Frozen(cohortID string) ([]byte, error)
	// Own is a journey's own change with its reliable-change index: for
	// its participant alone.
	Own(journeyID string) ([]impact.OwnChange, error)
}

// The levels of an impact response (IMPACT.md §3).
const (
	LevelReaction  = "reaction"
	LevelLearning  = "learning"
	LevelBehaviour = "behaviour"
	LevelResults   = "results"
)

// Impact is a population's figures with the levels its reader may see:
// the others are left empty.
type Impact struct {
	impact.Population
	Levels []string
}

func allLevels() []string {
	return []string{LevelReaction, LevelLearning, LevelBehaviour, LevelResults}
}

// impactRead waits until the read model has passed both min and asOf.
func (a *App) impactRead(ctx context.Context, min, asOf uint64) error {
	if a.deps.Impact == nil {
		return unavailable("the impact read model")
	}
	return a.caughtUp(ctx, max(min, asOf), a.deps.Impact.Name())
}

// CohortImpact is a released cohort's impact: every level for the programme
// office, reaction and behaviour for the cohort's trainers.
func (a *App) CohortImpact(ctx context.Context, p access.Principal, cohortID string, asOf, min uint64) (Impact, error) {
	f, err := a.cohortAccess(ctx, p, cohortID, access.KindCohortImpact, access.ActionRead, nil)
	if err != nil {
		return Impact{}, err
	}
	whole := f.resource
	whole.Kind = access.KindImpact
	levels := allLevels()
	if !a.allowed(p, access.ActionRead, whole) {
		levels = []string{LevelReaction, LevelBehaviour}
	}
	if err := a.impactRead(ctx, min, asOf); err != nil {
		return Impact{}, err
	}
	v, err := a.deps.Impact.Cohort(cohortID, asOf)
	if err != nil {
		return Impact{}, err
	}
	return shownLevels(v, levels), nil
}

// ProgrammeImpact is the impact of a programme's released cohorts (the
// programme office).
func (a *App) ProgrammeImpact(ctx context.Context, p access.Principal, programmeID string, asOf, min uint64) (Impact, error) {
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindImpact}); err != nil {
		return Impact{}, err
	}
	if err := exists(ctx, a.deps.ProgrammeView, "programme", programmeID); err != nil {
		return Impact{}, err
	}
	if err := a.impactRead(ctx, min, asOf); err != nil {
		return Impact{}, err
	}
	v, err := a.deps.Impact.Programme(programmeID, asOf)
	if err != nil {
		return Impact{}, err
	}
	return shownLevels(v, allLevels()), nil
}

// EntityImpact is the impact of an ordering entity's released cohorts, of
// one programme when programmeID is not empty (the programme office).
func (a *App) EntityImpact(ctx context.Context, p access.Principal, entityID, programmeID string, asOf, min uint64) (Impact, error) {
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindImpact}); err != nil {
		return Impact{}, err
	}
	if err := exists(ctx, a.deps.EntityView, "entity", entityID); err != nil {
		return Impact{}, err
	}
	if programmeID != "" {
		if err := exists(ctx, a.deps.ProgrammeView, "programme", programmeID); err != nil {
			return Impact{}, err
		}
	}
	if err := a.impactRead(ctx, min, asOf); err != nil {
		return Impact{}, err
	}
	v, err := a.deps.Impact.Entity(entityID, programmeID, asOf)
	if err != nil {
		return Impact{}, err
	}
	return shownLevels(v, allLevels()), nil
}

// ModuleImpact is a module's reaction and learning per version across
// every released cohort that delivered it (the programme office: the
// cohorts are of every programme and trainer).
func (a *App) ModuleImpact(ctx context.Context, p access.Principal, moduleID string, asOf, min uint64) (Impact, error) {
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindImpact}); err != nil {
		return Impact{}, err
	}
	if err := exists(ctx, a.deps.ModuleView, "module", moduleID); err != nil {
		return Impact{}, err
	}
	if err := a.impactRead(ctx, min, asOf); err != nil {
		return Impact{}, err
	}
	v, err := a.deps.Impact.Module(moduleID, asOf)
	if err != nil {
		return Impact{}, err
	}
	return shownLevels(v, []string{LevelReaction, LevelLearning}), nil
}

// exists answers an error wrapping domain.ErrNotFound when the stream of
// what (a programme, an entity) does not exist; nothing when this Leerpad
// has no view of it.
func exists[A any](ctx context.Context, v Viewer[A], what, id string) error {
	if v == nil {
		return nil
	}
	if _, err := v.View(ctx, id, func(A) {}); err != nil {
		return notFound(what, id, err)
	}
	return nil
}

// shownLevels is v with only the levels named: the others empty.
func shownLevels(v impact.Population, levels []string) Impact {
	shown := map[string]bool{}
	for _, l := range levels {
		shown[l] = true
	}
	if !shown[LevelReaction] {
		v.Reaction = []impact.ReactionCell{}
	}
	if !shown[LevelLearning] {
		v.Learning = []impact.LearningCell{}
	}
	if !shown[LevelBehaviour] {
		v.Behaviour, v.Practice = []impact.BehaviourCell{}, []impact.PracticeCell{}
	}
	if !shown[LevelResults] {
		v.Results = []impact.EntityResults{}
	}
	return Impact{Population: v, Levels: levels}
}

// ownChange is a journey's own change with its reliable-change index when
// p may see it (the participant, nobody else) and this Leerpad measures
// impact; nil otherwise.
func (a *App) ownChange(ctx context.Context, p access.Principal, journeyID string, journey access.Resource, min uint64) ([]impact.OwnChange, error) {
	r := journey
	r.Kind = access.KindReliableChange
	if a.deps.Impact == nil || !a.allowed(p, access.ActionRead, r) {
		return nil, nil
	}
	if err := a.caughtUp(ctx, min, a.deps.Impact.Name()); err != nil {
		return nil, err
	}
	own, err := a.deps.Impact.Own(journeyID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil // not measured yet
	}
	return own, err
}
