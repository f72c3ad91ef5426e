package node

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// snapshotDir reads every file of dir, to prove Verify changed nothing.
func snapshotDir(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	for _, en := range entries {
		out[en.Name()] = fileBytes(tb, filepath.Join(dir, en.Name()))
	}
	return out
}

func assertUnchanged(tb testing.TB, dir string, before map[string][]byte) {
	tb.Helper()
	after := snapshotDir(tb, dir)
	if len(after) != len(before) {
		tb.Fatalf("verify changed the directory: %d files before, %d after", len(before), len(after))
	}
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			tb.Fatalf("verify changed %s", name)
		}
	}
}

func streamCount(want []storedEvent) int {
	seen := map[string]bool{}
	for _, ev := range want {
		seen[ev.stream] = true
	}
	return len(seen)
}

func TestVerifyCleanDirectory(t *testing.T) {
	dir, want := buildDir(t, Options{SegmentSize: 4096}, 40, 300)
	segs := segmentFiles(t, dir)
	before := snapshotDir(t, dir)
	rep, err := Verify(dir)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() || rep.Corruption != nil || rep.TornTail != nil {
		t.Fatalf("clean directory reported as %+v", rep)
	}
	if rep.Segments != len(segs) || rep.SegmentsChecked != len(segs) || rep.Records != 40 ||
		rep.Events != len(want) || rep.Streams != streamCount(want) {
		t.Fatalf("report %+v, want %d segments, 40 records, %d events, %d streams", rep, len(segs), len(want), streamCount(want))
	}
	if !strings.Contains(rep.String(), "ok") {
		t.Fatalf("summary %q does not say ok", rep.String())
	}
	assertUnchanged(t, dir, before)

	// It agrees with what the engine recovers.
	e := openTestEngine(t, dir, Options{SegmentSize: 4096})
	if r := e.Recovery(); r.Records != rep.Records || r.Events != rep.Events || r.Segments != rep.Segments {
		t.Fatalf("engine recovered %+v, verify found %+v", r, rep)
	}
}

func TestVerifyTornTail(t *testing.T) {
	dir, want := buildDir(t, Options{}, 10, 200)
	seg := segmentFiles(t, dir)[0]
	spans := recordSpans(t, seg)
	lastRec := spans[len(spans)-1]
	if err := os.Truncate(seg, lastRec.off+lastRec.size-10); err != nil {
		t.Fatal(err)
	}
	before := snapshotDir(t, dir)
	rep, err := Verify(dir)
	if err != nil {
		t.Fatalf("verify: %v (a torn tail is not an error)", err)
	}
	if rep.OK() || rep.Corruption != nil || rep.TornTail == nil {
		t.Fatalf("torn tail not reported: %+v", rep)
	}
	tt := rep.TornTail
	if tt.File != filepath.Base(seg) || tt.Offset != lastRec.off || tt.Bytes != lastRec.size-10 {
		t.Fatalf("torn tail %+v, want %s at %d, %d bytes", *tt, filepath.Base(seg), lastRec.off, lastRec.size-10)
	}
	if kept := eventsBefore(want, 0, lastRec.off); rep.Events != len(kept) || rep.Records != len(spans)-1 {
		t.Fatalf("report %+v, want %d events in %d records", rep, len(kept), len(spans)-1)
	}
	if !strings.Contains(rep.String(), "torn tail") {
		t.Fatalf("summary %q does not mention the torn tail", rep.String())
	}
	assertUnchanged(t, dir, before) // no truncation, no file saved aside

	// After the engine's recovery, verify notes the saved bytes.
	e, err := OpenEngine(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err = Verify(dir)
	if err != nil || !rep.OK() || len(rep.SavedTornTails) != 1 {
		t.Fatalf("after recovery: %v, %+v", err, rep)
	}
}

func TestVerifyBitFlip(t *testing.T) {
	dir, _ := buildDir(t, Options{SegmentSize: 4096}, 40, 300)
	segs := segmentFiles(t, dir)
	target := segs[1]
	spans := recordSpans(t, target)
	rec := spans[len(spans)/2]
	flipBit(t, target, rec.off+rec.size-2, 6)
	before := snapshotDir(t, dir)
	rep, err := Verify(dir)
	var ce *CorruptionError
	if !errors.As(err, &ce) {
		t.Fatalf("verify: %v, want a *CorruptionError", err)
	}
	if ce.File != filepath.Base(target) || ce.Offset != rec.off {
		t.Fatalf("corruption in %s at %d, want %s at %d", ce.File, ce.Offset, filepath.Base(target), rec.off)
	}
	if rep.Corruption == nil || *rep.Corruption != *ce || rep.OK() {
		t.Fatalf("report %+v does not carry the corruption", rep)
	}
	if rep.SegmentsChecked != 1 || rep.Segments != len(segs) {
		t.Fatalf("report says %d of %d segments checked, want 1 of %d", rep.SegmentsChecked, rep.Segments, len(segs))
	}
	if s := rep.String(); !strings.Contains(s, "CORRUPT") || !strings.Contains(s, filepath.Base(target)) {
		t.Fatalf("summary %q does not name the corrupt file", s)
	}
	assertUnchanged(t, dir, before)
}

func TestVerifyIndexInvariants(t *testing.T) {
	for _, tc := range []struct {
		name    string
		commits [][]commitPart
		reason  string
	}{
		{"revision gap", [][]commitPart{
			{{stream: "journey-a", events: []encodedEvent{{revision: 0, typ: "a", contentType: "x"}}}},
			{{stream: "journey-a", events: []encodedEvent{{revision: 2, typ: "a", contentType: "x"}}}},
		}, "follows revision 0"},
		{"event after a tombstone", [][]commitPart{
			{{stream: "journey-b", events: []encodedEvent{{revision: 0, typ: "a", contentType: "x"}}}},
			{{stream: "journey-b", events: []encodedEvent{{revision: tombstoneRevision, typ: "$streamDeleted", contentType: "x"}}}},
			{{stream: "journey-b", events: []encodedEvent{{revision: 1, typ: "a", contentType: "x"}}}},
		}, "after its tombstone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeRawLog(t, dir, tc.commits...)
			rep, err := Verify(dir)
			var ce *CorruptionError
			if !errors.As(err, &ce) || !strings.Contains(ce.Reason, tc.reason) {
				t.Fatalf("verify: %v, want corruption %q", err, tc.reason)
			}
			if ce.Offset <= segmentHeaderSize || rep.Records != len(tc.commits) {
				t.Fatalf("corruption at %d after %d records, want the last record", ce.Offset, rep.Records)
			}
		})
	}
}

func TestVerifyRefusesADirectoryInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node on a loopback port; skipped with -short")
	}
	dir := t.TempDir()
	n, err := Start(context.Background(), Config{DataDir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(dir)
	if !errors.Is(err, ErrDataDirInUse) {
		_ = n.Close()
		t.Fatalf("verify on a running node's directory: %v, want ErrDataDirInUse", err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(dir); err != nil {
		t.Fatalf("verify after the node stopped: %v", err)
	}
}

func TestVerifyMissingDirectory(t *testing.T) {
	if _, err := Verify(filepath.Join(t.TempDir(), "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("verify of a missing directory: %v, want not-exist", err)
	}
}
