package usecase

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/feedback"
)

// 360 rounds: the participant opens a round on their journey, nominates
// raters (each nomination issues the rater's personal link, see
// raterlinks.go) and fills in the self-assessment, and closes the round;
// the manager approves or rejects raters where the programme asks for it;
// a rater answers through their link, which opens the form of its round and
// nothing else.
//
// Every command on a round comes through its journey: the facts of the
// access decision are the journey's (its participant and manager), and the
// round must be one of that journey's (onRound).

// onRound runs a command of operation o on 360 round roundID of journey
// journeyID: it reads the journey's facts, lets the policy decide whether
// the actor may do act on kind, checks that the round belongs to the
// journey, and runs the command expecting the round's revision as read (the
// client's If-Match is about the round), again on fresh facts when another
// writer appended first.
func (a *App) onRound(ctx context.Context, o op, journeyID, roundID string, kind access.Kind, act access.Action,
	run func(f journeyFacts, env domain.Envelope, at time.Time) (domain.Written, error)) (domain.Written, error) {
	return o.decided(ctx, func() (domain.Written, error) {
		f, err := a.journeyFacts(ctx, journeyID, kind, nil)
		if err != nil {
			return domain.Written{}, err
		}
		if err := a.authorize(ctx, o.w.Actor, act, f.resource); err != nil {
			return domain.Written{}, err
		}
		read, err := a.roundOfJourney(ctx, journeyID, roundID)
		if err != nil {
			return domain.Written{}, err
		}
		rev, err := o.expect(read)
		if err != nil {
			return domain.Written{}, err
		}
		return run(f, o.envelope("", rev), a.now())
	})
}

// OpenRound opens a 360 round (pre, post or extra) on the participant's
// journey with an instrument; it creates the round's id. If-Match, when
// sent, is about the journey.
func (a *App) OpenRound(ctx context.Context, w Write, c feedback.OpenRound) (Written, error) {
	o := op{w: w, name: "open-round", target: c.JourneyID}
	c.RoundID = o.newID(a.ids, "round")
	dw, err := o.decided(ctx, func() (domain.Written, error) {
		f, err := a.journeyFacts(ctx, c.JourneyID, access.KindFeedbackRound, nil)
		if err != nil {
			return domain.Written{}, err
		}
		if err := a.authorize(ctx, w.Actor, access.ActionWrite, f.resource); err != nil {
			return domain.Written{}, err
		}
		// The round is a stream of its own: If-Match is about the journey,
		// which opening a round does not change, and the round is created.
		if err := o.check(f.revision); err != nil {
			return domain.Written{}, err
		}
		c.Envelope, c.At = o.envelope("", domain.Revision{}), a.now()
		return a.deps.Rounds.OpenRound(ctx, c)
	})
	return written(c.RoundID, dw), err
}

// NominateRater nominates a rater for a round of journey journeyID and
// issues the rater's personal link, valid until expiresAt, with a token
// drawn from random; it creates the rater's id. The link is issued only
// once the nomination is recorded. The token is in the answer this once
// and is stored nowhere: a retry of the request (same Idempotency-Key)
// records the nomination once and issues a new link, which replaces the
// first. It answers once the link works on this replica, or ctx ended (see
// issued).
func (a *App) NominateRater(ctx context.Context, w Write, random io.Reader, journeyID string, c feedback.NominateRater, expiresAt time.Time) (IssuedLink, error) {
	if a.deps.RaterLinks == nil {
		return IssuedLink{}, unavailable("the rater-links read model")
	}
	o := op{w: w, name: "nominate-rater", target: c.RoundID}
	c.RaterID = o.newID(a.ids, "rater")
	token, l, err := access.NewRaterLink(random, c.RoundID, c.RaterID, expiresAt)
	if err != nil {
		return IssuedLink{}, err
	}
	nw, err := a.onRound(ctx, o, journeyID, c.RoundID, access.KindFeedbackRound, access.ActionWrite,
		func(_ journeyFacts, env domain.Envelope, at time.Time) (domain.Written, error) {
			c.Envelope, c.At = env, at
			return a.deps.Rounds.NominateRater(ctx, c)
		})
	if err != nil {
		return IssuedLink{}, err
	}
	// The link is a second command on the round, right after the
	// nomination: the client's If-Match was about the round before it.
	lo := o
	lo.w.IfMatch = domain.Revision{}
	lw, err := lo.decided(ctx, func() (domain.Written, error) {
		return a.issueLink(ctx, l, lo.envelope("", domain.Revision{}))
	})
	if err != nil {
		return IssuedLink{}, err
	}
	return a.issued(ctx, token, l, nw.After(lw)), nil
}

