package usecase

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/journey"
)

// JourneySummary is a journey as its stream holds it now: whose it is,
// where it runs, how it stands, and which sections the participant shares
// with their manager.
type JourneySummary struct {
	ID             string
	ParticipantID  string
	CohortID       string
	ProgrammeID    string
	ManagerID      string
	Role           journey.Role
	Status         journey.Status
	SharedSections []journey.Section
	Revision       uint64
}

func summaryOf(j *journey.Journey) JourneySummary {
	s := JourneySummary{ID: j.ID(), ParticipantID: j.ParticipantID(), CohortID: j.CohortID(), ProgrammeID: j.ProgrammeID(),
		ManagerID: j.ManagerID(), Role: j.Role(), Status: j.Status(), SharedSections: []journey.Section{}}
	for _, sec := range journey.Sections() {
		if j.Shared(sec) {
			s.SharedSections = append(s.SharedSections, sec)
		}
	}
	return s
}

// journeySummary reads journey id for p, if the policy lets p do act on kind.
func (a *App) journeySummary(ctx context.Context, p access.Principal, id string, kind access.Kind) (JourneySummary, error) {
	var s JourneySummary
	f, err := a.journeyFacts(ctx, id, kind, func(j *journey.Journey) { s = summaryOf(j) })
	if err != nil {
		return s, err
	}
	s.Revision = f.revision
	return s, a.authorize(ctx, p, access.ActionRead, f.resource)
}

// Journey is one of the actor's journeys, as its stream holds it now.
func (a *App) Journey(ctx context.Context, p access.Principal, id string) (JourneySummary, error) {
	return a.journeySummary(ctx, p, id, access.KindJourney)
}

// Journeys are a participant's own journeys, in the order enrolled: the
// window page of them, and how many there are. min, when not 0, is a log
// position the list must include (read-your-writes).
func (a *App) Journeys(ctx context.Context, p access.Principal, page Page, min uint64) ([]JourneySummary, int, error) {
	if !p.Has(access.RoleParticipant) {
		return nil, 0, &DeniedError{Reason: "only participants have journeys"}
	}
	if a.deps.Portfolios == nil {
		return nil, 0, unavailable("the portfolio read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Portfolios.Name()); err != nil {
		return nil, 0, err
	}
	ids, total := window(a.deps.Portfolios.Journeys(p.Subject), page)
	out := make([]JourneySummary, 0, len(ids))
	for _, id := range ids {
		s, err := a.Journey(ctx, p, id)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, s)
	}
	return out, total, nil
}

