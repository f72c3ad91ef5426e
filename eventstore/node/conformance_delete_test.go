package node

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

func TestConformanceSoftDelete(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)

	// seeded is a stream of 3 events with metadata, soft-deleted.
	seeded := func(t *testing.T) string {
		t.Helper()
		stream := newStreamID("soft")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("Old", 0, 3)...)
		meta := esdb.StreamMetadata{}
		meta.SetMaxCount(100)
		meta.AddCustomProperty("owner", "learning-team")
		if _, err := c.SetStreamMetadata(context.Background(), stream, esdb.AppendToStreamOptions{}, meta); err != nil {
			t.Fatalf("set metadata: %v", err)
		}
		res, err := c.DeleteStream(context.Background(), stream, esdb.DeleteStreamOptions{ExpectedRevision: esdb.Revision(2)})
		if err != nil {
			t.Fatalf("delete: %v", err)
		}
		if res.Position.Commit == 0 || res.Position.Prepare == 0 {
			t.Fatalf("delete position = %+v, want > 0", res.Position)
		}
		return stream
	}

	t.Run("reads report not found", func(t *testing.T) {
		t.Parallel()
		stream := seeded(t)
		for _, opts := range []esdb.ReadStreamOptions{{}, {Direction: esdb.Backwards, From: esdb.End{}}, {From: esdb.Revision(1)}} {
			_, err := readStream(t, c, stream, opts, 10)
			requireCode(t, err, esdb.ErrorCodeResourceNotFound)
		}
		meta, err := c.GetStreamMetadata(context.Background(), stream, esdb.ReadStreamOptions{})
		if err != nil {
			t.Fatalf("metadata after delete: %v", err)
		}
		// $tb is long.MaxValue; the client reads JSON numbers as float64.
		if tb := meta.TruncateBefore(); tb == nil || *tb < math.MaxInt64 {
			t.Fatalf("$tb after delete = %v, want %d", tb, int64(math.MaxInt64))
		}
		if meta.CustomProperty("owner") != "learning-team" || meta.MaxCount() == nil || *meta.MaxCount() != 100 {
			t.Fatalf("delete lost metadata: %+v", meta)
		}
		// $all keeps the events until a scavenge, as on the real server.
		if n := len(ofStream(mustReadAll(t, c, esdb.ReadAllOptions{}, 10_000), stream)); n != 3 {
			t.Fatalf("$all holds %d events of the deleted stream, want 3", n)
		}
	})

	for _, tc := range []struct {
		name     string
		expected esdb.ExpectedRevision
	}{
		{"write with any resumes", esdb.Any{}},
		{"write with no stream resumes", esdb.NoStream{}},
		{"write with the last revision resumes", esdb.Revision(2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := seeded(t)
			res := mustAppend(t, c, stream, tc.expected, jsonEvents("New", 0, 2)...)
			if res.NextExpectedVersion != 4 {
				t.Fatalf("next expected version = %d, want 4", res.NextExpectedVersion)
			}
			evs := mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10)
			requireRevs(t, evs, revRange(3, 4))
			for _, ev := range evs {
				if ev.OriginalEvent().EventType != "New" {
					t.Fatalf("an event from before the delete is visible: %+v", ev.OriginalEvent())
				}
			}
			requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 10), revRange(4, 3))
			meta, err := c.GetStreamMetadata(context.Background(), stream, esdb.ReadStreamOptions{})
			if err != nil {
				t.Fatalf("metadata: %v", err)
			}
			if tb := meta.TruncateBefore(); tb == nil || *tb != 3 {
				t.Fatalf("$tb = %v, want 3", tb)
			}
			if meta.CustomProperty("owner") != "learning-team" || meta.MaxCount() == nil || *meta.MaxCount() != 100 {
				t.Fatalf("the $tb rewrite lost metadata: %+v", meta)
			}
			_, err = c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, jsonEvent("Again", 0))
			requireCode(t, err, esdb.ErrorCodeWrongExpectedVersion)
			mustAppend(t, c, stream, esdb.StreamExists{}, jsonEvent("More", 0))
			mustAppend(t, c, stream, esdb.Revision(5), jsonEvent("More", 1))
			requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10), revRange(3, 6))
		})
	}

	t.Run("subscription catch-up skips deleted events", func(t *testing.T) {
		t.Parallel()
		stream := seeded(t)
		mustAppend(t, c, stream, esdb.Any{}, jsonEvent("New", 0))
		sub := subscribeStream(t, c, stream, esdb.Start{})
		requireRecordedRevs(t, sub.untilCaughtUp(t), revRange(3, 3))
	})

	t.Run("live subscription across delete and revival", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("soft")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("Old", 0, 3)...)
		sub := subscribeStream(t, c, stream, esdb.End{})
		requireRecordedRevs(t, sub.untilCaughtUp(t), nil)
		if _, err := c.DeleteStream(context.Background(), stream, esdb.DeleteStreamOptions{}); err != nil {
			t.Fatalf("delete: %v", err)
		}
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("New", 0))
		if ev := sub.nextEvent(t); ev.EventNumber != 3 || ev.EventType != "New" {
			t.Fatalf("live event %s@%d, want New@3", ev.EventType, ev.EventNumber)
		}
		sub.quiet(t, 50*time.Millisecond)
	})

	t.Run("wrong expected version", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("soft")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("E", 0, 3)...)
		for _, x := range []esdb.ExpectedRevision{esdb.Revision(1), esdb.Revision(7), esdb.NoStream{}} {
			_, err := c.DeleteStream(context.Background(), stream, esdb.DeleteStreamOptions{ExpectedRevision: x})
			requireWrongExpectedStatus(t, err)
		}
		_, err := c.DeleteStream(context.Background(), newStreamID("never"), esdb.DeleteStreamOptions{ExpectedRevision: esdb.StreamExists{}})
		requireWrongExpectedStatus(t, err)
		requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10), revRange(0, 2))
	})

	t.Run("never-written stream with no stream", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("soft")
		res, err := c.DeleteStream(context.Background(), stream, esdb.DeleteStreamOptions{ExpectedRevision: esdb.NoStream{}})
		if err != nil {
			t.Fatalf("delete: %v", err)
		}
		if res.Position.Commit == 0 {
			t.Fatalf("delete position = %+v, want > 0", res.Position)
		}
		_, err = readStream(t, c, stream, esdb.ReadStreamOptions{}, 10)
		requireCode(t, err, esdb.ErrorCodeResourceNotFound)
		res2 := mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("First", 0))
		if res2.NextExpectedVersion != 0 {
			t.Fatalf("first write after deleting a never-written stream at %d, want 0", res2.NextExpectedVersion)
		}
		requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10), revRange(0, 0))
	})

	t.Run("default expected revision any", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("soft")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("E", 0, 2)...)
		if _, err := c.DeleteStream(context.Background(), stream, esdb.DeleteStreamOptions{}); err != nil {
			t.Fatalf("delete: %v", err)
		}
		_, err := readStream(t, c, stream, esdb.ReadStreamOptions{}, 10)
		requireCode(t, err, esdb.ErrorCodeResourceNotFound)
	})
}

