package usecase

import (
	"context"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
)

// Development conversations: the manager records a conversation with their
// participant and may revise its record until it is final; the participant
// and the manager each confirm it, and with both confirmations it is final.

// RecordConversation records a development conversation (the participant's
// current manager); it creates the conversation's id.
func (a *App) RecordConversation(ctx context.Context, w Write, c journey.RecordConversation) (Written, error) {
	o := op{w: w, name: "record-conversation", target: c.JourneyID}
	c.ConversationID = o.newID(a.ids, "conversation")
	return a.journeyWrite(ctx, w, o.name, c.JourneyID, c.ConversationID, access.KindDevelopmentConversation, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Journeys.RecordConversation(ctx, c)
	})
}

// ReviseConversation changes the record of a conversation not yet final
// (the manager); confirmations given before lapse.
func (a *App) ReviseConversation(ctx context.Context, w Write, c journey.ReviseConversation) (Written, error) {
	return a.journeyWrite(ctx, w, "revise-conversation:"+c.ConversationID, c.JourneyID, c.ConversationID, access.KindDevelopmentConversation,
		func(env domain.Envelope, at time.Time) (domain.Written, error) {
			c.Envelope, c.At = env, at
			return a.deps.Journeys.ReviseConversation(ctx, c)
		})
}

// ConfirmConversation confirms the record of a conversation for the actor:
// as the participant when the journey is theirs, else as the manager.
func (a *App) ConfirmConversation(ctx context.Context, w Write, journeyID, conversationID string) (Written, error) {
	o := op{w: w, name: "confirm-conversation:" + conversationID, target: journeyID}
	dw, err := o.decided(ctx, func() (domain.Written, error) {
		f, err := a.journeyFacts(ctx, journeyID, access.KindDevelopmentConversation, nil)
		if err != nil {
			return domain.Written{}, err
		}
		if err := a.authorize(ctx, w.Actor, access.ActionConfirm, f.resource); err != nil {
			return domain.Written{}, err
		}
		rev, err := o.expect(f.revision)
		if err != nil {
			return domain.Written{}, err
		}
		party := journey.PartyManager
		if w.Actor.Subject == f.resource.ParticipantID {
			party = journey.PartyParticipant
		}
		return a.deps.Journeys.ConfirmConversation(ctx, journey.ConfirmConversation{JourneyID: journeyID, ConversationID: conversationID,
			Party: party, ConfirmedBy: w.Actor.Subject, At: a.now(), Envelope: o.envelope("", rev)})
	})
	return written(conversationID, dw), err
}
