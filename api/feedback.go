package api

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
)

// registerFeedbackRoutes registers 360 rounds: the participant opens a
// round, nominates raters (each nomination issues the rater's personal
// link, shown once) and fills in the self-assessment; the manager approves
// or rejects raters where the programme asks for it; a rater answers
// through their link, which opens the rater form of its round and nothing else.
func (s *Server) registerFeedbackRoutes(g *echo.Group) {
	g.POST("/journeys/:journeyId/feedback-rounds", s.handleFeedbackRoundCreate, s.requireUser, s.idempotent)
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

func (r *roundRequest) validate() error {
	_, err := feedback.ParseRoundKind(r.Kind)
	return domain.Validate(domain.RequireID("instrumentId", r.InstrumentID), fieldOf(err))
}

// handleFeedbackRoundCreate is POST /v1/journeys/{journeyId}/feedback-rounds:
// the participant opens a 360 round (pre, post or extra) with an instrument.
func (s *Server) handleFeedbackRoundCreate(c echo.Context) error {
	var req roundRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindFeedbackRound, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			if s.d.Rounds == nil {
				return resourceRef{}, unavailable("360 rounds")
			}
			id := s.newID(c, "round")
			k, _ := feedback.ParseRoundKind(req.Kind)
			err := s.d.Rounds.OpenRound(ctx, feedback.OpenRound{RoundID: id, JourneyID: j.ID(), InstrumentID: req.InstrumentID, Kind: k, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/feedback-rounds/" + id}, err
		}})
}

// roundOf checks that the round in the path belongs to the journey in the
// path, so that nobody reaches another journey's round through their own.
func (s *Server) roundOf(c echo.Context, j *journey.Journey) (string, error) {
	id, err := pathID(c, "roundId")
	if err != nil {
		return "", err
	}
	if s.d.Facts == nil || s.d.Rounds == nil {
		return "", unavailable("360 rounds")
	}
	jid, err := s.d.Facts.RoundJourney(c.Request().Context(), id)
	if err != nil {
		return "", err
	}
	if jid != j.ID() {
		return "", fmt.Errorf("round %s of journey %s: %w", id, j.ID(), domain.ErrNotFound)
	}
	return id, nil
}

