package web

import (
	"crypto/rand"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/usecase"
)

// The participant's writes on their 360 rounds: open a round, and nominate
// a rater, whose personal link is shown this once (it is stored nowhere:
// the session carries it across the redirect, encrypted, and the page that
// shows it clears it).

// raterLinkTTL is how long a rater's link works.
const raterLinkTTL = 30 * 24 * time.Hour

// handleOpenRound is POST /journeys/:id/feedback/rounds: OpenRound with
// the kind chosen and the instrument of the journey's earlier rounds.
func (s *Server) handleOpenRound(c echo.Context) error {
	p, _ := principalOf(c)
	id := c.Param("id")
	kind, err := feedback.ParseRoundKind(c.FormValue("kind"))
	var w usecase.Written
	if err == nil {
		w, err = s.app.OpenRound(c.Request().Context(), writeOf(c, p), feedback.OpenRound{JourneyID: id, InstrumentID: c.FormValue("instrumentId"), Kind: kind})
	}
	if err != nil {
		if f, ok := refused(err, "open", formValues(c, "kind")); ok {
			return s.showFeedback(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/feedback", w)
}

// handleNominate is POST /journeys/:id/feedback/rounds/:rid/raters:
// NominateRater, then the feedback page with the rater's link.
func (s *Server) handleNominate(c echo.Context) error {
	p, _ := principalOf(c)
	id, rid := c.Param("id"), c.Param("rid")
	vals := formValues(c, "group", "name", "email")
	group, err := feedback.ParseRaterGroup(vals["group"])
	var l usecase.IssuedLink
	if err == nil {
		l, err = s.app.NominateRater(c.Request().Context(), writeOf(c, p), rand.Reader, id,
			feedback.NominateRater{RoundID: rid, Group: group, Name: vals["name"], Email: vals["email"]}, s.now().Add(raterLinkTTL))
	}
	if err != nil {
		if f, ok := refused(err, "nominate-"+rid, vals); ok {
			return s.showFeedback(c, formStatus(f), f)
		}
		return err
	}
	ss := sessionOf(c)
	ss.Flash = l.Token
	if err := s.sessions.write(c, ss); err != nil {
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/feedback", l.Written)
}

// takeFlash returns the session's one-time message and clears it.
func (s *Server) takeFlash(c echo.Context) (string, error) {
	ss := sessionOf(c)
	if ss == nil || ss.Flash == "" {
		return "", nil
	}
	f := ss.Flash
	ss.Flash = ""
	return f, s.sessions.write(c, ss)
}

// raterGroups are the groups a participant nominates raters in (self
// answers through the self-assessment).
func raterGroups() []string {
	var out []string
	for _, g := range feedback.RaterGroups() {
		if g != feedback.GroupSelf {
			out = append(out, g.String())
		}
	}
	return out
}

// selfPage is the self-assessment form of a round: the instrument's
// competencies and items on its scale.
type selfPage struct {
	journeyPage
	RoundID    string
	Instrument usecase.InstrumentSummary
	Points     []int
}

// handleSelfAssessment is GET /journeys/:id/feedback/rounds/:rid/self:
// the round's questionnaire for the participant to answer about
// themselves (the round from FeedbackRound, its items from Instrument).
func (s *Server) handleSelfAssessment(c echo.Context) error {
	return s.showSelfAssessment(c, http.StatusOK, nil)
}

func (s *Server) showSelfAssessment(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	ctx := c.Request().Context()
	id, rid := c.Param("id"), c.Param("rid")
	round, err := s.app.FeedbackRound(ctx, p, id, rid)
	if err != nil {
		return err
	}
	in, err := s.app.Instrument(ctx, p, round.InstrumentID)
	if err != nil {
		return err
	}
	jp, err := s.journeyOf(c, p, id)
	if err != nil {
		return err
	}
	data := selfPage{journeyPage: jp, RoundID: rid, Instrument: in}
	for i := 1; i <= in.Scale.Points; i++ {
		data.Points = append(data.Points, i)
	}
	pg := s.page(c, "self.title")
	pg.Data, pg.Form = data, f
	return s.render(c, status, "self", pg)
}

// handleSubmitSelfAssessment is POST /journeys/:id/feedback/rounds/:rid/self:
// SubmitSelfAssessment with an answer per item of the form ("item-<id>":
// a score, or "0" for not observed).
func (s *Server) handleSubmitSelfAssessment(c echo.Context) error {
	p, _ := principalOf(c)
	id, rid := c.Param("id"), c.Param("rid")
	answers, comments, vals, err := answersOf(c)
	if err != nil {
		return err
	}
	w, err := s.app.SubmitSelfAssessment(c.Request().Context(), writeOf(c, p), id, feedback.SubmitSelfAssessment{RoundID: rid, Answers: answers, Comments: comments})
	if err != nil {
		if f, ok := refused(err, "self", vals); ok {
			if len(f.Errors) > 0 { // the fields are the items; tell it as a whole
				f.General, f.Errors = err.Error(), nil
			}
			return s.showSelfAssessment(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/journeys/"+id+"/feedback", w)
}
