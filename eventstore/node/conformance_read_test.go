package node

import (
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

func TestConformanceReadStream(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)
	stream := newStreamID("journey")
	other := newStreamID("journey")
	for i := range 10 {
		// Interleave another stream so stream reads cannot lean on $all order.
		mustAppend(t, c, stream, esdb.Any{}, jsonEvent("Step", i))
		mustAppend(t, c, other, esdb.Any{}, jsonEvent("Noise", i))
	}
	for _, tc := range []struct {
		name  string
		opts  esdb.ReadStreamOptions
		count uint64
		want  []uint64
	}{
		{"forwards from start", esdb.ReadStreamOptions{From: esdb.Start{}}, 100, revRange(0, 9)},
		{"forwards from start with count", esdb.ReadStreamOptions{From: esdb.Start{}}, 3, revRange(0, 2)},
		{"forwards from a revision (inclusive)", esdb.ReadStreamOptions{From: esdb.Revision(4)}, 3, revRange(4, 6)},
		{"forwards from the last revision", esdb.ReadStreamOptions{From: esdb.Revision(9)}, 100, revRange(9, 9)},
		{"forwards past the end", esdb.ReadStreamOptions{From: esdb.Revision(20)}, 100, nil},
		{"forwards from end", esdb.ReadStreamOptions{From: esdb.End{}}, 100, nil},
		{"backwards from end", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 100, revRange(9, 0)},
		{"backwards from end with count", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 2, revRange(9, 8)},
		{"backwards from a revision (inclusive)", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Revision(4)}, 100, revRange(4, 0)},
		{"backwards from a revision with count", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Revision(4)}, 2, revRange(4, 3)},
		{"backwards from past the end", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Revision(50)}, 3, revRange(9, 7)},
		{"backwards from start", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Start{}}, 100, revRange(0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			evs := mustReadStream(t, c, stream, tc.opts, tc.count)
			requireRevs(t, evs, tc.want)
			for _, ev := range evs {
				if ev.OriginalEvent().StreamID != stream {
					t.Fatalf("read of %s returned an event of %s", stream, ev.OriginalEvent().StreamID)
				}
			}
		})
	}
}

func TestConformanceReadStreamLong(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)
	stream := newStreamID("long")
	appendMany(t, c, stream, "E", 700) // several of the node's read batches
	for _, tc := range []struct {
		name  string
		opts  esdb.ReadStreamOptions
		count uint64
		want  []uint64
	}{
		{"forwards, all", esdb.ReadStreamOptions{}, 1000, revRange(0, 699)},
		{"forwards, count across batches", esdb.ReadStreamOptions{From: esdb.Revision(100)}, 300, revRange(100, 399)},
		{"backwards, all", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1000, revRange(699, 0)},
		{"backwards, count across batches", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Revision(600)}, 300, revRange(600, 301)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			requireRevs(t, mustReadStream(t, c, stream, tc.opts, tc.count), tc.want)
		})
	}
}

func TestConformanceReadStreamNotFound(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)
	for _, tc := range []struct {
		name string
		opts esdb.ReadStreamOptions
	}{
		{"forwards", esdb.ReadStreamOptions{}},
		{"backwards", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}},
		{"from a revision", esdb.ReadStreamOptions{From: esdb.Revision(3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := readStream(t, c, newStreamID("missing"), tc.opts, 10)
			requireCode(t, err, esdb.ErrorCodeResourceNotFound)
		})
	}
	t.Run("metadata stream", func(t *testing.T) {
		t.Parallel()
		_, err := readStream(t, c, "$$"+newStreamID("missing"), esdb.ReadStreamOptions{}, 10)
		requireCode(t, err, esdb.ErrorCodeResourceNotFound)
	})
}

