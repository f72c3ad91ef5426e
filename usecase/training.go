package usecase

import (
	"context"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
)

// What a trainer records on the journeys of their cohorts: practice
// assignments given, intervision sessions attended and coaching sessions
// held. The policy lets the trainers of the journey's cohort do it, read
// with the journey's facts.

// GiveAssignment gives the participant a practice assignment (a trainer of
// the journey's cohort, who is recorded as its giver); it creates the
// assignment's id.
func (a *App) GiveAssignment(ctx context.Context, w Write, c journey.GiveAssignment) (Written, error) {
	o := op{w: w, name: "give-assignment", target: c.JourneyID}
	c.AssignmentID, c.TrainerID = o.newID(a.ids, "assignment"), w.Actor.Subject
	return a.journeyWrite(ctx, w, o.name, c.JourneyID, c.AssignmentID, access.KindAssignment, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.GiveAssignment(ctx, c)
	})
}

// RecordIntervision records that the participant attended an intervision
// session of their group (a trainer of the journey's cohort); it creates
// the session's id.
func (a *App) RecordIntervision(ctx context.Context, w Write, c journey.RecordIntervision) (Written, error) {
	o := op{w: w, name: "record-intervision", target: c.JourneyID}
	c.SessionID = o.newID(a.ids, "intervision")
	return a.journeyWrite(ctx, w, o.name, c.JourneyID, c.SessionID, access.KindIntervisionSession, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.RecordIntervision(ctx, c)
	})
}

// RecordCoachingSession records a coaching session a trainer of the
// journey's cohort held with the participant; the trainer is recorded as
// the coach. It creates the session's id.
func (a *App) RecordCoachingSession(ctx context.Context, w Write, c journey.RecordCoachingSession) (Written, error) {
	o := op{w: w, name: "record-coaching-session", target: c.JourneyID}
	c.SessionID, c.CoachID = o.newID(a.ids, "coaching"), w.Actor.Subject
	return a.journeyWrite(ctx, w, o.name, c.JourneyID, c.SessionID, access.KindCoachingSession, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.RecordCoachingSession(ctx, c)
	})
}
