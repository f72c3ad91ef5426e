package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
)

// registerJourneyRoutes registers a participant's journeys and what they
// record on them: why and values, behaviour choices, learning goals,
// experiments through their steps, hand-ins, module evaluations and sharing.
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

func summaryOf(j *journey.Journey) journeySummary {
	rev, _ := revisionOf(j)
	out := journeySummary{ID: j.ID(), ParticipantID: j.ParticipantID(), CohortID: j.CohortID(), ProgrammeID: j.ProgrammeID(),
		ManagerID: j.ManagerID(), Role: j.Role().String(), Status: j.Status().String(), SharedWith: []string{}, Revision: rev}
	for _, sec := range journey.Sections() {
		if j.Shared(sec) {
			out.SharedWith = append(out.SharedWith, sec.String())
		}
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
	if !p.Has(access.RoleParticipant) {
		return problemf(domain.ErrForbidden, "Access denied: only participants have journeys.")
	}
	if s.d.Portfolios == nil {
		return unavailable("the portfolio read model")
	}
	list := "journeys:" + p.Subject
	offset, limit, err := page(c, list)
	if err != nil {
		return err
	}
	if err := s.caughtUp(c, s.d.Portfolios.Name()); err != nil {
		return err
	}
	ids, next := pageOf(s.d.Portfolios.Journeys(p.Subject), list, offset, limit)
	out := journeyList{Items: make([]journeySummary, 0, len(ids)), NextCursor: next}
	for _, id := range ids {
		j, err := s.loadJourney(c.Request().Context(), id)
		if err != nil {
			return err
		}
		if err := s.authorize(c, access.ActionRead, access.Resource{Kind: access.KindJourney, ParticipantID: j.ParticipantID()}); err != nil {
			return err
		}
		out.Items = append(out.Items, summaryOf(j))
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
	j, err := s.loadJourney(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := s.authorize(c, access.ActionRead, access.Resource{Kind: access.KindJourney, ParticipantID: j.ParticipantID()}); err != nil {
		return err
	}
	rev, ok := revisionOf(j)
	return withETag(c, rev, ok, summaryOf(j))
}

// whyAndValuesRequest states the personal why and values.
type whyAndValuesRequest struct {
	Why    string   `json:"why"`
	Values []string `json:"values"`
}

func (r *whyAndValuesRequest) validate() error {
	return domain.Validate(append([]*domain.FieldError{domain.RequireText("why", r.Why, domain.MaxText)},
		textsLimit("values", r.Values, maxListItems, domain.MaxTitle)...)...)
}

// handleWhyAndValuesPut is PUT /v1/journeys/{journeyId}/why-and-values:
// the participant states their why and values, replacing what they stated
// before. If-Match is required.
func (s *Server) handleWhyAndValuesPut(c echo.Context) error {
	var req whyAndValuesRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindJourney, action: access.ActionWrite, match: matchRequired, body: &req,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			err := s.d.Journeys.StateWhy(ctx, journey.StateWhy{JourneyID: j.ID(), Why: req.Why, Values: req.Values, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: j.ID(), Href: journeyHref(j.ID()) + "/why-and-values"}, err
		}})
}

// behaviourChoiceRequest is a choice about a behaviour.
type behaviourChoiceRequest struct {
	CompetencyID string `json:"competencyId"`
	Behaviour    string `json:"behaviour"`
	Choice       string `json:"choice"`
}

func (r *behaviourChoiceRequest) validate() error {
	_, cerr := journey.ParseChoice(r.Choice)
	return domain.Validate(domain.RequireID("competencyId", r.CompetencyID), domain.RequireText("behaviour", r.Behaviour, domain.MaxTitle*5), fieldOf(cerr))
}

// handleBehaviourChoiceCreate is POST /v1/journeys/{journeyId}/behaviour-choices:
// the participant chooses to continue, develop, dose or let go of a behaviour.
func (s *Server) handleBehaviourChoiceCreate(c echo.Context) error {
	var req behaviourChoiceRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindJourney, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id := s.newID(c, "choice")
			ch, _ := journey.ParseChoice(req.Choice)
			err := s.d.Journeys.ChooseBehaviour(ctx, journey.ChooseBehaviour{JourneyID: j.ID(), ChoiceID: id, CompetencyID: req.CompetencyID,
				Behaviour: req.Behaviour, Choice: ch, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/behaviour-choices/" + id}, err
		}})
}

