package node

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Storage tests drive the engine directly on copies of a data directory:
// torn tails, bit flips, segment rolling, failed fsync and a full disk. After
// each case a restart must show exactly the acknowledged data.

// storedEvent is what a test expects to find in the log for one event.
type storedEvent struct {
	stream string
	rev    uint64
	id     [16]byte
	pos    Position
	data   string
}

func (s storedEvent) String() string {
	return fmt.Sprintf("%s@%d pos %d id %x", s.stream, s.rev, s.pos, s.id[:4])
}

func newEventID(tb testing.TB) [16]byte {
	tb.Helper()
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		tb.Fatalf("random id: %v", err)
	}
	return id
}

// proposed makes n events with unique ids and payloads of size bytes.
func proposed(tb testing.TB, n, size int) []ProposedEvent {
	tb.Helper()
	evs := make([]ProposedEvent, n)
	for i := range evs {
		id := newEventID(tb)
		data := bytes.Repeat([]byte(fmt.Sprintf("%x", id[:4])), size/8+1)[:size]
		evs[i] = ProposedEvent{ID: id, Type: "test.happened", ContentType: "application/octet-stream", Data: data}
	}
	return evs
}

func openTestEngine(tb testing.TB, dir string, opts Options) *Engine {
	tb.Helper()
	e, err := OpenEngine(dir, opts)
	if err != nil {
		tb.Fatalf("open engine on %s: %v", dir, err)
	}
	tb.Cleanup(func() { _ = e.Close() })
	return e
}

// appendAcked appends evs to stream at the exact expected revision (-1: no
// stream) and returns what the log must hold for them.
func appendAcked(tb testing.TB, e *Engine, stream string, last int64, evs []ProposedEvent) []storedEvent {
	tb.Helper()
	x := Expected{Kind: ExpectNoStream}
	if last >= 0 {
		x = Expected{Kind: ExpectRevision, Revision: uint64(last)}
	}
	res, err := e.Append(context.Background(), stream, x, evs)
	if err != nil {
		tb.Fatalf("append to %s: %v", stream, err)
	}
	if !res.Success || res.Revision != uint64(last)+uint64(len(evs)) {
		tb.Fatalf("append to %s after %d: result %+v", stream, last, res)
	}
	out := make([]storedEvent, len(evs))
	for i, ev := range evs {
		out[i] = storedEvent{stream: stream, rev: uint64(last + 1 + int64(i)), id: ev.ID, data: string(ev.Data)}
	}
	// Only the last event's position is reported; the others are filled
	// in from the log by readLog, which the callers compare against.
	out[len(out)-1].pos = res.Position
	return out
}

// populate writes appends appends over a few streams and returns every
// acknowledged event with its position.
func populate(tb testing.TB, e *Engine, appends, eventSize int) []storedEvent {
	tb.Helper()
	last := map[string]int64{}
	var want []storedEvent
	for i := 0; i < appends; i++ {
		stream := fmt.Sprintf("journey-%d", i%4)
		if _, ok := last[stream]; !ok {
			last[stream] = -1
		}
		evs := proposed(tb, 1+i%3, eventSize)
		want = append(want, appendAcked(tb, e, stream, last[stream], evs)...)
		last[stream] += int64(len(evs))
	}
	got := readLog(tb, e)
	if len(got) != len(want) {
		tb.Fatalf("log holds %d events after populating, want %d", len(got), len(want))
	}
	for i := range want {
		if want[i].pos != 0 && want[i].pos != got[i].pos {
			tb.Fatalf("event %d acknowledged at position %d, stored at %d", i, want[i].pos, got[i].pos)
		}
		want[i].pos = got[i].pos
	}
	return want
}

// readLog returns $all as the engine serves it.
func readLog(tb testing.TB, e *Engine) []storedEvent {
	tb.Helper()
	var out []storedEvent
	err := e.ReadAll(context.Background(), 0, false, ^uint64(0), func(ev *Event) error {
		out = append(out, storedEvent{stream: ev.Stream, rev: ev.Revision, id: ev.ID, pos: ev.Position, data: string(ev.Data)})
		return nil
	})
	if err != nil {
		tb.Fatalf("read $all: %v", err)
	}
	return out
}

