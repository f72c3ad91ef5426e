package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/usecase"
)

// registerPortfolioRoutes registers the portfolio of a journey: whole for
// the participant, the shared sections for their manager.
func (s *Server) registerPortfolioRoutes(g *echo.Group) {
	g.GET("/journeys/:journeyId/portfolio", s.handlePortfolioGet, s.requireUser)
	s.registerJourneyReadRoutes(g)
}

// handlePortfolioGet is GET /v1/journeys/{journeyId}/portfolio: the
// participant's whole portfolio, or for their manager only the sections
// shared with them now (and the development conversations they hold);
// ?asOf= gives it as it stood at an RFC 3339 date-time. The programme office
// and trainers are refused: they see aggregates.
func (s *Server) handlePortfolioGet(c echo.Context) error {
	id, err := pathID(c, "journeyId")
	if err != nil {
		return err
	}
	var asOf *time.Time
	if v := c.QueryParam("asOf"); v != "" {
		t, err := dateTimeParam("asOf", v)
		if err != nil {
			return validationOf(err)
		}
		asOf = &t
	}
	min, err := minPosition(c)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	defer cancel()
	pf, err := s.app.Portfolio(ctx, p, id, asOf, min)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, portfolioOf(pf))
}

// portfolioResponse is a portfolio with the parts the reader may see; the
// others are absent, and parts lists which are present.
type portfolioResponse struct {
	JourneyID        string                `json:"journeyId"`
	ParticipantID    string                `json:"participantId"`
	CohortID         string                `json:"cohortId"`
	ProgrammeID      string                `json:"programmeId"`
	ManagerID        string                `json:"managerId"`
	Role             string                `json:"role"`
	Status           string                `json:"status"`
	EnrolledAt       DateTime              `json:"enrolledAt"`
	ClosedAt         *DateTime             `json:"closedAt,omitempty"`
	AsOf             *DateTime             `json:"asOf,omitempty"`
	Parts            []string              `json:"parts"`
	SharedSections   []string              `json:"sharedSections"`
	Timeline         []timelineDTO         `json:"timeline"`
	WhyAndValues     *whyAndValuesDTO      `json:"whyAndValues,omitempty"`
	BehaviourChoices []behaviourChoiceDTO  `json:"behaviourChoices,omitempty"`
	LearningGoals    []learningGoalDTO     `json:"learningGoals,omitempty"`
	Experiments      []experimentDTO       `json:"experiments,omitempty"`
	Assignments      []assignmentDTO       `json:"assignments,omitempty"`
	Coaching         []coachingDTO         `json:"coaching,omitempty"`
	Evaluations      []evaluationDTO       `json:"evaluations,omitempty"`
	Measurements     []measurementDTO      `json:"measurements,omitempty"`
	FeedbackRounds   []feedbackRoundDTO    `json:"feedbackRounds,omitempty"`
	FeedbackChange   []competencyChangeDTO `json:"feedbackChange,omitempty"`
	Modules          []moduleDeliveryDTO   `json:"modules,omitempty"`
	Intervision      []intervisionVisitDTO `json:"intervision,omitempty"`
	Conversations    []conversationDTO     `json:"conversations,omitempty"`
	// OwnChange is the participant's own change with their reliable-change
	// index (leerpad.impact/v1): in their own portfolio only.
	OwnChange []ownChangeDTO `json:"ownChange,omitempty"`
}

type timelineDTO struct {
	At    DateTime `json:"at"`
	Event string   `json:"event"`
	Part  string   `json:"part"`
	RefID string   `json:"refId,omitempty"`
}

type whyAndValuesDTO struct {
	Why      string   `json:"why"`
	Values   []string `json:"values"`
	StatedAt DateTime `json:"statedAt"`
}

type behaviourChoiceDTO struct {
	ChoiceID     string   `json:"choiceId"`
	CompetencyID string   `json:"competencyId"`
	Behaviour    string   `json:"behaviour"`
	Choice       string   `json:"choice"`
	ChosenAt     DateTime `json:"chosenAt"`
}

type learningGoalDTO struct {
	GoalID        string   `json:"goalId"`
	Kind          string   `json:"kind"`
	Text          string   `json:"text"`
	CompetencyIDs []string `json:"competencyIds"`
	ModuleIDs     []string `json:"moduleIds"`
	FormulatedAt  DateTime `json:"formulatedAt"`
	ExperimentIDs []string `json:"experimentIds"`
	AssignmentIDs []string `json:"assignmentIds"`
}

