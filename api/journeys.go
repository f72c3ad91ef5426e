package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/usecase"
)

// registerJourneyRoutes registers a participant's journeys and what they
// record on them: why and values, behaviour choices, learning goals,
// experiments through their steps, hand-ins, module evaluations, level 2
// ratings of what was learnt (learningratings.go) and sharing.
func (s *Server) registerJourneyRoutes(g *echo.Group) {
	g.GET("/journeys", s.handleJourneyList, s.requireUser)
	g.GET("/journeys/:journeyId", s.handleJourneyGet, s.requireUser)
	g.PUT("/journeys/:journeyId/why-and-values", s.handleWhyAndValuesPut, s.requireUser)
	g.POST("/journeys/:journeyId/behaviour-choices", s.handleBehaviourChoiceCreate, s.requireUser, s.idempotent)
	g.PUT("/journeys/:journeyId/behaviour-choices/:choiceId", s.handleBehaviourChoicePut, s.requireUser)
	g.POST("/journeys/:journeyId/learning-goals", s.handleLearningGoalCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/experiments", s.handleExperimentCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/experiments/:experimentId/steps", s.handleExperimentStepCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/assignments/:assignmentId/hand-ins", s.handleHandInCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/module-evaluations", s.handleModuleEvaluationCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/learning-ratings", s.handleLearningRatingCreate, s.requireUser, s.idempotent)
	g.GET("/journeys/:journeyId/learning-ratings/:deliveryId", s.handleLearningRatingGet, s.requireUser)
	g.GET("/journeys/:journeyId/shared-sections", s.handleSharedSectionList, s.requireUser)
	g.PUT("/journeys/:journeyId/shared-sections/:section", s.handleSharedSectionPut, s.requireUser)
	g.DELETE("/journeys/:journeyId/shared-sections/:section", s.handleSharedSectionDelete, s.requireUser)
}

// journeySummary is a journey as it stands in its stream.
type journeySummary struct {
	ID            string   `json:"id"`
	ParticipantID string   `json:"participantId"`
	CohortID      string   `json:"cohortId"`
	ProgrammeID   string   `json:"programmeId"`
	ManagerID     string   `json:"managerId"`
	Role          string   `json:"role"`
	Status        string   `json:"status"`
	SharedWith    []string `json:"sharedSections"`
	Revision      uint64   `json:"revision"`
}

func summaryOf(j usecase.JourneySummary) journeySummary {
	out := journeySummary{ID: j.ID, ParticipantID: j.ParticipantID, CohortID: j.CohortID, ProgrammeID: j.ProgrammeID,
		ManagerID: j.ManagerID, Role: j.Role.String(), Status: j.Status.String(), SharedWith: sectionNames(j.SharedSections), Revision: j.Revision}
	return out
}

// sectionNames are the names of sections.
func sectionNames(secs []journey.Section) []string {
	out := make([]string, len(secs))
	for i, sec := range secs {
		out[i] = sec.String()
	}
	return out
}

// journeyList is a page of the caller's journeys.
type journeyList struct {
	Items      []journeySummary `json:"items"`
	NextCursor string           `json:"nextCursor,omitempty"`
}

// handleJourneyList is GET /v1/journeys: the caller's own journeys, in the
// order enrolled, a page at a time (limit, cursor). Participants only.
func (s *Server) handleJourneyList(c echo.Context) error {
	p, _ := principalOf(c)
	list := "journeys:" + p.Subject
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
	js, total, err := s.app.Journeys(ctx, p, pg, min)
	if err != nil {
		return err
	}
	out := journeyList{Items: make([]journeySummary, len(js)), NextCursor: nextCursor(list, pg, total)}
	for i, j := range js {
		out.Items[i] = summaryOf(j)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// handleJourneyGet is GET /v1/journeys/{journeyId}: one of the caller's
// journeys as its stream holds it now, with its revision as ETag.
func (s *Server) handleJourneyGet(c echo.Context) error {
	id, err := pathID(c, "journeyId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	j, err := s.app.Journey(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	return withETag(c, j.Revision, true, summaryOf(j))
}

// whyAndValuesRequest states the personal why and values.
type whyAndValuesRequest struct {
	Why    string   `json:"why"`
	Values []string `json:"values"`
}

// handleWhyAndValuesPut is PUT /v1/journeys/{journeyId}/why-and-values:
// the participant states their why and values, replacing what they stated
// before. If-Match is required.
func (s *Server) handleWhyAndValuesPut(c echo.Context) error {
	var req whyAndValuesRequest
	id, w, err := s.journeyCommand(c, matchRequired, &req)
	if err != nil {
		return err
	}
	out, err := s.app.StateWhy(c.Request().Context(), w, journey.StateWhy{JourneyID: id, Why: req.Why, Values: req.Values})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, journeyHref(id)+"/why-and-values")
}

// journeyCommand reads what every command on a journey starts with: the
// journey id of the path, the Write of the request (If-Match as m says) and,
// when body is not nil, the body.
func (s *Server) journeyCommand(c echo.Context, m ifMatch, body any) (string, usecase.Write, error) {
	id, err := pathID(c, "journeyId")
	if err != nil {
		return "", usecase.Write{}, err
	}
	w, err := writeOf(c, m)
	if err != nil {
		return "", w, err
	}
	if body != nil {
		err = bindJSON(c, body)
	}
	return id, w, err
}

// behaviourChoiceRequest is a choice about a behaviour.
type behaviourChoiceRequest struct {
	CompetencyID string `json:"competencyId"`
	Behaviour    string `json:"behaviour"`
	Choice       string `json:"choice"`
}

// handleBehaviourChoiceCreate is POST /v1/journeys/{journeyId}/behaviour-choices:
// the participant chooses to continue, develop, dose or let go of a behaviour.
func (s *Server) handleBehaviourChoiceCreate(c echo.Context) error {
	var req behaviourChoiceRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	ch, err := journey.ParseChoice(req.Choice)
	if err != nil {
		return validationOf(err)
	}
	out, err := s.app.ChooseBehaviour(c.Request().Context(), w, journey.ChooseBehaviour{JourneyID: id, CompetencyID: req.CompetencyID,
		Behaviour: req.Behaviour, Choice: ch})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/behaviour-choices/"+out.ID)
}

// choiceRevision changes a behaviour choice.
type choiceRevision struct {
	Choice string `json:"choice"`
}

// handleBehaviourChoicePut is PUT /v1/journeys/{journeyId}/behaviour-choices/{choiceId}:
// the participant revises a choice. If-Match is required.
func (s *Server) handleBehaviourChoicePut(c echo.Context) error {
	var req choiceRevision
	id, w, err := s.journeyCommand(c, matchRequired, &req)
	if err != nil {
		return err
	}
	choiceID, err := pathID(c, "choiceId")
	if err != nil {
		return err
	}
	ch, err := journey.ParseChoice(req.Choice)
	if err != nil {
		return validationOf(err)
	}
	out, err := s.app.ReviseBehaviourChoice(c.Request().Context(), w, journey.ReviseBehaviourChoice{JourneyID: id, ChoiceID: choiceID, Choice: ch})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, journeyHref(id)+"/behaviour-choices/"+choiceID)
}

// learningGoalRequest is a learning goal or question: what (text), how
// the participant will see it (successCriteria) and by when (dueOn), linked
// to competencies of the 360 instruments and learning goals of the
// programme's modules.
type learningGoalRequest struct {
	Kind            string    `json:"kind"`
	Text            string    `json:"text"`
	SuccessCriteria string    `json:"successCriteria,omitempty"`
	DueOn           *DateTime `json:"dueOn,omitempty"`
	CompetencyIDs   []string  `json:"competencyIds"`
	ModuleGoalIDs   []string  `json:"moduleGoalIds"`
}

// handleLearningGoalCreate is POST /v1/journeys/{journeyId}/learning-goals:
// the participant formulates a learning goal or question.
func (s *Server) handleLearningGoalCreate(c echo.Context) error {
	var req learningGoalRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	k, err := journey.ParseGoalKind(req.Kind)
	if err != nil {
		return validationOf(err)
	}
	cmd := journey.FormulateLearningGoal{JourneyID: id, Kind: k, Text: req.Text, SuccessCriteria: req.SuccessCriteria,
		CompetencyIDs: req.CompetencyIDs, ModuleGoalIDs: req.ModuleGoalIDs}
	if req.DueOn != nil {
		cmd.DueOn = req.DueOn.Time
	}
	out, err := s.app.FormulateLearningGoal(c.Request().Context(), w, cmd)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/learning-goals/"+out.ID)
}

// experimentRequest plans an experiment for a learning goal.
type experimentRequest struct {
	LearningGoalID string   `json:"learningGoalId"`
	Intention      string   `json:"intention"`
	PlannedFor     DateTime `json:"plannedFor"`
}

// handleExperimentCreate is POST /v1/journeys/{journeyId}/experiments: the
// participant logs an experiment (its first step, "planned").
func (s *Server) handleExperimentCreate(c echo.Context) error {
	var req experimentRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	out, err := s.app.LogExperiment(c.Request().Context(), w, journey.LogExperiment{JourneyID: id, LearningGoalID: req.LearningGoalID,
		Intention: req.Intention, PlannedFor: req.PlannedFor.Time})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/experiments/"+out.ID)
}

// experimentStepRequest takes an experiment to its next step: "tried"
// (whatWasTried, triedOn), "reflected" (outcome, reflection) or
// "concluded" (nextStep). Only the step's own fields may be sent.
type experimentStepRequest struct {
	Step         string    `json:"step"`
	WhatWasTried string    `json:"whatWasTried,omitempty"`
	TriedOn      *DateTime `json:"triedOn,omitempty"`
	Outcome      string    `json:"outcome,omitempty"`
	Reflection   string    `json:"reflection,omitempty"`
	NextStep     string    `json:"nextStep,omitempty"`
}

// validate checks which fields go with which step, naming every field
// that is missing or does not belong at once; the domain checks what they
// hold, with the rest of its rules.
func (r *experimentStepRequest) validate() error {
	var ps []*domain.FieldError
	notHere := func(field string, set bool) {
		if set {
			ps = append(ps, domain.Invalid(field, "is not part of step %q", r.Step))
		}
	}
	switch r.Step {
	case journey.StepTried.String():
		ps = append(ps, domain.RequireText("whatWasTried", r.WhatWasTried, domain.MaxText))
		if r.TriedOn == nil {
			ps = append(ps, domain.Required("triedOn"))
		}
		notHere("outcome", r.Outcome != "")
		notHere("reflection", r.Reflection != "")
		notHere("nextStep", r.NextStep != "")
	case journey.StepReflected.String():
		ps = append(ps, domain.RequireText("outcome", r.Outcome, domain.MaxText), domain.RequireText("reflection", r.Reflection, domain.MaxText))
		notHere("whatWasTried", r.WhatWasTried != "")
		notHere("triedOn", r.TriedOn != nil)
		notHere("nextStep", r.NextStep != "")
	case journey.StepConcluded.String():
		ps = append(ps, domain.RequireText("nextStep", r.NextStep, domain.MaxText))
		notHere("whatWasTried", r.WhatWasTried != "")
		notHere("triedOn", r.TriedOn != nil)
		notHere("outcome", r.Outcome != "")
		notHere("reflection", r.Reflection != "")
	default:
		ps = append(ps, domain.Invalid("step", "must be one of tried, reflected, concluded"))
	}
	return domain.Validate(ps...)
}

// handleExperimentStepCreate is POST /v1/journeys/{journeyId}/experiments/{experimentId}/steps:
// the participant records the next step of an experiment: what was tried,
// then the outcome and reflection, then the next step, which concludes it.
func (s *Server) handleExperimentStepCreate(c echo.Context) error {
	var req experimentStepRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	expID, err := pathID(c, "experimentId")
	if err != nil {
		return err
	}
	step, err := journey.ParseStep(req.Step)
	if err != nil {
		return validationOf(err)
	}
	st := usecase.ExperimentStep{JourneyID: id, ExperimentID: expID, Step: step, WhatWasTried: req.WhatWasTried,
		Outcome: req.Outcome, Reflection: req.Reflection, NextStep: req.NextStep}
	if req.TriedOn != nil {
		st.TriedOn = req.TriedOn.Time
	}
	out, err := s.app.TakeExperimentStep(c.Request().Context(), w, st)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/experiments/"+expID)
}

// handInRequest hands a practice assignment in.
type handInRequest struct {
	Reflection string `json:"reflection"`
}

// handleHandInCreate is POST /v1/journeys/{journeyId}/assignments/{assignmentId}/hand-ins:
// the participant hands a practice assignment in with a reflection.
func (s *Server) handleHandInCreate(c echo.Context) error {
	var req handInRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	assignmentID, err := pathID(c, "assignmentId")
	if err != nil {
		return err
	}
	out, err := s.app.HandInAssignment(c.Request().Context(), w, journey.HandInAssignment{JourneyID: id, AssignmentID: assignmentID, Reflection: req.Reflection})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/assignments/"+assignmentID)
}

// evaluationRequest evaluates a delivery the participant attended.
type evaluationRequest struct {
	DeliveryID string       `json:"deliveryId"`
	Scores     []scoreInput `json:"scores"`
	Comments   string       `json:"comments,omitempty"`
}

// scoreInput scores one evaluation question from 1 to 5.
type scoreInput struct {
	QuestionID string `json:"questionId"`
	Score      int    `json:"score"`
}

// handleModuleEvaluationCreate is POST /v1/journeys/{journeyId}/module-evaluations:
// the participant evaluates a delivery of a module they attended.
func (s *Server) handleModuleEvaluationCreate(c echo.Context) error {
	var req evaluationRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	if p := listLimit("scores", len(req.Scores), len(journey.Questions())); p != nil {
		return domain.Validate(p)
	}
	scores := make([]journey.Score, len(req.Scores))
	var ps []*domain.FieldError
	for i, sc := range req.Scores {
		q, err := journey.ParseQuestion(sc.QuestionID)
		if err != nil {
			ps = append(ps, domain.Invalid(fmt.Sprintf("scores[%d].questionId", i), "%s", reasonOf(err)))
		}
		scores[i] = journey.Score{Question: q, Score: sc.Score}
	}
	if err := domain.Validate(ps...); err != nil {
		return err
	}
	out, err := s.app.EvaluateModule(c.Request().Context(), w, journey.EvaluateModule{JourneyID: id, DeliveryID: req.DeliveryID, Scores: scores,
		Comments: req.Comments})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/module-evaluations/"+req.DeliveryID)
}

// sharedSections are the sections a journey's portfolio shares with the manager.
type sharedSections struct {
	ManagerID string   `json:"managerId"`
	Sections  []string `json:"sections"`
}

// handleSharedSectionList is GET /v1/journeys/{journeyId}/shared-sections:
// which sections the participant shares with their manager now.
func (s *Server) handleSharedSectionList(c echo.Context) error {
	id, err := pathID(c, "journeyId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	j, err := s.app.Journey(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	return withETag(c, j.Revision, true, sharedSections{ManagerID: j.ManagerID, Sections: sectionNames(j.SharedSections)})
}

// sectionParam reads the section path parameter.
func sectionParam(c echo.Context) (journey.Section, error) {
	sec, err := journey.ParseSection(c.Param("section"))
	if err != nil {
		return sec, domain.Validate(fieldOf(err))
	}
	return sec, nil
}

// handleSharedSectionPut is PUT /v1/journeys/{journeyId}/shared-sections/{section}:
// the participant shares a section of their portfolio with their manager.
func (s *Server) handleSharedSectionPut(c echo.Context) error {
	return s.sharing(c, true)
}

// handleSharedSectionDelete is DELETE /v1/journeys/{journeyId}/shared-sections/{section}:
// the participant stops sharing a section; the manager's access ends at once.
func (s *Server) handleSharedSectionDelete(c echo.Context) error {
	return s.sharing(c, false)
}

func (s *Server) sharing(c echo.Context, grant bool) error {
	id, w, err := s.journeyCommand(c, matchOptional, nil)
	if err != nil {
		return err
	}
	sec, err := sectionParam(c)
	if err != nil {
		return err
	}
	out, err := s.app.Share(c.Request().Context(), w, id, sec, grant)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, journeyHref(id)+"/shared-sections/"+sec.String())
}

// fieldOf returns the *domain.FieldError err is (from a Parse function), or nil.
func fieldOf(err error) *domain.FieldError {
	if err == nil {
		return nil
	}
	if fe, ok := errAs[*domain.FieldError](err); ok {
		return fe
	}
	return domain.Invalid("body", "%s", err.Error())
}

// reasonOf returns the reason of a field error, or its text.
func reasonOf(err error) string {
	if fe, ok := errAs[*domain.FieldError](err); ok {
		return fe.Reason
	}
	return err.Error()
}
