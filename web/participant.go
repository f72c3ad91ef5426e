package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/usecase"
)

// The participant's pages: their journey as a timeline, the learning plan
// (goals with the experiments and hand-ins behind each, and the forms to
// log an experiment, take it through its steps and hand in an
// assignment), the 360 rounds and report, and what they share with their
// manager. Each handler calls one use case per read or write.

// writeOf is the usecase.Write of a form: the session's principal, the
// request's correlation id and the form's idempotency key (a fresh one in
// every form drawn, so a form sent twice writes once).
func writeOf(c echo.Context, p access.Principal) usecase.Write {
	return usecase.Write{Actor: p, CorrelationID: correlationID(c), IdempotencyKey: c.FormValue("idem")}
}

// NewKey is a fresh idempotency key for a form.
func (p *page) NewKey() string { return newToken() }

// readContext is the request's context bounded for a read that waits for
// the write the page follows (?pos=, read-your-writes), and that position.
func readContext(c echo.Context) (context.Context, context.CancelFunc, uint64) {
	pos, _ := strconv.ParseUint(c.QueryParam("pos"), 10, 64)
	ctx, cancel := context.WithTimeout(c.Request().Context(), readYourWrites)
	return ctx, cancel, pos
}

// afterWrite answers a write with a redirect to the page that shows it,
// waiting there for the write's position.
func afterWrite(c echo.Context, path string, w usecase.Written) error {
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s?pos=%d&saved=1", path, w.Position))
}

// handleMyJourney is GET /journey: the participant's current journey (the
// latest still active, else the latest).
func (s *Server) handleMyJourney(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	js, _, err := s.app.Journeys(ctx, p, usecase.Page{Limit: 100}, pos)
	if err != nil {
		return err
	}
	if len(js) == 0 {
		return s.render(c, http.StatusOK, "nojourney", s.page(c, "journey.title"))
	}
	chosen := js[len(js)-1]
	for _, j := range js {
		if j.Status == journey.StatusActive {
			chosen = j
		}
	}
	return c.Redirect(http.StatusSeeOther, "/journeys/"+chosen.ID)
}

// journeyPage is the data every page of one journey has: the journey as
// its reader sees it, and whether the reader is its participant (who gets
// the forms).
type journeyPage struct {
	Journey usecase.JourneySummary
	Own     bool
	Saved   bool
}

// journeyOf reads journey id for p: as one of p's own journeys (Journey),
// or, where that use case refuses a manager, as one of the journeys they
// manage now (ManagedJourneys). Either use case decides whether p may.
func (s *Server) journeyOf(c echo.Context, p access.Principal, id string) (journeyPage, error) {
	ctx := c.Request().Context()
	j, err := s.app.Journey(ctx, p, id)
	if errors.Is(err, domain.ErrForbidden) && p.Has(access.RoleManager) {
		js, _, lerr := s.app.ManagedJourneys(ctx, p, usecase.Page{Limit: maxManaged}, 0)
		if lerr != nil {
			return journeyPage{}, lerr
		}
		for _, mj := range js {
			if mj.ID == id {
				j, err = mj, nil
				break
			}
		}
	}
	if err != nil {
		return journeyPage{}, err
	}
	return journeyPage{Journey: j, Own: j.ParticipantID == p.Subject, Saved: c.QueryParam("saved") != ""}, nil
}

// maxManaged is the most journeys a manager's pages list.
const maxManaged = 500

// timelinePage is the journey as a timeline.
type timelinePage struct {
	journeyPage
	View portfolio.View
	// More counts the older entries left out (shown with ?all=1).
	More int
	// Details name what an entry is about, by its RefID: the experiment's
	// intention, the goal's text, the assignment's title, the instrument.
	Details map[string]string
}

// timelineDetails are the words of what the timeline's entries refer to,
// from the parts of the portfolio its reader may see.
func timelineDetails(v portfolio.View) map[string]string {
	d := map[string]string{}
	for _, g := range v.LearningGoals {
		d[g.GoalID] = g.Text
	}
	for _, e := range v.Experiments {
		d[e.ExperimentID] = e.Intention
	}
	for _, a := range v.Assignments {
		d[a.AssignmentID] = a.Title
	}
	for _, r := range v.FeedbackRounds {
		d[r.RoundID] = r.InstrumentTitle
	}
	for _, m := range v.Measurements {
		d[m.MeasurementID] = m.Instrument
	}
	return d
}

