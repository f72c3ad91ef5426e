package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/journey"
)

// registerJourneyCourseRoutes registers how a journey runs its course: the
// programme office completes it and records a new manager, the participant
// (or the programme office for them) withdraws, the participant or a trainer
// of the cohort records the result of an instrument, and a manager lists the
// journeys of the participants they manage.
func (s *Server) registerJourneyCourseRoutes(g *echo.Group) {
	g.POST("/journeys/:journeyId/completions", s.handleCompletionCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/withdrawals", s.handleWithdrawalCreate, s.requireUser, s.idempotent)
	g.PUT("/journeys/:journeyId/manager", s.handleManagerPut, s.requireUser)
	g.POST("/journeys/:journeyId/measurements", s.handleMeasurementCreate, s.requireUser, s.idempotent)
	g.GET("/managed-journeys", s.handleManagedJourneyList, s.requireUser)
}

// completionRequest completes a journey; it has no fields.
type completionRequest struct{}

// handleCompletionCreate is POST /v1/journeys/{journeyId}/completions: the
// programme office completes a journey. Nothing is logged on it after that,
// except that the participant can still stop sharing; a second completion,
// or the completion of a withdrawn journey, is refused (409).
func (s *Server) handleCompletionCreate(c echo.Context) error {
	var req completionRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	out, err := s.app.CompleteJourney(c.Request().Context(), w, id)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id))
}

// withdrawalRequest withdraws a participant from a journey and its cohort.
type withdrawalRequest struct {
	Reason string `json:"reason,omitempty"`
}

// handleWithdrawalCreate is POST /v1/journeys/{journeyId}/withdrawals: the
// participant withdraws from their journey, or the programme office records
// that they did. The participant leaves the cohort too (see
// usecase.App.Withdraw): a request that failed half-way can be sent again.
func (s *Server) handleWithdrawalCreate(c echo.Context) error {
	var req withdrawalRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	out, err := s.app.Withdraw(c.Request().Context(), w, id, req.Reason)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id))
}

// managerRequest names a participant's new manager.
type managerRequest struct {
	ManagerID string `json:"managerId"`
}

// handleManagerPut is PUT /v1/journeys/{journeyId}/manager: the programme
// office records the participant's new manager. The former manager's access
// ends at once; sharing does not carry over, so the new manager sees no
// section until the participant shares it again. If-Match is optional: the
// programme office does not read the journey itself.
func (s *Server) handleManagerPut(c echo.Context) error {
	var req managerRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	out, err := s.app.ChangeManager(c.Request().Context(), w, journey.ChangeManager{JourneyID: id, ManagerID: req.ManagerID})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, journeyHref(id))
}

// measurementRequest records the result of an instrument: a leadership
// style, a team-role profile (such as Belbin), a skills measurement or
// another instrument, and when it was taken.
type measurementRequest struct {
	Kind       string    `json:"kind"`
	Instrument string    `json:"instrument"`
	Result     string    `json:"result"`
	TakenOn    *DateTime `json:"takenOn,omitempty"`
}

// validate names every missing or unknown field at once; the domain checks
// the same again, with the rest of its rules.
func (r *measurementRequest) validate() error {
	_, kerr := journey.ParseMeasurementKind(r.Kind)
	ps := []*domain.FieldError{fieldOf(kerr), domain.RequireLine("instrument", r.Instrument, domain.MaxTitle),
		domain.RequireText("result", r.Result, domain.MaxText)}
	if r.TakenOn == nil {
		ps = append(ps, domain.Required("takenOn"))
	}
	return domain.Validate(ps...)
}

// handleMeasurementCreate is POST /v1/journeys/{journeyId}/measurements:
// the participant, or a trainer of their cohort who administered the
// instrument, records its result. It appears in the portfolio's
// measurements section.
func (s *Server) handleMeasurementCreate(c echo.Context) error {
	var req measurementRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	k, err := journey.ParseMeasurementKind(req.Kind)
	if err != nil {
		return validationOf(err)
	}
	var takenOn time.Time
	if req.TakenOn != nil {
		takenOn = req.TakenOn.Time
	}
	out, err := s.app.RecordMeasurement(c.Request().Context(), w, journey.RecordMeasurement{JourneyID: id, Kind: k, Instrument: req.Instrument,
		Result: req.Result, TakenOn: takenOn})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/measurements/"+out.ID)
}

// managedJourney is what a manager sees of a journey they manage: whose it
// is, where it runs, how it stands and which sections the participant
// shares with them; none of the content, which the portfolio shows per
// shared section.
type managedJourney struct {
	ID             string   `json:"id"`
	ParticipantID  string   `json:"participantId"`
	CohortID       string   `json:"cohortId"`
	ProgrammeID    string   `json:"programmeId"`
	Status         string   `json:"status"`
	SharedSections []string `json:"sharedSections"`
	// PortfolioHref is where the manager reads the shared sections; absent
	// while the participant shares none, for then the portfolio refuses them.
	PortfolioHref string `json:"portfolioHref,omitempty"`
}

// managedJourneyList is a page of the journeys a manager manages.
type managedJourneyList struct {
	Items      []managedJourney `json:"items"`
	NextCursor string           `json:"nextCursor,omitempty"`
}

// handleManagedJourneyList is GET /v1/managed-journeys: the journeys of the
// participants the caller manages now, in the order they became theirs, a
// page at a time (limit, cursor). Managers only. A journey the read model
// still lists after a change of manager is left out, so a page may then hold
// fewer than limit items, as it may when a journey was erased.
func (s *Server) handleManagedJourneyList(c echo.Context) error {
	p, _ := principalOf(c)
	list := "managed-journeys:" + p.Subject
	pg, err := pageOfRequest(c, list)
	if err != nil {
		return err
	}
	min, err := minPosition(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	js, total, err := s.app.ManagedJourneys(ctx, p, pg, min)
	if err != nil {
		return err
	}
	out := managedJourneyList{Items: make([]managedJourney, len(js)), NextCursor: nextCursor(list, pg, total)}
	for i, j := range js {
		out.Items[i] = managedJourney{ID: j.ID, ParticipantID: j.ParticipantID, CohortID: j.CohortID, ProgrammeID: j.ProgrammeID,
			Status: j.Status.String(), SharedSections: sectionNames(j.SharedSections)}
		if len(j.SharedSections) > 0 {
			out.Items[i].PortfolioHref = journeyHref(j.ID) + "/portfolio"
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}