type experimentDTO struct {
	ExperimentID   string    `json:"experimentId"`
	LearningGoalID string    `json:"learningGoalId"`
	Step           string    `json:"step"`
	Intention      string    `json:"intention"`
	PlannedFor     DateTime  `json:"plannedFor"`
	LoggedAt       DateTime  `json:"loggedAt"`
	WhatWasTried   string    `json:"whatWasTried,omitempty"`
	TriedOn        *DateTime `json:"triedOn,omitempty"`
	Outcome        string    `json:"outcome,omitempty"`
	Reflection     string    `json:"reflection,omitempty"`
	NextStep       string    `json:"nextStep,omitempty"`
	ConcludedAt    *DateTime `json:"concludedAt,omitempty"`
}

type assignmentDTO struct {
	AssignmentID string    `json:"assignmentId"`
	ModuleID     string    `json:"moduleId"`
	Title        string    `json:"title"`
	DueOn        DateTime  `json:"dueOn"`
	HandedInAt   *DateTime `json:"handedInAt,omitempty"`
	OnTime       bool      `json:"onTime"`
	Reflection   string    `json:"reflection,omitempty"`
}

type coachingDTO struct {
	SessionID string   `json:"sessionId"`
	CoachID   string   `json:"coachId"`
	HeldOn    DateTime `json:"heldOn"`
	Notes     string   `json:"notes,omitempty"`
}

type evaluationDTO struct {
	DeliveryID    string        `json:"deliveryId"`
	ModuleID      string        `json:"moduleId"`
	ModuleVersion int           `json:"moduleVersion"`
	Scores        []scoreOutput `json:"scores"`
	Comments      string        `json:"comments,omitempty"`
	At            DateTime      `json:"at"`
}

type scoreOutput struct {
	QuestionID string `json:"questionId"`
	Score      int    `json:"score"`
}

type measurementDTO struct {
	MeasurementID string   `json:"measurementId"`
	Kind          string   `json:"kind"`
	Instrument    string   `json:"instrument"`
	Result        string   `json:"result"`
	TakenOn       DateTime `json:"takenOn"`
}

// feedbackRoundDTO is a 360 round in the portfolio: the 360 report. Once
// the round is closed it holds per competency the groups' scores, the
// self-other gap with its flag (see selfOtherGapDTO) and the comments of
// the groups that may be shown.
type feedbackRoundDTO struct {
	RoundID         string                `json:"roundId"`
	Kind            string                `json:"kind"`
	InstrumentTitle string                `json:"instrumentTitle"`
	OpenedAt        DateTime              `json:"openedAt"`
	ClosedAt        *DateTime             `json:"closedAt,omitempty"`
	Points          int                   `json:"points,omitempty"`
	GapThreshold    *float64              `json:"gapThreshold,omitempty"`
	Raters          []raterCountDTO       `json:"raters"`
	Competencies    []competencyResultDTO `json:"competencies,omitempty"`
	Comments        []feedbackCommentDTO  `json:"comments,omitempty"`
}

type raterCountDTO struct {
	Group     string `json:"group"`
	Nominated int    `json:"nominated"`
	Rejected  int    `json:"rejected"`
	Responded int    `json:"responded"`
}

type competencyResultDTO struct {
	CompetencyID string           `json:"competencyId"`
	Name         string           `json:"name"`
	Groups       []groupResultDTO `json:"groups"`
	Gap          *selfOtherGapDTO `json:"gap,omitempty"`
}

// selfOtherGapDTO is self minus the others composite on a competency, and
// its flag by the blind-spot rule of domain/portfolio (Classify): blind
// spot when self − others ≥ the round's gapThreshold, hidden strength when
// others − self ≥ it, no flag otherwise or with fewer than 3 other raters.
type selfOtherGapDTO struct {
	Self        float64 `json:"self"`
	Others      float64 `json:"others"`
	OtherRaters int     `json:"otherRaters"`
	Gap         float64 `json:"gap"`
	Flag        string  `json:"flag,omitempty"`
}

// feedbackCommentDTO is a comment of a rater group that reaches its
// threshold; it names no rater.
type feedbackCommentDTO struct {
	Group        string `json:"group"`
	CompetencyID string `json:"competencyId,omitempty"`
	Text         string `json:"text"`
}

