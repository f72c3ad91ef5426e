package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

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

// handleAssignmentCreate is POST /v1/journeys/{journeyId}/assignments: a
// trainer of the journey's cohort gives the participant a practice assignment.
func (s *Server) handleAssignmentCreate(c echo.Context) error {
	var req assignmentRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	out, err := s.app.GiveAssignment(c.Request().Context(), w, journey.GiveAssignment{JourneyID: id, ModuleID: req.ModuleID, Title: req.Title,
		DueOn: atOrZero(req.DueOn)})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/assignments/"+out.ID)
}

// intervisionRequest records an intervision session the participant attended.
type intervisionRequest struct {
	GroupID       string    `json:"groupId"`
	HeldOn        *DateTime `json:"heldOn,omitempty"`
	Method        string    `json:"method,omitempty"`
	CaseBroughtIn bool      `json:"caseBroughtIn"`
	Case          string    `json:"case,omitempty"`
}

// handleIntervisionSessionCreate is POST /v1/journeys/{journeyId}/intervision-sessions:
// a trainer of the cohort records that the participant attended an
// intervision session of their group.
func (s *Server) handleIntervisionSessionCreate(c echo.Context) error {
	var req intervisionRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	//nolint:staticcheck // the deprecated route calls the deprecated use case on purpose
	out, err := s.app.RecordIntervision(c.Request().Context(), w, journey.RecordIntervision{JourneyID: id, GroupID: req.GroupID, HeldOn: atOrZero(req.HeldOn),
		Method: req.Method, CaseBroughtIn: req.CaseBroughtIn, Case: req.Case})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/intervision-sessions/"+out.ID)
}

// coachingRequest records a coaching session.
type coachingRequest struct {
	HeldOn *DateTime `json:"heldOn,omitempty"`
	Notes  string    `json:"notes,omitempty"`
}

// handleCoachingSessionCreate is POST /v1/journeys/{journeyId}/coaching-sessions:
// a trainer of the cohort records a coaching session they held with the participant.
func (s *Server) handleCoachingSessionCreate(c echo.Context) error {
	var req coachingRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	out, err := s.app.RecordCoachingSession(c.Request().Context(), w, journey.RecordCoachingSession{JourneyID: id, HeldOn: atOrZero(req.HeldOn), Notes: req.Notes})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/coaching-sessions/"+out.ID)
}