// timelineShown is how many entries the timeline shows at first, newest first.
const timelineShown = 50

// journeyFrom is the journey page of a portfolio its reader may see: the
// portfolio names the journey, its participant, its status and what is
// shared, so the page need not read the journey again.
func journeyFrom(c echo.Context, p access.Principal, v portfolio.View) journeyPage {
	j := usecase.JourneySummary{ID: v.JourneyID, ParticipantID: v.ParticipantID, CohortID: v.CohortID, ProgrammeID: v.ProgrammeID,
		ManagerID: v.ManagerID, Role: v.Role, Status: v.Status, SharedSections: v.Shared}
	return journeyPage{Journey: j, Own: j.ParticipantID == p.Subject, Saved: c.QueryParam("saved") != ""}
}

// handleTimeline is GET /journeys/:id: the journey as a timeline, newest
// first: the participant's whole; their manager's the shared parts.
func (s *Server) handleTimeline(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	pf, err := s.app.Portfolio(ctx, p, c.Param("id"), nil, pos)
	if err != nil {
		return err
	}
	v := pf.View
	n := len(v.Timeline)
	if c.QueryParam("all") == "" {
		n = min(n, timelineShown)
	}
	tl := make([]portfolio.TimelineEntry, n)
	for i := range tl {
		tl[i] = v.Timeline[len(v.Timeline)-1-i]
	}
	more := len(v.Timeline) - n
	v.Timeline = tl
	pg := s.page(c, "journey.title")
	pg.Data = timelinePage{journeyPage: journeyFrom(c, p, v), View: v, More: more, Details: timelineDetails(pf.View)}
	return s.render(c, http.StatusOK, "timeline", pg)
}

// planPage is the learning plan with its forms.
type planPage struct {
	journeyPage
	Goals []portfolio.GoalDetail
	// OpenGoals are the goals an experiment may be logged for.
	OpenGoals []portfolio.GoalDetail
	// ToHandIn are the assignments not handed in yet, behind a goal or not
	// (the participant's own plan only).
	ToHandIn []portfolio.Assignment
	// Competencies are those a new goal may link to: the competencies of
	// the journey's 360 rounds.
	Competencies []competencyOption
	Today        string
}

type competencyOption struct{ ID, Name string }

// handlePlan is GET /journeys/:id/plan.
func (s *Server) handlePlan(c echo.Context) error {
	return s.showPlan(c, http.StatusOK, nil)
}

// showPlan renders the learning plan, with f shown again when set.
func (s *Server) showPlan(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	plan, err := s.app.LearningPlan(ctx, p, c.Param("id"), pos)
	if err != nil {
		return err
	}
	jp, err := s.journeyOf(c, p, c.Param("id"))
	if err != nil {
		return err
	}
	data := planPage{journeyPage: jp, Goals: plan.Goals, Today: s.now().Format(time.DateOnly)}
	for _, g := range plan.Goals {
		if g.ClosedAt == nil {
			data.OpenGoals = append(data.OpenGoals, g)
		}
	}
	if jp.Own {
		pf, err := s.app.Portfolio(ctx, p, c.Param("id"), nil, 0)
		if err != nil {
			return err
		}
		for _, a := range pf.View.Assignments {
			if a.HandedInAt == nil {
				data.ToHandIn = append(data.ToHandIn, a)
			}
		}
		seen := map[string]bool{}
		for _, r := range pf.View.FeedbackRounds {
			for _, comp := range r.Competencies {
				if !seen[comp.CompetencyID] {
					seen[comp.CompetencyID] = true
					data.Competencies = append(data.Competencies, competencyOption{ID: comp.CompetencyID, Name: comp.Name})
				}
			}
		}
	}
	pg := s.page(c, "plan.title")
	pg.Data, pg.Form = data, f
	return s.render(c, status, "plan", pg)
}