// DecideOnRater records the manager's decision on a nominated rater:
// approved, or rejected.
func (a *App) DecideOnRater(ctx context.Context, w Write, journeyID, roundID, raterID string, approved bool) (Written, error) {
	if approved {
		return a.ApproveRater(ctx, w, journeyID, feedback.ApproveRater{RoundID: roundID, RaterID: raterID})
	}
	return a.RejectRater(ctx, w, journeyID, feedback.RejectRater{RoundID: roundID, RaterID: raterID})
}

// ApproveRater records the manager's approval of a nominated rater, where
// the programme asks for it; the actor is the manager who decides.
func (a *App) ApproveRater(ctx context.Context, w Write, journeyID string, c feedback.ApproveRater) (Written, error) {
	o := op{w: w, name: "approve-rater:" + c.RaterID, target: c.RoundID}
	dw, err := a.onRound(ctx, o, journeyID, c.RoundID, access.KindFeedbackRound, access.ActionConfirm,
		func(_ journeyFacts, env domain.Envelope, at time.Time) (domain.Written, error) {
			c.ManagerID, c.Envelope, c.At = w.Actor.Subject, env, at
			return a.deps.Rounds.ApproveRater(ctx, c)
		})
	return written(c.RaterID, dw), err
}

// RejectRater records the manager's rejection of a nominated rater, where
// the programme asks for it; the actor is the manager who decides.
func (a *App) RejectRater(ctx context.Context, w Write, journeyID string, c feedback.RejectRater) (Written, error) {
	o := op{w: w, name: "reject-rater:" + c.RaterID, target: c.RoundID}
	dw, err := a.onRound(ctx, o, journeyID, c.RoundID, access.KindFeedbackRound, access.ActionConfirm,
		func(_ journeyFacts, env domain.Envelope, at time.Time) (domain.Written, error) {
			c.ManagerID, c.Envelope, c.At = w.Actor.Subject, env, at
			return a.deps.Rounds.RejectRater(ctx, c)
		})
	return written(c.RaterID, dw), err
}

// SubmitSelfAssessment records the participant's answers to their own round
// as the rater group "self". The domain models self as a rater of the round
// (rater id = participant id, no approval needed): the first
// self-assessment nominates the participant and records their answers in
// one append, so refused answers leave the round as it was; a second one is
// refused. The answer names the participant, whose self-assessment it is.
func (a *App) SubmitSelfAssessment(ctx context.Context, w Write, journeyID string, c feedback.SubmitSelfAssessment) (Written, error) {
	o := op{w: w, name: "self-assessment", target: c.RoundID}
	dw, err := a.onRound(ctx, o, journeyID, c.RoundID, access.KindSelfAssessment, access.ActionWrite,
		func(f journeyFacts, env domain.Envelope, at time.Time) (domain.Written, error) {
			c.ParticipantID, c.Envelope, c.At = f.resource.ParticipantID, env, at
			return a.deps.Rounds.SubmitSelfAssessment(ctx, c)
		})
	return written(c.ParticipantID, dw), err
}

// CloseRound closes the participant's 360 round: no rater answers after
// that, the links of the round stop working, and its results appear in the
// portfolio (per rater group, where enough raters answered).
func (a *App) CloseRound(ctx context.Context, w Write, journeyID string, c feedback.CloseRound) (Written, error) {
	o := op{w: w, name: "close-round", target: c.RoundID}
	dw, err := a.onRound(ctx, o, journeyID, c.RoundID, access.KindFeedbackRound, access.ActionWrite,
		func(_ journeyFacts, env domain.Envelope, at time.Time) (domain.Written, error) {
			c.Envelope, c.At = env, at
			return a.deps.Rounds.CloseRound(ctx, c)
		})
	return written(c.RoundID, dw), err
}

// RaterForm is what a rater's link shows: the round and the questions of
// its instrument. It names no participant.
type RaterForm struct {
	RoundID      string
	InstrumentID string
	Closed       bool
	// ExpiresAt is when the rater's link stops working.
	ExpiresAt    time.Time
	Title        string
	Scale        feedback.Scale
	Competencies []feedback.Competency
}