// assertLog checks that $all and every stream hold exactly want.
func assertLog(tb testing.TB, e *Engine, want []storedEvent) {
	tb.Helper()
	got := readLog(tb, e)
	if len(got) != len(want) {
		tb.Fatalf("$all holds %d events, want %d", len(got), len(want))
	}
	perStream := map[string][]storedEvent{}
	for i := range want {
		if got[i] != want[i] {
			tb.Fatalf("$all event %d = %v, want %v", i, got[i], want[i])
		}
		perStream[want[i].stream] = append(perStream[want[i].stream], want[i])
	}
	for stream, evs := range perStream {
		var read []storedEvent
		err := e.ReadStream(context.Background(), stream, 0, false, ^uint64(0), func(ev *Event) error {
			read = append(read, storedEvent{stream: ev.Stream, rev: ev.Revision, id: ev.ID, pos: ev.Position, data: string(ev.Data)})
			return nil
		})
		if err != nil {
			tb.Fatalf("read %s: %v", stream, err)
		}
		if len(read) != len(evs) {
			tb.Fatalf("stream %s holds %d events, want %d", stream, len(read), len(evs))
		}
		for i := range evs {
			if read[i] != evs[i] {
				tb.Fatalf("stream %s event %d = %v, want %v", stream, i, read[i], evs[i])
			}
		}
	}
}

// copyDir copies the regular files of a data directory (not its lock).
func copyDir(tb testing.TB, src string) string {
	tb.Helper()
	dst := tb.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		tb.Fatalf("read %s: %v", src, err)
	}
	for _, en := range entries {
		if !en.Type().IsRegular() || en.Name() == "LOCK" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, en.Name()))
		if err != nil {
			tb.Fatalf("copy: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dst, en.Name()), b, 0o600); err != nil {
			tb.Fatalf("copy: %v", err)
		}
	}
	return dst
}

// segmentFiles lists the segment files of dir in log order.
func segmentFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		tb.Fatalf("list segments: %v", err)
	}
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.path
	}
	return out
}

// recordSpan is a record's place within its segment file.
type recordSpan struct{ off, size int64 }

// recordSpans lists the records of one segment file.
func recordSpans(tb testing.TB, path string) []recordSpan {
	tb.Helper()
	segs, err := listSegments(filepath.Dir(path))
	if err != nil {
		tb.Fatalf("list segments: %v", err)
	}
	var spans []recordSpan
	for _, s := range segs {
		if s.path != path {
			continue
		}
		_, err := scanSegment(s, false, func(pos int64, payload []byte) error {
			spans = append(spans, recordSpan{off: pos - s.base, size: int64(recordHeaderSize + len(payload))})
			return nil
		})
		if err != nil {
			tb.Fatalf("scan %s: %v", path, err)
		}
	}
	if len(spans) == 0 {
		tb.Fatalf("no records in %s", path)
	}
	return spans
}

func fileBytes(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return b
}

func writeBytes(tb testing.TB, path string, b []byte) {
	tb.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatalf("write %s: %v", path, err)
	}
}

func flipBit(tb testing.TB, path string, off int64, bit uint) {
	tb.Helper()
	b := fileBytes(tb, path)
	b[off] ^= 1 << bit
	writeBytes(tb, path, b)
}

// eventsBefore returns the events of want stored before file offset off of
// the last segment (whose base is base).
func eventsBefore(want []storedEvent, base, off int64) []storedEvent {
	var out []storedEvent
	for _, ev := range want {
		if int64(ev.pos) < base+off {
			out = append(out, ev)
		}
	}
	return out
}

// buildDir makes a data directory with acknowledged data and closes it.
func buildDir(tb testing.TB, opts Options, appends, eventSize int) (string, []storedEvent) {
	tb.Helper()
	dir := tb.TempDir()
	e, err := OpenEngine(dir, opts)
	if err != nil {
		tb.Fatalf("open engine: %v", err)
	}
	want := populate(tb, e, appends, eventSize)
	if err := e.Close(); err != nil {
		tb.Fatalf("close engine: %v", err)
	}
	return dir, want
}

