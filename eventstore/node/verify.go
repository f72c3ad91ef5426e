package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// VerifyReport says what Verify found in a data directory.
type VerifyReport struct {
	// Dir is the data directory checked.
	Dir string
	// Segments is the number of segment files; SegmentsChecked how many of
	// them were read to the end (fewer when a corruption stopped the check).
	Segments        int
	SegmentsChecked int
	// Records, Events and Streams count what the intact part of the log
	// holds (streams include $$ metadata streams).
	Records int
	Events  int
	Streams int
	// Scavenged counts the events a scavenge replaced (included in Events).
	Scavenged int
	// Bytes is the size of the intact part of the log.
	Bytes int64
	// TornTail is set when the last segment ends in an unacknowledged torn
	// record; the node truncates it at its next start.
	TornTail *TornTail
	// Corruption is the first damaged record before the tail (or the first
	// broken index invariant); the node refuses to start on this directory.
	Corruption *CorruptionError
	// SavedTornTails lists files where earlier recoveries put torn bytes.
	SavedTornTails []string
}

// TornTail locates an unacknowledged partial record at the end of the log.
type TornTail struct {
	File   string
	Offset int64 // where the intact part of the file ends
	Bytes  int64 // how many bytes follow it
}

// OK reports a directory the node opens without losing or refusing
// anything: no corruption and no torn tail.
func (r VerifyReport) OK() bool { return r.Corruption == nil && r.TornTail == nil }

// String is a human summary, one finding a line.
func (r VerifyReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "data directory %s: %d segments (%d checked), %d records, %d events (%d scavenged), %d streams, %d bytes\n",
		r.Dir, r.Segments, r.SegmentsChecked, r.Records, r.Events, r.Scavenged, r.Streams, r.Bytes)
	switch {
	case r.Corruption != nil:
		fmt.Fprintf(&b, "CORRUPT: %v (the node refuses to start)\n", r.Corruption)
	case r.TornTail != nil:
		fmt.Fprintf(&b, "torn tail: %d unacknowledged bytes at offset %d of %s (the node saves them aside and truncates them at start)\n",
			r.TornTail.Bytes, r.TornTail.Offset, r.TornTail.File)
	default:
		b.WriteString("ok: every record is intact and the index invariants hold\n")
	}
	for _, s := range r.SavedTornTails {
		fmt.Fprintf(&b, "note: %s holds the torn tail an earlier recovery cut off\n", s)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Verify checks a data directory offline, without modifying it: every
// record's framing and checksum (with the same scanner recovery uses), the
// segment chain, and the invariants the index relies on (revisions
// contiguous per stream, nothing after a tombstone, positions increasing).
// It returns the first corruption as a *CorruptionError (also in the
// report), ErrDataDirInUse when a running node holds the directory, and
// other errors when the directory cannot be read. A torn tail is reported
// but is not an error: the node handles it at start.
func Verify(dir string) (VerifyReport, error) {
	rep := VerifyReport{Dir: dir}
	if st, err := os.Stat(dir); err != nil {
		return rep, fmt.Errorf("data directory: %w", err)
	} else if !st.IsDir() {
		return rep, fmt.Errorf("data directory %s is not a directory", dir)
	}
	if err := checkNotLocked(dir); err != nil {
		return rep, err
	}
	segs, err := listSegments(dir)
	if err != nil {
		return rep, err
	}
	rep.Segments = len(segs)
	if saved, err := filepath.Glob(filepath.Join(dir, segmentPrefix+"*"+segmentSuffix+".torn-*")); err == nil {
		for _, s := range saved {
			rep.SavedTornTails = append(rep.SavedTornTails, filepath.Base(s))
		}
	}

	type streamCheck struct {
		next       uint64 // next expected revision
		tombstoned bool
	}
	streams := map[string]*streamCheck{}
	lastPos := int64(0)
	fail := func(ce *CorruptionError) (VerifyReport, error) {
		rep.Corruption = ce
		rep.Streams = len(streams)
		return rep, ce
	}
	prevEnd := int64(-1)
	for i, s := range segs {
		name := filepath.Base(s.path)
		if prevEnd >= 0 && s.base != prevEnd {
			return fail(&CorruptionError{File: name, Offset: 0,
				Reason: fmt.Sprintf("segment starts at %d but the previous one ends at %d", s.base, prevEnd)})
		}
		last := i == len(segs)-1
		res, err := scanSegment(s, last, func(pos int64, payload []byte) error {
			rep.Records++
			off := pos - s.base
			var cur *streamCheck
			var curName string
			err := walkCommit(payload, func(stream []byte, _ int) error {
				curName = string(stream)
				cur = streams[curName]
				if cur == nil {
					cur = &streamCheck{}
					streams[curName] = cur
				}
				return nil
			}, func(h *eventHeader) error {
				evPos := pos + recordHeaderSize + int64(h.offset)
				if evPos <= lastPos {
					return fmt.Errorf("event position %d does not follow %d", evPos, lastPos)
				}
				lastPos = evPos
				rep.Events++
				if len(h.typ) == 0 {
					rep.Scavenged++
				}
				switch {
				case cur.tombstoned:
					return fmt.Errorf("stream %q: event at revision %d after its tombstone", curName, h.revision)
				case h.revision == tombstoneRevision:
					cur.tombstoned = true
				case h.revision != cur.next:
					return fmt.Errorf("stream %q: event at revision %d follows revision %d", curName, h.revision, int64(cur.next)-1)
				default:
					cur.next++
				}
				return nil
			})
			if err != nil {
				return &CorruptionError{File: name, Offset: off, Reason: err.Error()}
			}
			return nil
		})
		if err != nil {
			var ce *CorruptionError
			if errors.As(err, &ce) {
				return fail(ce)
			}
			return rep, fmt.Errorf("verify %s: %w", name, err)
		}
		rep.SegmentsChecked++
		if res.validEnd > segmentHeaderSize {
			rep.Bytes += res.validEnd - segmentHeaderSize
		}
		if res.torn {
			rep.TornTail = &TornTail{File: name, Offset: res.validEnd, Bytes: res.tornEnd - res.validEnd}
		}
		prevEnd = s.base + res.validEnd
	}
	rep.Streams = len(streams)
	return rep, nil
}

// checkNotLocked refuses a directory that a running node holds: its tail
// may be mid-write, which would look like a torn record. It only takes a
// shared lock on an existing lock file, so it writes nothing.
func checkNotLocked(dir string) error {
	f, err := os.Open(filepath.Join(dir, "LOCK"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open lock file: %w", err)
	}
	defer func() { _ = f.Close() }() // opened read-only
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("%w: %s", ErrDataDirInUse, dir)
		}
		return fmt.Errorf("lock data directory: %w", err)
	}
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