// ManagedJourneys are the journeys of the participants a manager manages
// now, in the order they became theirs: the window page of them and how many
// the read model lists. Each comes from the journey's stream; a journey the
// read model still lists after a change of manager, or that was erased, is
// left out, so a window may hold fewer than its limit.
func (a *App) ManagedJourneys(ctx context.Context, p access.Principal, page Page, min uint64) ([]JourneySummary, int, error) {
	if !p.Has(access.RoleManager) {
		return nil, 0, &DeniedError{Reason: "only managers have participants' journeys to list"}
	}
	if a.deps.Portfolios == nil {
		return nil, 0, unavailable("the portfolio read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Portfolios.Name()); err != nil {
		return nil, 0, err
	}
	ids, total := window(a.deps.Portfolios.Managed(p.Subject), page)
	out := make([]JourneySummary, 0, len(ids))
	for _, id := range ids {
		var s JourneySummary
		f, err := a.journeyFacts(ctx, id, access.KindJourneySummary, func(j *journey.Journey) { s = summaryOf(j) })
		if errors.Is(err, domain.ErrNotFound) {
			continue // erased since the read model listed it
		}
		if err != nil {
			return nil, 0, err
		}
		if !a.allowed(p, access.ActionRead, f.resource) {
			continue // the read model is behind a change of manager
		}
		s.Revision = f.revision
		out = append(out, s)
	}
	return out, total, nil
}

// onJourney runs a command of operation o on journey o.target: it reads the
// journey's facts, lets the policy decide whether the actor may do act on
// kind, and runs the command expecting the revision the facts were read at,
// again on fresh facts when another writer appended first (ErrBusy after
// the last attempt).
func (a *App) onJourney(ctx context.Context, o op, kind access.Kind, act access.Action, run func(env domain.Envelope, at time.Time) (domain.Written, error)) (domain.Written, error) {
	return a.onJourneyFacts(ctx, o, kind, act, func(_ journeyFacts, env domain.Envelope, at time.Time) (domain.Written, error) { return run(env, at) })
}

// onJourneyFacts is onJourney for a command that needs the facts it was
// decided on.
func (a *App) onJourneyFacts(ctx context.Context, o op, kind access.Kind, act access.Action, run func(f journeyFacts, env domain.Envelope, at time.Time) (domain.Written, error)) (domain.Written, error) {
	return o.decided(ctx, func() (domain.Written, error) {
		f, err := a.journeyFacts(ctx, o.target, kind, nil)
		if err != nil {
			return domain.Written{}, err
		}
		if err := a.authorize(ctx, o.w.Actor, act, f.resource); err != nil {
			return domain.Written{}, err
		}
		// The participant's access to their own journey cannot change under
		// the command; anyone else's (a manager's, say) can.
		rev, err := o.settle(f.revision, o.w.Actor.Subject != f.resource.ParticipantID)
		if err != nil {
			return domain.Written{}, err
		}
		return run(f, o.envelope("", rev), a.now())
	})
}

// journeyWrite runs a command on journey id that the participant (and
// whoever else the policy allows for kind) writes, and answers with what
// it wrote about resource.
func (a *App) journeyWrite(ctx context.Context, w Write, name, id, resource string, kind access.Kind, run func(env domain.Envelope, at time.Time) (domain.Written, error)) (Written, error) {
	dw, err := a.onJourney(ctx, op{w: w, name: name, target: id}, kind, access.ActionWrite, run)
	return written(resource, dw), err
}

// StateWhy records the participant's personal why and values, replacing
// what they stated before.
func (a *App) StateWhy(ctx context.Context, w Write, c journey.StateWhy) (Written, error) {
	return a.journeyWrite(ctx, w, "state-why", c.JourneyID, c.JourneyID, access.KindJourney, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.StateWhy(ctx, c)
	})
}

// ChooseBehaviour records a choice about a behaviour; it creates the choice's id.
func (a *App) ChooseBehaviour(ctx context.Context, w Write, c journey.ChooseBehaviour) (Written, error) {
	o := op{w: w, name: "choose-behaviour", target: c.JourneyID}
	c.ChoiceID = o.newID(a.ids, "choice")
	return a.journeyWrite(ctx, w, o.name, c.JourneyID, c.ChoiceID, access.KindJourney, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.ChooseBehaviour(ctx, c)
	})
}

// ReviseBehaviourChoice changes a behaviour choice.
func (a *App) ReviseBehaviourChoice(ctx context.Context, w Write, c journey.ReviseBehaviourChoice) (Written, error) {
	return a.journeyWrite(ctx, w, "revise-behaviour-choice:"+c.ChoiceID, c.JourneyID, c.ChoiceID, access.KindJourney, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.ReviseBehaviourChoice(ctx, c)
	})
}

// FormulateLearningGoal records a learning goal or question; it creates the goal's id.
func (a *App) FormulateLearningGoal(ctx context.Context, w Write, c journey.FormulateLearningGoal) (Written, error) {
	o := op{w: w, name: "formulate-learning-goal", target: c.JourneyID}
	c.GoalID = o.newID(a.ids, "goal")
	return a.journeyWrite(ctx, w, o.name, c.JourneyID, c.GoalID, access.KindJourney, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.FormulateLearningGoal(ctx, c)
	})
}

// LogExperiment logs an experiment (its first step, planned); it creates
// the experiment's id.
func (a *App) LogExperiment(ctx context.Context, w Write, c journey.LogExperiment) (Written, error) {
	o := op{w: w, name: "log-experiment", target: c.JourneyID}
	c.ExperimentID = o.newID(a.ids, "experiment")
	return a.journeyWrite(ctx, w, o.name, c.JourneyID, c.ExperimentID, access.KindJourney, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.LogExperiment(ctx, c)
	})
}