func TestConformanceReadAll(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t) // own node: the whole of $all is this test's
	names := []string{newStreamID("journey"), newStreamID("journey"), newStreamID("learner")}
	for i := range 30 {
		mustAppend(t, c, names[i%len(names)], esdb.Any{}, jsonEvent("Step", i))
	}
	fwd := mustReadAll(t, c, esdb.ReadAllOptions{}, 1000)
	if len(fwd) != 30 {
		t.Fatalf("$all has %d events, want 30", len(fwd))
	}
	for i, ev := range fwd {
		if want := names[i%len(names)]; ev.OriginalEvent().StreamID != want || ev.OriginalEvent().EventNumber != uint64(i/len(names)) {
			t.Fatalf("$all[%d] = %s@%d, want %s@%d", i, ev.OriginalEvent().StreamID, ev.OriginalEvent().EventNumber, want, i/len(names))
		}
	}
	requirePositions(t, fwd)
	pos := func(i int) esdb.Position { return fwd[i].OriginalEvent().Position }

	for _, tc := range []struct {
		name  string
		opts  esdb.ReadAllOptions
		count uint64
		want  []int // indexes into fwd
	}{
		{"forwards from start with count", esdb.ReadAllOptions{From: esdb.Start{}}, 5, idxRange(0, 4)},
		{"forwards from a position (inclusive)", esdb.ReadAllOptions{From: pos(10)}, 3, idxRange(10, 12)},
		{"forwards from the last position", esdb.ReadAllOptions{From: pos(29)}, 10, idxRange(29, 29)},
		{"forwards from end", esdb.ReadAllOptions{From: esdb.End{}}, 10, nil},
		{"backwards from end", esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1000, idxRange(29, 0)},
		{"backwards from end with count", esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 4, idxRange(29, 26)},
		{"backwards from a position (events before it)", esdb.ReadAllOptions{Direction: esdb.Backwards, From: pos(10)}, 3, idxRange(9, 7)},
		{"backwards from the first position", esdb.ReadAllOptions{Direction: esdb.Backwards, From: pos(0)}, 10, nil},
		{"backwards from start", esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.Start{}}, 10, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := mustReadAll(t, c, tc.opts, tc.count)
			if len(got) != len(tc.want) {
				t.Fatalf("%d events, want %d", len(got), len(tc.want))
			}
			for i, j := range tc.want {
				if got[i].OriginalEvent().Position != pos(j) || got[i].OriginalEvent().EventID != fwd[j].OriginalEvent().EventID {
					t.Fatalf("event %d at %v, want $all[%d] at %v", i, got[i].OriginalEvent().Position, j, pos(j))
				}
			}
		})
	}
}

func TestConformanceReadEventFields(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)
	stream := "journey-3f2a-" + newStreamID("9c1d")
	sent := jsonEvents("MilestoneCompleted", 0, 4)
	sent[1].ContentType, sent[1].Data = esdb.ContentTypeBinary, []byte{0xde, 0xad}
	before := time.Now()
	mustAppend(t, c, stream, esdb.NoStream{}, sent[:2]...)
	mustAppend(t, c, stream, esdb.Revision(1), sent[2:]...)

	streamEvs := mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10)
	allEvs := ofStream(mustReadAll(t, c, esdb.ReadAllOptions{}, 1000), stream)
	if len(streamEvs) != len(sent) || len(allEvs) != len(sent) {
		t.Fatalf("read %d events from the stream and %d from $all, want %d", len(streamEvs), len(allEvs), len(sent))
	}
	requirePositions(t, streamEvs)
	for i, ev := range streamEvs {
		got := ev.OriginalEvent()
		if got.StreamID != stream || got.EventNumber != uint64(i) || got.EventID != sent[i].EventID || got.EventType != sent[i].EventType {
			t.Fatalf("event %d = %s@%d %s %s", i, got.StreamID, got.EventNumber, got.EventID, got.EventType)
		}
		if d := got.CreatedDate.Sub(before); d < -time.Second || d > time.Minute {
			t.Fatalf("event %d created %v, written at about %v", i, got.CreatedDate, before)
		}
		if got.SystemMetadata["type"] != got.EventType || got.SystemMetadata["created"] == "" {
			t.Fatalf("event %d system metadata = %v", i, got.SystemMetadata)
		}
		in := allEvs[i].OriginalEvent()
		if in.Position != got.Position || in.EventID != got.EventID || !in.CreatedDate.Equal(got.CreatedDate) {
			t.Fatalf("event %d: stream read %v %v, $all read %v %v", i, got.Position, got.CreatedDate, in.Position, in.CreatedDate)
		}
	}
	if ct := streamEvs[1].OriginalEvent().ContentType; ct != "application/octet-stream" {
		t.Fatalf("binary event content type = %q", ct)
	}
}

// requirePositions checks positions are set, commit = prepare, and strictly
// increasing in the order given.
func requirePositions(tb testing.TB, evs []*esdb.ResolvedEvent) {
	tb.Helper()
	var prev uint64
	for i, ev := range evs {
		p := ev.OriginalEvent().Position
		if p.Commit == 0 || p.Commit != p.Prepare {
			tb.Fatalf("event %d position = %d/%d, want commit = prepare > 0", i, p.Commit, p.Prepare)
		}
		if p.Commit <= prev {
			tb.Fatalf("event %d position %d is not after %d", i, p.Commit, prev)
		}
		if ev.Commit == nil || *ev.Commit != p.Commit {
			tb.Fatalf("event %d: resolved commit position %v, want %d", i, ev.Commit, p.Commit)
		}
		prev = p.Commit
	}
}

func idxRange(from, to int) []int {
	var out []int
	for _, r := range revRange(uint64(from), uint64(to)) {
		out = append(out, int(r))
	}
	return out
}
