package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/journey"
)

// registerConversationRoutes registers development conversations, which
// the manager records and both parties confirm.
func (s *Server) registerConversationRoutes(g *echo.Group) {
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
