package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
)

// registerLearningPlanRoutes registers a journey's learning plan: its
// learning goals read (the participant; their manager while the
// learning-goals section is shared), revised and closed (the participant).
// Formulating a goal is a journey route (registerJourneyRoutes).
func (s *Server) registerLearningPlanRoutes(g *echo.Group) {
	g.GET("/journeys/:journeyId/learning-goals", s.handleLearningPlanGet, s.requireUser)
	g.GET("/journeys/:journeyId/learning-goals/:goalId", s.handleLearningGoalGet, s.requireUser)
	g.PUT("/journeys/:journeyId/learning-goals/:goalId", s.handleLearningGoalPut, s.requireUser)
	g.POST("/journeys/:journeyId/learning-goals/:goalId/closures", s.handleLearningGoalClosureCreate, s.requireUser, s.idempotent)
}

// learningPlan is a journey's learning goals, in the order formulated.
type learningPlan struct {
	JourneyID string             `json:"journeyId"`
	Items     []learningPlanGoal `json:"items"`
}

// learningPlanGoal is one learning goal of the plan: SMART fields, state,
// links and the short state of what stands behind it.
type learningPlanGoal struct {
	GoalID            string           `json:"goalId"`
	Href              string           `json:"href"`
	Kind              string           `json:"kind"`
	Text              string           `json:"text"`
	SuccessCriteria   string           `json:"successCriteria,omitempty"`
	DueOn             *DateTime        `json:"dueOn,omitempty"`
	State             string           `json:"state"`
	FormulatedAt      DateTime         `json:"formulatedAt"`
	Revisions         int              `json:"revisions"`
	RevisedAt         *DateTime        `json:"revisedAt,omitempty"`
	ClosedAt          *DateTime        `json:"closedAt,omitempty"`
	ClosingReflection string           `json:"closingReflection,omitempty"`
	CompetencyIDs     []string         `json:"competencyIds"`
	ModuleGoalIDs     []string         `json:"moduleGoalIds"`
	ModuleIDs         []string         `json:"moduleIds"`
	Experiments       []goalExperiment `json:"experiments"`
	Assignments       []goalAssignment `json:"assignments"`
}

// goalExperiment is an experiment behind a goal: how far it came and
// whether the participant reflected on it.
type goalExperiment struct {
	ExperimentID string    `json:"experimentId"`
	Step         string    `json:"step"`
	PlannedFor   DateTime  `json:"plannedFor"`
	ReflectedAt  *DateTime `json:"reflectedAt,omitempty"`
}

// goalAssignment is a practice assignment behind a goal (of a module the
// goal links to) and whether it was handed in, with a reflection.
type goalAssignment struct {
	AssignmentID string    `json:"assignmentId"`
	ModuleID     string    `json:"moduleId"`
	Title        string    `json:"title"`
	DueOn        DateTime  `json:"dueOn"`
	HandedInAt   *DateTime `json:"handedInAt,omitempty"`
}

// goalStates are the states of a learning goal on the wire: open, or how it was closed.
func goalStates() []string {
	return append([]string{"open"}, names(journey.GoalOutcomes())...)
}

func goalOf(journeyID string, g portfolio.GoalDetail) learningPlanGoal {
	state := "open"
	if !g.Outcome.IsZero() {
		state = g.Outcome.String()
	}
	return learningPlanGoal{GoalID: g.GoalID, Href: journeyHref(journeyID) + "/learning-goals/" + g.GoalID, Kind: g.Kind.String(), Text: g.Text,
		SuccessCriteria: g.SuccessCriteria, DueOn: dtp(g.DueOn), State: state, FormulatedAt: dt(g.FormulatedAt), Revisions: g.Revisions,
		RevisedAt: dtp(g.RevisedAt), ClosedAt: dtp(g.ClosedAt), ClosingReflection: g.ClosingReflection,
		CompetencyIDs: orEmpty(g.CompetencyIDs), ModuleGoalIDs: orEmpty(g.ModuleGoalIDs), ModuleIDs: orEmpty(g.ModuleIDs),
		Experiments: mapAll(g.Experiments, func(x portfolio.Experiment) goalExperiment {
			return goalExperiment{ExperimentID: x.ExperimentID, Step: x.Step.String(), PlannedFor: dt(x.PlannedFor), ReflectedAt: dtp(x.ReflectedAt)}
		}),
		Assignments: mapAll(g.Assignments, func(a portfolio.Assignment) goalAssignment {
			return goalAssignment{AssignmentID: a.AssignmentID, ModuleID: a.ModuleID, Title: a.Title, DueOn: dt(a.DueOn), HandedInAt: dtp(a.HandedInAt)}
		}),
	}
}