// choiceRevision changes a behaviour choice.
type choiceRevision struct {
	Choice string `json:"choice"`
}

func (r *choiceRevision) validate() error {
	_, err := journey.ParseChoice(r.Choice)
	return domain.Validate(fieldOf(err))
}

// handleBehaviourChoicePut is PUT /v1/journeys/{journeyId}/behaviour-choices/{choiceId}:
// the participant revises a choice. If-Match is required.
func (s *Server) handleBehaviourChoicePut(c echo.Context) error {
	var req choiceRevision
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindJourney, action: access.ActionWrite, match: matchRequired, body: &req,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id, err := pathID(c, "choiceId")
			if err != nil {
				return resourceRef{}, err
			}
			ch, _ := journey.ParseChoice(req.Choice)
			err = s.d.Journeys.ReviseBehaviourChoice(ctx, journey.ReviseBehaviourChoice{JourneyID: j.ID(), ChoiceID: id, Choice: ch, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/behaviour-choices/" + id}, err
		}})
}

// learningGoalRequest is a learning goal or question.
type learningGoalRequest struct {
	Kind          string   `json:"kind"`
	Text          string   `json:"text"`
	CompetencyIDs []string `json:"competencyIds"`
	ModuleGoalIDs []string `json:"moduleGoalIds"`
}

func (r *learningGoalRequest) validate() error {
	_, kerr := journey.ParseGoalKind(r.Kind)
	return domain.Validate(fieldOf(kerr), domain.RequireText("text", r.Text, domain.MaxText),
		listLimit("competencyIds", len(r.CompetencyIDs), maxListItems), listLimit("moduleGoalIds", len(r.ModuleGoalIDs), maxListItems))
}

// handleLearningGoalCreate is POST /v1/journeys/{journeyId}/learning-goals:
// the participant formulates a learning goal or question.
func (s *Server) handleLearningGoalCreate(c echo.Context) error {
	var req learningGoalRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindJourney, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id := s.newID(c, "goal")
			k, _ := journey.ParseGoalKind(req.Kind)
			err := s.d.Journeys.FormulateLearningGoal(ctx, journey.FormulateLearningGoal{JourneyID: j.ID(), GoalID: id, Kind: k, Text: req.Text,
				CompetencyIDs: req.CompetencyIDs, ModuleGoalIDs: req.ModuleGoalIDs, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/learning-goals/" + id}, err
		}})
}

// experimentRequest plans an experiment for a learning goal.
type experimentRequest struct {
	LearningGoalID string   `json:"learningGoalId"`
	Intention      string   `json:"intention"`
	PlannedFor     DateTime `json:"plannedFor"`
}

func (r *experimentRequest) validate() error {
	return domain.Validate(domain.RequireID("learningGoalId", r.LearningGoalID), domain.RequireText("intention", r.Intention, domain.MaxText),
		domain.RequireTime("plannedFor", r.PlannedFor.Time))
}

// handleExperimentCreate is POST /v1/journeys/{journeyId}/experiments: the
// participant logs an experiment (its first step, "planned").
func (s *Server) handleExperimentCreate(c echo.Context) error {
	var req experimentRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindJourney, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id := s.newID(c, "experiment")
			err := s.d.Journeys.LogExperiment(ctx, journey.LogExperiment{JourneyID: j.ID(), ExperimentID: id, LearningGoalID: req.LearningGoalID,
				Intention: req.Intention, PlannedFor: req.PlannedFor.Time, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/experiments/" + id}, err
		}})
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
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindReflection, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id, err := pathID(c, "experimentId")
			if err != nil {
				return resourceRef{}, err
			}
			key := s.commandKey(c, "")
			switch req.Step {
			case journey.StepTried.String():
				err = s.d.Journeys.RecordExperimentTried(ctx, journey.RecordExperimentTried{JourneyID: j.ID(), ExperimentID: id,
					WhatWasTried: req.WhatWasTried, TriedOn: req.TriedOn.Time, At: at, IdempotencyKey: key})
			case journey.StepReflected.String():
				err = s.d.Journeys.ReflectOnExperiment(ctx, journey.ReflectOnExperiment{JourneyID: j.ID(), ExperimentID: id,
					Outcome: req.Outcome, Reflection: req.Reflection, At: at, IdempotencyKey: key})
			default:
				err = s.d.Journeys.SetNextStep(ctx, journey.SetNextStep{JourneyID: j.ID(), ExperimentID: id, NextStep: req.NextStep, At: at, IdempotencyKey: key})
			}
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/experiments/" + id}, err
		}})
}

