package usecase

import (
	"context"
	"fmt"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
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
// the session's id. The group must be the participant's group now.
//
// Deprecated: a session is one record of the group
// (RecordIntervisionSession); this records one attendance per journey, and
// stays for clients that still use it. What it recorded stays counted.
func (a *App) RecordIntervision(ctx context.Context, w Write, c journey.RecordIntervision) (Written, error) {
	o := op{w: w, name: "record-intervision", target: c.JourneyID}
	c.SessionID = o.newID(a.ids, "intervision")
	return a.journeyWrite(ctx, w, o.name, c.JourneyID, c.SessionID, access.KindIntervisionSession, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		if err := a.checkIntervisionGroup(ctx, c.JourneyID, c.GroupID); err != nil {
			return domain.Written{}, err
		}
		c.Envelope, c.At = env, at
		return a.deps.Journeys.RecordIntervision(ctx, c)
	})
}

// checkIntervisionGroup returns an ErrInvalid naming groupId unless the
// journey's participant is a member of group groupID of its cohort now.
func (a *App) checkIntervisionGroup(ctx context.Context, journeyID, groupID string) error {
	if p := domain.RequireID("groupId", groupID); p != nil {
		return domain.Validate(p)
	}
	var participantID, cohortID string
	if _, err := a.journeys.View(ctx, journeyID, func(j *journey.Journey) { participantID, cohortID = j.ParticipantID(), j.CohortID() }); err != nil {
		return notFound("journey", journeyID, err)
	}
	var p *domain.FieldError
	if _, err := a.cohorts.View(ctx, cohortID, func(c *cohort.Cohort) { p = c.CheckAttendee("groupId", groupID, participantID) }); err != nil {
		return notFound("cohort", cohortID, err)
	}
	if p != nil {
		return fmt.Errorf("record intervision: %w", domain.Validate(p))
	}
	return nil
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