// reopenAndAppend proves a recovered directory takes writes again and
// keeps them across another restart.
func reopenAndAppend(tb testing.TB, dir string, want []storedEvent) {
	tb.Helper()
	e, err := OpenEngine(dir, Options{})
	if err != nil {
		tb.Fatalf("reopen: %v", err)
	}
	last := int64(-1)
	for _, ev := range want {
		if ev.stream == "journey-0" {
			last = int64(ev.rev)
		}
	}
	want = append(append([]storedEvent(nil), want...), appendAcked(tb, e, "journey-0", last, proposed(tb, 2, 64))...)
	if err := e.Close(); err != nil {
		tb.Fatalf("close: %v", err)
	}
	e = openTestEngine(tb, dir, Options{})
	if rep := e.Recovery(); rep.TornBytes != 0 {
		tb.Fatalf("second restart found %d torn bytes", rep.TornBytes)
	}
	got := readLog(tb, e)
	if len(got) != len(want) {
		tb.Fatalf("after append and restart: %d events, want %d", len(got), len(want))
	}
	for i := range want[:len(want)-2] {
		if got[i] != want[i] {
			tb.Fatalf("after append and restart: event %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestStorageTornTail(t *testing.T) {
	src, want := buildDir(t, Options{}, 12, 200)
	seg := segmentFiles(t, src)[0]
	spans := recordSpans(t, seg)
	lastRec := spans[len(spans)-1]
	orig := fileBytes(t, seg)
	if int64(len(orig)) != lastRec.off+lastRec.size {
		t.Fatalf("segment is %d bytes, records end at %d", len(orig), lastRec.off+lastRec.size)
	}
	kept := eventsBefore(want, 0, lastRec.off)
	if len(kept) == len(want) || len(kept) == 0 {
		t.Fatalf("test setup: the last record holds %d of %d events", len(want)-len(kept), len(want))
	}

	type tornCase struct {
		name    string
		content []byte // the whole segment file
		keep    []storedEvent
		validTo int64
		clean   bool // no torn tail: zeros after the records are preallocated space
	}
	var cases []tornCase
	for _, k := range []int64{1, 3, 4, 7, 8, 9, 20, lastRec.size / 2, lastRec.size - 1} {
		cases = append(cases, tornCase{
			name: fmt.Sprintf("last record cut after %d of %d bytes", k, lastRec.size), content: orig[:lastRec.off+k],
			keep: kept, validTo: lastRec.off,
		}, tornCase{
			// A crash in a preallocated segment: the rest of the record
			// reads as zeros.
			name:    fmt.Sprintf("last record cut after %d of %d bytes, zeros after", k, lastRec.size),
			content: append(append([]byte(nil), orig[:lastRec.off+k]...), make([]byte, 1<<16)...),
			keep:    kept, validTo: lastRec.off,
		})
	}
	garbage := make([]byte, 300)
	if _, err := rand.Read(garbage); err != nil {
		t.Fatal(err)
	}
	// An impossible length, so the scanner must look past it.
	garbage[3] |= 0x80
	// A header claiming a 1 MiB record.
	hugeHeader := []byte{0, 0, 16, 0, 1, 2, 3, 4, 1, 0, 0}
	cases = append(cases,
		tornCase{"zeros after the last record", append(append([]byte(nil), orig...), make([]byte, 4096)...), want, int64(len(orig)), true},
		tornCase{"random garbage after the last record", append(append([]byte(nil), orig...), garbage...), want, int64(len(orig)), false},
		tornCase{"random garbage and preallocated zeros after the last record", append(append(append([]byte(nil), orig...), garbage...), make([]byte, 1<<16)...), want, int64(len(orig)), false},
		tornCase{"a header promising more than was written", append(append([]byte(nil), orig...), hugeHeader...), want, int64(len(orig)), false},
		tornCase{"a partial header after the last record", append(append([]byte(nil), orig...), 1, 2, 3), want, int64(len(orig)), false},
		// A damaged final record cannot be told from an unfinished write: an
		// ack waits for its fdatasync, so it is treated as torn.
		tornCase{"a bit flip in the final record", func() []byte {
			b := append([]byte(nil), orig...)
			b[lastRec.off+lastRec.size-5] ^= 0x10
			return b
		}(), kept, lastRec.off, false},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, src)
			path := filepath.Join(dir, filepath.Base(seg))
			writeBytes(t, path, tc.content)
			e, err := OpenEngine(dir, Options{})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			rep := e.Recovery()
			assertLog(t, e, tc.keep)
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if tc.clean {
				if rep.TornBytes != 0 || rep.TornSavedAs != "" {
					t.Fatalf("zeros after the last record reported as torn: %+v", rep)
				}
				if got := fileBytes(t, path); !bytes.Equal(got, tc.content[:tc.validTo]) {
					t.Fatalf("segment is %d bytes after recovery and close, want the %d bytes of records", len(got), tc.validTo)
				}
				reopenAndAppend(t, dir, tc.keep)
				return
			}
			// Torn bytes end at the last non-zero byte (zeros after it are
			// preallocated space), unless there is less than a header.
			tail := tc.content[tc.validTo:]
			if len(tail) >= recordHeaderSize {
				if trimmed := bytes.TrimRight(tail, "\x00"); len(trimmed) > 0 {
					tail = trimmed
				}
			}
			torn := int64(len(tail))
			if rep.TornBytes != torn {
				t.Fatalf("TornBytes = %d, want %d", rep.TornBytes, torn)
			}
			if rep.TornSavedAs == "" {
				t.Fatal("TornSavedAs is empty")
			}
			if saved := fileBytes(t, filepath.Join(dir, rep.TornSavedAs)); !bytes.Equal(saved, tail) {
				t.Fatalf("%s holds %d bytes, not the %d torn bytes", rep.TornSavedAs, len(saved), torn)
			}
			if got := fileBytes(t, path); !bytes.Equal(got, tc.content[:tc.validTo]) {
				t.Fatalf("segment is %d bytes after recovery, want the %d intact bytes", len(got), tc.validTo)
			}
			rep2, err := Verify(dir)
			if err != nil || !rep2.OK() || rep2.Events != len(tc.keep) {
				t.Fatalf("verify after recovery: %v, %+v", err, rep2)
			}
			reopenAndAppend(t, dir, tc.keep)
		})
	}
}

