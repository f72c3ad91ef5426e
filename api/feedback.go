package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/usecase"
)

// registerFeedbackRoutes registers 360 rounds: the participant opens a
// round, nominates raters (each nomination issues the rater's personal
// link, shown once) and fills in the self-assessment; the manager approves
// or rejects raters where the programme asks for it, and lists the raters
// awaiting their decision; the participant follows their rounds, the
// manager the raters awaiting them (feedbackrounds.go); a rater answers
// through their link, which opens the rater form of its round and nothing else.
func (s *Server) registerFeedbackRoutes(g *echo.Group) {
	g.GET("/journeys/:journeyId/feedback-rounds", s.handleFeedbackRoundList, s.requireUser)
	g.POST("/journeys/:journeyId/feedback-rounds", s.handleFeedbackRoundCreate, s.requireUser, s.idempotent)
	g.GET("/journeys/:journeyId/feedback-rounds/:roundId", s.handleFeedbackRoundGet, s.requireUser)
	g.GET("/rater-decisions", s.handleRaterDecisionList, s.requireUser)
	g.POST("/journeys/:journeyId/feedback-rounds/:roundId/raters", s.handleRaterCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/feedback-rounds/:roundId/raters/:raterId/links", s.handleRaterLinkCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/feedback-rounds/:roundId/raters/:raterId/decisions", s.handleRaterDecisionCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/feedback-rounds/:roundId/self-assessments", s.handleSelfAssessmentCreate, s.requireUser, s.idempotent)
	g.POST("/journeys/:journeyId/feedback-rounds/:roundId/closures", s.handleRoundClosureCreate, s.requireUser, s.idempotent)
	g.GET("/rater-forms/:roundId", s.handleRaterFormGet, s.requireRaterLink)
	g.POST("/rater-forms/:roundId/responses", s.handleRaterResponseCreate, s.requireRaterLink, s.idempotent)
}

// roundRequest opens a 360 round.
type roundRequest struct {
	InstrumentID string `json:"instrumentId"`
	Kind         string `json:"kind"`
}

// handleFeedbackRoundCreate is POST /v1/journeys/{journeyId}/feedback-rounds:
// the participant opens a 360 round (pre, post or extra) with an instrument.
func (s *Server) handleFeedbackRoundCreate(c echo.Context) error {
	var req roundRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	k, err := feedback.ParseRoundKind(req.Kind)
	if err != nil {
		return validationOf(err)
	}
	out, err := s.app.OpenRound(c.Request().Context(), w, feedback.OpenRound{JourneyID: id, InstrumentID: req.InstrumentID, Kind: k})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, roundHref(id, out.ID))
}

// roundHref is where a round of a journey is.
func roundHref(journeyID, roundID string) string {
	return journeyHref(journeyID) + "/feedback-rounds/" + roundID
}

// roundCommand reads what every command on a round of a journey starts
// with: the journey id, the round id and the more ids named of the path (in
// that order), the Write of the request (If-Match optional: it is about the
// round) and, when body is not nil, the body.
func roundCommand(c echo.Context, body any, more ...string) ([]string, usecase.Write, error) {
	ids, err := pathIDs(c, append([]string{"journeyId", "roundId"}, more...)...)
	if err != nil {
		return nil, usecase.Write{}, err
	}
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return nil, w, err
	}
	if body != nil {
		err = bindJSON(c, body)
	}
	return ids, w, err
}

