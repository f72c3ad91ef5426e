package usecase

import (
	"context"
	"fmt"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
)

// Reads of one thing recorded on a journey: each answers the href its write
// returned, from the portfolio read model, and is decided as the portfolio
// is: the participant sees all of it; their manager a thing of a section
// shared with them now; a trainer of the cohort what trainers record on a
// journey (assignments without the participant's reflection, coaching
// sessions, instruments' results). min, when not 0, is a log position the
// read must include (read-your-writes).

// trainerKinds are the parts of a portfolio trainers record on a journey,
// and the kind of resource whose rule lets them read it back.
var trainerKinds = map[portfolio.Part]access.Kind{
	portfolio.PartAssignments:  access.KindAssignment,
	portfolio.PartCoaching:     access.KindCoachingSession,
	portfolio.PartMeasurements: access.KindMeasurement,
}

// partRead is the current portfolio of a journey, read for one part, and
// whether the reader sees the participant's reflections in it.
type partRead struct {
	view        portfolio.View
	reflections bool
}

// journeyPart decides whether p may read part of journey journeyID (a
// shareable section) and reads the current portfolio. A manager may read a
// section shared with them now; a trainer of the cohort the part trainers
// record, without reflections; else p is refused by the section's rule.
func (a *App) journeyPart(ctx context.Context, p access.Principal, journeyID string, part portfolio.Part, min uint64) (partRead, error) {
	sec, ok := portfolio.SectionOf(part)
	if !ok {
		return partRead{}, fmt.Errorf("read %s of journey %s: not a section", part, journeyID)
	}
	var shared bool
	f, err := a.journeyFacts(ctx, journeyID, access.KindPortfolioSection, func(j *journey.Journey) { shared = j.Shared(sec) })
	if err != nil {
		return partRead{}, err
	}
	r := f.resource
	r.Shared = shared
	out := partRead{reflections: true}
	if !a.allowed(p, access.ActionRead, r) {
		kind, byTrainer := trainerKinds[part]
		if !byTrainer || !p.Has(access.RoleTrainer) {
			if err := a.authorize(ctx, p, access.ActionRead, r); err != nil {
				return partRead{}, err
			}
		}
		t := r
		t.Kind = kind
		if t.CohortTrainerIDs, err = a.cohortTrainers(ctx, t.CohortID); err != nil {
			return partRead{}, err
		}
		if err := a.authorize(ctx, p, access.ActionRead, t); err != nil {
			return partRead{}, err
		}
		refl := r
		refl.Kind = access.KindReflection
		out.reflections = a.allowed(p, access.ActionRead, refl)
	}
	if out.view, err = a.currentPortfolio(ctx, journeyID, min); err != nil {
		return partRead{}, err
	}
	return out, nil
}

