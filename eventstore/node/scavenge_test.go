package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// settableClock is an engine clock a test moves forward.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *settableClock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// markedEvents makes n JSON events whose data carries marker, padded to
// about 300 bytes so that a few of them fill a small segment.
func markedEvents(marker string, n int) []esdb.EventData {
	out := make([]esdb.EventData, n)
	for i := range out {
		out[i] = esdb.EventData{EventType: "person.noted", ContentType: esdb.ContentTypeJson,
			Data: []byte(fmt.Sprintf(`{"note":"%s-%d","pad":"%s"}`, marker, i, strings.Repeat("x", 250)))}
	}
	return out
}

// dirContains reports whether any file of dir holds b.
func dirContains(tb testing.TB, dir string, b []byte) bool {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, en := range entries {
		if en.IsDir() {
			continue
		}
		// A running node's scavenge renames its temporary file over a
		// segment at any moment: a file gone since the listing holds
		// nothing any more (its successor is read on the next call).
		data, err := os.ReadFile(filepath.Join(dir, en.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		if bytes.Contains(data, b) {
			return true
		}
	}
	return false
}

// clientEvent is what the official client answers for one event.
type clientEvent struct {
	stream string
	rev    uint64
	pos    uint64
	typ    string
	data   string
}

func readAllClient(tb testing.TB, c *esdb.Client) []clientEvent {
	tb.Helper()
	var out []clientEvent
	for _, re := range mustReadAll(tb, c, esdb.ReadAllOptions{}, ^uint64(0)) {
		ev := re.Event
		out = append(out, clientEvent{ev.StreamID, ev.EventNumber, ev.Position.Commit, ev.EventType, string(ev.Data)})
	}
	return out
}

func TestScavengeThroughTheOfficialClient(t *testing.T) {
	dir := t.TempDir()
	// The node's clock runs 3 h behind, so that the offline scavenge (on
	// the real clock) sees the old events of the $maxAge stream expired.
	clock := &settableClock{now: time.Now().Add(-3 * time.Hour)}
	opts := Options{SegmentSize: 16 << 10, Now: clock.Now}
	start := func() (*Node, *esdb.Client) {
		n, err := Start(context.Background(), Config{DataDir: dir, Listen: "127.0.0.1:0", engineOptions: opts})
		if err != nil {
			t.Fatalf("start node: %v", err)
		}
		return n, newTestClient(t, n.ConnectionString())
	}
	n, c := start()
	ctx := context.Background()
	soft, tomb, keep, capped, aged := newStreamID("soft"), newStreamID("tomb"), newStreamID("keep"), newStreamID("capped"), newStreamID("aged")
	mustAppend(t, c, aged, esdb.NoStream{}, markedEvents("AGED-OLD", 3)...)
	if _, err := c.SetStreamMetadata(ctx, aged, esdb.AppendToStreamOptions{}, esdb.StreamMetadata{}); err != nil {
		t.Fatal(err)
	}
	var meta esdb.StreamMetadata
	meta.SetMaxAge(time.Hour)
	if _, err := c.SetStreamMetadata(ctx, aged, esdb.AppendToStreamOptions{}, meta); err != nil {
		t.Fatalf("set $maxAge: %v", err)
	}
	clock.advance(2 * time.Hour)
	mustAppend(t, c, aged, esdb.Revision(2), markedEvents("AGED-NEW", 1)...)
	mustAppend(t, c, soft, esdb.NoStream{}, markedEvents("FORGET-SOFT", 5)...)
	mustAppend(t, c, tomb, esdb.NoStream{}, markedEvents("FORGET-TOMB", 5)...)
	mustAppend(t, c, keep, esdb.NoStream{}, markedEvents("KEEP-ME", 20)...)
	mustAppend(t, c, capped, esdb.NoStream{}, markedEvents("CAPPED-OLD", 7)...)
	mustAppend(t, c, capped, esdb.Revision(6), markedEvents("CAPPED-NEW", 3)...)
	var capMeta esdb.StreamMetadata
	capMeta.SetMaxCount(3)
	if _, err := c.SetStreamMetadata(ctx, capped, esdb.AppendToStreamOptions{}, capMeta); err != nil {
		t.Fatalf("set $maxCount: %v", err)
	}
	if _, err := c.DeleteStream(ctx, soft, esdb.DeleteStreamOptions{ExpectedRevision: esdb.Revision(4)}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.TombstoneStream(ctx, tomb, esdb.TombstoneStreamOptions{}); err != nil {
		t.Fatalf("tombstone: %v", err)
	}
	before := readAllClient(t, c)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"FORGET-SOFT", "FORGET-TOMB", "CAPPED-OLD", "AGED-OLD"} {
		if !dirContains(t, dir, []byte(m)) {
			t.Fatalf("%s is not on disk before the scavenge; the test proves nothing", m)
		}
	}

	rep, err := ScavengeDir(ctx, dir, nil)
	if err != nil {
		t.Fatalf("scavenge: %v", err)
	}
	t.Log(rep)
	// 5 + 5 + 7 + 3 events, and the metadata events hidden by newer ones.
	if rep.EventsScavenged < 20 || rep.SegmentsRewritten == 0 {
		t.Fatalf("report %+v, want at least 20 events scavenged", rep)
	}
	for _, m := range []string{"FORGET-SOFT", "FORGET-TOMB", "CAPPED-OLD", "AGED-OLD"} {
		if dirContains(t, dir, []byte(m)) {
			t.Fatalf("%s is still on disk after the scavenge", m)
		}
	}
	for _, m := range []string{"KEEP-ME-19", "CAPPED-NEW-2", "AGED-NEW-0"} {
		if !dirContains(t, dir, []byte(m)) {
			t.Fatalf("%s is gone from disk; it is visible and must stay", m)
		}
	}
	if vr, err := Verify(dir); err != nil || !vr.OK() || vr.Scavenged != rep.EventsScavenged {
		t.Fatalf("verify after scavenge (%d events scavenged): %v\n%s", rep.EventsScavenged, err, vr)
	}
	if again, err := ScavengeDir(ctx, dir, nil); err != nil || again.EventsScavenged != 0 {
		t.Fatalf("second scavenge: %+v, %v; want nothing left to do", again, err)
	}

	n, c = start()
	defer func() { _ = n.Close() }()
	after := readAllClient(t, c)
	gone := func(ev clientEvent) bool {
		switch {
		case ev.stream == soft, ev.stream == tomb && ev.typ != "$streamDeleted":
			return true
		case strings.HasPrefix(ev.data, `{"note":"CAPPED-OLD`), strings.HasPrefix(ev.data, `{"note":"AGED-OLD`):
			return true
		}
		return strings.HasPrefix(ev.stream, "$$")
	}
	i := 0
	for _, ev := range before {
		if i < len(after) && after[i] == ev {
			i++
			continue
		}
		if !gone(ev) {
			t.Fatalf("%s@%d at %d (%.20s) is missing or changed after the scavenge", ev.stream, ev.rev, ev.pos, ev.data)
		}
	}
	if i != len(after) {
		t.Fatalf("$all has %d events after the scavenge, %d of them from before", len(after), i)
	}
	requireRevs(t, mustReadStream(t, c, keep, esdb.ReadStreamOptions{}, 100), revRange(0, 19))
	requireRevs(t, mustReadStream(t, c, capped, esdb.ReadStreamOptions{}, 100), revRange(7, 9))
	requireRevs(t, mustReadStream(t, c, aged, esdb.ReadStreamOptions{}, 100), []uint64{3})
	if got, err := c.GetStreamMetadata(ctx, capped, esdb.ReadStreamOptions{}); err != nil || got.MaxCount() == nil || *got.MaxCount() != 3 {
		t.Fatalf("metadata of %s after the scavenge: %+v, %v", capped, got, err)
	}
	_, err = readStream(t, c, tomb, esdb.ReadStreamOptions{}, 10)
	requireCode(t, err, esdb.ErrorCodeStreamDeleted)
	_, err = readStream(t, c, soft, esdb.ReadStreamOptions{}, 10)
	requireCode(t, err, esdb.ErrorCodeResourceNotFound)
	// The soft-deleted stream continues at its last revision + 1.
	res := mustAppend(t, c, soft, esdb.Revision(4), markedEvents("SOFT-AGAIN", 1)...)
	if res.NextExpectedVersion != 5 {
		t.Fatalf("append after the delete got revision %d, want 5", res.NextExpectedVersion)
	}
	requireRevs(t, mustReadStream(t, c, soft, esdb.ReadStreamOptions{}, 100), []uint64{5})
}

func TestScavengeScheduledInARunningNode(t *testing.T) {
	dir := t.TempDir()
	n, err := Start(context.Background(), Config{DataDir: dir, Listen: "127.0.0.1:0", ScavengeEvery: 20 * time.Millisecond,
		engineOptions: Options{SegmentSize: 8 << 10}})
	if err != nil {
		t.Fatalf("start node: %v", err)
	}
	defer func() { _ = n.Close() }()
	c := newTestClient(t, n.ConnectionString())
	ctx := context.Background()
	keep, soft := newStreamID("keep"), newStreamID("soft")
	mustAppend(t, c, keep, esdb.NoStream{}, markedEvents("KEEP-ME", 10)...)
	mustAppend(t, c, soft, esdb.NoStream{}, markedEvents("FORGET-SOFT", 10)...)
	if _, err := c.DeleteStream(ctx, soft, esdb.DeleteStreamOptions{}); err != nil {
		t.Fatal(err)
	}
	// Fill the active segment until the deleted events are in sealed ones.
	mustAppend(t, c, keep, esdb.Revision(9), markedEvents("KEEP-LATER", 40)...)
	want := mustReadStream(t, c, keep, esdb.ReadStreamOptions{}, 100)

	// Readers run throughout, across the segments' replacement.
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		defer close(readErr)
		for {
			select {
			case <-stop:
				return
			default:
			}
			got, err := readStream(t, c, keep, esdb.ReadStreamOptions{}, 100)
			if err != nil || len(got) != len(want) {
				readErr <- fmt.Errorf("read during scavenges: %d events, %w", len(got), err)
				return
			}
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for dirContains(t, dir, []byte("FORGET-SOFT")) {
		if time.Now().After(deadline) {
			t.Fatal("the deleted stream's events are still on disk 20 s later")
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	got := mustReadStream(t, c, keep, esdb.ReadStreamOptions{}, 100)
	for i := range want {
		if got[i].Event.EventID != want[i].Event.EventID || got[i].Event.Position != want[i].Event.Position ||
			!bytes.Equal(got[i].Event.Data, want[i].Event.Data) {
			t.Fatalf("event %d of %s changed by the scavenge", i, keep)
		}
	}
	for _, ev := range readAllClient(t, c) {
		if ev.stream == soft {
			t.Fatalf("$all still serves %s@%d after the scavenge", ev.stream, ev.rev)
		}
	}
	res := mustAppend(t, c, soft, esdb.Any{}, markedEvents("SOFT-AGAIN", 1)...)
	if res.NextExpectedVersion != 10 {
		t.Fatalf("append after delete and scavenge got revision %d, want 10", res.NextExpectedVersion)
	}
}

func TestScavengeDirRefusesARunningNode(t *testing.T) {
	n, _ := startTestNode(t)
	_, err := ScavengeDir(context.Background(), n.cfg.DataDir, nil)
	if !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("scavenge of a running node's directory: %v, want ErrDataDirInUse", err)
	}
}

func TestScavengeGivesSpaceBack(t *testing.T) {
	dir := t.TempDir()
	e := openTestEngine(t, dir, Options{SegmentSize: 1 << 20})
	appendAcked(t, e, "person-1", -1, proposed(t, 8, 64<<10))
	appendAcked(t, e, "person-2", -1, proposed(t, 2, 1<<10))
	if _, err := e.Tombstone(context.Background(), "person-1", Expected{Kind: ExpectAny}); err != nil {
		t.Fatal(err)
	}
	rep, err := e.Scavenge(context.Background(), ScavengeOptions{SealActive: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.EventsScavenged != 8 || rep.DiskAfter > rep.DiskBefore-7*(64<<10) {
		t.Fatalf("report %+v: want 8 events scavenged and most of their 512 KiB given back", rep)
	}
	if n := len(readEngine(t, e)); n != 3 {
		t.Fatalf("$all holds %d events, want person-2's two and the tombstone", n)
	}
}
