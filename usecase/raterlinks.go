package usecase

import (
	"context"
	"io"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/feedback"
)

// RaterLinkIndex is the rater-links read model: the links issued, by the
// hash of their token (never the token) and by round and rater. Both
// lookups return an error wrapping domain.ErrNotFound for no link.
type RaterLinkIndex interface {
	// Name is the read model's name, the one ReadYourWrites waits for.
	Name() string
	ByHash(hash string) (access.RaterLink, error)
	Of(roundID, raterID string) (access.RaterLink, error)
}

// RaterLink returns the link whose token hashes to hash, expired or not
// (the caller tells an expired link apart), or an error wrapping
// domain.ErrNotFound: how a rater holding a link is recognised.
func (a *App) RaterLink(_ context.Context, hash string) (access.RaterLink, error) {
	if a.deps.RaterLinks == nil {
		return access.RaterLink{}, unavailable("the rater-links read model")
	}
	return a.deps.RaterLinks.ByHash(hash)
}

// IssuedLink is a rater's personal link as it was just issued. Token is in
// this answer once and stored nowhere (only its hash is recorded): send it
// to the rater, do not keep it. Written is what the request wrote (ID: the
// rater).
type IssuedLink struct {
	Written
	RoundID   string
	RaterID   string
	Token     string
	ExpiresAt time.Time
}

// IssueRaterLink issues a new link, valid until c.ExpiresAt, for a rater
// nominated before in round c.RoundID of journey journeyID (a lost
// invitation, or a rater nominated without a link, as by leerpad seed),
// with a token drawn from random (crypto/rand.Reader in production); the
// rater's earlier link stops working. Whether the rater may get a link
// (nominated, not rejected, not answered yet, round open) is the domain's
// decision, taken when the link is recorded. It answers once the link works
// on this replica, or ctx ended (see issued).
func (a *App) IssueRaterLink(ctx context.Context, w Write, random io.Reader, journeyID string, c feedback.IssueRaterLink) (IssuedLink, error) {
	if a.deps.RaterLinks == nil {
		return IssuedLink{}, unavailable("the rater-links read model")
	}
	token, l, err := access.NewRaterLink(random, c.RoundID, c.RaterID, c.ExpiresAt)
	if err != nil {
		return IssuedLink{}, err
	}
	o := op{w: w, name: "issue-rater-link:" + c.RaterID, target: c.RoundID}
	dw, err := a.onRound(ctx, o, journeyID, c.RoundID, access.KindFeedbackRound, access.ActionWrite,
		func(_ journeyFacts, env domain.Envelope, _ time.Time) (domain.Written, error) {
			return a.issueLink(ctx, l, env)
		})
	if err != nil {
		return IssuedLink{}, err
	}
	return a.issued(ctx, token, l, dw), nil
}

// issueLink records link l through the domain (feedback.IssueRaterLink,
// event feedback.rater_link_issued in the round's stream), replacing the
// rater's earlier link; env is the command's envelope but for its
// idempotency key.
//
// The key derives from the token hash, not from the request's
// Idempotency-Key: a retried request draws a new token by design (the token
// is never replayed), and deduplicating that second link against the first
// would leave the token the client now holds unrecorded. The hash is unique
// per link, so the same link recorded twice is still recorded once.
func (a *App) issueLink(ctx context.Context, l access.RaterLink, env domain.Envelope) (domain.Written, error) {
	env.IdempotencyKey = "rater-link:" + l.TokenHash
	return a.deps.Rounds.IssueRaterLink(ctx, feedback.IssueRaterLink{RoundID: l.RoundID, RaterID: l.RaterID, TokenHash: l.TokenHash,
		ExpiresAt: l.ExpiresAt, At: a.now(), Envelope: env})
}

// issued is the answer for link l, recorded as dw, once this replica's
// rater-links read model knows it (read your own link), so that the token
// works here at once. Another replica knows the link as soon as its runner
// has read that position, normally within milliseconds; the rater receives
// the link by e-mail, long after.
//
// The wait lasts as long as ctx. When it runs out, the link is recorded all
// the same and works as soon as the read model catches up, so issued logs
// and succeeds: failing would withhold the token of a link that exists.
func (a *App) issued(ctx context.Context, token string, l access.RaterLink, dw domain.Written) IssuedLink {
	if a.deps.ReadYourWrites != nil && dw.Position > 0 {
		if err := a.deps.ReadYourWrites.WaitFor(ctx, a.deps.RaterLinks.Name(), dw.Position); err != nil {
			a.log.WarnContext(ctx, "rater link recorded; the rater-links read model has not caught up with it yet", "round", l.RoundID, "err", err)
		}
	}
	return IssuedLink{Written: written(l.RaterID, dw), RoundID: l.RoundID, RaterID: l.RaterID, Token: token, ExpiresAt: l.ExpiresAt}
}