// currentPortfolio is the current portfolio of journeyID once the read
// model has passed min.
func (a *App) currentPortfolio(ctx context.Context, journeyID string, min uint64) (portfolio.View, error) {
	if a.deps.Portfolios == nil {
		return portfolio.View{}, unavailable("the portfolio read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Portfolios.Name()); err != nil {
		return portfolio.View{}, err
	}
	return a.deps.Portfolios.Current(journeyID)
}

// missing is the error of a thing not found in a journey.
func missing(what, id, journeyID string) error {
	return fmt.Errorf("%s %s not found in journey %s: %w", what, id, journeyID, domain.ErrNotFound)
}

// find returns the item of xs whose id is id.
func find[T any](xs []T, id string, idOf func(T) string) (T, bool) {
	for _, x := range xs {
		if idOf(x) == id {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// Experiment is an experiment of a journey with its steps so far: the
// participant's, or their manager's while experiments are shared with them.
func (a *App) Experiment(ctx context.Context, p access.Principal, journeyID, experimentID string, min uint64) (portfolio.Experiment, error) {
	r, err := a.journeyPart(ctx, p, journeyID, portfolio.PartExperiments, min)
	if err != nil {
		return portfolio.Experiment{}, err
	}
	e, ok := find(r.view.Experiments, experimentID, func(e portfolio.Experiment) string { return e.ExperimentID })
	if !ok {
		return e, missing("experiment", experimentID, journeyID)
	}
	return e, nil
}

// Assignment is a practice assignment of a journey and its hand-in: the
// participant's, their manager's while assignments are shared with them,
// and a trainer's of the cohort without the participant's reflection.
func (a *App) Assignment(ctx context.Context, p access.Principal, journeyID, assignmentID string, min uint64) (portfolio.Assignment, error) {
	r, err := a.journeyPart(ctx, p, journeyID, portfolio.PartAssignments, min)
	if err != nil {
		return portfolio.Assignment{}, err
	}
	as, ok := find(r.view.Assignments, assignmentID, func(as portfolio.Assignment) string { return as.AssignmentID })
	if !ok {
		return as, missing("assignment", assignmentID, journeyID)
	}
	if !r.reflections {
		as.Reflection = ""
	}
	return as, nil
}

// BehaviourChoice is a behaviour choice of a journey: the participant's, or
// their manager's while behaviour choices are shared with them.
func (a *App) BehaviourChoice(ctx context.Context, p access.Principal, journeyID, choiceID string, min uint64) (portfolio.BehaviourChoice, error) {
	r, err := a.journeyPart(ctx, p, journeyID, portfolio.PartBehaviourChoices, min)
	if err != nil {
		return portfolio.BehaviourChoice{}, err
	}
	b, ok := find(r.view.BehaviourChoices, choiceID, func(b portfolio.BehaviourChoice) string { return b.ChoiceID })
	if !ok {
		return b, missing("behaviour choice", choiceID, journeyID)
	}
	return b, nil
}

// Measurement is an instrument's result recorded on a journey: the
// participant's, their manager's while measurements are shared with them,
// and a trainer's of the cohort.
func (a *App) Measurement(ctx context.Context, p access.Principal, journeyID, measurementID string, min uint64) (portfolio.Measurement, error) {
	r, err := a.journeyPart(ctx, p, journeyID, portfolio.PartMeasurements, min)
	if err != nil {
		return portfolio.Measurement{}, err
	}
	m, ok := find(r.view.Measurements, measurementID, func(m portfolio.Measurement) string { return m.MeasurementID })
	if !ok {
		return m, missing("measurement", measurementID, journeyID)
	}
	return m, nil
}

// CoachingSession is a coaching session recorded on a journey: the
// participant's, their manager's while coaching is shared with them, and a
// trainer's of the cohort.
func (a *App) CoachingSession(ctx context.Context, p access.Principal, journeyID, sessionID string, min uint64) (portfolio.CoachingSession, error) {
	r, err := a.journeyPart(ctx, p, journeyID, portfolio.PartCoaching, min)
	if err != nil {
		return portfolio.CoachingSession{}, err
	}
	s, ok := find(r.view.Coaching, sessionID, func(s portfolio.CoachingSession) string { return s.SessionID })
	if !ok {
		return s, missing("coaching session", sessionID, journeyID)
	}
	return s, nil
}

// ModuleEvaluation is the participant's evaluation of a delivery: theirs,
// or their manager's while evaluations are shared with them.
func (a *App) ModuleEvaluation(ctx context.Context, p access.Principal, journeyID, deliveryID string, min uint64) (portfolio.Evaluation, error) {
	r, err := a.journeyPart(ctx, p, journeyID, portfolio.PartEvaluations, min)
	if err != nil {
		return portfolio.Evaluation{}, err
	}
	e, ok := find(r.view.Evaluations, deliveryID, func(e portfolio.Evaluation) string { return e.DeliveryID })
	if !ok {
		return e, missing("evaluation of delivery", deliveryID, journeyID)
	}
	return e, nil
}

// WhyAndValues is the participant's personal why and values: theirs, or
// their manager's while why and values are shared with them.
func (a *App) WhyAndValues(ctx context.Context, p access.Principal, journeyID string, min uint64) (portfolio.WhyAndValues, error) {
	r, err := a.journeyPart(ctx, p, journeyID, portfolio.PartWhyAndValues, min)
	if err != nil {
		return portfolio.WhyAndValues{}, err
	}
	if r.view.WhyAndValues == nil {
		return portfolio.WhyAndValues{}, fmt.Errorf("why and values of journey %s: not stated yet: %w", journeyID, domain.ErrNotFound)
	}
	return *r.view.WhyAndValues, nil
}

// SharedSection is whether a section of a journey's portfolio is shared
// with the manager now, as the journey's stream holds it.
type SharedSection struct {
	Section   journey.Section
	Shared    bool
	ManagerID string
	Revision  uint64
}

// SharedSection is whether section of journey journeyID is shared with the
// manager now: for the participant and their manager, as the journey's
// summary is.
func (a *App) SharedSection(ctx context.Context, p access.Principal, journeyID string, section journey.Section) (SharedSection, error) {
	out := SharedSection{Section: section}
	f, err := a.journeyFacts(ctx, journeyID, access.KindJourneySummary, func(j *journey.Journey) {
		out.Shared, out.ManagerID = j.Shared(section), j.ManagerID()
	})
	if err != nil {
		return SharedSection{}, err
	}
	if err := a.authorize(ctx, p, access.ActionRead, f.resource); err != nil {
		return SharedSection{}, err
	}
	out.Revision = f.revision
	return out, nil
}