func TestStorageBitFlipBeforeTail(t *testing.T) {
	src, _ := buildDir(t, Options{}, 12, 200)
	seg := segmentFiles(t, src)[0]
	spans := recordSpans(t, seg)
	if len(spans) < 4 {
		t.Fatalf("test setup: %d records", len(spans))
	}
	type flip struct {
		name string
		rec  int   // record index
		at   int64 // byte within the record
		bit  uint
	}
	mid, penult := len(spans)/2, len(spans)-2
	flips := []flip{
		{"payload of the first record", 0, recordHeaderSize + 20, 3},
		{"payload of a middle record", mid, spans[mid].size - 1, 0},
		{"checksum of a middle record", mid, 5, 7},
		{"length of the second-to-last record, one byte longer", penult, 0, 0},
		{"length of the second-to-last record, past the end of the file", penult, 2, 4},
		{"length of a middle record, impossible", mid, 3, 7},
		{"record kind of the first record", 0, recordHeaderSize, 1},
	}
	for _, prealloc := range []bool{false, true} {
		for _, fc := range flips {
			name := fc.name
			if prealloc {
				name += ", preallocated zeros after the log"
			}
			t.Run(name, func(t *testing.T) {
				dir := copyDir(t, src)
				path := filepath.Join(dir, filepath.Base(seg))
				flipBit(t, path, spans[fc.rec].off+fc.at, fc.bit)
				if prealloc {
					writeBytes(t, path, append(fileBytes(t, path), make([]byte, 1<<16)...))
				}
				assertCorruptionRefused(t, dir, path, spans[fc.rec].off)
			})
		}
	}
}

// assertCorruptionRefused opens dir and expects a refusal naming the
// segment at path and the offset, with nothing changed or saved aside.
func assertCorruptionRefused(t *testing.T, dir, path string, off int64) {
	t.Helper()
	before := fileBytes(t, path)
	e, err := OpenEngine(dir, Options{})
	if err == nil {
		rep := e.Recovery()
		_ = e.Close()
		t.Fatalf("open succeeded on a corrupt log (recovery %+v)", rep)
	}
	var ce *CorruptionError
	if !errors.As(err, &ce) {
		t.Fatalf("open: %v, want a *CorruptionError", err)
	}
	name := filepath.Base(path)
	if ce.File != name || ce.Offset != off {
		t.Fatalf("corruption reported in %s at %d, want %s at %d (%v)", ce.File, ce.Offset, name, off, err)
	}
	if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), fmt.Sprint(off)) {
		t.Fatalf("error %q does not name file and offset", err)
	}
	if after := fileBytes(t, path); !bytes.Equal(before, after) {
		t.Fatal("a refused open modified the segment")
	}
	if saved, _ := filepath.Glob(filepath.Join(dir, "*.torn-*")); len(saved) > 0 {
		t.Fatalf("a refused open saved torn bytes: %v", saved)
	}
}

