package usecase

import (
	"context"
	"errors"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/portfolio"
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

// ConversationRead is a development conversation with the portfolio as it
// stood when the conversation was held: the parts of it its reader may see.
type ConversationRead struct {
	Conversation portfolio.Conversation
	// AtConversation is the portfolio as of the conversation's date: whole
	// for the participant; for the manager the sections that were shared
	// then and are still shared now, and the journey itself. It is nil for
	// a conversation held before the journey began.
	AtConversation *Portfolio
}

// conversationReader decides whether p may read the development
// conversations of journey journeyID (the participant and their manager,
// whatever is shared) and returns the sections shared with the manager now.
func (a *App) conversationReader(ctx context.Context, p access.Principal, journeyID string) (journeyFacts, map[journey.Section]bool, error) {
	shared := map[journey.Section]bool{}
	f, err := a.journeyFacts(ctx, journeyID, access.KindDevelopmentConversation, func(j *journey.Journey) {
		for _, sec := range journey.Sections() {
			shared[sec] = j.Shared(sec)
		}
	})
	if err != nil {
		return f, nil, err
	}
	return f, shared, a.authorize(ctx, p, access.ActionRead, f.resource)
}

// Conversations are the development conversations of a journey, in the
// order held: for the participant and their manager, whatever the
// participant shares, since the conversation is theirs both.
func (a *App) Conversations(ctx context.Context, p access.Principal, journeyID string, min uint64) ([]portfolio.Conversation, error) {
	if _, _, err := a.conversationReader(ctx, p, journeyID); err != nil {
		return nil, err
	}
	v, err := a.currentPortfolio(ctx, journeyID, min)
	if err != nil {
		return nil, err
	}
	return v.Conversations, nil
}

// Conversation is a development conversation of a journey, with the
// portfolio as it stood when it was held, for the participant and their
// manager whatever the participant shares. Of that portfolio the manager
// sees the sections shared at the conversation and still shared now
// (sharing that has been revoked since ends their access to it).
func (a *App) Conversation(ctx context.Context, p access.Principal, journeyID, conversationID string, min uint64) (ConversationRead, error) {
	f, sharedNow, err := a.conversationReader(ctx, p, journeyID)
	if err != nil {
		return ConversationRead{}, err
	}
	v, err := a.currentPortfolio(ctx, journeyID, min)
	if err != nil {
		return ConversationRead{}, err
	}
	c, ok := find(v.Conversations, conversationID, func(c portfolio.Conversation) string { return c.ConversationID })
	if !ok {
		return ConversationRead{}, missing("development conversation", conversationID, journeyID)
	}
	then, err := a.deps.Portfolios.AtConversation(ctx, journeyID, conversationID)
	if errors.Is(err, domain.ErrNotFound) {
		return ConversationRead{Conversation: c}, nil // held before the enrolment: there was no portfolio yet
	}
	if err != nil {
		return ConversationRead{}, err
	}
	allowed := map[portfolio.Part]bool{}
	whole := f.resource
	whole.Kind = access.KindPortfolio
	if a.allowed(p, access.ActionRead, whole) {
		for _, part := range Parts() {
			allowed[part] = true
		}
	} else {
		section := f.resource
		section.Kind = access.KindPortfolioSection
		for _, sec := range journey.Sections() {
			r := section
			r.Shared = sharedNow[sec]
			if a.allowed(p, access.ActionRead, r) {
				allowed[portfolio.Part(sec.String())] = true
			}
		}
		allowed = sharedThenToo(allowed, then, f.resource.ManagerID)
		allowed[portfolio.PartJourney], allowed[portfolio.PartConversations] = true, true
		then.Shared = sharedAllowed(then.Shared, allowed)
	}
	at := Portfolio{View: reduced(then, allowed), Parts: []portfolio.Part{}}
	for _, part := range Parts() {
		if allowed[part] {
			at.Parts = append(at.Parts, part)
		}
	}
	held := then.AsOf
	a.audit(p, f.resource.ParticipantID, journeyID, v.ProgrammeID, at.Parts, held)
	return ConversationRead{Conversation: c, AtConversation: &at}, nil
}
