package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/usecase"
)

// The manager's pages: their people, a person's shared portfolio (as of a
// date when asked), the raters waiting for their approval, and the
// development conversations (recorded by the manager, confirmed by both,
// read with the portfolio as it stood then). And the cohorts list of
// trainers and the programme office.

// handlePeople is GET /people: ManagedJourneys.
func (s *Server) handlePeople(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	js, total, err := s.app.ManagedJourneys(ctx, p, usecase.Page{Limit: 500}, pos)
	if err != nil {
		return err
	}
	pg := s.page(c, "people.title")
	pg.Data = map[string]any{"Journeys": js, "Total": total}
	return s.render(c, http.StatusOK, "people", pg)
}

// portfolioPage is a portfolio with the parts its reader may see.
type portfolioPage struct {
	journeyPage
	Portfolio usecase.Portfolio
	Goals     []portfolio.GoalDetail
	AsOf      string
	Parts     map[string]bool
}

// handlePortfolio is GET /journeys/:id/portfolio[?asOf=YYYY-MM-DD]: the
// portfolio as its reader may see it (the manager: what is shared with
// them), now or as it stood at the end of that day.
func (s *Server) handlePortfolio(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	id := c.Param("id")
	var asOf *time.Time
	if v := c.QueryParam("asOf"); v != "" {
		t, perr := parseDate("asOf", v)
		if perr != nil {
			return &pageError{status: http.StatusBadRequest, key: "error.asof", err: perr}
		}
		end := t.Add(24*time.Hour - time.Nanosecond)
		asOf = &end
	}
	pf, err := s.app.Portfolio(ctx, p, id, asOf, pos)
	if err != nil {
		return err
	}
	data := portfolioPage{journeyPage: journeyFrom(c, p, pf.View), Portfolio: pf, Goals: pf.View.GoalDetails(), AsOf: c.QueryParam("asOf"), Parts: map[string]bool{}}
	for _, part := range pf.Parts {
		data.Parts[string(part)] = true
	}
	pg := s.page(c, "portfolio.title")
	pg.Data = data
	return s.render(c, http.StatusOK, "portfolio", pg)
}

// handleRaters is GET /raters: RaterDecisions.
func (s *Server) handleRaters(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	ds, err := s.app.RaterDecisions(ctx, p, pos)
	if err != nil {
		return err
	}
	pg := s.page(c, "raters.title")
	pg.Data = map[string]any{"Decisions": ds, "Saved": c.QueryParam("saved") != ""}
	return s.render(c, http.StatusOK, "raters", pg)
}

// handleDecideRater is POST /raters: DecideOnRater, approve or reject.
func (s *Server) handleDecideRater(c echo.Context) error {
	p, _ := principalOf(c)
	w, err := s.app.DecideOnRater(c.Request().Context(), writeOf(c, p), c.FormValue("journeyId"), c.FormValue("roundId"),
		c.FormValue("raterId"), c.FormValue("decision") == "approve")
	if err != nil {
		return err
	}
	return afterWrite(c, "/raters", w)
}

// conversationsPage is a journey's development conversations.
type conversationsPage struct {
	journeyPage
	Conversations []portfolio.Conversation
	Today         string
}

// handleConversations is GET /journeys/:id/conversations: Conversations,
// with the form to record one (for the manager).
func (s *Server) handleConversations(c echo.Context) error {
	return s.showConversations(c, http.StatusOK, nil)
}

func (s *Server) showConversations(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	id := c.Param("id")
	cs, err := s.app.Conversations(ctx, p, id, pos)
	if err != nil {
		return err
	}
	jp, err := s.journeyOf(c, p, id)
	if err != nil {
		return err
	}
	pg := s.page(c, "conversations.title")
	pg.Data, pg.Form = conversationsPage{journeyPage: jp, Conversations: cs, Today: s.now().Format(time.DateOnly)}, f
	return s.render(c, status, "conversations", pg)
}