// handInRequest hands a practice assignment in.
type handInRequest struct {
	Reflection string `json:"reflection"`
}

func (r *handInRequest) validate() error {
	return domain.Validate(domain.RequireText("reflection", r.Reflection, domain.MaxText))
}

// handleHandInCreate is POST /v1/journeys/{journeyId}/assignments/{assignmentId}/hand-ins:
// the participant hands a practice assignment in with a reflection.
func (s *Server) handleHandInCreate(c echo.Context) error {
	var req handInRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindReflection, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id, err := pathID(c, "assignmentId")
			if err != nil {
				return resourceRef{}, err
			}
			err = s.d.Journeys.HandInAssignment(ctx, journey.HandInAssignment{JourneyID: j.ID(), AssignmentID: id, Reflection: req.Reflection, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/assignments/" + id}, err
		}})
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

func (r *evaluationRequest) validate() error {
	ps := []*domain.FieldError{domain.RequireID("deliveryId", r.DeliveryID), domain.OptionalText("comments", r.Comments, domain.MaxText),
		listLimit("scores", len(r.Scores), len(journey.Questions()))}
	for i, sc := range r.Scores {
		if _, err := journey.ParseQuestion(sc.QuestionID); err != nil {
			ps = append(ps, domain.Invalid(fmt.Sprintf("scores[%d].questionId", i), "%s", reasonOf(err)))
		}
	}
	return domain.Validate(ps...)
}

// handleModuleEvaluationCreate is POST /v1/journeys/{journeyId}/module-evaluations:
// the participant evaluates a delivery of a module they attended.
func (s *Server) handleModuleEvaluationCreate(c echo.Context) error {
	var req evaluationRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindJourney, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			scores := make([]journey.Score, len(req.Scores))
			for i, sc := range req.Scores {
				q, _ := journey.ParseQuestion(sc.QuestionID)
				scores[i] = journey.Score{Question: q, Score: sc.Score}
			}
			err := s.d.Journeys.EvaluateModule(ctx, journey.EvaluateModule{JourneyID: j.ID(), DeliveryID: req.DeliveryID, Scores: scores,
				Comments: req.Comments, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: req.DeliveryID, Href: journeyHref(j.ID()) + "/module-evaluations/" + req.DeliveryID}, err
		}})
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
	j, err := s.loadJourney(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := s.authorize(c, access.ActionRead, access.Resource{Kind: access.KindJourney, ParticipantID: j.ParticipantID()}); err != nil {
		return err
	}
	rev, ok := revisionOf(j)
	return withETag(c, rev, ok, sharedSections{ManagerID: j.ManagerID(), Sections: summaryOf(j).SharedWith})
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
	sec, err := sectionParam(c)
	if err != nil {
		return err
	}
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindJourney, action: access.ActionWrite,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			if grant {
				err = s.d.Journeys.GrantSharing(ctx, journey.GrantSharing{JourneyID: j.ID(), Section: sec, At: at})
			} else {
				err = s.d.Journeys.RevokeSharing(ctx, journey.RevokeSharing{JourneyID: j.ID(), Section: sec, At: at})
			}
			return resourceRef{ID: sec.String(), Href: journeyHref(j.ID()) + "/shared-sections/" + sec.String()}, err
		}})
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
