package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
)

// registerTrainerRoutes registers what a trainer records on the journeys of
// their cohorts: practice assignments given, intervision sessions attended
// and coaching sessions held.
func (s *Server) registerTrainerRoutes(g *echo.Group) {
	g.POST("/journeys/:journeyId/assignments", s.handleAssignmentCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/intervision-sessions", s.handleIntervisionSessionCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/coaching-sessions", s.handleCoachingSessionCreate, s.requireUser, s.idempotent)
}

// assignmentRequest gives a practice assignment of a module.
type assignmentRequest struct {
	ModuleID string    `json:"moduleId"`
	Title    string    `json:"title"`
	DueOn    *DateTime `json:"dueOn,omitempty"`
}

func (r *assignmentRequest) validate() error {
	ps := []*domain.FieldError{domain.RequireID("moduleId", r.ModuleID), domain.RequireText("title", r.Title, domain.MaxTitle)}
	if r.DueOn == nil {
		ps = append(ps, domain.Required("dueOn"))
	}
	return domain.Validate(ps...)
}

// handleAssignmentCreate is POST /v1/journeys/{journeyId}/assignments: a
// trainer of the journey's cohort gives the participant a practice assignment.
func (s *Server) handleAssignmentCreate(c echo.Context) error {
	var req assignmentRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindAssignment, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			p, _ := principalOf(c)
			id := s.newID(c, "assignment")
			err := s.d.Journeys.GiveAssignment(ctx, journey.GiveAssignment{JourneyID: j.ID(), AssignmentID: id, ModuleID: req.ModuleID, TrainerID: p.Subject,
				Title: req.Title, DueOn: req.DueOn.Time, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/assignments/" + id}, err
		}})
}

// intervisionRequest records an intervision session the participant attended.
type intervisionRequest struct {
	GroupID       string    `json:"groupId"`
	HeldOn        *DateTime `json:"heldOn,omitempty"`
	Method        string    `json:"method,omitempty"`
	CaseBroughtIn bool      `json:"caseBroughtIn"`
	Case          string    `json:"case,omitempty"`
}

func (r *intervisionRequest) validate() error {
	ps := []*domain.FieldError{domain.RequireID("groupId", r.GroupID), domain.OptionalText("method", r.Method, domain.MaxTitle), domain.OptionalText("case", r.Case, domain.MaxText)}
	if r.HeldOn == nil {
		ps = append(ps, domain.Required("heldOn"))
	}
	return domain.Validate(ps...)
}

// handleIntervisionSessionCreate is POST /v1/journeys/{journeyId}/intervision-sessions:
// a trainer of the cohort records that the participant attended an
// intervision session of their group.
func (s *Server) handleIntervisionSessionCreate(c echo.Context) error {
	var req intervisionRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindIntervisionSession, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id := s.newID(c, "intervision")
			err := s.d.Journeys.RecordIntervision(ctx, journey.RecordIntervision{JourneyID: j.ID(), SessionID: id, GroupID: req.GroupID, HeldOn: req.HeldOn.Time,
				Method: req.Method, CaseBroughtIn: req.CaseBroughtIn, Case: req.Case, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/intervision-sessions/" + id}, err
		}})
}

// coachingRequest records a coaching session.
type coachingRequest struct {
	HeldOn *DateTime `json:"heldOn,omitempty"`
	Notes  string    `json:"notes,omitempty"`
}

func (r *coachingRequest) validate() error {
	ps := []*domain.FieldError{domain.OptionalText("notes", r.Notes, domain.MaxText)}
	if r.HeldOn == nil {
		ps = append(ps, domain.Required("heldOn"))
	}
	return domain.Validate(ps...)
}

// handleCoachingSessionCreate is POST /v1/journeys/{journeyId}/coaching-sessions:
// a trainer of the cohort records a coaching session they held with the participant.
func (s *Server) handleCoachingSessionCreate(c echo.Context) error {
	var req coachingRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindCoachingSession, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			p, _ := principalOf(c)
			id := s.newID(c, "coaching")
			err := s.d.Journeys.RecordCoachingSession(ctx, journey.RecordCoachingSession{JourneyID: j.ID(), SessionID: id, CoachID: p.Subject,
				HeldOn: req.HeldOn.Time, Notes: req.Notes, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/coaching-sessions/" + id}, err
		}})
}