// ExperimentStep is the next step of an experiment: tried (WhatWasTried,
// TriedOn), reflected (Outcome, Reflection) or concluded (NextStep).
type ExperimentStep struct {
	JourneyID, ExperimentID string
	Step                    journey.Step
	WhatWasTried            string
	TriedOn                 time.Time
	Outcome, Reflection     string
	NextStep                string
}

// TakeExperimentStep records the next step of an experiment.
func (a *App) TakeExperimentStep(ctx context.Context, w Write, s ExperimentStep) (Written, error) {
	switch s.Step {
	case journey.StepTried:
		return a.RecordExperimentTried(ctx, w, journey.RecordExperimentTried{JourneyID: s.JourneyID, ExperimentID: s.ExperimentID,
			WhatWasTried: s.WhatWasTried, TriedOn: s.TriedOn})
	case journey.StepReflected:
		return a.ReflectOnExperiment(ctx, w, journey.ReflectOnExperiment{JourneyID: s.JourneyID, ExperimentID: s.ExperimentID,
			Outcome: s.Outcome, Reflection: s.Reflection})
	case journey.StepConcluded:
		return a.SetNextStep(ctx, w, journey.SetNextStep{JourneyID: s.JourneyID, ExperimentID: s.ExperimentID, NextStep: s.NextStep})
	}
	return Written{}, domain.Validate(domain.Invalid("step", "must be one of tried, reflected, concluded"))
}

// RecordExperimentTried records what was tried in an experiment.
func (a *App) RecordExperimentTried(ctx context.Context, w Write, c journey.RecordExperimentTried) (Written, error) {
	return a.journeyWrite(ctx, w, "experiment-step:"+c.ExperimentID, c.JourneyID, c.ExperimentID, access.KindReflection, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.RecordExperimentTried(ctx, c)
	})
}

// ReflectOnExperiment records an experiment's outcome and reflection.
func (a *App) ReflectOnExperiment(ctx context.Context, w Write, c journey.ReflectOnExperiment) (Written, error) {
	return a.journeyWrite(ctx, w, "experiment-step:"+c.ExperimentID, c.JourneyID, c.ExperimentID, access.KindReflection, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.ReflectOnExperiment(ctx, c)
	})
}

// SetNextStep records an experiment's next step, which concludes it.
func (a *App) SetNextStep(ctx context.Context, w Write, c journey.SetNextStep) (Written, error) {
	return a.journeyWrite(ctx, w, "experiment-step:"+c.ExperimentID, c.JourneyID, c.ExperimentID, access.KindReflection, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.SetNextStep(ctx, c)
	})
}

// HandInAssignment hands a practice assignment in with a reflection.
func (a *App) HandInAssignment(ctx context.Context, w Write, c journey.HandInAssignment) (Written, error) {
	return a.journeyWrite(ctx, w, "hand-in:"+c.AssignmentID, c.JourneyID, c.AssignmentID, access.KindReflection, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.HandInAssignment(ctx, c)
	})
}

// EvaluateModule records the participant's evaluation of a delivery they attended.
func (a *App) EvaluateModule(ctx context.Context, w Write, c journey.EvaluateModule) (Written, error) {
	return a.journeyWrite(ctx, w, "evaluate-module", c.JourneyID, c.DeliveryID, access.KindJourney, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.EvaluateModule(ctx, c)
	})
}

// RateLearning records the participant's level 2 ratings of a delivery they
// attended: per learning goal of the module version delivered, before and
// now. The participant alone gives them (access.KindLearningRating).
func (a *App) RateLearning(ctx context.Context, w Write, c journey.RateLearning) (Written, error) {
	return a.journeyWrite(ctx, w, "rate-learning", c.JourneyID, c.DeliveryID, access.KindLearningRating, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.RateLearning(ctx, c)
	})
}

// LearningRatingSummary is a participant's level 2 ratings of a delivery,
// as their journey's stream holds them now, with its revision.
type LearningRatingSummary struct {
	JourneyID string
	journey.LearningRated
	Revision uint64
}

