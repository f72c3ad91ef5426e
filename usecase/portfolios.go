package usecase

import (
	"context"
	"time"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
)

// Portfolio is a journey's portfolio with the parts its reader may see:
// View holds those parts (the others are empty), Parts names them, in the
// order of Parts().
type Portfolio struct {
	View  portfolio.View
	Parts []portfolio.Part
	// OwnChange is the participant's own change per competency and rater
	// group with their reliable-change index: for the participant alone,
	// nil for every other reader (and on a Leerpad without the impact read
	// model).
	OwnChange []impact.OwnChange
}

// Parts are the parts of a portfolio, in the order a portfolio lists them.
func Parts() []portfolio.Part {
	return []portfolio.Part{
		portfolio.PartJourney, portfolio.PartWhyAndValues, portfolio.PartBehaviourChoices, portfolio.PartLearningGoals,
		portfolio.PartExperiments, portfolio.PartAssignments, portfolio.PartCoaching, portfolio.PartEvaluations,
		portfolio.PartMeasurements, portfolio.PartFeedbackResults, portfolio.PartModules, portfolio.PartIntervision,
		portfolio.PartConversations,
	}
}

// Portfolio is the portfolio of journey journeyID for p: whole for the
// participant; for their manager only the sections shared with them now,
// the journey itself and the development conversations they hold. The
// programme office and trainers are refused: they see aggregates. asOf, when
// not nil, gives it as it stood at that moment; min, when not 0, is a log
// position it must include (read-your-writes).
func (a *App) Portfolio(ctx context.Context, p access.Principal, journeyID string, asOf *time.Time, min uint64) (Portfolio, error) {
	shared := map[journey.Section]bool{}
	var programmeID string
	f, err := a.journeyFacts(ctx, journeyID, access.KindPortfolio, func(j *journey.Journey) {
		programmeID = j.ProgrammeID()
		for _, sec := range journey.Sections() {
			shared[sec] = j.Shared(sec)
		}
	})
	if err != nil {
		return Portfolio{}, err
	}
	allowed, err := a.portfolioParts(ctx, p, f.resource, shared)
	if err != nil {
		return Portfolio{}, err
	}
	if a.deps.Portfolios == nil {
		return Portfolio{}, unavailable("the portfolio read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Portfolios.Name()); err != nil {
		return Portfolio{}, err
	}
	var v portfolio.View
	if asOf != nil {
		v, err = a.deps.Portfolios.AsOf(ctx, journeyID, *asOf)
	} else {
		v, err = a.deps.Portfolios.Current(journeyID)
	}
	if err != nil {
		return Portfolio{}, err
	}
	whole := a.allowed(p, access.ActionRead, f.resource)
	if asOf != nil && !whole {
		allowed = sharedThenToo(allowed, v, f.resource.ManagerID)
	}
	if !whole {
		v.Shared = sharedAllowed(v.Shared, allowed)
	}
	out := Portfolio{View: reduced(v, allowed), Parts: []portfolio.Part{}}
	if asOf == nil {
		if out.OwnChange, err = a.ownChange(ctx, p, journeyID, f.resource, min); err != nil {
			return Portfolio{}, err
		}
	}
	for _, part := range Parts() {
		if allowed[part] {
			out.Parts = append(out.Parts, part)
		}
	}
	a.audit(p, f.resource.ParticipantID, journeyID, programmeID, out.Parts, asOf)
	return out, nil
}

// portfolioParts decides which parts of the portfolio of the journey whose
// facts are whole p may see, each section shared or not as shared says. It
// refuses p when there is nothing to see, by the rule of the whole
// portfolio (for a manager: the sharing rule of a section).
func (a *App) portfolioParts(ctx context.Context, p access.Principal, whole access.Resource, shared map[journey.Section]bool) (map[portfolio.Part]bool, error) {
	allowed := map[portfolio.Part]bool{}
	if a.allowed(p, access.ActionRead, whole) {
		for _, part := range Parts() {
			allowed[part] = true
		}
		return allowed, nil
	}
	section := whole
	section.Kind = access.KindPortfolioSection
	for _, sec := range journey.Sections() {
		r := section
		r.Shared = shared[sec]
		if a.allowed(p, access.ActionRead, r) {
			allowed[portfolio.Part(sec.String())] = true
		}
	}
	if len(allowed) == 0 {
		r := whole
		if p.Has(access.RoleManager) {
			r = section
		}
		if err := a.authorize(ctx, p, access.ActionRead, r); err != nil {
			return nil, err
		}
	}
	allowed[portfolio.PartJourney] = true
	conv := whole
	conv.Kind = access.KindDevelopmentConversation
	if a.allowed(p, access.ActionRead, conv) {
		allowed[portfolio.PartConversations] = true
	}
	return allowed, nil
}

// reduced is v with the allowed parts only: the others are left empty, and
// the timeline holds the entries of the allowed parts. The experiments and
// assignments behind a learning goal are named only where their own
// sections may be seen.
func reduced(v portfolio.View, allowed map[portfolio.Part]bool) portfolio.View {
	tl := v.Timeline
	v.Timeline = make([]portfolio.TimelineEntry, 0, len(tl))
	for _, e := range tl {
		if allowed[e.Part] {
			v.Timeline = append(v.Timeline, e)
		}
	}
	if !allowed[portfolio.PartWhyAndValues] {
		v.WhyAndValues = nil
	}
	if !allowed[portfolio.PartBehaviourChoices] {
		v.BehaviourChoices = nil
	}
	if allowed[portfolio.PartLearningGoals] {
		goals := make([]portfolio.LearningGoal, len(v.LearningGoals))
		for i, g := range v.LearningGoals {
			if !allowed[portfolio.PartExperiments] {
				g.ExperimentIDs = nil
			}
			if !allowed[portfolio.PartAssignments] {
				g.AssignmentIDs = nil
			}
			goals[i] = g
		}
		v.LearningGoals = goals
	} else {
		v.LearningGoals = nil
	}
	if !allowed[portfolio.PartExperiments] {
		v.Experiments = nil
	}
	if !allowed[portfolio.PartAssignments] {
		v.Assignments = nil
	}
	if !allowed[portfolio.PartCoaching] {
		v.Coaching = nil
	}
	if !allowed[portfolio.PartEvaluations] {
		v.Evaluations = nil
	}
	if !allowed[portfolio.PartMeasurements] {
		v.Measurements = nil
	}
	if !allowed[portfolio.PartFeedbackResults] {
		v.FeedbackRounds, v.FeedbackChange = nil, nil
	}
	if !allowed[portfolio.PartModules] {
		v.Modules = nil
	}
	if !allowed[portfolio.PartIntervision] {
		v.Intervision = nil
	}
	if !allowed[portfolio.PartConversations] {
		v.Conversations = nil
	}
	if !allowed[portfolio.PartJourney] {
		v.Withdrawal = nil
	}
	return v
}

// sharedThenToo keeps of the sections allowed now only those that were also
// shared, with the same manager, in then (a view as of a past moment): a
// reader of the past sees neither a section shared only later nor one shared
// then with another manager. The parts that are no section stay.
func sharedThenToo(allowed map[portfolio.Part]bool, then portfolio.View, managerNow string) map[portfolio.Part]bool {
	sharedThen := map[journey.Section]bool{}
	if then.ManagerID == managerNow {
		for _, sec := range then.Shared {
			sharedThen[sec] = true
		}
	}
	out := map[portfolio.Part]bool{}
	for part, ok := range allowed {
		if sec, isSection := portfolio.SectionOf(part); ok && (!isSection || sharedThen[sec]) {
			out[part] = true
		}
	}
	return out
}

// sharedAllowed is shared with only the sections allowed, so that a reader
// who is not the participant is never told a section is shared that the
// answer does not show.
func sharedAllowed(shared []journey.Section, allowed map[portfolio.Part]bool) []journey.Section {
	out := []journey.Section{}
	for _, sec := range shared {
		if allowed[portfolio.Part(sec.String())] {
			out = append(out, sec)
		}
	}
	return out
}
