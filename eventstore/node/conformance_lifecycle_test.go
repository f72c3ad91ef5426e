package node

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

func TestConformanceDataDirLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, c := startTestNodeIn(t, dir)
	mustAppend(t, c, "locked-1", esdb.NoStream{}, jsonEvent("E", 0))

	second, err := Start(context.Background(), Config{DataDir: dir, Listen: "127.0.0.1:0"})
	if !errors.Is(err, ErrDataDirInUse) {
		if second != nil {
			_ = second.Close()
		}
		t.Fatalf("second Start on a data directory in use: err = %v, want ErrDataDirInUse", err)
	}
	// The refused start did not disturb the running node.
	mustAppend(t, c, "locked-1", esdb.Revision(0), jsonEvent("E", 1))

	// Close does not wait for live subscriptions: they are dropped.
	sub := subscribeStream(t, c, "locked-1", esdb.End{})
	requireRecordedRevs(t, sub.untilCaughtUp(t), nil)
	start := time.Now()
	if err := n.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("close with a live subscription took %v", d)
	}
	if m := sub.next(t); m.SubscriptionDropped == nil {
		t.Fatalf("subscription got %+v after Close, want a drop", m)
	}
	_, c2 := startTestNodeIn(t, dir)
	requireRevs(t, mustReadStream(t, c2, "locked-1", esdb.ReadStreamOptions{}, 10), revRange(0, 1))
}

func TestConformanceRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n, c := startTestNodeIn(t, dir)
	ctx := context.Background()

	plain, meta, soft, revived, hard := "journey-a", "journey-b", "journey-c", "journey-d", "journey-e"
	retry := jsonEvents("E", 0, 2)
	firstWrite := mustAppend(t, c, plain, esdb.NoStream{}, retry...)
	mustAppend(t, c, plain, esdb.Revision(1), jsonEvents("E", 2, 3)...)
	appendMany(t, c, meta, "E", 10)
	var m esdb.StreamMetadata
	m.SetMaxCount(4)
	m.AddCustomProperty("owner", "learning-team")
	setMeta(t, c, meta, esdb.NoStream{}, m)
	mustAppend(t, c, soft, esdb.NoStream{}, jsonEvents("E", 0, 2)...)
	mustAppend(t, c, revived, esdb.NoStream{}, jsonEvents("E", 0, 3)...)
	mustAppend(t, c, hard, esdb.NoStream{}, jsonEvent("E", 0))
	for _, s := range []string{soft, revived} {
		if _, err := c.DeleteStream(ctx, s, esdb.DeleteStreamOptions{}); err != nil {
			t.Fatalf("delete %s: %v", s, err)
		}
	}
	mustAppend(t, c, revived, esdb.Any{}, jsonEvent("New", 3))
	if _, err := c.TombstoneStream(ctx, hard, esdb.TombstoneStreamOptions{}); err != nil {
		t.Fatalf("tombstone: %v", err)
	}

	type snapshot struct {
		all     []esdb.RecordedEvent
		plain   []uint64
		meta    []uint64
		revived []uint64
		md      *esdb.StreamMetadata
	}
	take := func(c *esdb.Client) snapshot {
		t.Helper()
		var s snapshot
		for _, ev := range mustReadAll(t, c, esdb.ReadAllOptions{}, 10_000) {
			s.all = append(s.all, *ev.OriginalEvent())
		}
		s.plain = revisions(mustReadStream(t, c, plain, esdb.ReadStreamOptions{}, 100))
		s.meta = revisions(mustReadStream(t, c, meta, esdb.ReadStreamOptions{}, 100))
		s.revived = revisions(mustReadStream(t, c, revived, esdb.ReadStreamOptions{}, 100))
		s.md = getMeta(t, c, meta)
		return s
	}
	before := take(c)
	if !equalRevs(before.meta, revRange(6, 9)) || !equalRevs(before.revived, revRange(3, 3)) {
		t.Fatalf("before restart: %s reads %v, %s reads %v", meta, before.meta, revived, before.revived)
	}
	_ = c.Close()
	if err := n.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	_, c = startTestNodeIn(t, dir)
	after := take(c)
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("state after restart differs:\nbefore %+v\nafter  %+v", before, after)
	}
	_, err := readStream(t, c, soft, esdb.ReadStreamOptions{}, 10)
	requireCode(t, err, esdb.ErrorCodeResourceNotFound)
	requireStreamDeleted(t, c, hard)

	// Writing carries on where it stopped, after everything already there.
	head := before.all[len(before.all)-1].Position.Commit
	if res := mustAppend(t, c, plain, esdb.Revision(4), jsonEvent("E", 5)); res.NextExpectedVersion != 5 || res.CommitPosition <= head {
		t.Fatalf("append after restart = %+v, want revision 5 after position %d", *res, head)
	}
	if res := mustAppend(t, c, soft, esdb.NoStream{}, jsonEvent("New", 2)); res.NextExpectedVersion != 2 {
		t.Fatalf("write after restart to a soft-deleted stream at %d, want 2", res.NextExpectedVersion)
	}
	requireRevs(t, mustReadStream(t, c, soft, esdb.ReadStreamOptions{}, 10), revRange(2, 2))
	// Event ids are remembered: a retry of the first write is recognised.
	if res := mustAppend(t, c, plain, esdb.NoStream{}, retry...); *res != *firstWrite {
		t.Fatalf("retry after restart = %+v, want the first result %+v", *res, *firstWrite)
	}
	requireRevs(t, mustReadStream(t, c, plain, esdb.ReadStreamOptions{}, 100), revRange(0, 5))
}

// TestConformanceKeepalive holds an idle subscription across several of the
// client's 10 s keepalive pings: a server enforcing grpc-go's default
// policy answers the third one with GOAWAY too_many_pings (measured: the
// subscription drops after 31 s), so the test idles for 40 s.
func TestConformanceKeepalive(t *testing.T) {
	if testing.Short() {
		t.Skip("idles for 40 s to let the client's keepalive pings run")
	}
	t.Parallel()
	_, c := startTestNode(t)
	stream := newStreamID("idle")
	sub := subscribeStream(t, c, stream, esdb.End{})
	allSub := subscribeAll(t, c, esdb.SubscribeToAllOptions{From: esdb.End{}})
	requireRecordedRevs(t, sub.untilCaughtUp(t), nil)
	requireRecordedRevs(t, allSub.untilCaughtUp(t), nil)

	sub.quiet(t, 40*time.Second)

	res := mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("Wake", 0))
	if ev := sub.nextEvent(t); ev.StreamID != stream || ev.EventNumber != 0 {
		t.Fatalf("event after idling = %s@%d, want %s@0", ev.StreamID, ev.EventNumber, stream)
	}
	if ev := allSub.nextEvent(t); ev.Position.Commit != res.CommitPosition {
		t.Fatalf("$all event after idling at %v, want %d", ev.Position, res.CommitPosition)
	}
}
