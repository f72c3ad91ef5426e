package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/usecase"
)

// registerJourneyReadRoutes registers the reads of one thing recorded on a
// journey: each is where the write that recorded it points (its Location
// and href), readable by whoever may read that part of the portfolio.
func (s *Server) registerJourneyReadRoutes(g *echo.Group) {
	g.GET("/journeys/:journeyId/why-and-values", s.handleWhyAndValuesGet, s.requireUser)
	g.GET("/journeys/:journeyId/behaviour-choices/:choiceId", s.handleBehaviourChoiceGet, s.requireUser)
	g.GET("/journeys/:journeyId/experiments/:experimentId", s.handleExperimentGet, s.requireUser)
	g.GET("/journeys/:journeyId/assignments/:assignmentId", s.handleAssignmentGet, s.requireUser)
	g.GET("/journeys/:journeyId/module-evaluations/:deliveryId", s.handleModuleEvaluationGet, s.requireUser)
	g.GET("/journeys/:journeyId/measurements/:measurementId", s.handleMeasurementGet, s.requireUser)
	g.GET("/journeys/:journeyId/coaching-sessions/:sessionId", s.handleCoachingSessionGet, s.requireUser)
	g.GET("/journeys/:journeyId/shared-sections/:section", s.handleSharedSectionGet, s.requireUser)
}

// journeyItem answers the read of one thing of a journey: it reads the
// journey id and the thing's id (param) from the path and the minimum
// position, calls read once and maps its answer with to.
func journeyItem[T, D any](s *Server, c echo.Context, param string,
	read func(context.Context, access.Principal, string, string, uint64) (T, error), to func(T) D) error {
	ids, err := pathIDs(c, "journeyId", param)
	if err != nil {
		return err
	}
	min, err := minPosition(c)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	defer cancel()
	v, err := read(ctx, p, ids[0], ids[1], min)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, to(v))
}

// handleWhyAndValuesGet is GET /v1/journeys/{journeyId}/why-and-values: the
// participant's personal why and values; their manager's while shared.
func (s *Server) handleWhyAndValuesGet(c echo.Context) error {
	r, err := s.journeyRead(c)
	if err != nil {
		return err
	}
	defer r.cancel()
	id, p, min, ctx := r.id, r.principal, r.min, r.ctx
	w, err := s.app.WhyAndValues(ctx, p, id, min)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, whyAndValuesOf(w))
}

// handleBehaviourChoiceGet is GET /v1/journeys/{journeyId}/behaviour-choices/{choiceId}:
// a behaviour choice; the manager's while behaviour choices are shared.
func (s *Server) handleBehaviourChoiceGet(c echo.Context) error {
	return journeyItem(s, c, "choiceId", s.app.BehaviourChoice, behaviourChoiceOf)
}

// handleExperimentGet is GET /v1/journeys/{journeyId}/experiments/{experimentId}:
// an experiment with its steps so far; the manager's while experiments are shared.
func (s *Server) handleExperimentGet(c echo.Context) error {
	return journeyItem(s, c, "experimentId", s.app.Experiment, experimentOf)
}

// handleAssignmentGet is GET /v1/journeys/{journeyId}/assignments/{assignmentId}:
// a practice assignment and its hand-in; the manager's while assignments are
// shared; a trainer's of the cohort without the participant's reflection.
func (s *Server) handleAssignmentGet(c echo.Context) error {
	return journeyItem(s, c, "assignmentId", s.app.Assignment, assignmentOf)
}

// handleModuleEvaluationGet is GET /v1/journeys/{journeyId}/module-evaluations/{deliveryId}:
// the participant's evaluation of a delivery; the manager's while evaluations are shared.
func (s *Server) handleModuleEvaluationGet(c echo.Context) error {
	return journeyItem(s, c, "deliveryId", s.app.ModuleEvaluation, evaluationOf)
}

// handleMeasurementGet is GET /v1/journeys/{journeyId}/measurements/{measurementId}:
// an instrument's result; the manager's while measurements are shared; a
// trainer's of the cohort.
func (s *Server) handleMeasurementGet(c echo.Context) error {
	return journeyItem(s, c, "measurementId", s.app.Measurement, measurementOf)
}

// handleCoachingSessionGet is GET /v1/journeys/{journeyId}/coaching-sessions/{sessionId}:
// a coaching session; the manager's while coaching is shared; a trainer's of the cohort.
func (s *Server) handleCoachingSessionGet(c echo.Context) error {
	return journeyItem(s, c, "sessionId", s.app.CoachingSession, coachingOf)
}

// sharedSectionResponse says whether a section is shared with the manager now.
type sharedSectionResponse struct {
	Section   string `json:"section"`
	Shared    bool   `json:"shared"`
	ManagerID string `json:"managerId"`
}

// handleSharedSectionGet is GET /v1/journeys/{journeyId}/shared-sections/{section}:
// whether the participant shares the section with their manager now, for
// both of them, with the journey's ETag.
func (s *Server) handleSharedSectionGet(c echo.Context) error {
	id, err := pathID(c, "journeyId")
	if err != nil {
		return err
	}
	sec, err := sectionParam(c)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	sh, err := s.app.SharedSection(c.Request().Context(), p, id, sec)
	if err != nil {
		return err
	}
	return withETag(c, sh.Revision, true, sharedSectionOf(sh))
}

func sharedSectionOf(sh usecase.SharedSection) sharedSectionResponse {
	return sharedSectionResponse{Section: sh.Section.String(), Shared: sh.Shared, ManagerID: sh.ManagerID}
}
