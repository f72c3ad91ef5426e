// Package raterlinks is the rater-link read model: the links issued to 360
// raters (feedback.rater_link_issued in the round streams feedback-<round>),
// found by the SHA-256 of their token. It is how every replica recognises a
// link, whichever replica issued it: the links live in the log, and this read
// model is rebuilt from it after a restart.
//
// Which links work:
//   - a rater has one link per round: a later link replaces the earlier one,
//     whose hash is forgotten;
//   - closing the round ends all its links, and rejecting a rater ends theirs
//     (a rejected rater can never answer);
//   - a rater who answered keeps the link: the domain refuses a second answer
//     (409), and the form still shows what the link opened; removing it would
//     only turn that clear answer into an unexplained 401;
//   - expiry is not applied here: a link is kept after ExpiresAt, so that the
//     API can tell the rater it expired rather than that it never existed.
//
// It holds hashes, ids and times only: no token, no name, no answer.
package raterlinks

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/projections"
)

// Name is the read model's stable name; it keys its checkpoint.
const Name = "rater-links"

// Link is a rater's current link in a round.
type Link struct {
	RoundID   string
	RaterID   string
	TokenHash string // hex SHA-256 of the token
	ExpiresAt time.Time
}

// ReadModel is the rater-link read model. It is safe for concurrent use:
// lookups run concurrently with each other and with Handle.
type ReadModel struct {
	projections.Frame

	// mu guards the fields below and the Frame's checkpoint together.
	mu      sync.RWMutex
	byHash  map[string]Link
	byRound map[string]map[string]string // round id -> rater id -> token hash
}

var _ projections.Projection = (*ReadModel)(nil)

// New returns an empty read model.
func New() *ReadModel {
	m := &ReadModel{byHash: map[string]Link{}, byRound: map[string]map[string]string{}}
	m.Frame = projections.NewFrame(Name, &m.mu)
	return m
}

// Handle applies e once; see projections.Projection.
func (m *ReadModel) Handle(ctx context.Context, ev projections.Event) error {
	return projections.Apply(&m.Frame, ev, func() bool {
		switch e := ev.Data.(type) {
		case feedback.RaterLinkIssued:
			m.onRaterLinkIssued(ctx, e)
		case feedback.RaterRejected:
			m.onRaterRejected(ctx, e)
		case feedback.RaterErased:
			m.onRaterErased(ctx, e)
		case feedback.RoundClosed:
			m.onRoundClosed(ctx, e)
		default:
			return false
		}
		return true
	})
}

func (m *ReadModel) onRaterLinkIssued(_ context.Context, e feedback.RaterLinkIssued) {
	raters := m.byRound[e.RoundID]
	if raters == nil {
		raters = map[string]string{}
		m.byRound[e.RoundID] = raters
	}
	if old, ok := raters[e.RaterID]; ok {
		delete(m.byHash, old)
	}
	raters[e.RaterID] = e.TokenHash
	m.byHash[e.TokenHash] = Link{RoundID: e.RoundID, RaterID: e.RaterID, TokenHash: e.TokenHash, ExpiresAt: e.ExpiresAt}
}

func (m *ReadModel) onRaterRejected(_ context.Context, e feedback.RaterRejected) {
	raters := m.byRound[e.RoundID]
	if hash, ok := raters[e.RaterID]; ok {
		delete(m.byHash, hash)
		delete(raters, e.RaterID)
	}
}

// onRaterErased ends an erased rater's link, as a rejection does.
func (m *ReadModel) onRaterErased(ctx context.Context, e feedback.RaterErased) {
	m.onRaterRejected(ctx, feedback.RaterRejected{RoundID: e.RoundID, RaterID: e.RaterID, At: e.At})
}

func (m *ReadModel) onRoundClosed(_ context.Context, e feedback.RoundClosed) {
	for _, hash := range m.byRound[e.RoundID] {
		delete(m.byHash, hash)
	}
	delete(m.byRound, e.RoundID)
}

// ByHash returns the link whose token has the SHA-256 hash (hex), expired
// or not, or an error wrapping domain.ErrNotFound when no working link has
// it: never issued, replaced, or ended by the rater's rejection or the
// round's close. The error does not repeat the hash.
func (m *ReadModel) ByHash(hash string) (Link, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	l, ok := m.byHash[hash]
	if !ok {
		return Link{}, fmt.Errorf("rater link: %w", domain.ErrNotFound)
	}
	return l, nil
}

// Of returns the current link of a rater in a round, or an error wrapping
// domain.ErrNotFound when the rater has none.
func (m *ReadModel) Of(roundID, raterID string) (Link, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	l, ok := m.byHash[m.byRound[roundID][raterID]]
	if !ok {
		return Link{}, fmt.Errorf("link of rater %s in round %s: %w", raterID, roundID, domain.ErrNotFound)
	}
	return l, nil
}

// Len returns how many links work (expired ones included).
func (m *ReadModel) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.byHash)
}
