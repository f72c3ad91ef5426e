package raterlinks_test

import (
	"testing"

	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/raterlinks"
	"github.com/leerpad/leerpad/projections/readmodeltest"
)

// TestSnapshotRestoreEqualsReplay snapshots the read model after every
// event of a history of issued, replaced, rejected and closed links,
// restores it into a fresh one, feeds the whole history (what it has is
// skipped), and checks that it answers every query (readmodeltest
// enumerates them) as a read model that replayed it all.
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
	cuts := make([]int, len(evs))
	for i := range cuts {
		cuts[i] = i + 1
	}
	readmodeltest.RestoreEqualsReplay(t, func() projections.Snapshotter { return raterlinks.New() }, evs, cuts)
}
