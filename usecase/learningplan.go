package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
)

// The learning plan: a journey's learning goals with their SMART fields,
// their state and what stands behind each (experiments, hand-ins and their
// reflections); the participant revises and closes goals. The links of a
// new goal are checked against the catalogue (catalogueLinks).

// catalogueLinks is the journey.Catalogue of the journey service: what the
// learning goals of a journey in a programme may link to, read from the
// streams of the programme, its modules and the 360 instruments.
//
// No event links a programme to a 360 instrument (a round names its
// instrument, a programme does not), so the competencies a goal may link
// to are those of every 360 instrument ever published, retired ones
// included (a participant may have been measured with one). The list of
// instruments comes from published (the offer read model's), each
// instrument's competencies from its stream. Without published (the demo
// seed, which builds the services without read models) competencies are not
// checked. The module learning goals are those of the current version of
// each module of the programme.
type catalogueLinks struct {
	programmes  Viewer[*catalogue.Programme]
	modules     Viewer[*catalogue.Module]
	instruments Viewer[*feedback.Instrument]
	published   func() []string
}

// Links returns what the learning goals of programme programmeID may link to.
func (c catalogueLinks) Links(ctx context.Context, programmeID string) (journey.Links, error) {
	l := journey.Links{ModuleGoals: map[string]bool{}}
	var modules []string
	if _, err := c.programmes.View(ctx, programmeID, func(p *catalogue.Programme) { modules = p.ModuleIDs() }); err != nil && !errors.Is(err, domain.ErrNotFound) {
		return l, fmt.Errorf("programme %s: %w", programmeID, err)
	}
	for _, id := range modules {
		_, err := c.modules.View(ctx, id, func(m *catalogue.Module) {
			for _, g := range m.Content().LearningGoals {
				l.ModuleGoals[g.ID] = true
			}
		})
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return l, fmt.Errorf("module %s: %w", id, err)
		}
	}
	if c.published == nil || c.instruments == nil {
		return l, nil
	}
	l.Competencies = map[string]bool{}
	for _, id := range c.published() {
		_, err := c.instruments.View(ctx, id, func(in *feedback.Instrument) {
			for _, comp := range in.Competencies() {
				l.Competencies[comp.ID] = true
			}
		})
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return l, fmt.Errorf("instrument %s: %w", id, err)
		}
	}
	return l, nil
}

// LearningGoalsOf returns the ids of the learning goals of version version
// of module moduleID, as that version was made: what a participant rates
// at a delivery of it (level 2).
func (c catalogueLinks) LearningGoalsOf(ctx context.Context, moduleID string, version int) ([]string, error) {
	var ids []string
	found := false
	_, err := c.modules.View(ctx, moduleID, func(m *catalogue.Module) {
		v, ok := m.VersionOf(version)
		found = ok
		for _, g := range v.Content.LearningGoals {
			ids = append(ids, g.ID)
		}
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("module %s: %w", moduleID, err)
	case !found:
		return nil, fmt.Errorf("module %s version %d: %w", moduleID, version, domain.ErrNotFound)
	}
	return ids, nil
}

// publishedInstruments lists the ids of the instruments in o, or is nil
// without o.
func publishedInstruments(o Offer) func() []string {
	if o == nil {
		return nil
	}
	return func() []string {
		ins := o.Instruments()
		ids := make([]string, len(ins))
		for i, in := range ins {
			ids[i] = in.InstrumentID
		}
		return ids
	}
}

// ReviseLearningGoal rewords an open learning goal (the participant): its
// text, success criteria and due date replace the ones before.
func (a *App) ReviseLearningGoal(ctx context.Context, w Write, c journey.ReviseLearningGoal) (Written, error) {
	return a.journeyWrite(ctx, w, "revise-learning-goal:"+c.GoalID, c.JourneyID, c.GoalID, access.KindJourney, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.ReviseLearningGoal(ctx, c)
	})
}

// CloseLearningGoal closes an open learning goal, achieved or dropped (the participant).
func (a *App) CloseLearningGoal(ctx context.Context, w Write, c journey.CloseLearningGoal) (Written, error) {
	return a.journeyWrite(ctx, w, "close-learning-goal:"+c.GoalID, c.JourneyID, c.GoalID, access.KindJourney, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.CloseLearningGoal(ctx, c)
	})
}

// LearningPlan is a journey's learning goals as its reader may see them,
// each with the experiments and assignments behind it (only where the
// reader may see those sections), and the journey's revision as the log
// held it when read (for If-Match on a revision).
type LearningPlan struct {
	Goals    []portfolio.GoalDetail
	Revision uint64
}

// LearningPlan is the learning plan of journey journeyID for p: the
// participant's own; their manager's only while the participant shares the
// learning-goals section (the rule of a portfolio section), with the
// experiments and assignments behind each goal only where those sections are
// shared too (Portfolio). min, when not 0, is a log position it must include.
func (a *App) LearningPlan(ctx context.Context, p access.Principal, journeyID string, min uint64) (LearningPlan, error) {
	var shared bool
	f, err := a.journeyFacts(ctx, journeyID, access.KindPortfolio, func(j *journey.Journey) { shared = j.Shared(journey.SectionLearningGoals) })
	if err != nil {
		return LearningPlan{}, err
	}
	r := f.resource
	if !a.allowed(p, access.ActionRead, r) {
		r.Kind, r.Shared = access.KindPortfolioSection, shared
		if err := a.authorize(ctx, p, access.ActionRead, r); err != nil {
			return LearningPlan{}, err
		}
	}
	pf, err := a.Portfolio(ctx, p, journeyID, nil, min)
	if err != nil {
		return LearningPlan{}, err
	}
	if !slices.Contains(pf.Parts, portfolio.PartLearningGoals) {
		// The participant stopped sharing between the two reads.
		return LearningPlan{}, &DeniedError{Reason: "the participant does not share their learning goals"}
	}
	return LearningPlan{Goals: pf.View.GoalDetails(), Revision: f.revision}, nil
}

// LearningGoal is one goal of the learning plan (LearningPlan), or an
// error wrapping domain.ErrNotFound.
func (a *App) LearningGoal(ctx context.Context, p access.Principal, journeyID, goalID string, min uint64) (portfolio.GoalDetail, uint64, error) {
	plan, err := a.LearningPlan(ctx, p, journeyID, min)
	if err != nil {
		return portfolio.GoalDetail{}, 0, err
	}
	for _, g := range plan.Goals {
		if g.GoalID == goalID {
			return g, plan.Revision, nil
		}
	}
	return portfolio.GoalDetail{}, 0, fmt.Errorf("learning goal %s of journey %s not found: %w", goalID, journeyID, domain.ErrNotFound)
}