// parseDate reads a date field (YYYY-MM-DD); an empty one is the zero
// time, which the use case refuses by the field's name.
func parseDate(field, v string) (time.Time, *domain.FieldError) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, domain.Invalid(field, "must be a date such as 2026-04-15")
	}
	return t, nil
}

// formValues are the named fields of the request's form.
func formValues(c echo.Context, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = c.FormValue(n)
	}
	return m
}

// handleLogExperiment is POST /journeys/:id/experiments: LogExperiment.
func (s *Server) handleLogExperiment(c echo.Context) error {
	p, _ := principalOf(c)
	id := c.Param("id")
	vals := formValues(c, "learningGoalId", "intention", "plannedFor")
	planned, perr := parseDate("plannedFor", vals["plannedFor"])
	var w usecase.Written
	err := error(perr)
	if perr == nil {
		w, err = s.app.LogExperiment(c.Request().Context(), writeOf(c, p), journey.LogExperiment{JourneyID: id,
			LearningGoalID: vals["learningGoalId"], Intention: vals["intention"], PlannedFor: planned})
	}
	if err != nil {
		if f, ok := refused(err, "log", vals); ok {
			return s.showPlan(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/plan", w)
}

// handleFormulateGoal is POST /journeys/:id/goals: FormulateLearningGoal,
// linked to the competencies ticked.
func (s *Server) handleFormulateGoal(c echo.Context) error {
	p, _ := principalOf(c)
	id := c.Param("id")
	vals := formValues(c, "kind", "text", "successCriteria", "dueOn")
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	comps := form["competencyIds"]
	kind, kerr := journey.ParseGoalKind(vals["kind"])
	due, derr := parseDate("dueOn", vals["dueOn"])
	var w usecase.Written
	switch {
	case kerr != nil:
		err = kerr
	case derr != nil:
		err = derr
	default:
		w, err = s.app.FormulateLearningGoal(c.Request().Context(), writeOf(c, p), journey.FormulateLearningGoal{JourneyID: id, Kind: kind,
			Text: vals["text"], SuccessCriteria: vals["successCriteria"], DueOn: due, CompetencyIDs: comps})
	}
	if err != nil {
		if f, ok := refused(err, "goal", vals); ok {
			return s.showPlan(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/plan", w)
}

// handleExperimentStep is POST /journeys/:id/experiments/:eid/step:
// TakeExperimentStep, the step the form names.
func (s *Server) handleExperimentStep(c echo.Context) error {
	p, _ := principalOf(c)
	id, eid := c.Param("id"), c.Param("eid")
	vals := formValues(c, "step", "whatWasTried", "triedOn", "outcome", "reflection", "nextStep")
	st, err := journey.ParseStep(vals["step"])
	var w usecase.Written
	if err == nil {
		tried, perr := parseDate("triedOn", vals["triedOn"])
		if perr != nil {
			err = perr
		} else {
			w, err = s.app.TakeExperimentStep(c.Request().Context(), writeOf(c, p), usecase.ExperimentStep{JourneyID: id, ExperimentID: eid,
				Step: st, WhatWasTried: vals["whatWasTried"], TriedOn: tried, Outcome: vals["outcome"], Reflection: vals["reflection"],
				NextStep: vals["nextStep"]})
		}
	}
	if err != nil {
		if f, ok := refused(err, "step-"+eid, vals); ok {
			return s.showPlan(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/plan", w)
}

// handleHandIn is POST /journeys/:id/assignments/:aid/hand-in: HandInAssignment.
func (s *Server) handleHandIn(c echo.Context) error {
	p, _ := principalOf(c)
	id, aid := c.Param("id"), c.Param("aid")
	vals := formValues(c, "reflection")
	w, err := s.app.HandInAssignment(c.Request().Context(), writeOf(c, p), journey.HandInAssignment{JourneyID: id, AssignmentID: aid, Reflection: vals["reflection"]})
	if err != nil {
		if f, ok := refused(err, "handin-"+aid, vals); ok {
			return s.showPlan(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/plan", w)
}

// feedbackPage is the 360 rounds and their results.
type feedbackPage struct {
	journeyPage
	Rounds  []usecase.RoundState
	Results []portfolio.FeedbackRound
	Charts  map[string]gapChart
	// NewLink is the token of the rater's link just issued, shown once.
	NewLink string
	// InstrumentID is the instrument of the journey's latest round, for a
	// new one; OpenRound reports whether a round is open.
	InstrumentID string
	OpenRound    bool
	Groups       []string
	Kinds        []string
}

// handleFeedback is GET /journeys/:id/feedback: the rounds' progress
// (FeedbackRounds) and the report of each closed round with the
// self-other gap as a chart and as a table (the portfolio's 360 results);
// for the participant, the forms to open a round and nominate raters.
func (s *Server) handleFeedback(c echo.Context) error {
	return s.showFeedback(c, http.StatusOK, nil)
}

func (s *Server) showFeedback(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	id := c.Param("id")
	rounds, err := s.app.FeedbackRounds(ctx, p, id, pos)
	if err != nil {
		return err
	}
	pf, err := s.app.Portfolio(ctx, p, id, nil, pos)
	if err != nil {
		return err
	}
	jp := journeyFrom(c, p, pf.View)
	link, err := s.takeFlash(c)
	if err != nil {
		return err
	}
	pg := s.page(c, "feedback.title")
	data := feedbackPage{journeyPage: jp, Rounds: rounds, Results: pf.View.FeedbackRounds, Charts: map[string]gapChart{},
		NewLink: link, Groups: raterGroups(), Kinds: []string{feedback.RoundPre.String(), feedback.RoundPost.String(), feedback.RoundExtra.String()}}
	for _, r := range rounds {
		data.InstrumentID = r.InstrumentID
		if r.ClosedAt == nil {
			data.OpenRound = true
		}
	}
	for _, r := range data.Results {
		if len(r.Competencies) > 0 {
			data.Charts[r.RoundID] = newGapChart(pg, r)
		}
	}
	pg.Data, pg.Form = data, f
	return s.render(c, status, "feedback", pg)
}

// sharingPage is each section with whether it is shared.
type sharingPage struct {
	journeyPage
	Sections []sectionShare
	// History is what was shared and unshared, change by change, newest
	// first (the participant's own journey only).
	History []portfolio.SharingChange
}

type sectionShare struct {
	Section string
	Shared  bool
}

// handleSharing is GET /journeys/:id/sharing: what the participant shares
// with their manager, section by section (with the forms to change it for
// the participant; read-only for whoever else may read the journey).
func (s *Server) handleSharing(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	// The history first: after a grant or revoke (?pos=) it waits for the
	// portfolio to hold the change, so that the journey read next agrees.
	// A manager may read the sharing state but not its history.
	history, herr := s.app.SharingHistory(ctx, p, c.Param("id"), pos)
	if herr != nil && !errors.Is(herr, domain.ErrForbidden) {
		return herr
	}
	jp, err := s.journeyOf(c, p, c.Param("id"))
	if err != nil {
		return err
	}
	shared := map[journey.Section]bool{}
	for _, sec := range jp.Journey.SharedSections {
		shared[sec] = true
	}
	data := sharingPage{journeyPage: jp}
	if jp.Own {
		for i := len(history) - 1; i >= 0; i-- {
			data.History = append(data.History, history[i])
		}
	}
	for _, sec := range journey.Sections() {
		data.Sections = append(data.Sections, sectionShare{Section: sec.String(), Shared: shared[sec]})
	}
	pg := s.page(c, "sharing.title")
	pg.Data = data
	return s.render(c, http.StatusOK, "sharing", pg)
}

// handleShare is POST /journeys/:id/sharing: Share, grant or revoke of the
// section the form names.
func (s *Server) handleShare(c echo.Context) error {
	p, _ := principalOf(c)
	id := c.Param("id")
	sec, err := journey.ParseSection(c.FormValue("section"))
	if err != nil {
		return err
	}
	w, err := s.app.Share(c.Request().Context(), writeOf(c, p), id, sec, c.FormValue("share") == "grant")
	if err != nil {
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/sharing", w)
}

// correlationID is the request's correlation id as the API's server set it
// on the response (X-Correlation-ID), so that a page's writes carry the same
// id as its log line; empty when the pages run on their own.
func correlationID(c echo.Context) string {
	return c.Response().Header().Get("X-Correlation-ID")
}