type groupResultDTO struct {
	Group      string   `json:"group"`
	Raters     int      `json:"raters,omitempty"`
	Mean       *float64 `json:"mean,omitempty"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

type competencyChangeDTO struct {
	CompetencyID string  `json:"competencyId"`
	Name         string  `json:"name"`
	Group        string  `json:"group"`
	Pre          float64 `json:"pre"`
	Post         float64 `json:"post"`
	Change       float64 `json:"change"`
}

type moduleDeliveryDTO struct {
	DeliveryID    string   `json:"deliveryId"`
	ModuleID      string   `json:"moduleId"`
	ModuleVersion int      `json:"moduleVersion"`
	StartsAt      DateTime `json:"startsAt"`
	Attendance    string   `json:"attendance,omitempty"`
	Evaluated     bool     `json:"evaluated"`
}

type intervisionVisitDTO struct {
	SessionID     string   `json:"sessionId"`
	GroupID       string   `json:"groupId"`
	HeldOn        DateTime `json:"heldOn"`
	Method        string   `json:"method,omitempty"`
	CaseBroughtIn bool     `json:"caseBroughtIn"`
}

type conversationDTO struct {
	ConversationID string   `json:"conversationId"`
	ManagerID      string   `json:"managerId"`
	HeldOn         DateTime `json:"heldOn"`
	Agreements     []string `json:"agreements"`
	NextQuestions  []string `json:"nextQuestions"`
	ConfirmedBy    []string `json:"confirmedBy"`
	Final          bool     `json:"final"`
}

func dt(t time.Time) DateTime { return DateTime{t} }

func dtp(t *time.Time) *DateTime {
	if t == nil {
		return nil
	}
	return &DateTime{*t}
}

func mapAll[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func names[T interface{ String() string }](xs []T) []string {
	return mapAll(xs, func(x T) string { return x.String() })
}

func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// feedbackRoundOf maps a round of the portfolio: its report.
func feedbackRoundOf(r portfolio.FeedbackRound) feedbackRoundDTO {
	out := feedbackRoundDTO{RoundID: r.RoundID, Kind: r.Kind.String(), InstrumentTitle: r.InstrumentTitle, OpenedAt: dt(r.OpenedAt), ClosedAt: dtp(r.ClosedAt),
		Points: r.Points,
		Raters: mapAll(r.Raters, func(rc portfolio.RaterCount) raterCountDTO {
			return raterCountDTO{Group: rc.Group.String(), Nominated: rc.Nominated, Rejected: rc.Rejected, Responded: rc.Responded}
		}),
		Competencies: mapAll(r.Competencies, func(cr portfolio.CompetencyResult) competencyResultDTO {
			out := competencyResultDTO{CompetencyID: cr.CompetencyID, Name: cr.Name, Groups: mapAll(cr.Groups, func(g portfolio.GroupResult) groupResultDTO {
				return groupResultDTO{Group: g.Group.String(), Raters: g.Raters, Mean: g.Mean, Suppressed: g.Suppressed}
			})}
			if g := cr.Gap; g != nil {
				out.Gap = &selfOtherGapDTO{Self: g.Self, Others: g.Others, OtherRaters: g.OtherRaters, Gap: g.Gap, Flag: g.Flag.String()}
			}
			return out
		}),
		Comments: mapAll(r.Comments, func(c portfolio.FeedbackComment) feedbackCommentDTO {
			return feedbackCommentDTO{Group: c.Group.String(), CompetencyID: c.CompetencyID, Text: c.Text}
		})}
	if r.GapThreshold > 0 {
		t := r.GapThreshold
		out.GapThreshold = &t
	}
	return out
}

// portfolioOf maps a portfolio to the response: the use case left out the
// parts the reader may not see, which are then absent.
func portfolioOf(pf usecase.Portfolio) portfolioResponse {
	v := pf.View
	out := portfolioResponse{JourneyID: v.JourneyID, ParticipantID: v.ParticipantID, CohortID: v.CohortID, ProgrammeID: v.ProgrammeID,
		ManagerID: v.ManagerID, Role: v.Role.String(), Status: v.Status.String(), EnrolledAt: dt(v.EnrolledAt), ClosedAt: dtp(v.ClosedAt),
		AsOf: dtp(v.AsOf), Parts: mapAll(pf.Parts, func(p portfolio.Part) string { return string(p) }), SharedSections: names(v.Shared),
		Timeline: mapAll(v.Timeline, func(e portfolio.TimelineEntry) timelineDTO {
			return timelineDTO{At: dt(e.At), Event: e.Event, Part: string(e.Part), RefID: e.RefID}
		})}
	if v.WhyAndValues != nil {
		w := whyAndValuesOf(*v.WhyAndValues)
		out.WhyAndValues = &w
	}
	out.BehaviourChoices = mapAll(v.BehaviourChoices, behaviourChoiceOf)
	out.LearningGoals = mapAll(v.LearningGoals, func(g portfolio.LearningGoal) learningGoalDTO {
		return learningGoalDTO{GoalID: g.GoalID, Kind: g.Kind.String(), Text: g.Text, CompetencyIDs: orEmpty(g.CompetencyIDs), ModuleIDs: orEmpty(g.ModuleIDs),
			FormulatedAt: dt(g.FormulatedAt), ExperimentIDs: orEmpty(g.ExperimentIDs), AssignmentIDs: orEmpty(g.AssignmentIDs)}
	})
	out.Experiments = mapAll(v.Experiments, experimentOf)
	out.Assignments = mapAll(v.Assignments, assignmentOf)
	out.Coaching = mapAll(v.Coaching, coachingOf)
	out.Evaluations = mapAll(v.Evaluations, evaluationOf)
	out.Measurements = mapAll(v.Measurements, measurementOf)
	out.FeedbackRounds = mapAll(v.FeedbackRounds, feedbackRoundOf)
	out.FeedbackChange = mapAll(v.FeedbackChange, func(ch portfolio.CompetencyChange) competencyChangeDTO {
		return competencyChangeDTO{CompetencyID: ch.CompetencyID, Name: ch.Name, Group: ch.Group.String(), Pre: ch.Pre, Post: ch.Post, Change: ch.Change}
	})
	out.Modules = mapAll(v.Modules, func(m portfolio.ModuleDelivery) moduleDeliveryDTO {
		return moduleDeliveryDTO{DeliveryID: m.DeliveryID, ModuleID: m.ModuleID, ModuleVersion: m.ModuleVersion, StartsAt: dt(m.StartsAt),
			Attendance: m.Attendance.String(), Evaluated: m.Evaluated}
	})
	out.Intervision = mapAll(v.Intervision, func(i portfolio.IntervisionVisit) intervisionVisitDTO {
		return intervisionVisitDTO{SessionID: i.SessionID, GroupID: i.GroupID, HeldOn: dt(i.HeldOn), Method: i.Method, CaseBroughtIn: i.CaseBroughtIn}
	})
	out.Conversations = mapAll(v.Conversations, conversationOf)
	if pf.OwnChange != nil {
		out.OwnChange = mapAll(pf.OwnChange, ownChangeOf)
	}
	return out
}

func whyAndValuesOf(w portfolio.WhyAndValues) whyAndValuesDTO {
	return whyAndValuesDTO{Why: w.Why, Values: orEmpty(w.Values), StatedAt: dt(w.StatedAt)}
}

func behaviourChoiceOf(b portfolio.BehaviourChoice) behaviourChoiceDTO {
	return behaviourChoiceDTO{ChoiceID: b.ChoiceID, CompetencyID: b.CompetencyID, Behaviour: b.Behaviour, Choice: b.Choice.String(), ChosenAt: dt(b.ChosenAt)}
}

func experimentOf(e portfolio.Experiment) experimentDTO {
	return experimentDTO{ExperimentID: e.ExperimentID, LearningGoalID: e.LearningGoalID, Step: e.Step.String(), Intention: e.Intention,
		PlannedFor: dt(e.PlannedFor), LoggedAt: dt(e.LoggedAt), WhatWasTried: e.WhatWasTried, TriedOn: dtp(e.TriedOn), Outcome: e.Outcome,
		Reflection: e.Reflection, NextStep: e.NextStep, ConcludedAt: dtp(e.ConcludedAt)}
}

func assignmentOf(a portfolio.Assignment) assignmentDTO {
	return assignmentDTO{AssignmentID: a.AssignmentID, ModuleID: a.ModuleID, Title: a.Title, DueOn: dt(a.DueOn), HandedInAt: dtp(a.HandedInAt),
		OnTime: a.OnTime, Reflection: a.Reflection}
}

func coachingOf(cs portfolio.CoachingSession) coachingDTO {
	return coachingDTO{SessionID: cs.SessionID, CoachID: cs.CoachID, HeldOn: dt(cs.HeldOn), Notes: cs.Notes}
}

func evaluationOf(e portfolio.Evaluation) evaluationDTO {
	return evaluationDTO{DeliveryID: e.DeliveryID, ModuleID: e.ModuleID, ModuleVersion: e.ModuleVersion, Comments: e.Comments, At: dt(e.At),
		Scores: mapAll(e.Scores, func(s journey.Score) scoreOutput { return scoreOutput{QuestionID: s.Question.String(), Score: s.Score} })}
}

func measurementOf(m portfolio.Measurement) measurementDTO {
	return measurementDTO{MeasurementID: m.MeasurementID, Kind: m.Kind.String(), Instrument: m.Instrument, Result: m.Result, TakenOn: dt(m.TakenOn)}
}

func conversationOf(cv portfolio.Conversation) conversationDTO {
	return conversationDTO{ConversationID: cv.ConversationID, ManagerID: cv.ManagerID, HeldOn: dt(cv.HeldOn), Agreements: orEmpty(cv.Agreements),
		NextQuestions: orEmpty(cv.NextQuestions), ConfirmedBy: names(cv.ConfirmedBy), Final: cv.Final}
}
