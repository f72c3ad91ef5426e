package raterlinks_test

import (
	"reflect"
	"testing"

	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

// TestSnapshotRestoreEqualsReplay snapshots the read model after every
// event of a history of issued, replaced, rejected and closed links,
// restores it into a fresh one, feeds the whole history (what it has is
// skipped), and checks that it answers as a read model that replayed it all.
func TestSnapshotRestoreEqualsReplay(t *testing.T) {
	l := fixture.NewLog(11)
	round, other := l.ID(), l.ID()
	a, b, c := l.ID(), l.ID(), l.ID()
	rs, os := fixture.RoundStream(round), fixture.RoundStream(other)
	issue := func(stream, roundID, rater, h string) {
		l.Append(stream, feedback.RaterLinkIssued{RoundID: roundID, RaterID: rater, TokenHash: h, ExpiresAt: at.AddDate(0, 0, 7), At: at})
	}
	issue(rs, round, a, hash("a"))
	issue(rs, round, b, hash("b"))
	issue(os, other, a, hash("c"))
	issue(rs, round, a, hash("d")) // replaces a's first link
	l.Append(rs, feedback.RaterRejected{RoundID: round, RaterID: b, At: at})
	issue(rs, round, c, hash("e"))
	l.Append(os, feedback.RoundClosed{RoundID: other, At: at})
	l.Append("invoice-1", projections.UnknownEvent{Name: "billing.invoice_sent"})
	issue(rs, round, c, hash("f"))
	evs := l.Events
	hashes := []string{hash("a"), hash("b"), hash("c"), hash("d"), hash("e"), hash("f")}
	pairs := [][2]string{{round, a}, {round, b}, {round, c}, {other, a}}

	full := raterlinks.New()
	feed(t, full, evs)
	want := state(full, hashes, pairs)
	for cut := 1; cut <= len(evs); cut++ {
		first := raterlinks.New()
		feed(t, first, evs[:cut])
		dir := t.TempDir()
		if _, err := projections.WriteSnapshot(dir, first); err != nil {
			t.Fatalf("cut %d: write: %v", cut, err)
		}
		restored := raterlinks.New()
		if _, err := projections.ReadSnapshot(dir, restored, evs[len(evs)-1].Position); err != nil {
			t.Fatalf("cut %d: read: %v", cut, err)
		}
		if got, want := state(restored, hashes, pairs), state(first, hashes, pairs); !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: restored %v, snapshotted %v", cut, got, want)
		}
		feed(t, restored, evs)
		if got := state(restored, hashes, pairs); !reflect.DeepEqual(got, want) {
			t.Fatalf("cut %d: restored and fed the rest %v, full replay %v", cut, got, want)
		}
	}
}