// raterRequest nominates a rater: a manager, peer, direct report or other,
// with a name and an e-mail address for the invitation.
type raterRequest struct {
	Group     string    `json:"group"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	ExpiresAt *DateTime `json:"expiresAt,omitempty"`
}

// nominatedGroup parses the group of a rater nominated through the API:
// any group but self, who answers through self-assessments.
func nominatedGroup(group string) (feedback.RaterGroup, error) {
	g, err := feedback.ParseRaterGroup(group)
	if err != nil {
		return g, validationOf(err)
	}
	if g == feedback.GroupSelf {
		return g, domain.Validate(domain.Invalid("group", "self is not nominated: the participant answers as self through self-assessments"))
	}
	return g, nil
}

// raterLinkResponse is a rater's personal link. The token is shown this
// once and stored only as its hash: send it to the rater, do not keep it.
type raterLinkResponse struct {
	RaterID   string   `json:"raterId"`
	RoundID   string   `json:"roundId"`
	Token     string   `json:"token"`
	ExpiresAt DateTime `json:"expiresAt"`
	Href      string   `json:"href"`
}

// linkExpiry is when a new link stops working: as asked, within the
// configured bound, by default after Config.RaterLinkTTL.
func (s *Server) linkExpiry(asked *DateTime, now time.Time) (time.Time, error) {
	if asked == nil {
		return now.Add(s.cfg.RaterLinkTTL), nil
	}
	if !asked.After(now) || asked.Sub(now) > MaxRaterLinkTTL {
		return time.Time{}, domain.Validate(domain.Invalid("expiresAt", "must be in the future and at most %d days ahead", int(MaxRaterLinkTTL.Hours()/24)))
	}
	return asked.Time, nil
}

// linkIssued answers a request that issued a rater link: 201 with the link,
// its token shown this once (the response is never kept for replay), the
// headers of a write (see wrote) and the rater's Location.
func linkIssued(c echo.Context, journeyID string, l usecase.IssuedLink) error {
	h := c.Response().Header()
	if l.Position > 0 {
		h.Set(headerPosition, strconv.FormatUint(l.Position, 10))
	}
	h.Set(headerETag, etag(l.Revision))
	h.Set("Cache-Control", "no-store")
	return created(c, roundHref(journeyID, l.RoundID),
		raterLinkResponse{RaterID: l.RaterID, RoundID: l.RoundID, Token: l.Token, ExpiresAt: dt(l.ExpiresAt), Href: "/v1/rater-forms/" + l.RoundID})
}

// handleRaterCreate is POST /v1/journeys/{journeyId}/feedback-rounds/{roundId}/raters:
// the participant nominates a rater and receives the rater's personal link,
// once. The link is issued only when the nomination is recorded, and works
// on this replica as soon as the response arrives: the request waits for
// the rater-links read model at most Config.ReadYourWritesTimeout, as a
// read does (see usecase.App.NominateRater).
func (s *Server) handleRaterCreate(c echo.Context) error {
	c.Set(noReplayKey, true)
	var req raterRequest
	ids, w, err := roundCommand(c, &req)
	if err != nil {
		return err
	}
	g, err := nominatedGroup(req.Group)
	if err != nil {
		return err
	}
	expires, err := s.linkExpiry(req.ExpiresAt, s.now())
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	link, err := s.app.NominateRater(ctx, w, s.random, ids[0], feedback.NominateRater{RoundID: ids[1], Group: g, Name: req.Name, Email: req.Email}, expires)
	if err != nil {
		return err
	}
	return linkIssued(c, ids[0], link)
}

// linkRequest asks for a new link for a nominated rater.
type linkRequest struct {
	ExpiresAt *DateTime `json:"expiresAt,omitempty"`
}

// handleRaterLinkCreate is POST /v1/journeys/{journeyId}/feedback-rounds/{roundId}/raters/{raterId}/links:
// the participant issues a new link for a rater nominated before (a lost
// invitation); the earlier link stops working. It waits for the rater-links
// read model as handleRaterCreate does.
func (s *Server) handleRaterLinkCreate(c echo.Context) error {
	c.Set(noReplayKey, true)
	var req linkRequest
	ids, w, err := roundCommand(c, &req, "raterId")
	if err != nil {
		return err
	}
	expires, err := s.linkExpiry(req.ExpiresAt, s.now())
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	link, err := s.app.IssueRaterLink(ctx, w, s.random, ids[0], feedback.IssueRaterLink{RoundID: ids[1], RaterID: ids[2], ExpiresAt: expires})
	if err != nil {
		return err
	}
	return linkIssued(c, ids[0], link)
}

// roundClosure closes a 360 round; it has no fields.
type roundClosure struct{}

// handleRoundClosureCreate is POST /v1/journeys/{journeyId}/feedback-rounds/{roundId}/closures:
// the participant closes their 360 round. No rater answers after that, the links of the round stop
// working, and the round's results appear in the portfolio (per rater group, where enough raters answered).
func (s *Server) handleRoundClosureCreate(c echo.Context) error {
	var req roundClosure
	ids, w, err := roundCommand(c, &req)
	if err != nil {
		return err
	}
	out, err := s.app.CloseRound(c.Request().Context(), w, ids[0], feedback.CloseRound{RoundID: ids[1]})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, roundHref(ids[0], ids[1]))
}

// raterDecision approves or rejects a nominated rater.
type raterDecision struct {
	Decision string `json:"decision"`
}

// validate checks that the decision is one of the two commands.
func (r *raterDecision) validate() error {
	if r.Decision != "approved" && r.Decision != "rejected" {
		return domain.Validate(domain.Invalid("decision", "must be approved or rejected"))
	}
	return nil
}

// handleRaterDecisionCreate is POST /v1/journeys/{journeyId}/feedback-rounds/{roundId}/raters/{raterId}/decisions:
// the participant's manager approves or rejects a nominated rater, where the programme asks for it.
func (s *Server) handleRaterDecisionCreate(c echo.Context) error {
	var req raterDecision
	ids, w, err := roundCommand(c, &req, "raterId")
	if err != nil {
		return err
	}
	out, err := s.app.DecideOnRater(c.Request().Context(), w, ids[0], ids[1], ids[2], req.Decision == "approved")
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, roundHref(ids[0], ids[1]))
}

// answersRequest is a rater's (or the participant's own) answers: every item
// of the instrument once, with a score on its scale or as not observed.
type answersRequest struct {
	Answers  []answerInput  `json:"answers"`
	Comments []commentInput `json:"comments,omitempty"`
}

// answerInput answers one item of the instrument.
type answerInput struct {
	ItemID      string `json:"itemId"`
	Score       int    `json:"score,omitempty"`
	NotObserved bool   `json:"notObserved,omitempty"`
}

// commentInput is an open comment, on a competency or on the whole.
type commentInput struct {
	CompetencyID string `json:"competencyId,omitempty"`
	Text         string `json:"text"`
}

// validate checks the lengths of the lists; what they hold is checked by
// the domain against the round's instrument.
func (r *answersRequest) validate() error {
	return domain.Validate(listLimit("answers", len(r.Answers), maxAnswers), listLimit("comments", len(r.Comments), maxListItems))
}

func (r *answersRequest) domain() ([]feedback.Answer, []feedback.Comment) {
	as := mapAll(r.Answers, func(a answerInput) feedback.Answer {
		return feedback.Answer{ItemID: a.ItemID, Score: a.Score, NotObserved: a.NotObserved}
	})
	cs := mapAll(r.Comments, func(c commentInput) feedback.Comment {
		return feedback.Comment{CompetencyID: c.CompetencyID, Text: c.Text}
	})
	return as, cs
}

// handleSelfAssessmentCreate is POST /v1/journeys/{journeyId}/feedback-rounds/{roundId}/self-assessments:
// the participant answers their own round as the rater group "self", once
// (see usecase.App.SubmitSelfAssessment): refused answers leave the round as
// it was; a second self-assessment is refused (409).
func (s *Server) handleSelfAssessmentCreate(c echo.Context) error {
	var req answersRequest
	ids, w, err := roundCommand(c, &req)
	if err != nil {
		return err
	}
	as, cs := req.domain()
	out, err := s.app.SubmitSelfAssessment(c.Request().Context(), w, ids[0], feedback.SubmitSelfAssessment{RoundID: ids[1], Answers: as, Comments: cs})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, roundHref(ids[0], ids[1]))
}

// raterForm is what a rater's link shows: the round and its scale. It
// names no participant.
type raterForm struct {
	RoundID      string           `json:"roundId"`
	InstrumentID string           `json:"instrumentId"`
	Closed       bool             `json:"closed"`
	ExpiresAt    DateTime         `json:"expiresAt"`
	Title        string           `json:"title"`
	Scale        formScale        `json:"scale"`
	Competencies []formCompetency `json:"competencies"`
}

// formScale is the frequency scale a rater scores on; an item can also be
// answered "not observed".
type formScale struct {
	Points int      `json:"points"`
	Labels []string `json:"labels"`
}

// formCompetency is one competency of the rater form with its items.
type formCompetency struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Items []formItem `json:"items"`
}

// formItem is one behaviour the rater scores.
type formItem struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// raterFormOf shows a rater the questions of the round's instrument.
func raterFormOf(f usecase.RaterForm) raterForm {
	out := raterForm{RoundID: f.RoundID, InstrumentID: f.InstrumentID, Closed: f.Closed, ExpiresAt: dt(f.ExpiresAt),
		Title: f.Title, Scale: formScale{Points: f.Scale.Points, Labels: orEmpty(f.Scale.Labels)},
		Competencies: []formCompetency{}}
	for _, c := range f.Competencies {
		fc := formCompetency{ID: c.ID, Name: c.Name, Items: make([]formItem, len(c.Items))}
		for i, item := range c.Items {
			fc.Items[i] = formItem{ID: item.ID, Text: item.Text}
		}
		out.Competencies = append(out.Competencies, fc)
	}
	return out
}

// handleRaterFormGet is GET /v1/rater-forms/{roundId}: the rater form its
// link opens.
func (s *Server) handleRaterFormGet(c echo.Context) error {
	id, err := pathID(c, "roundId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	f, err := s.app.RaterForm(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, raterFormOf(f))
}

// handleRaterResponseCreate is POST /v1/rater-forms/{roundId}/responses:
// the rater answers, once.
func (s *Server) handleRaterResponseCreate(c echo.Context) error {
	id, err := pathID(c, "roundId")
	if err != nil {
		return err
	}
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return err
	}
	var req answersRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	as, cs := req.domain()
	out, err := s.app.SubmitResponse(c.Request().Context(), w, feedback.SubmitResponse{RoundID: id, Answers: as, Comments: cs})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, "/v1/rater-forms/"+id)
}