// RaterForm is the answer form of round roundID for a rater holding a link
// to it: the questions of the round's instrument.
func (a *App) RaterForm(ctx context.Context, p access.Principal, roundID string) (RaterForm, error) {
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindRaterForm, RoundID: roundID}); err != nil {
		return RaterForm{}, err
	}
	f := RaterForm{RoundID: roundID, ExpiresAt: p.LinkExpiresAt}
	if _, err := a.rounds.View(ctx, roundID, func(r *feedback.Round) { f.InstrumentID, f.Closed = r.InstrumentID(), r.Closed() }); err != nil {
		return RaterForm{}, notFound("360 round", roundID, err)
	}
	if a.deps.InstrumentView == nil {
		return RaterForm{}, unavailable("the instruments")
	}
	if _, err := a.deps.InstrumentView.View(ctx, f.InstrumentID, func(in *feedback.Instrument) {
		f.Title, f.Scale, f.Competencies = in.Title(), in.Scale(), in.Competencies()
	}); err != nil {
		return RaterForm{}, notFound("instrument", f.InstrumentID, err)
	}
	return f, nil
}

// SubmitResponse records the answers of the rater holding a link to round
// c.RoundID (the actor), once.
func (a *App) SubmitResponse(ctx context.Context, w Write, c feedback.SubmitResponse) (Written, error) {
	o := op{w: w, name: "rater-response", target: c.RoundID}
	dw, err := o.decided(ctx, func() (domain.Written, error) {
		if err := a.authorize(ctx, w.Actor, access.ActionWrite, access.Resource{Kind: access.KindRaterForm, RoundID: c.RoundID}); err != nil {
			return domain.Written{}, err
		}
		read, err := a.rounds.View(ctx, c.RoundID, func(*feedback.Round) {})
		if err != nil {
			return domain.Written{}, notFound("360 round", c.RoundID, err)
		}
		rev, err := o.expect(read)
		if err != nil {
			return domain.Written{}, err
		}
		c.RaterID, c.Envelope, c.At = w.Actor.Subject, o.envelope("", rev), a.now()
		return a.deps.Rounds.SubmitResponse(ctx, c)
	})
	return written(c.RoundID, dw), err
}

// RoundState is a 360 round as its reader may see it. The participant sees
// it whole: its state, the raters nominated with their approval and the
// responses counted per group, never who answered (a rater's approval reads
// the same whether they answered or not). Their manager sees the round's
// state and the raters awaiting their decision only: Whole is false, and
// Raters and Responses are nil.
type RoundState struct {
	RoundID, JourneyID, ParticipantID, InstrumentID string
	Kind                                            feedback.RoundKind
	OpenedAt                                        time.Time
	// ClosedAt is when the round was closed; nil while it is open.
	ClosedAt      *time.Time
	RaterApproval bool
	// Revision is the round stream's revision, for If-Match.
	Revision  uint64
	Whole     bool
	Raters    []feedback.NominatedRater
	Responses []GroupResponses
	// Awaiting are the raters awaiting the manager's decision; none once
	// the round is closed.
	Awaiting []feedback.NominatedRater
}

// GroupResponses counts the raters of one group: nominated (rejected ones
// included) and answered.
type GroupResponses struct {
	Group                feedback.RaterGroup
	Nominated, Responded int
}

// FeedbackRound is 360 round roundID of journey journeyID for p: whole for
// the participant, the raters awaiting their decision for the journey's
// manager (see RoundState). It is read from the round's stream, with the
// access facts of the journey's.
func (a *App) FeedbackRound(ctx context.Context, p access.Principal, journeyID, roundID string) (RoundState, error) {
	whole, err := a.roundReader(ctx, p, journeyID)
	if err != nil {
		return RoundState{}, err
	}
	s, err := a.roundState(ctx, roundID, whole)
	if err != nil {
		return RoundState{}, err
	}
	if s.JourneyID != journeyID {
		return RoundState{}, fmt.Errorf("360 round %s not found in journey %s: %w", roundID, journeyID, domain.ErrNotFound)
	}
	return s, nil
}