// The segment being written is preallocated while the node runs and cut to
// its records when it stops; a crash leaves the zeros, in the last segment or
// (between a roll and the cut) in an earlier one, and neither is damage.
func TestStoragePreallocation(t *testing.T) {
	dir := t.TempDir()
	e := openTestEngine(t, dir, Options{})
	want := populate(t, e, 12, 200)
	seg := segmentFiles(t, dir)[0]
	size := logSize(e)
	if got := int64(len(fileBytes(t, seg))); got <= size {
		t.Fatalf("segment being written is %d bytes for a log of %d: not preallocated", got, size)
	}
	crashed := copyDir(t, dir) // as a crash would leave it: zeros after the log
	if rep, err := Verify(copyDir(t, crashed)); err != nil || !rep.OK() || rep.TornTail != nil || rep.Events != len(want) {
		t.Fatalf("verify of a crashed, preallocated directory: %v %+v", err, rep)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if got := int64(len(fileBytes(t, seg))); got != size {
		t.Fatalf("segment is %d bytes after close, want its %d bytes of records", got, size)
	}
	c := openTestEngine(t, crashed, Options{})
	if rep := c.Recovery(); rep.TornBytes != 0 || rep.TornSavedAs != "" {
		t.Fatalf("preallocated zeros recovered as a torn tail: %+v", rep)
	}
	assertLog(t, c, want)
	reopenAndAppendAfterClose(t, c, crashed, want)
	if rep, err := Verify(crashed); err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep)
	}

	t.Run("zeros after an earlier segment", func(t *testing.T) {
		src, want := buildDir(t, Options{SegmentSize: 4096}, 40, 300)
		segs := segmentFiles(t, src)
		if len(segs) < 3 {
			t.Fatalf("test setup: %d segments", len(segs))
		}
		mid := segs[len(segs)/2]
		writeBytes(t, mid, append(fileBytes(t, mid), make([]byte, 8192)...))
		if rep, err := Verify(src); err != nil || !rep.OK() || rep.Events != len(want) {
			t.Fatalf("verify: %v %+v", err, rep)
		}
		e := openTestEngine(t, src, Options{SegmentSize: 4096})
		assertLog(t, e, want)
	})

	t.Run("a flipped bit in an earlier record of a preallocated segment", func(t *testing.T) {
		src := copyDir(t, crashed)
		path := filepath.Join(src, filepath.Base(seg))
		spans := recordSpans(t, path)
		flipBit(t, path, spans[1].off+recordHeaderSize+3, 2)
		writeBytes(t, path, append(fileBytes(t, path), make([]byte, 1<<16)...))
		assertCorruptionRefused(t, src, path, spans[1].off)
	})
}

func TestStorageSegmentHeaderBitFlip(t *testing.T) {
	src, _ := buildDir(t, Options{SegmentSize: 2048}, 20, 300)
	segs := segmentFiles(t, src)
	if len(segs) < 3 {
		t.Fatalf("test setup: %d segments", len(segs))
	}
	for _, i := range []int{0, len(segs) / 2, len(segs) - 1} {
		t.Run(filepath.Base(segs[i]), func(t *testing.T) {
			dir := copyDir(t, src)
			path := filepath.Join(dir, filepath.Base(segs[i]))
			flipBit(t, path, 3, 2)
			_, err := OpenEngine(dir, Options{SegmentSize: 2048})
			var ce *CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("open: %v, want a *CorruptionError", err)
			}
			if ce.File != filepath.Base(segs[i]) || ce.Offset != 0 {
				t.Fatalf("corruption reported in %s at %d, want %s at 0", ce.File, ce.Offset, filepath.Base(segs[i]))
			}
		})
	}
}