// lines are the non-empty lines of a text area, one item each.
func lines(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// handleRecordConversation is POST /journeys/:id/conversations: RecordConversation.
func (s *Server) handleRecordConversation(c echo.Context) error {
	p, _ := principalOf(c)
	id := c.Param("id")
	vals := formValues(c, "heldOn", "agreements", "nextQuestions")
	held, perr := parseDate("heldOn", vals["heldOn"])
	var w usecase.Written
	err := error(perr)
	if perr == nil {
		w, err = s.app.RecordConversation(c.Request().Context(), writeOf(c, p), journey.RecordConversation{JourneyID: id, HeldOn: held,
			Agreements: lines(vals["agreements"]), NextQuestions: lines(vals["nextQuestions"])})
	}
	if err != nil {
		if f, ok := refused(err, "conversation", vals); ok {
			return s.showConversations(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/conversations", w)
}

// conversationPage is one conversation with the portfolio as it stood then.
type conversationPage struct {
	journeyPage
	// Confirmed reports whether the reader confirmed the record already
	// (as the participant when it is their journey, else as the manager).
	Confirmed bool
	Read      usecase.ConversationRead
	Goals     []portfolio.GoalDetail
	Parts     map[string]bool
}

// handleConversation is GET /journeys/:id/conversations/:cid: Conversation.
func (s *Server) handleConversation(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	id := c.Param("id")
	r, err := s.app.Conversation(ctx, p, id, c.Param("cid"), pos)
	if err != nil {
		return err
	}
	jp, err := s.journeyOf(c, p, id)
	if err != nil {
		return err
	}
	data := conversationPage{journeyPage: jp, Read: r, Parts: map[string]bool{}}
	party := journey.PartyManager
	if jp.Own {
		party = journey.PartyParticipant
	}
	data.Confirmed = slices.Contains(r.Conversation.ConfirmedBy, party)
	if r.AtConversation != nil {
		data.Goals = r.AtConversation.View.GoalDetails()
		for _, part := range r.AtConversation.Parts {
			data.Parts[string(part)] = true
		}
	}
	pg := s.page(c, "conversation.title")
	pg.Data = data
	return s.render(c, http.StatusOK, "conversation", pg)
}

// handleConfirmConversation is POST /journeys/:id/conversations/:cid/confirm.
func (s *Server) handleConfirmConversation(c echo.Context) error {
	p, _ := principalOf(c)
	id, cid := c.Param("id"), c.Param("cid")
	w, err := s.app.ConfirmConversation(c.Request().Context(), writeOf(c, p), id, cid)
	if err != nil {
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/conversations/"+cid, w)
}

// handleCohorts is GET /cohorts: Cohorts (the programme office all, a
// trainer theirs).
func (s *Server) handleCohorts(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	cs, total, err := s.app.Cohorts(ctx, p, usecase.Page{Limit: 500}, pos)
	if err != nil {
		return err
	}
	pg := s.page(c, "cohorts.title")
	pg.Data = map[string]any{"Cohorts": cs, "Total": total}
	return s.render(c, http.StatusOK, "cohorts", pg)
}

// handleCohort is GET /cohorts/:id[?asOf=YYYY-MM-DD]: the cohort's
// dashboard (Dashboard: its trainers and the programme office), judged now
// or at the end of that day.
func (s *Server) handleCohort(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	var q usecase.DashboardQuery
	if v := c.QueryParam("asOf"); v != "" {
		t, perr := parseDate("asOf", v)
		if perr != nil {
			return &pageError{status: http.StatusBadRequest, key: "error.asof", err: perr}
		}
		q.AsOf = t.Add(24*time.Hour - time.Nanosecond)
	}
	v, err := s.app.Dashboard(ctx, p, c.Param("id"), q, pos)
	if err != nil {
		return err
	}
	pg := s.page(c, "cohort.title")
	pg.Data = map[string]any{"View": v, "AsOf": c.QueryParam("asOf"), "ID": c.Param("id")}
	return s.render(c, http.StatusOK, "cohort", pg)
}