// FeedbackRounds are the 360 rounds of journey journeyID for p, in the
// order they were opened, each as FeedbackRound shows it. Which rounds a
// journey has comes from the portfolio read model (min, when not 0, is a
// log position it must include); each round itself from its stream.
func (a *App) FeedbackRounds(ctx context.Context, p access.Principal, journeyID string, min uint64) ([]RoundState, error) {
	whole, err := a.roundReader(ctx, p, journeyID)
	if err != nil {
		return nil, err
	}
	ids, err := a.roundsOf(ctx, journeyID, min)
	if err != nil {
		return nil, err
	}
	out := make([]RoundState, 0, len(ids))
	for _, id := range ids {
		s, err := a.roundState(ctx, id, whole)
		if errors.Is(err, domain.ErrNotFound) {
			continue // erased since the read model listed it
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// PendingRaterDecision is a rater awaiting a manager's decision: in which
// journey (whose participant) and round, the rater's id and group, and
// since when.
type PendingRaterDecision struct {
	JourneyID, ParticipantID, RoundID, RaterID string
	Group                                      feedback.RaterGroup
	NominatedAt                                time.Time
}

// RaterDecisions are the decisions on raters that manager p has to take:
// every rater awaiting approval in the open rounds of the journeys they
// manage now, journey by journey in the order they became theirs, rounds in
// the order they were opened, raters in the order they were nominated.
//
// The journeys and their rounds come from the portfolio read model (min,
// when not 0, is a log position it must include), which indexes both: the
// alternative, reading every round stream, has no index from a journey to
// its rounds. What is pending, and whether p still manages the journey,
// comes from the streams, so a read model that lags behind a change of
// manager or a decision never shows a decision that is not p's to take.
func (a *App) RaterDecisions(ctx context.Context, p access.Principal, min uint64) ([]PendingRaterDecision, error) {
	if !p.Has(access.RoleManager) {
		return nil, &DeniedError{Reason: "only managers decide on raters"}
	}
	if a.deps.Portfolios == nil {
		return nil, unavailable("the portfolio read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Portfolios.Name()); err != nil {
		return nil, err
	}
	out := []PendingRaterDecision{}
	for _, jid := range a.deps.Portfolios.Managed(p.Subject) {
		f, err := a.journeyFacts(ctx, jid, access.KindRaterDecision, nil)
		if errors.Is(err, domain.ErrNotFound) {
			continue // erased since the read model listed it
		}
		if err != nil {
			return nil, err
		}
		if !a.allowed(p, access.ActionRead, f.resource) {
			continue // the read model is behind a change of manager
		}
		ids, err := a.roundsOf(ctx, jid, 0)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			s, err := a.roundState(ctx, id, false)
			if errors.Is(err, domain.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			for _, r := range s.Awaiting {
				out = append(out, PendingRaterDecision{JourneyID: jid, ParticipantID: f.resource.ParticipantID, RoundID: id,
					RaterID: r.RaterID, Group: r.Group, NominatedAt: r.NominatedAt})
			}
		}
	}
	return out, nil
}

// roundReader decides whether p may read the 360 rounds of journey
// journeyID whole (the participant) or only the raters awaiting their
// decision (the manager), and refuses anyone else.
func (a *App) roundReader(ctx context.Context, p access.Principal, journeyID string) (whole bool, err error) {
	f, err := a.journeyFacts(ctx, journeyID, access.KindFeedbackRound, nil)
	if err != nil {
		return false, err
	}
	if a.allowed(p, access.ActionRead, f.resource) {
		return true, nil
	}
	r := f.resource
	if p.Has(access.RoleManager) {
		r.Kind = access.KindRaterDecision
	}
	return false, a.authorize(ctx, p, access.ActionRead, r)
}

// roundsOf returns the ids of the 360 rounds of journey journeyID in the
// order they were opened, from the portfolio read model once it has
// reached min.
func (a *App) roundsOf(ctx context.Context, journeyID string, min uint64) ([]string, error) {
	if a.deps.Portfolios == nil {
		return nil, unavailable("the portfolio read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Portfolios.Name()); err != nil {
		return nil, err
	}
	v, err := a.deps.Portfolios.Current(journeyID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil // not in the read model yet
	}
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(v.FeedbackRounds))
	for i, r := range v.FeedbackRounds {
		ids[i] = r.RoundID
	}
	return ids, nil
}

// roundState reads round roundID from its stream: whole, or only what its
// manager may see.
func (a *App) roundState(ctx context.Context, roundID string, whole bool) (RoundState, error) {
	var s RoundState
	rev, err := a.rounds.View(ctx, roundID, func(r *feedback.Round) {
		s = RoundState{RoundID: r.ID(), JourneyID: r.JourneyID(), ParticipantID: r.ParticipantID(), InstrumentID: r.InstrumentID(),
			Kind: r.Kind(), OpenedAt: r.OpenedAt(), RaterApproval: r.RaterApproval(), Whole: whole, Awaiting: r.Awaiting()}
		if r.Closed() {
			at := r.ClosedAt()
			s.ClosedAt = &at
		}
		if !whole {
			return
		}
		s.Raters = r.Raters()
		for _, g := range feedback.RaterGroups() {
			gr := GroupResponses{Group: g, Responded: r.ResponsesOf(g)}
			for _, n := range s.Raters {
				if n.Group == g {
					gr.Nominated++
				}
			}
			if gr.Nominated > 0 || gr.Responded > 0 {
				s.Responses = append(s.Responses, gr)
			}
		}
	})
	if err != nil {
		return RoundState{}, notFound("360 round", roundID, err)
	}
	s.Revision = rev
	return s, nil
}
