package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
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

func (r *conversationRequest) validate() error {
	ps := append(textsLimit("agreements", r.Agreements, maxListItems, domain.MaxText), textsLimit("nextQuestions", r.NextQuestions, maxListItems, domain.MaxText)...)
	return domain.Validate(ps...)
}

// handleConversationCreate is POST /v1/journeys/{journeyId}/development-conversations:
// the manager records a development conversation with their participant.
func (s *Server) handleConversationCreate(c echo.Context) error {
	var req conversationRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindDevelopmentConversation, action: access.ActionWrite, body: &req, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			if req.HeldOn == nil {
				return resourceRef{}, domain.Validate(domain.Required("heldOn"))
			}
			id := s.newID(c, "conversation")
			err := s.d.Journeys.RecordConversation(ctx, journey.RecordConversation{JourneyID: j.ID(), ConversationID: id, HeldOn: req.HeldOn.Time,
				Agreements: req.Agreements, NextQuestions: req.NextQuestions, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/development-conversations/" + id}, err
		}})
}

// handleConversationPut is PUT /v1/journeys/{journeyId}/development-conversations/{conversationId}:
// the manager revises the record of a conversation not yet final. If-Match is required.
func (s *Server) handleConversationPut(c echo.Context) error {
	var req conversationRequest
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindDevelopmentConversation, action: access.ActionWrite, match: matchRequired, body: &req,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id, err := pathID(c, "conversationId")
			if err != nil {
				return resourceRef{}, err
			}
			if req.HeldOn != nil {
				return resourceRef{}, domain.Validate(domain.Invalid("heldOn", "cannot be revised"))
			}
			err = s.d.Journeys.ReviseConversation(ctx, journey.ReviseConversation{JourneyID: j.ID(), ConversationID: id, Agreements: req.Agreements,
				NextQuestions: req.NextQuestions, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/development-conversations/" + id}, err
		}})
}

// handleConversationConfirmationCreate is POST /v1/journeys/{journeyId}/development-conversations/{conversationId}/confirmations:
// the participant or the manager confirms the record, each for themselves.
func (s *Server) handleConversationConfirmationCreate(c echo.Context) error {
	return s.doJourneyWrite(c, journeyWrite{kind: access.KindDevelopmentConversation, action: access.ActionConfirm, status: http.StatusCreated,
		run: func(ctx context.Context, j *journey.Journey, at time.Time) (resourceRef, error) {
			id, err := pathID(c, "conversationId")
			if err != nil {
				return resourceRef{}, err
			}
			p, _ := principalOf(c)
			party := journey.PartyManager
			if p.Subject == j.ParticipantID() {
				party = journey.PartyParticipant
			}
			err = s.d.Journeys.ConfirmConversation(ctx, journey.ConfirmConversation{JourneyID: j.ID(), ConversationID: id, Party: party,
				ConfirmedBy: p.Subject, At: at, IdempotencyKey: s.commandKey(c, "")})
			return resourceRef{ID: id, Href: journeyHref(j.ID()) + "/development-conversations/" + id}, err
		}})
}
