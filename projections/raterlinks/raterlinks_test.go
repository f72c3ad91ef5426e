package raterlinks_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

var at = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

func feed(tb testing.TB, m projections.Projection, events []projections.Event) {
	tb.Helper()
	for _, ev := range events {
		if err := m.Handle(context.Background(), ev); err != nil {
			tb.Fatalf("handle %s@%d: %v", ev.Stream, ev.Revision, err)
		}
	}
}

func hash(c string) string { return strings.Repeat(c, 64) }

// state is everything the read model answers about some rounds and raters.
func state(m *raterlinks.ReadModel, hashes []string, pairs [][2]string) map[string]any {
	out := map[string]any{"len": m.Len(), "position": m.Position(), "unknown": m.Unknown()}
	for _, h := range hashes {
		l, err := m.ByHash(h)
		out["hash "+h[:4]] = [2]any{l, err == nil}
	}
	for _, p := range pairs {
		l, err := m.Of(p[0], p[1])
		out["of "+p[0]+"/"+p[1]] = [2]any{l, err == nil}
	}
	return out
}

func TestRaterLinks(t *testing.T) {
	l := fixture.NewLog(3)
	round, other := l.ID(), l.ID()
	peer, report, rejected := l.ID(), l.ID(), l.ID()
	rs, os := fixture.RoundStream(round), fixture.RoundStream(other)
	week := at.AddDate(0, 0, 7)
	issue := func(stream, roundID, rater, h string) {
		l.Append(stream, feedback.RaterLinkIssued{RoundID: roundID, RaterID: rater, TokenHash: h, ExpiresAt: week, At: at})
	}
	l.Append(rs, feedback.RoundOpened{RoundID: round, JourneyID: l.ID(), ParticipantID: l.ID(), ManagerID: l.ID(), InstrumentID: l.ID(),
		Kind: feedback.RoundPre, RaterApproval: true, At: at})
	l.Append(os, feedback.RoundOpened{RoundID: other, JourneyID: l.ID(), ParticipantID: l.ID(), ManagerID: l.ID(), InstrumentID: l.ID(),
		Kind: feedback.RoundPre, At: at})
	for _, r := range []string{peer, report, rejected} {
		l.Append(rs, feedback.RaterNominated{RoundID: round, RaterID: r, Group: feedback.GroupPeer, Name: "R", Email: "r@example.org", At: at})
	}
	l.Append(os, feedback.RaterNominated{RoundID: other, RaterID: peer, Group: feedback.GroupPeer, Name: "R", Email: "r@example.org", At: at})
	issue(rs, round, peer, hash("a"))
	issue(rs, round, report, hash("b"))
	issue(rs, round, rejected, hash("c"))
	issue(os, other, peer, hash("d"))
	issue(rs, round, peer, hash("e")) // replaces a
	l.Append(rs, feedback.RaterRejected{RoundID: round, RaterID: rejected, RejectedBy: l.ID(), At: at})
	l.Append(rs, feedback.ResponseSubmitted{RoundID: round, RaterID: report, Group: feedback.GroupPeer, Answers: []feedback.Answer{{ItemID: l.ID(), Score: 3}}, At: at})
	l.Append(journey.StreamCategory+"-"+l.ID(), projections.UnknownEvent{Name: "journey.from_the_future"})

	m := raterlinks.New()
	if m.Name() != raterlinks.Name || raterlinks.Name != "rater-links" {
		t.Fatalf("name %q", m.Name())
	}
	feed(t, m, l.Events)
	want := func(roundID, rater, h string) raterlinks.Link {
		return raterlinks.Link{RoundID: roundID, RaterID: rater, TokenHash: h, ExpiresAt: week}
	}
	for _, tc := range []struct {
		hash string
		want raterlinks.Link
		ok   bool
	}{
		{hash("a"), raterlinks.Link{}, false}, // replaced
		{hash("b"), want(round, report, hash("b")), true},
		{hash("c"), raterlinks.Link{}, false}, // rater rejected
		{hash("d"), want(other, peer, hash("d")), true},
		{hash("e"), want(round, peer, hash("e")), true},
		{hash("f"), raterlinks.Link{}, false}, // never issued
	} {
		got, err := m.ByHash(tc.hash)
		if got != tc.want || (err == nil) != tc.ok || !tc.ok && !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("ByHash(%s…) = %+v, %v; want %+v, found %v", tc.hash[:4], got, err, tc.want, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), tc.hash) {
			t.Errorf("the error %q repeats the hash", err)
		}
	}
	if got, err := m.Of(round, peer); err != nil || got != want(round, peer, hash("e")) {
		t.Errorf("Of(round, peer) = %+v, %v", got, err)
	}
	if _, err := m.Of(round, rejected); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Of(round, rejected): err = %v, want not found", err)
	}
	if _, err := m.Of(other, report); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Of(other, report): err = %v, want not found", err)
	}
	if m.Len() != 3 || m.Unknown() != 1 || m.Position() != l.Events[len(l.Events)-1].Position {
		t.Errorf("len %d, unknown %d, position %d", m.Len(), m.Unknown(), m.Position())
	}

	// Fed again, nothing changes.
	hashes := []string{hash("a"), hash("b"), hash("c"), hash("d"), hash("e")}
	pairs := [][2]string{{round, peer}, {round, report}, {round, rejected}, {other, peer}}
	before := state(m, hashes, pairs)
	feed(t, m, l.Events)
	if after := state(m, hashes, pairs); !reflect.DeepEqual(after, before) {
		t.Errorf("fed twice:\n got %v\nwant %v", after, before)
	}

	// Closing a round ends its links, and only its links.
	closing := []projections.Event{l.Append(rs, feedback.RoundClosed{RoundID: round, At: week})}
	feed(t, m, closing)
	for _, h := range []string{hash("b"), hash("e")} {
		if _, err := m.ByHash(h); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("ByHash(%s…) after the close: err = %v, want not found", h[:4], err)
		}
	}
	if _, err := m.Of(round, peer); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Of(round, peer) after the close: err = %v", err)
	}
	if got, err := m.ByHash(hash("d")); err != nil || got.RoundID != other {
		t.Errorf("the other round's link after the close: %+v, %v", got, err)
	}
	before = state(m, hashes, pairs)
	feed(t, m, l.Events)
	if after := state(m, hashes, pairs); !reflect.DeepEqual(after, before) || m.Len() != 1 {
		t.Errorf("fed twice after the close:\n got %v\nwant %v", after, before)
	}

	// A rebuild from the whole log gives the same answers.
	rebuilt := raterlinks.New()
	feed(t, rebuilt, l.Events)
	if got := state(rebuilt, hashes, pairs); !reflect.DeepEqual(got, before) {
		t.Errorf("rebuilt:\n got %v\nwant %v", got, before)
	}
}

func TestBadEnvelope(t *testing.T) {
	m := raterlinks.New()
	for _, ev := range []projections.Event{{Data: feedback.RoundClosed{}}, {Stream: feedback.RoundCategory + "-x"}} {
		if err := m.Handle(context.Background(), ev); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("Handle(%+v): err = %v, want invalid", ev, err)
		}
	}
}