// LearningRating is the participant's level 2 ratings of a delivery (the
// participant alone); ErrNotFound while they have not rated it.
func (a *App) LearningRating(ctx context.Context, p access.Principal, journeyID, deliveryID string) (LearningRatingSummary, error) {
	s := LearningRatingSummary{JourneyID: journeyID}
	var ok bool
	f, err := a.journeyFacts(ctx, journeyID, access.KindLearningRating, func(j *journey.Journey) { s.LearningRated, ok = j.LearningRating(deliveryID) })
	if err != nil {
		return s, err
	}
	if err := a.authorize(ctx, p, access.ActionRead, f.resource); err != nil {
		return s, err
	}
	if !ok {
		return s, fmt.Errorf("learning ratings of delivery %s in journey %s not found: %w", deliveryID, journeyID, domain.ErrNotFound)
	}
	s.Revision = f.revision
	return s, nil
}

// Share shares a portfolio section with the participant's manager (grant),
// or stops sharing it: the manager's access ends at once.
func (a *App) Share(ctx context.Context, w Write, journeyID string, sec journey.Section, grant bool) (Written, error) {
	return a.journeyWrite(ctx, w, "share:"+sec.String(), journeyID, sec.String(), access.KindJourney, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		if grant {
			return a.deps.Journeys.GrantSharing(ctx, journey.GrantSharing{JourneyID: journeyID, Section: sec, At: at, Envelope: env})
		}
		return a.deps.Journeys.RevokeSharing(ctx, journey.RevokeSharing{JourneyID: journeyID, Section: sec, At: at, Envelope: env})
	})
}

// CourseWritten is what a write on a journey's course wrote (a
// completion, a change of manager, a withdrawal), and where its writer
// follows it: the journey, when they may read it (its participant), or else
// the participant's enrolment in the cohort (the programme office, which
// reads no journey).
type CourseWritten struct {
	Written
	// CohortID and ParticipantID name the journey's participant and their
	// cohort: the enrolment.
	CohortID, ParticipantID string
	// ReadsJourney reports whether the writer may read the journey itself.
	ReadsJourney bool
}

// courseWritten is the answer of a write on a journey's course decided on f.
func (a *App) courseWritten(w Write, f journeyFacts, out Written) CourseWritten {
	return CourseWritten{Written: out, CohortID: f.resource.CohortID, ParticipantID: f.resource.ParticipantID,
		ReadsJourney: a.allowed(w.Actor, access.ActionRead, access.Resource{Kind: access.KindJourney, ParticipantID: f.resource.ParticipantID})}
}

// courseWrite runs a command on the course of journey id (kind) and answers
// with what it wrote and where the writer follows it.
func (a *App) courseWrite(ctx context.Context, w Write, name, id string, kind access.Kind, run func(env domain.Envelope, at time.Time) (domain.Written, error)) (CourseWritten, error) {
	var facts journeyFacts
	dw, err := a.onJourneyFacts(ctx, op{w: w, name: name, target: id}, kind, access.ActionWrite, func(f journeyFacts, env domain.Envelope, at time.Time) (domain.Written, error) {
		facts = f
		return run(env, at)
	})
	return a.courseWritten(w, facts, written(id, dw)), err
}

// CompleteJourney completes a journey (the programme office). Nothing is
// logged on it after that, except that the participant can still stop
// sharing.
func (a *App) CompleteJourney(ctx context.Context, w Write, journeyID string) (CourseWritten, error) {
	return a.courseWrite(ctx, w, "complete", journeyID, access.KindCompletion, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		return a.deps.Journeys.Complete(ctx, journey.Complete{JourneyID: journeyID, At: at, Envelope: env})
	})
}

// ChangeManager records the participant's new manager (the programme
// office). The former manager's access ends at once; sharing does not carry
// over.
func (a *App) ChangeManager(ctx context.Context, w Write, c journey.ChangeManager) (CourseWritten, error) {
	c.ManagerID = strings.ToLower(c.ManagerID)
	return a.courseWrite(ctx, w, "change-manager", c.JourneyID, access.KindManagerChange, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.ChangeManager(ctx, c)
	})
}