func TestConformanceTombstone(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)

	t.Run("everything after a tombstone is stream-deleted", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("hard")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("E", 0, 2)...)
		res, err := c.TombstoneStream(context.Background(), stream, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.Revision(1)})
		if err != nil {
			t.Fatalf("tombstone: %v", err)
		}
		if res.Position.Commit == 0 || res.Position.Prepare == 0 {
			t.Fatalf("tombstone position = %+v, want > 0", res.Position)
		}
		requireStreamDeleted(t, c, stream)
		// $all shows the tombstone event.
		var found bool
		for _, ev := range ofStream(mustReadAll(t, c, esdb.ReadAllOptions{}, 10_000), stream) {
			found = found || ev.OriginalEvent().EventType == "$streamDeleted"
		}
		if !found {
			t.Fatal("$all has no $streamDeleted event for the stream")
		}
	})

	t.Run("never-written stream", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("hard")
		if _, err := c.TombstoneStream(context.Background(), stream, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.NoStream{}}); err != nil {
			t.Fatalf("tombstone: %v", err)
		}
		requireStreamDeleted(t, c, stream)
	})

	t.Run("after a soft delete", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("hard")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("E", 0))
		if _, err := c.DeleteStream(context.Background(), stream, esdb.DeleteStreamOptions{}); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := c.TombstoneStream(context.Background(), stream, esdb.TombstoneStreamOptions{}); err != nil {
			t.Fatalf("tombstone: %v", err)
		}
		requireStreamDeleted(t, c, stream)
	})

	t.Run("wrong expected version", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("hard")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("E", 0, 2)...)
		for _, x := range []esdb.ExpectedRevision{esdb.Revision(0), esdb.NoStream{}} {
			_, err := c.TombstoneStream(context.Background(), stream, esdb.TombstoneStreamOptions{ExpectedRevision: x})
			requireWrongExpectedStatus(t, err)
		}
		requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10), revRange(0, 1))
	})
}

// requireStreamDeleted checks every operation on a tombstoned stream
// reports it deleted.
func requireStreamDeleted(t *testing.T, c *esdb.Client, stream string) {
	t.Helper()
	ctx := context.Background()
	for _, opts := range []esdb.ReadStreamOptions{{}, {Direction: esdb.Backwards, From: esdb.End{}}} {
		_, err := readStream(t, c, stream, opts, 10)
		requireCode(t, err, esdb.ErrorCodeStreamDeleted)
	}
	for _, x := range []esdb.ExpectedRevision{esdb.Any{}, esdb.NoStream{}, esdb.StreamExists{}, esdb.Revision(1)} {
		_, err := c.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: x}, jsonEvent("After", 0))
		requireCode(t, err, esdb.ErrorCodeStreamDeleted)
	}
	_, err := c.DeleteStream(ctx, stream, esdb.DeleteStreamOptions{})
	requireCode(t, err, esdb.ErrorCodeStreamDeleted)
	_, err = c.TombstoneStream(ctx, stream, esdb.TombstoneStreamOptions{})
	requireCode(t, err, esdb.ErrorCodeStreamDeleted)
	_, err = c.SubscribeToStream(ctx, stream, esdb.SubscribeToStreamOptions{From: esdb.Start{}})
	requireCode(t, err, esdb.ErrorCodeStreamDeleted)
	// Its metadata stream is deleted with it: neither read nor written.
	_, err = c.GetStreamMetadata(ctx, stream, esdb.ReadStreamOptions{})
	requireCode(t, err, esdb.ErrorCodeStreamDeleted)
	_, err = readStream(t, c, "$$"+stream, esdb.ReadStreamOptions{}, 10)
	requireCode(t, err, esdb.ErrorCodeStreamDeleted)
	_, err = c.SetStreamMetadata(ctx, stream, esdb.AppendToStreamOptions{}, esdb.StreamMetadata{})
	requireCode(t, err, esdb.ErrorCodeStreamDeleted)
}

// requireWrongExpectedStatus checks the Delete/Tombstone form of a wrong
// expected version: a status the client leaves as ErrorCodeUnknown.
func requireWrongExpectedStatus(tb testing.TB, err error) {
	tb.Helper()
	requireCode(tb, err, esdb.ErrorCodeUnknown)
	if !strings.Contains(err.Error(), "WrongExpectedVersion") {
		tb.Fatalf("err = %v, want a wrong expected version", err)
	}
}