func TestStorageSegmentRolling(t *testing.T) {
	const segSize = 4096
	dir, want := buildDir(t, Options{SegmentSize: segSize}, 60, 300)
	segs := segmentFiles(t, dir)
	if len(segs) < 5 {
		t.Fatalf("only %d segments with SegmentSize %d", len(segs), segSize)
	}
	for _, s := range segs[:len(segs)-1] {
		st, err := os.Stat(s)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > segSize {
			t.Fatalf("%s is %d bytes, over the segment size %d", filepath.Base(s), st.Size(), segSize)
		}
	}
	e := openTestEngine(t, dir, Options{SegmentSize: segSize})
	if rep := e.Recovery(); rep.Segments != len(segs) || rep.Events != len(want) || rep.TornBytes != 0 {
		t.Fatalf("recovery %+v, want %d segments and %d events", rep, len(segs), len(want))
	}
	assertLog(t, e, want)
	// Backwards reads cross segments too.
	var back []storedEvent
	if err := e.ReadAll(context.Background(), PositionEnd, true, ^uint64(0), func(ev *Event) error {
		back = append(back, storedEvent{stream: ev.Stream, rev: ev.Revision, id: ev.ID, pos: ev.Position, data: string(ev.Data)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range back {
		if back[i] != want[len(want)-1-i] {
			t.Fatalf("backwards event %d = %v, want %v", i, back[i], want[len(want)-1-i])
		}
	}
	// More appends keep rolling, and survive another restart.
	last := int64(-1)
	for _, ev := range want {
		if ev.stream == "journey-1" {
			last = int64(ev.rev)
		}
	}
	for i := 0; i < 10; i++ {
		acked := appendAcked(t, e, "journey-1", last, proposed(t, 2, 300))
		last += 2
		want = append(want, acked...)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openTestEngine(t, dir, Options{SegmentSize: segSize})
	if rep := e.Recovery(); rep.Segments <= len(segs) {
		t.Fatalf("no new segment after 10 more appends: %+v", rep)
	}
	got := readLog(t, e)
	if len(got) != len(want) {
		t.Fatalf("%d events after restart, want %d", len(got), len(want))
	}
	for i := range want {
		if want[i].pos != 0 && got[i].pos != want[i].pos || got[i].id != want[i].id || got[i].rev != want[i].rev {
			t.Fatalf("event %d after restart = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestStorageDamageAcrossSegments(t *testing.T) {
	src, want := buildDir(t, Options{SegmentSize: 4096}, 40, 300)
	segs := segmentFiles(t, src)
	if len(segs) < 3 {
		t.Fatalf("test setup: %d segments", len(segs))
	}
	t.Run("torn tail of the last segment", func(t *testing.T) {
		dir := copyDir(t, src)
		last := filepath.Join(dir, filepath.Base(segs[len(segs)-1]))
		spans := recordSpans(t, last)
		rec := spans[len(spans)-1]
		if err := os.Truncate(last, rec.off+rec.size-3); err != nil {
			t.Fatal(err)
		}
		base, err := segmentBase(last)
		if err != nil {
			t.Fatal(err)
		}
		keep := eventsBefore(want, base, rec.off)
		e := openTestEngine(t, dir, Options{SegmentSize: 4096})
		if rep := e.Recovery(); rep.TornBytes != rec.size-3 {
			t.Fatalf("TornBytes = %d, want %d", rep.TornBytes, rec.size-3)
		}
		assertLog(t, e, keep)
	})
	t.Run("damaged end of an earlier segment", func(t *testing.T) {
		// The last record of a segment that is not the last one was
		// acknowledged before the roll: damage there is corruption.
		dir := copyDir(t, src)
		path := filepath.Join(dir, filepath.Base(segs[1]))
		spans := recordSpans(t, path)
		rec := spans[len(spans)-1]
		if err := os.Truncate(path, rec.off+rec.size-1); err != nil {
			t.Fatal(err)
		}
		_, err := OpenEngine(dir, Options{SegmentSize: 4096})
		var ce *CorruptionError
		if !errors.As(err, &ce) || ce.File != filepath.Base(segs[1]) || ce.Offset != rec.off {
			t.Fatalf("open: %v, want corruption in %s at %d", err, filepath.Base(segs[1]), rec.off)
		}
	})
	t.Run("missing middle segment", func(t *testing.T) {
		dir := copyDir(t, src)
		if err := os.Remove(filepath.Join(dir, filepath.Base(segs[1]))); err != nil {
			t.Fatal(err)
		}
		_, err := OpenEngine(dir, Options{SegmentSize: 4096})
		var ce *CorruptionError
		if !errors.As(err, &ce) || ce.File != filepath.Base(segs[2]) {
			t.Fatalf("open: %v, want corruption naming %s", err, filepath.Base(segs[2]))
		}
	})
}

// logSize is the size of the log in the segment being written, without its
// preallocated zeros. The committer wrote it before acknowledging the
// caller's last append.
func logSize(e *Engine) int64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.segs[len(e.segs)-1].size
}

func segmentBase(path string) (int64, error) {
	var base int64
	_, err := fmt.Sscanf(filepath.Base(path), segmentPrefix+"%d"+segmentSuffix, &base)
	return base, err
}

func TestStorageFailedFsyncStopsWrites(t *testing.T) {
	var failing atomic.Bool
	var failures atomic.Int32
	opts := Options{syncFile: func(f *os.File) error {
		if failing.Load() {
			failures.Add(1)
			return syscall.EIO
		}
		return syscall.Fdatasync(int(f.Fd()))
	}}
	dir := t.TempDir()
	e, err := OpenEngine(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	want := populate(t, e, 8, 100)
	seg := segmentFiles(t, dir)[0]
	sizeBefore := logSize(e)

	failing.Store(true)
	last := want[len(want)-1]
	_, err = e.Append(context.Background(), last.stream, Expected{Kind: ExpectRevision, Revision: last.rev}, proposed(t, 3, 100))
	if !errors.Is(err, ErrStopped) {
		t.Fatalf("append with a failing fsync: %v, want ErrStopped", err)
	}
	if failures.Load() == 0 {
		t.Fatal("the injected fsync was never called")
	}
	failing.Store(false) // the disk recovers, but the node must not trust it
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.Append(context.Background(), fmt.Sprintf("later-%d", i), Expected{Kind: ExpectAny}, proposed(t, 1, 50))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, ErrStopped) {
			t.Fatalf("append %d after the failed fsync: %v, want ErrStopped", i, err)
		}
	}
	if _, err := e.Delete(context.Background(), "journey-0", Expected{Kind: ExpectAny}); !errors.Is(err, ErrStopped) {
		t.Fatalf("delete after the failed fsync: %v, want ErrStopped", err)
	}
	assertLog(t, e, want) // reads still work and show only acknowledged data
	if got := int64(len(fileBytes(t, seg))); got != sizeBefore {
		t.Fatalf("segment is %d bytes after the failed fsync, want %d (unacknowledged bytes cut off)", got, sizeBefore)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := openTestEngine(t, dir, Options{})
	if rep := e2.Recovery(); rep.TornBytes != 0 {
		t.Fatalf("restart found %d torn bytes", rep.TornBytes)
	}
	assertLog(t, e2, want)
	reopenAndAppendAfterClose(t, e2, dir, want)
}

// reopenAndAppendAfterClose closes e and checks that dir takes writes again.
func reopenAndAppendAfterClose(tb testing.TB, e *Engine, dir string, want []storedEvent) {
	tb.Helper()
	if err := e.Close(); err != nil {
		tb.Fatal(err)
	}
	reopenAndAppend(tb, dir, want)
}

func TestStorageDiskFull(t *testing.T) {
	var full atomic.Bool
	var refused atomic.Int32
	opts := Options{writeFile: func(f *os.File, b []byte, off int64) (int, error) {
		if full.Load() {
			refused.Add(1)
			// Like a real full disk: part of the buffer lands, then ENOSPC.
			n, err := f.WriteAt(b[:len(b)/2], off)
			if err != nil {
				return n, err
			}
			return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
		}
		return f.WriteAt(b, off)
	}}
	dir := t.TempDir()
	e, err := OpenEngine(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	want := populate(t, e, 8, 100)
	seg := segmentFiles(t, dir)[0]
	sizeBefore := logSize(e)
	last := map[string]int64{}
	for _, ev := range want {
		last[ev.stream] = int64(ev.rev)
	}

	full.Store(true)
	for i := 0; i < 3; i++ {
		_, err := e.Append(context.Background(), "journey-2", Expected{Kind: ExpectRevision, Revision: uint64(last["journey-2"])}, proposed(t, 2, 100))
		if !errors.Is(err, ErrDiskFull) {
			t.Fatalf("append %d on a full disk: %v, want ErrDiskFull", i, err)
		}
		if got := int64(len(fileBytes(t, seg))); got != sizeBefore {
			t.Fatalf("segment is %d bytes after a refused append, want %d", got, sizeBefore)
		}
	}
	if refused.Load() == 0 {
		t.Fatal("the injected write was never called")
	}
	assertLog(t, e, want)

	full.Store(false) // space returns
	acked := appendAcked(t, e, "journey-2", last["journey-2"], proposed(t, 2, 100))
	want = append(want, acked...)
	got := readLog(t, e)
	want[len(want)-2].pos = got[len(got)-2].pos
	assertLog(t, e, want)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := openTestEngine(t, dir, Options{})
	if rep := e2.Recovery(); rep.TornBytes != 0 {
		t.Fatalf("restart found %d torn bytes", rep.TornBytes)
	}
	assertLog(t, e2, want)
}

// TestStorageIndexInvariantRefused writes a record that is intact on disk
// but breaks an index invariant (a revision gap); the node must refuse it.
func TestStorageIndexInvariantRefused(t *testing.T) {
	dir := t.TempDir()
	path := writeRawLog(t, dir, []commitPart{{stream: "journey-x", events: []encodedEvent{
		{revision: 0, typ: "a", contentType: "application/json"},
		{revision: 2, typ: "b", contentType: "application/json"},
	}}})
	_, err := OpenEngine(dir, Options{})
	var ce *CorruptionError
	if !errors.As(err, &ce) || ce.File != filepath.Base(path) || ce.Offset != segmentHeaderSize {
		t.Fatalf("open: %v, want corruption in %s at %d", err, filepath.Base(path), segmentHeaderSize)
	}
}

// writeRawLog writes a segment holding one record per commit, bypassing the
// engine's checks.
func writeRawLog(tb testing.TB, dir string, commits ...[]commitPart) string {
	tb.Helper()
	buf := []byte(segmentMagic)
	for _, parts := range commits {
		for i := range parts {
			for j := range parts[i].events {
				parts[i].events[j].id = newEventID(tb)
			}
		}
		buf = encodeCommit(buf, parts)
	}
	path := filepath.Join(dir, segmentName(0))
	writeBytes(tb, path, buf)
	return path
}

// TestStorageCloseDuringAppends closes the engine while many writers queue
// behind a slow disk: every append is either acknowledged and found after a
// restart, or refused with ErrClosed and absent. Nobody waits forever.
func TestStorageCloseDuringAppends(t *testing.T) {
	var syncs atomic.Int32
	opts := Options{syncFile: func(f *os.File) error {
		syncs.Add(1)
		time.Sleep(2 * time.Millisecond) // a slow disk: requests pile up behind the leader
		return syscall.Fdatasync(int(f.Fd()))
	}}
	dir := t.TempDir()
	e := openTestEngine(t, dir, opts)
	const writers = 24
	type outcome struct {
		id  [16]byte
		err error
	}
	results := make([][]outcome, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ev := proposed(t, 1, 64)
				_, err := e.Append(context.Background(), fmt.Sprintf("writer-%d", w), Expected{Kind: ExpectAny}, ev)
				results[w] = append(results[w], outcome{id: ev[0].ID, err: err})
				if err != nil {
					return
				}
			}
		}()
	}
	for syncs.Load() < 10 {
		time.Sleep(time.Millisecond)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait() // every writer got an answer

	e2 := openTestEngine(t, dir, Options{})
	defer func() { _ = e2.Close() }()
	stored := map[[16]byte]bool{}
	for _, ev := range readLog(t, e2) {
		stored[ev.id] = true
	}
	acked := 0
	for w, rs := range results {
		for _, r := range rs {
			switch {
			case r.err == nil:
				acked++
				if !stored[r.id] {
					t.Errorf("writer %d: acknowledged event %x missing after restart", w, r.id[:4])
				}
			case errors.Is(r.err, ErrClosed):
				if stored[r.id] {
					t.Errorf("writer %d: event %x refused with ErrClosed but stored", w, r.id[:4])
				}
			default:
				t.Errorf("writer %d: %v, want success or ErrClosed", w, r.err)
			}
		}
	}
	if acked == 0 || len(stored) != acked {
		t.Fatalf("%d acknowledged, %d stored: want the same, more than 0", acked, len(stored))
	}
}

// Preallocation is an optimisation only: a file system without fallocate,
// or a disk too full to allocate ahead, still takes every append, and the
// log reads back the same after a restart.
func TestStoragePreallocationRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"file system without fallocate", syscall.EOPNOTSUPP},
		{"disk too full to allocate ahead", syscall.ENOSPC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			opts := Options{SegmentSize: 8192, allocate: func(*os.File, int64, int64) error {
				calls.Add(1)
				return tc.err
			}}
			dir := t.TempDir()
			e := openTestEngine(t, dir, opts)
			want := populate(t, e, 30, 300) // several segments
			if calls.Load() == 0 {
				t.Fatal("the engine never tried to preallocate")
			}
			if errors.Is(tc.err, syscall.EOPNOTSUPP) && calls.Load() != 1 {
				t.Fatalf("tried to preallocate %d times on a file system without it, want once", calls.Load())
			}
			for _, s := range segmentFiles(t, dir)[:len(segmentFiles(t, dir))-1] {
				if st, err := os.Stat(s); err != nil || st.Size() > 8192 {
					t.Fatalf("%s: %v, size %d", s, err, st.Size())
				}
			}
			if got := int64(len(fileBytes(t, segmentFiles(t, dir)[len(segmentFiles(t, dir))-1]))); got != logSize(e) {
				t.Fatalf("segment being written is %d bytes for a log of %d", got, logSize(e))
			}
			reopenAndAppendAfterClose(t, e, dir, want)
		})
	}
}