// RecordMeasurement records the result of an instrument (the participant,
// or a trainer of their cohort); it creates the measurement's id.
func (a *App) RecordMeasurement(ctx context.Context, w Write, c journey.RecordMeasurement) (Written, error) {
	o := op{w: w, name: "record-measurement", target: c.JourneyID}
	c.MeasurementID = o.newID(a.ids, "measurement")
	return a.journeyWrite(ctx, w, o.name, c.JourneyID, c.MeasurementID, access.KindMeasurement, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.RecordMeasurement(ctx, c)
	})
}

// withdrawalKey is the idempotency key of both commands of a journey's
// withdrawal. It derives from the journey alone, not from the request: a
// journey is withdrawn once, so every attempt (a retry with the same
// idempotency key, a repeat without one, another caller finishing what the
// first began) writes the same event ids, and the repository skips a command
// whose events are already in its stream.
func withdrawalKey(journeyID string) string { return "withdraw/" + journeyID }

// Withdraw withdraws a participant from their journey (the participant, or
// the programme office for them), and from its cohort, so that the
// journey's stream and the cohort's agree.
//
// The two streams cannot change in one append, so the withdrawal is two
// commands, in this order:
//
//  1. the journey (journey.Withdraw): the decision that can be refused for
//     what the journey is (completed, or not active) comes first, so a
//     refusal leaves both streams as they were; a journey stopped half-way
//     is closed to new entries, which is what the participant asked;
//  2. the cohort (cohort.WithdrawParticipant): once the journey is
//     withdrawn this cannot be refused for a reason of its own, save that
//     the participant already left the cohort, which counts as done.
//
// The other order could withdraw a participant from the cohort and then
// find the journey completed, leaving a completed journey whose participant
// left the cohort, which no retry could undo. Both commands carry
// withdrawalKey, so if a request fails between them, sending it again
// completes the cohort's side and records nothing twice; a repeat of a
// finished withdrawal answers as the first did, and the reason first given
// stands.
func (a *App) Withdraw(ctx context.Context, w Write, journeyID, reason string) (CourseWritten, error) {
	o := op{w: w, name: "withdraw", target: journeyID}
	var facts journeyFacts
	dw, err := o.decided(ctx, func() (domain.Written, error) {
		f, err := a.journeyFacts(ctx, journeyID, access.KindWithdrawal, nil)
		if err != nil {
			return domain.Written{}, err
		}
		if err := a.authorize(ctx, w.Actor, access.ActionWrite, f.resource); err != nil {
			return domain.Written{}, err
		}
		rev, err := o.expect(f.revision)
		if err != nil {
			return domain.Written{}, err
		}
		facts = f
		env := o.envelope("", rev)
		env.IdempotencyKey = withdrawalKey(journeyID)
		dw, err := a.deps.Journeys.Withdraw(ctx, journey.Withdraw{JourneyID: journeyID, Reason: reason, At: a.now(), Envelope: env})
		if errors.Is(err, journey.ErrJourneyClosed) && f.status == journey.StatusWithdrawn {
			// Withdrawn before, but not through this use case (e.g. by the
			// demo data): see that the cohort agrees.
			return domain.Written{Revision: f.revision}, nil
		}
		return dw, err
	})
	if err != nil {
		return a.courseWritten(w, facts, written(journeyID, dw)), err
	}
	participantID, cohortID := facts.resource.ParticipantID, facts.resource.CohortID
	// The cohort is another stream: the journey's If-Match is not about it.
	co := o
	co.w.IfMatch = domain.Revision{}
	cw, err := co.decided(ctx, func() (domain.Written, error) {
		env := co.envelope("", domain.Revision{})
		env.IdempotencyKey = withdrawalKey(journeyID)
		return a.deps.Cohorts.WithdrawParticipant(ctx, cohort.WithdrawParticipant{CohortID: cohortID, ParticipantID: participantID, At: a.now(), Envelope: env})
	})
	if err != nil && !errors.Is(err, cohort.ErrParticipantWithdrawn) {
		return a.courseWritten(w, facts, written(journeyID, dw)), fmt.Errorf("withdraw the participant of journey %s from cohort %s: %w", journeyID, cohortID, err)
	}
	out := written(journeyID, dw)
	out.Position = max(dw.Position, cw.Position)
	return a.courseWritten(w, facts, out), nil
}
