package usecase

import (
	"context"
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
	dw, err := a.onJourney(ctx, o, access.KindFeedbackRound, access.ActionWrite, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		// The round is a stream of its own: the journey's revision is not
		// about it.
		env.Expected = domain.Revision{}
		c.Envelope, c.At = env, at
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
