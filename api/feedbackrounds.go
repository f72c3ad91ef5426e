package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/usecase"
)

// The reads of 360 rounds: the participant follows their rounds (state,
// raters with their approval, responses counted per group, never who
// answered); their manager sees the raters awaiting their decision, per
// round and across the journeys they manage. Each is registered in
// registerFeedbackRoutes.

// feedbackRoundState is a 360 round as its reader may see it: raters and
// responses for the participant only; awaiting for both.
type feedbackRoundState struct {
	RoundID       string           `json:"roundId"`
	JourneyID     string           `json:"journeyId"`
	Kind          string           `json:"kind"`
	InstrumentID  string           `json:"instrumentId"`
	Status        string           `json:"status"`
	OpenedAt      DateTime         `json:"openedAt"`
	ClosedAt      *DateTime        `json:"closedAt,omitempty"`
	RaterApproval bool             `json:"raterApproval"`
	Raters        []nominatedRater `json:"raters,omitempty"`
	Responses     []groupResponses `json:"responses,omitempty"`
	Awaiting      []awaitingRater  `json:"awaiting"`
	Href          string           `json:"href"`
}

// nominatedRater is a rater of the round and their approval; not whether
// they answered.
type nominatedRater struct {
	RaterID     string   `json:"raterId"`
	Group       string   `json:"group"`
	NominatedAt DateTime `json:"nominatedAt"`
	Approval    string   `json:"approval"`
}

// groupResponses counts the raters of a group: nominated and answered.
type groupResponses struct {
	Group     string `json:"group"`
	Nominated int    `json:"nominated"`
	Responded int    `json:"responded"`
}

// awaitingRater is a rater awaiting the manager's decision, and where the
// decision is posted.
type awaitingRater struct {
	RaterID      string   `json:"raterId"`
	Group        string   `json:"group"`
	NominatedAt  DateTime `json:"nominatedAt"`
	DecisionHref string   `json:"decisionHref"`
}

// feedbackRoundList is the 360 rounds of a journey, in the order opened.
type feedbackRoundList struct {
	Items []feedbackRoundState `json:"items"`
}

// pendingRaterDecision is a decision a manager has to take on a rater.
type pendingRaterDecision struct {
	JourneyID     string   `json:"journeyId"`
	ParticipantID string   `json:"participantId"`
	RoundID       string   `json:"roundId"`
	RaterID       string   `json:"raterId"`
	Group         string   `json:"group"`
	NominatedAt   DateTime `json:"nominatedAt"`
	DecisionHref  string   `json:"decisionHref"`
	RoundHref     string   `json:"roundHref"`
}

// raterDecisionList is the decisions on raters a manager has to take.
type raterDecisionList struct {
	Items []pendingRaterDecision `json:"items"`
}

// decisionHref is where the decision on a rater of a round is posted.
func decisionHref(journeyID, roundID, raterID string) string {
	return roundHref(journeyID, roundID) + "/raters/" + raterID + "/decisions"
}

// roundStateOf maps a round as its reader may see it.
func roundStateOf(r usecase.RoundState) feedbackRoundState {
	out := feedbackRoundState{RoundID: r.RoundID, JourneyID: r.JourneyID, Kind: r.Kind.String(), InstrumentID: r.InstrumentID, Status: "open",
		OpenedAt: dt(r.OpenedAt), ClosedAt: dtp(r.ClosedAt), RaterApproval: r.RaterApproval, Href: roundHref(r.JourneyID, r.RoundID),
		Raters: mapAll(r.Raters, func(n feedback.NominatedRater) nominatedRater {
			return nominatedRater{RaterID: n.RaterID, Group: n.Group.String(), NominatedAt: dt(n.NominatedAt), Approval: n.Approval.String()}
		}),
		Responses: mapAll(r.Responses, func(g usecase.GroupResponses) groupResponses {
			return groupResponses{Group: g.Group.String(), Nominated: g.Nominated, Responded: g.Responded}
		}),
		Awaiting: mapAll(r.Awaiting, func(n feedback.NominatedRater) awaitingRater {
			return awaitingRater{RaterID: n.RaterID, Group: n.Group.String(), NominatedAt: dt(n.NominatedAt), DecisionHref: decisionHref(r.JourneyID, r.RoundID, n.RaterID)}
		})}
	if r.ClosedAt != nil {
		out.Status = "closed"
	}
	return out
}

// handleFeedbackRoundGet is GET /v1/journeys/{journeyId}/feedback-rounds/{roundId}:
// the round as its stream holds it, with its ETag: whole for the
// participant (raters and their approval, responses counted per group,
// never who answered), the raters awaiting their decision for the manager.
func (s *Server) handleFeedbackRoundGet(c echo.Context) error {
	ids, err := pathIDs(c, "journeyId", "roundId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	r, err := s.app.FeedbackRound(c.Request().Context(), p, ids[0], ids[1])
	if err != nil {
		return err
	}
	return withETag(c, r.Revision, true, roundStateOf(r))
}

// handleFeedbackRoundList is GET /v1/journeys/{journeyId}/feedback-rounds:
// the journey's rounds in the order opened, each as handleFeedbackRoundGet
// shows it to the reader.
func (s *Server) handleFeedbackRoundList(c echo.Context) error {
	r, err := s.journeyRead(c)
	if err != nil {
		return err
	}
	defer r.cancel()
	id, p, min, ctx := r.id, r.principal, r.min, r.ctx
	rs, err := s.app.FeedbackRounds(ctx, p, id, min)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, feedbackRoundList{Items: mapAll(rs, roundStateOf)})
}

// handleRaterDecisionList is GET /v1/rater-decisions: the decisions on
// raters the calling manager has to take, across the journeys they manage
// now, each with the href to post it to. Managers only.
func (s *Server) handleRaterDecisionList(c echo.Context) error {
	min, err := minPosition(c)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	defer cancel()
	ds, err := s.app.RaterDecisions(ctx, p, min)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, raterDecisionList{Items: mapAll(ds, func(d usecase.PendingRaterDecision) pendingRaterDecision {
		return pendingRaterDecision{JourneyID: d.JourneyID, ParticipantID: d.ParticipantID, RoundID: d.RoundID, RaterID: d.RaterID, Group: d.Group.String(),
			NominatedAt: dt(d.NominatedAt), DecisionHref: decisionHref(d.JourneyID, d.RoundID, d.RaterID), RoundHref: roundHref(d.JourneyID, d.RoundID)}
	})})
}
