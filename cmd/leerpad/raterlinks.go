package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/leerpad/leerpad/api"
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

// raterLinkStore is the API's store of rater links, durable and shared by
// every replica because it goes through the one data path: saving a link is
// the domain command feedback.IssueRaterLink (event
// feedback.rater_link_issued in the round's stream), and lookups are answered
// by the rater-links read model, which every replica builds from the log.
//
// Read your own link: SaveRaterLink returns once this replica's read model
// has handled the event, so the token the API hands out works here at once.
// It finds the event's global position in the round's stream (a few dozen
// events, read once per issued link) rather than through a receipt of its
// own, which would hide the position from the API's receipt and so from the
// response's Leerpad-Position header. Another replica knows the link as soon
// as its runner has read that position, normally within milliseconds; the
// rater receives the link by e-mail, long after.
type raterLinkStore struct {
	rounds  linkIssuer
	links   *raterlinks.ReadModel
	events  streamReader
	waiter  positionWaiter
	timeout time.Duration
	now     func() time.Time
	log     *slog.Logger
}

// linkIssuer records rater links; *feedback.RoundService is one.
type linkIssuer interface {
	IssueRaterLink(ctx context.Context, c feedback.IssueRaterLink) error
}

// streamReader reads a stream with the positions of its events; *eventstore.Store is one.
type streamReader interface {
	Load(ctx context.Context, stream string) ([]eventstore.Recorded, error)
}

// positionWaiter waits until a read model has handled a global position;
// *projections.Runner is one.
type positionWaiter interface {
	WaitFor(ctx context.Context, name string, position uint64) error
}

var _ api.RaterLinkStore = (*raterLinkStore)(nil)

// newRaterLinkStore returns the rater-link store over the round service, the
// read model links, the store it reads positions from and the runner that
// feeds links. It waits for its own writes at most
// api.DefaultReadYourWritesTimeout.
func newRaterLinkStore(rounds linkIssuer, links *raterlinks.ReadModel, events streamReader, waiter positionWaiter, log *slog.Logger) *raterLinkStore {
	return &raterLinkStore{rounds: rounds, links: links, events: events, waiter: waiter,
		timeout: api.DefaultReadYourWritesTimeout, now: time.Now, log: log}
}

// SaveRaterLink records l through the domain, replacing the rater's earlier
// link, and waits (bounded) until this replica's read model knows it. The
// domain's errors come back unchanged (ErrInvalid, ErrNotFound, ErrConflict,
// ErrForbidden).
//
// Its idempotency key is derived from the token hash, not from the request's
// Idempotency-Key: a retried request draws a new token by design (the token
// is never replayed), and deduplicating that second link against the first
// would leave the token the client now holds unrecorded. The hash is unique
// per link, so the same link saved twice is still recorded once.
//
// When the wait runs out, the link is recorded all the same and works as
// soon as the read model catches up, so SaveRaterLink logs and succeeds:
// failing would withhold the token of a link that exists.
func (s *raterLinkStore) SaveRaterLink(ctx context.Context, l access.RaterLink) error {
	err := s.rounds.IssueRaterLink(ctx, feedback.IssueRaterLink{RoundID: l.RoundID, RaterID: l.RaterID, TokenHash: l.TokenHash,
		ExpiresAt: l.ExpiresAt, At: s.now(), IdempotencyKey: "rater-link:" + l.TokenHash})
	if err != nil {
		return err
	}
	if err := s.waitFor(ctx, l); err != nil {
		s.log.WarnContext(ctx, "rater link recorded; the rater-links read model has not caught up with it yet", "round", l.RoundID, "err", err)
	}
	return nil
}

// waitFor waits until the read model has handled the event that issued l.
func (s *raterLinkStore) waitFor(ctx context.Context, l access.RaterLink) error {
	recs, err := s.events.Load(ctx, eventstore.StreamID(feedback.RoundCategory, l.RoundID))
	if err != nil {
		return fmt.Errorf("find the rater link's position: %w", err)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if e, ok := recs[i].Event.(feedback.RaterLinkIssued); ok && e.TokenHash == l.TokenHash {
			wctx, cancel := context.WithTimeout(ctx, s.timeout)
			defer cancel()
			return s.waiter.WaitFor(wctx, raterlinks.Name, recs[i].Position)
		}
	}
	return fmt.Errorf("find the rater link's position in round %s: %w", l.RoundID, domain.ErrNotFound)
}

// RaterLink returns the working link whose token hashes to hash, expired or
// not (the API tells an expired link apart), or an error wrapping
// domain.ErrNotFound.
func (s *raterLinkStore) RaterLink(_ context.Context, hash string) (access.RaterLink, error) {
	l, err := s.links.ByHash(hash)
	if err != nil {
		return access.RaterLink{}, err
	}
	return linkOf(l), nil
}

// RaterLinkOf returns the current link of a rater in a round, or an error
// wrapping domain.ErrNotFound.
func (s *raterLinkStore) RaterLinkOf(_ context.Context, roundID, raterID string) (access.RaterLink, error) {
	l, err := s.links.Of(roundID, raterID)
	if err != nil {
		return access.RaterLink{}, err
	}
	return linkOf(l), nil
}

func linkOf(l raterlinks.Link) access.RaterLink {
	return access.RaterLink{RoundID: l.RoundID, RaterID: l.RaterID, TokenHash: l.TokenHash, ExpiresAt: l.ExpiresAt}
}