// handleLearningPlanGet is GET /v1/journeys/{journeyId}/learning-goals: the
// learning plan, for the participant, or their manager while the
// learning-goals section is shared (the experiments and assignments behind a
// goal only where those sections are shared too). The ETag is the journey's.
func (s *Server) handleLearningPlanGet(c echo.Context) error {
	r, err := s.journeyRead(c)
	if err != nil {
		return err
	}
	defer r.cancel()
	id, p, min, ctx := r.id, r.principal, r.min, r.ctx
	plan, err := s.app.LearningPlan(ctx, p, id, min)
	if err != nil {
		return err
	}
	out := learningPlan{JourneyID: id, Items: make([]learningPlanGoal, len(plan.Goals))}
	for i, g := range plan.Goals {
		out.Items[i] = goalOf(id, g)
	}
	return withETag(c, plan.Revision, true, out)
}

// handleLearningGoalGet is GET /v1/journeys/{journeyId}/learning-goals/{goalId}:
// one goal of the learning plan, read as the plan is. The ETag is the
// journey's, for If-Match on a revision.
func (s *Server) handleLearningGoalGet(c echo.Context) error {
	id, err := pathID(c, "journeyId")
	if err != nil {
		return err
	}
	goalID, err := pathID(c, "goalId")
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
	g, rev, err := s.app.LearningGoal(ctx, p, id, goalID, min)
	if err != nil {
		return err
	}
	return withETag(c, rev, true, goalOf(id, g))
}

// goalRevision rewords a learning goal: what (text), how you will see it
// (successCriteria) and by when (dueOn); each replaces the one before, and
// one left out is no more.
type goalRevision struct {
	Text            string    `json:"text"`
	SuccessCriteria string    `json:"successCriteria,omitempty"`
	DueOn           *DateTime `json:"dueOn,omitempty"`
}

// handleLearningGoalPut is PUT /v1/journeys/{journeyId}/learning-goals/{goalId}:
// the participant revises an open goal. If-Match is required.
func (s *Server) handleLearningGoalPut(c echo.Context) error {
	var req goalRevision
	id, w, err := s.journeyCommand(c, matchRequired, &req)
	if err != nil {
		return err
	}
	goalID, err := pathID(c, "goalId")
	if err != nil {
		return err
	}
	cmd := journey.ReviseLearningGoal{JourneyID: id, GoalID: goalID, Text: req.Text, SuccessCriteria: req.SuccessCriteria}
	if req.DueOn != nil {
		cmd.DueOn = req.DueOn.Time
	}
	out, err := s.app.ReviseLearningGoal(c.Request().Context(), w, cmd)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, journeyHref(id)+"/learning-goals/"+goalID)
}

// goalClosure closes a learning goal: achieved or dropped, with an optional reflection.
type goalClosure struct {
	Outcome    string `json:"outcome"`
	Reflection string `json:"reflection,omitempty"`
}

// handleLearningGoalClosureCreate is POST /v1/journeys/{journeyId}/learning-goals/{goalId}/closures:
// the participant closes an open goal; it takes no new experiment after that.
func (s *Server) handleLearningGoalClosureCreate(c echo.Context) error {
	var req goalClosure
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	goalID, err := pathID(c, "goalId")
	if err != nil {
		return err
	}
	o, err := journey.ParseGoalOutcome(req.Outcome)
	if err != nil {
		return validationOf(err)
	}
	out, err := s.app.CloseLearningGoal(c.Request().Context(), w, journey.CloseLearningGoal{JourneyID: id, GoalID: goalID, Outcome: o, Reflection: req.Reflection})
	if err != nil {
		return err
	}
	// The closure is a state of the goal, read with it.
	return wrote(c, http.StatusCreated, out, journeyHref(id)+"/learning-goals/"+goalID)
}