// raterRequest nominates a rater: a manager, peer, direct report or other,
// with a name and an e-mail address for the invitation.
type raterRequest struct {
	Group     string    `json:"group"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	ExpiresAt *DateTime `json:"expiresAt,omitempty"`
}

func (r *raterRequest) validate() error {
	g, err := feedback.ParseRaterGroup(r.Group)
	ps := []*domain.FieldError{fieldOf(err), domain.RequireText("name", r.Name, domain.MaxTitle), domain.RequireEmail("email", r.Email)}
	if err == nil && g == feedback.GroupSelf {
		ps = append(ps, domain.Invalid("group", "self is not nominated: the participant answers as self through self-assessments"))
	}
	return domain.Validate(ps...)
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

// issueLink draws a rater's token and stores its hash.
func (s *Server) issueLink(c echo.Context, ctx context.Context, roundID, raterID string, expires time.Time) (raterLinkResponse, error) {
	if s.d.RaterLinkStore == nil {
		return raterLinkResponse{}, unavailable("a rater-link store")
	}
	c.Set(noReplayKey, true)
	token, l, err := access.NewRaterLink(s.d.Random, roundID, raterID, expires)
	if err != nil {
		return raterLinkResponse{}, err
	}
	if err := s.d.RaterLinkStore.SaveRaterLink(ctx, l); err != nil {
		return raterLinkResponse{}, err
	}
	return raterLinkResponse{RaterID: raterID, RoundID: roundID, Token: token, ExpiresAt: dt(expires), Href: "/v1/rater-forms/" + roundID}, nil
}

// handleRaterCreate is POST /v1/journeys/{journeyId}/feedback-rounds/{roundId}/raters:
// the participant nominates a rater and receives the rater's personal link,
// once. The link is issued only when the nomination is recorded.
func (s *Server) handleRaterCreate(c echo.Context) error {
	var req raterRequest
	var link raterLinkResponse
	err := s.doJourneyWrite(c, journeyWrite{kind: access.KindFeedbackRound, action: access.ActionWrite, body: &req, status: -1,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			roundID, err := s.roundOf(c, j)
			if err != nil {
				return resourceRef{}, err
			}
			expires, err := s.linkExpiry(req.ExpiresAt, at)
			if err != nil {
				return resourceRef{}, err
			}
			if s.d.RaterLinkStore == nil {
				return resourceRef{}, unavailable("a rater-link store")
			}
			g, _ := feedback.ParseRaterGroup(req.Group)
			raterID := s.newID(c, "rater")
			if err := s.d.Rounds.NominateRater(ctx, feedback.NominateRater{RoundID: roundID, RaterID: raterID, Group: g, Name: req.Name, Email: req.Email,
				At: at, IdempotencyKey: s.commandKey(c, "")}); err != nil {
				return resourceRef{}, err
			}
			link, err = s.issueLink(c, ctx, roundID, raterID, expires)
			return resourceRef{}, err
		}})
	if err != nil || c.Response().Committed {
		return err
	}
	return created(c, journeyHref(c.Param("journeyId"))+"/feedback-rounds/"+link.RoundID+"/raters/"+link.RaterID, link)
}

// linkRequest asks for a new link for a nominated rater.
type linkRequest struct {
	ExpiresAt *DateTime `json:"expiresAt,omitempty"`
}

// handleRaterLinkCreate is POST /v1/journeys/{journeyId}/feedback-rounds/{roundId}/raters/{raterId}/links:
// the participant issues a new link for a rater nominated before (a lost
// invitation); the earlier link stops working.
func (s *Server) handleRaterLinkCreate(c echo.Context) error {
	var req linkRequest
	var link raterLinkResponse
	err := s.doJourneyWrite(c, journeyWrite{kind: access.KindFeedbackRound, action: access.ActionWrite, body: &req, status: -1,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			roundID, err := s.roundOf(c, j)
			if err != nil {
				return resourceRef{}, err
			}
			raterID, err := pathID(c, "raterId")
			if err != nil {
				return resourceRef{}, err
			}
			if s.d.RaterLinkStore == nil {
				return resourceRef{}, unavailable("a rater-link store")
			}
			// Whether the rater may get a link (nominated, not rejected, not
			// answered yet, round open) is the domain's decision, taken when
			// the link is recorded; a rater nominated without a link (as by
			// leerpad seed) can be given one here.
			expires, err := s.linkExpiry(req.ExpiresAt, at)
			if err != nil {
				return resourceRef{}, err
			}
			link, err = s.issueLink(c, ctx, roundID, raterID, expires)
			return resourceRef{}, err
		}})
	if err != nil || c.Response().Committed {
		return err
	}
	return created(c, journeyHref(c.Param("journeyId"))+"/feedback-rounds/"+link.RoundID+"/raters/"+link.RaterID, link)
}

// roundClosure closes a 360 round; it has no fields.
type roundClosure struct{}

func (roundClosure) validate() error { return nil }

// handleRoundClosureCreate is POST /v1/journeys/{journeyId}/feedback-rounds/{roundId}/closures:
// the participant closes their 360 round. No rater answers after that, the links of the round stop
// working, and the round's results appear in the portfolio (per rater group, where enough raters answered).
func (s *Server) handleRoundClosureCreate(c echo.Context) error {
	var req roundClosure
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindFeedbackRound, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			roundID, err := s.roundOf(c, j)
			if err != nil {
				return resourceRef{}, err
			}
			err = s.d.Rounds.CloseRound(ctx, feedback.CloseRound{RoundID: roundID, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: roundID, Href: journeyHref(j.ID()) + "/feedback-rounds/" + roundID}, err
		}})
}

// raterDecision approves or rejects a nominated rater.
type raterDecision struct {
	Decision string `json:"decision"`
}

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
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindFeedbackRound, action: access.ActionConfirm, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			roundID, err := s.roundOf(c, j)
			if err != nil {
				return resourceRef{}, err
			}
			raterID, err := pathID(c, "raterId")
			if err != nil {
				return resourceRef{}, err
			}
			p, _ := principalOf(c)
			key := s.commandKey(c, "")
			if req.Decision == "approved" {
				err = s.d.Rounds.ApproveRater(ctx, feedback.ApproveRater{RoundID: roundID, RaterID: raterID, ManagerID: p.Subject, At: at, IdempotencyKey: key})
			} else {
				err = s.d.Rounds.RejectRater(ctx, feedback.RejectRater{RoundID: roundID, RaterID: raterID, ManagerID: p.Subject, At: at, IdempotencyKey: key})
			}
			return resourceRef{ID: raterID, Href: journeyHref(j.ID()) + "/feedback-rounds/" + roundID + "/raters/" + raterID}, err
		}})
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

func (r *answersRequest) validate() error {
	ps := []*domain.FieldError{listLimit("answers", len(r.Answers), maxAnswers), listLimit("comments", len(r.Comments), maxListItems)}
	if len(r.Answers) == 0 {
		ps = append(ps, domain.Required("answers"))
	}
	for i, a := range r.Answers {
		ps = append(ps, domain.RequireText(fmt.Sprintf("answers[%d].itemId", i), a.ItemID, domain.MaxTitle))
	}
	for i, cm := range r.Comments {
		ps = append(ps, domain.RequireText(fmt.Sprintf("comments[%d].text", i), cm.Text, domain.MaxText))
	}
	return domain.Validate(ps...)
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
// the participant answers their own round as the rater group "self". The
// domain models self as a rater of the round (rater id = participant id, no
// approval needed): the first self-assessment nominates the participant and
// records their answers in one append, so refused answers leave the round as
// it was; a second self-assessment is refused (409).
func (s *Server) handleSelfAssessmentCreate(c echo.Context) error {
	var req answersRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindSelfAssessment, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			roundID, err := s.roundOf(c, j)
			if err != nil {
				return resourceRef{}, err
			}
			self := j.ParticipantID()
			as, cs := req.domain()
			err = s.d.Rounds.SubmitSelfAssessment(ctx, feedback.SubmitSelfAssessment{RoundID: roundID, ParticipantID: self, Answers: as, Comments: cs,
				At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: self, Href: journeyHref(j.ID()) + "/feedback-rounds/" + roundID + "/self-assessments/" + self}, err
		}})
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

// newRaterForm shows a rater the questions of the round's instrument.
func newRaterForm(roundID string, r *feedback.Round, in *feedback.Instrument, expires DateTime) raterForm {
	f := raterForm{RoundID: roundID, InstrumentID: r.InstrumentID(), Closed: r.Closed(), ExpiresAt: expires,
		Title: in.Title(), Scale: formScale{Points: in.Scale().Points, Labels: in.Scale().Labels},
		Competencies: []formCompetency{}}
	if f.Scale.Labels == nil {
		f.Scale.Labels = []string{}
	}
	for _, c := range in.Competencies() {
		fc := formCompetency{ID: c.ID, Name: c.Name, Items: make([]formItem, len(c.Items))}
		for i, item := range c.Items {
			fc.Items[i] = formItem{ID: item.ID, Text: item.Text}
		}
		f.Competencies = append(f.Competencies, fc)
	}
	return f
}

// raterRound authorises the rater for the round in the path.
func (s *Server) raterRound(c echo.Context, a access.Action) (string, error) {
	id, err := pathID(c, "roundId")
	if err != nil {
		return "", err
	}
	if err := s.authorize(c, a, access.Resource{Kind: access.KindRaterForm, RoundID: id}); err != nil {
		return "", err
	}
	if s.d.Rounds == nil || s.d.RoundLog == nil {
		return "", unavailable("360 rounds")
	}
	return id, nil
}

// handleRaterFormGet is GET /v1/rater-forms/{roundId}: the rater form its
// link opens.
func (s *Server) handleRaterFormGet(c echo.Context) error {
	id, err := s.raterRound(c, access.ActionRead)
	if err != nil {
		return err
	}
	r, err := s.d.RoundLog.Load(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if s.d.InstrumentLog == nil {
		return unavailable("the instruments")
	}
	in, err := s.d.InstrumentLog.Load(c.Request().Context(), r.InstrumentID())
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, newRaterForm(id, r, in, dt(p.LinkExpiresAt)))
}

// handleRaterResponseCreate is POST /v1/rater-forms/{roundId}/responses:
// the rater answers, once.
func (s *Server) handleRaterResponseCreate(c echo.Context) error {
	id, err := s.raterRound(c, access.ActionWrite)
	if err != nil {
		return err
	}
	var req answersRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	w, err := s.beginWrite(c, matchOptional)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	as, cs := req.domain()
	if err := s.d.Rounds.SubmitResponse(w.ctx, feedback.SubmitResponse{RoundID: id, RaterID: p.Subject, Answers: as, Comments: cs, At: s.now(),
		IdempotencyKey: s.commandKey(c, "")}); err != nil {
		return err
	}
	w.finish(c)
	return created(c, "/v1/rater-forms/"+id, resourceRef{ID: id, Href: "/v1/rater-forms/" + id})
}

// MemoryRaterLinks is a RaterLinkStore in memory, for tests and for a server
// without an event store: links are lost when the process ends and replicas
// do not share them. It holds hashes only. leerpad serve uses the durable
// store instead (feedback.rater_link_issued events and the rater-links read
// model).
type MemoryRaterLinks struct {
	mu      sync.RWMutex
	byHash  map[string]access.RaterLink
	byRater map[[2]string]string // (round, rater) -> hash
}

var _ RaterLinkStore = (*MemoryRaterLinks)(nil)

// NewMemoryRaterLinks returns an empty store.
func NewMemoryRaterLinks() *MemoryRaterLinks {
	return &MemoryRaterLinks{byHash: map[string]access.RaterLink{}, byRater: map[[2]string]string{}}
}

// RaterLink returns the link stored under hash, or domain.ErrNotFound.
func (m *MemoryRaterLinks) RaterLink(_ context.Context, hash string) (access.RaterLink, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	l, ok := m.byHash[hash]
	if !ok {
		return access.RaterLink{}, fmt.Errorf("rater link: %w", domain.ErrNotFound)
	}
	return l, nil
}

// RaterLinkOf returns the current link of a rater in a round, or domain.ErrNotFound.
func (m *MemoryRaterLinks) RaterLinkOf(_ context.Context, roundID, raterID string) (access.RaterLink, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	l, ok := m.byHash[m.byRater[[2]string{roundID, raterID}]]
	if !ok {
		return access.RaterLink{}, fmt.Errorf("rater %s in round %s: %w", raterID, roundID, domain.ErrNotFound)
	}
	return l, nil
}

// SaveRaterLink stores l, replacing the rater's earlier link in the round.
func (m *MemoryRaterLinks) SaveRaterLink(_ context.Context, l access.RaterLink) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{l.RoundID, l.RaterID}
	delete(m.byHash, m.byRater[k])
	m.byHash[l.TokenHash] = l
	m.byRater[k] = l.TokenHash
	return nil
}
