package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/usecase"
)

// registerConversationRoutes registers development conversations, which
// the manager records and both parties confirm, and both read whatever the
// participant shares.
func (s *Server) registerConversationRoutes(g *echo.Group) {
	g.GET("/journeys/:journeyId/development-conversations", s.handleConversationList, s.requireUser)
	g.GET("/journeys/:journeyId/development-conversations/:conversationId", s.handleConversationGet, s.requireUser)
	g.POST("/journeys/:journeyId/development-conversations", s.handleConversationCreate, s.requireUser, s.idempotent)
	g.PUT("/journeys/:journeyId/development-conversations/:conversationId", s.handleConversationPut, s.requireUser)
	g.POST("/journeys/:journeyId/development-conversations/:conversationId/confirmations", s.handleConversationConfirmationCreate, s.requireUser, s.idempotent)
}

// conversationRequest records or revises a development conversation.
type conversationRequest struct {
	HeldOn        *DateTime `json:"heldOn,omitempty"`
	Agreements    []string  `json:"agreements"`
	NextQuestions []string  `json:"nextQuestions"`
}

// validate checks the lengths of the lists; what they hold is the domain's
// to check.
func (r *conversationRequest) validate() error {
	return domain.Validate(listLimit("agreements", len(r.Agreements), maxListItems), listLimit("nextQuestions", len(r.NextQuestions), maxListItems))
}

// handleConversationCreate is POST /v1/journeys/{journeyId}/development-conversations:
// the manager records a development conversation with their participant.
func (s *Server) handleConversationCreate(c echo.Context) error {
	var req conversationRequest
	id, w, err := s.journeyCommand(c, matchOptional, &req)
	if err != nil {
		return err
	}
	var heldOn time.Time
	if req.HeldOn != nil {
		heldOn = req.HeldOn.Time
	}
	out, err := s.app.RecordConversation(c.Request().Context(), w, journey.RecordConversation{JourneyID: id, HeldOn: heldOn,
		Agreements: req.Agreements, NextQuestions: req.NextQuestions})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, conversationHref(id, out.ID))
}

// conversationHref is where a development conversation of a journey is.
func conversationHref(journeyID, conversationID string) string {
	return journeyHref(journeyID) + "/development-conversations/" + conversationID
}

// handleConversationPut is PUT /v1/journeys/{journeyId}/development-conversations/{conversationId}:
// the manager revises the record of a conversation not yet final. If-Match is required.
func (s *Server) handleConversationPut(c echo.Context) error {
	var req conversationRequest
	id, w, err := s.journeyCommand(c, matchRequired, &req)
	if err != nil {
		return err
	}
	convID, err := pathID(c, "conversationId")
	if err != nil {
		return err
	}
	if req.HeldOn != nil {
		return domain.Validate(domain.Invalid("heldOn", "cannot be revised"))
	}
	out, err := s.app.ReviseConversation(c.Request().Context(), w, journey.ReviseConversation{JourneyID: id, ConversationID: convID,
		Agreements: req.Agreements, NextQuestions: req.NextQuestions})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, conversationHref(id, convID))
}

// handleConversationConfirmationCreate is POST /v1/journeys/{journeyId}/development-conversations/{conversationId}/confirmations:
// the participant or the manager confirms the record, each for themselves.
func (s *Server) handleConversationConfirmationCreate(c echo.Context) error {
	id, w, err := s.journeyCommand(c, matchOptional, nil)
	if err != nil {
		return err
	}
	convID, err := pathID(c, "conversationId")
	if err != nil {
		return err
	}
	out, err := s.app.ConfirmConversation(c.Request().Context(), w, id, convID)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, conversationHref(id, convID))
}

// conversationList is the development conversations of a journey, in the order held.
type conversationList struct {
	Items []conversationDTO `json:"items"`
}

// handleConversationList is GET /v1/journeys/{journeyId}/development-conversations:
// the journey's development conversations, for the participant and their
// manager whatever the participant shares.
func (s *Server) handleConversationList(c echo.Context) error {
	r, err := s.journeyRead(c)
	if err != nil {
		return err
	}
	defer r.cancel()
	id, p, min, ctx := r.id, r.principal, r.min, r.ctx
	cs, err := s.app.Conversations(ctx, p, id, min)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, conversationList{Items: mapAll(cs, conversationOf)})
}

// conversationResponse is a development conversation with its record's
// history and the portfolio as it stood when it was held.
type conversationResponse struct {
	ConversationID string    `json:"conversationId"`
	ManagerID      string    `json:"managerId"`
	HeldOn         DateTime  `json:"heldOn"`
	Agreements     []string  `json:"agreements"`
	NextQuestions  []string  `json:"nextQuestions"`
	RecordedAt     DateTime  `json:"recordedAt"`
	Revisions      int       `json:"revisions"`
	ConfirmedBy    []string  `json:"confirmedBy"`
	Final          bool      `json:"final"`
	FinalisedAt    *DateTime `json:"finalisedAt,omitempty"`
	// PortfolioAtConversation is absent for a conversation held before
	// the journey began.
	PortfolioAtConversation *portfolioResponse `json:"portfolioAtConversation,omitempty"`
}

// handleConversationGet is GET /v1/journeys/{journeyId}/development-conversations/{conversationId}:
// a development conversation with the portfolio as it stood when it was
// held: whole for the participant, for the manager the sections shared then
// and still shared now.
func (s *Server) handleConversationGet(c echo.Context) error {
	ids, err := pathIDs(c, "journeyId", "conversationId")
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
	cr, err := s.app.Conversation(ctx, p, ids[0], ids[1], min)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, conversationResponseOf(cr))
}

func conversationResponseOf(cr usecase.ConversationRead) conversationResponse {
	cv := cr.Conversation
	out := conversationResponse{ConversationID: cv.ConversationID, ManagerID: cv.ManagerID, HeldOn: dt(cv.HeldOn), Agreements: orEmpty(cv.Agreements),
		NextQuestions: orEmpty(cv.NextQuestions), RecordedAt: dt(cv.RecordedAt), Revisions: cv.Revisions, ConfirmedBy: names(cv.ConfirmedBy),
		Final: cv.Final, FinalisedAt: dtp(cv.FinalisedAt)}
	if cr.AtConversation != nil {
		pf := portfolioOf(*cr.AtConversation)
		out.PortfolioAtConversation = &pf
	}
	return out
}
