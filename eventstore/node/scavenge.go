package node

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Scavenging reclaims the space of events nobody can read any more: events
// of tombstoned and soft-deleted streams, and events hidden by $tb,
// $maxCount or $maxAge (docs/decisions/0011-node-scavenging.md).
//
// Positions are byte offsets in the log and clients keep them as
// checkpoints, so no surviving byte may move. A scavenge therefore rewrites
// a sealed segment into a file of the same length in which each garbage
// event is replaced, in place, by a scavenged event of the same size: its
// revision kept (revisions stay contiguous, appends continue after it), its
// type empty (no appended event has one), everything else zeros. The
// records holding one get a new checksum, so a scavenged record is an
// ordinary intact record to recovery and verify. Runs of zeros are left as
// holes in the new file, which gives the space back to the file system.
//
// Crash safety comes from never writing a segment in place: the new
// version is written to <segment>.scavenge, synced, checked with the
// recovery scanner, and renamed over the segment, after which the directory
// is synced. A kill before the rename leaves the old segment (and a
// leftover file that recovery deletes); after it, the new one. Both answer
// the same for every surviving event.
//
// Only sealed segments are rewritten: the active one is being appended to
// by the committer. ScavengeOptions.SealActive first asks the committer to
// roll to a new segment, so that everything written so far can go.

// scavengeSuffix names the file a segment's new version is written to.
const scavengeSuffix = ".scavenge"

// alwaysGarbage is the cutoff of an event that is garbage whatever its
// creation time.
const alwaysGarbage = int64(math.MaxInt64)

// ScavengeOptions tunes one scavenge.
type ScavengeOptions struct {
	// SealActive rolls the segment being written to a new one first when it
	// holds garbage, so that it is rewritten too (default: only segments
	// that are already sealed are). Use it when something must be gone
	// from disk now, not when the segment fills.
	SealActive bool
}

// ScavengeReport says what a scavenge did.
type ScavengeReport struct {
	// SegmentsChecked is the number of sealed segments looked at;
	// SegmentsRewritten how many held garbage and were rewritten.
	SegmentsChecked   int
	SegmentsRewritten int
	// SegmentsSkipped counts segments left as they were because a stream's
	// metadata changed during the rewrite and made a planned event visible
	// again; the next scavenge looks at them afresh.
	SegmentsSkipped int
	// EventsScavenged is the number of events replaced by scavenged ones,
	// BytesScavenged the size of their bytes.
	EventsScavenged int
	BytesScavenged  int64
	// DiskBefore and DiskAfter are the bytes the file system allocated to
	// the rewritten segments before and after.
	DiskBefore int64
	DiskAfter  int64
	Duration   time.Duration
}

// scavenged is one event a rewrite replaced.
type scavenged struct {
	g       uint32
	pos     int64
	created int64
	id      [16]byte
	size    int
}

// Scavenge rewrites the sealed segments that hold garbage, keeping every
// surviving event's bytes at its position. It runs alongside reads and
// appends; scavenges run one at a time. ctx stops it between segments.
func (e *Engine) Scavenge(ctx context.Context, opts ScavengeOptions) (ScavengeReport, error) {
	e.scavengeMu.Lock()
	defer e.scavengeMu.Unlock()
	start := time.Now()
	var rep ScavengeReport
	if opts.SealActive {
		e.mu.RLock()
		active := e.segs[len(e.segs)-1]
		n := len(e.plan(active.base, math.MaxInt64))
		e.mu.RUnlock()
		if n > 0 {
			if _, err := e.do(ctx, &commitReq{kind: kindSeal}); err != nil {
				return rep, fmt.Errorf("seal the active segment: %w", err)
			}
		}
	}
	e.mu.RLock()
	sealed := append([]*segment(nil), e.segs[:len(e.segs)-1]...)
	e.mu.RUnlock()
	for _, seg := range sealed {
		if err := ctx.Err(); err != nil {
			rep.Duration = time.Since(start)
			return rep, err
		}
		rep.SegmentsChecked++
		if err := e.scavengeSegment(seg, &rep); err != nil {
			rep.Duration = time.Since(start)
			return rep, fmt.Errorf("scavenge %s: %w", filepath.Base(seg.path), err)
		}
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// plan returns, for each garbage candidate among the events at positions
// [from, to), its cutoff: the event is garbage if it was created before it.
// Caller holds the read lock.
func (e *Engine) plan(from, to int64) map[int64]int64 {
	out := map[int64]int64{}
	for g := e.searchPos(Position(from)); g < len(e.entries) && e.entries[g].pos < to; g++ {
		if c := e.garbageCutoff(uint32(g)); c != 0 {
			out[e.entries[g].pos] = c
		}
	}
	return out
}

// garbageCutoff decides whether the event at global index g is garbage: 0
// if it must stay, alwaysGarbage if it must go, otherwise the creation time
// ($maxAge) before which it must go. Caller holds the read lock.
func (e *Engine) garbageCutoff(g uint32) int64 {
	en := e.entries[g]
	if en.rev == revTombstone || e.types[en.typ] == "" {
		return 0 // the tombstone is what keeps the stream deleted
	}
	s := e.names[en.stream]
	if s.tombstoned || s.softDeleted() {
		// A soft-deleted stream's last revision survives in its scavenged
		// event, so a write after the delete continues at the right one.
		return alwaysGarbage
	}
	if target, ok := strings.CutPrefix(s.name, "$$"); ok {
		if t, ok := e.streams[target]; ok && t.tombstoned {
			return alwaysGarbage // deleted with its stream
		}
	}
	rev := int64(en.rev)
	if rev >= s.lastRevision() {
		// As on the real server, a live stream's last event stays, even
		// past $maxAge: it is what a stream read at the end finds.
		return 0
	}
	if rev < firstVisible(s) {
		return alwaysGarbage
	}
	return e.ageCutoff(s.meta.maxAge)
}

// scavengeSegment rewrites one sealed segment if it holds garbage.
func (e *Engine) scavengeSegment(seg *segment, rep *ScavengeReport) error {
	e.mu.RLock()
	plan := e.plan(seg.base, seg.base+seg.size)
	e.mu.RUnlock()
	if len(plan) == 0 {
		return nil
	}
	tmp := seg.path + scavengeSuffix
	gone, err := rewriteSegment(seg, tmp, plan)
	if err != nil || len(gone) == 0 {
		_ = os.Remove(tmp) // never the truth; recovery deletes it too
		return err
	}
	e.opts.scavengeHook("rewritten")
	before, after := allocated(seg.path), allocated(tmp)

	// The recheck, the rename and the index change happen under the write
	// lock: a metadata change since the plan may have made a planned event
	// visible again (a larger $maxCount, say), and the committer decides
	// under the read lock, so nothing can change in between.
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		_ = os.Remove(tmp)
		return ErrClosed
	}
	g := e.searchPos(Position(seg.base))
	for i := range gone {
		for g < len(e.entries) && e.entries[g].pos < gone[i].pos {
			g++
		}
		if g >= len(e.entries) || e.entries[g].pos != gone[i].pos || gone[i].created >= e.garbageCutoff(uint32(g)) {
			e.mu.Unlock()
			rep.SegmentsSkipped++
			_ = os.Remove(tmp)
			return nil
		}
		gone[i].g = uint32(g)
	}
	if err := os.Rename(tmp, seg.path); err != nil {
		e.mu.Unlock()
		_ = os.Remove(tmp)
		return fmt.Errorf("replace segment: %w", err)
	}
	e.opts.scavengeHook("renamed")
	nf, err := os.Open(seg.path)
	if err != nil {
		// The old file stays open and answers as before; the new one is
		// what the next start reads, and it answers the same.
		e.mu.Unlock()
		return fmt.Errorf("open rewritten segment: %w", err)
	}
	old := seg.f
	seg.f = nf
	stub := e.typeFor(nil)
	for _, s := range gone {
		e.entries[s.g].typ = stub
		e.forgetID(s.id, s.g)
	}
	e.mu.Unlock()
	if old != nil {
		// Reads in flight on it finish (the descriptor lives until its
		// last use); later ones find it closed and read the new file.
		_ = old.Close()
	}
	if err := syncDir(e.dir); err != nil {
		return fmt.Errorf("sync data directory: %w", err)
	}
	rep.SegmentsRewritten++
	rep.EventsScavenged += len(gone)
	for _, s := range gone {
		rep.BytesScavenged += int64(s.size)
	}
	rep.DiskBefore += before
	rep.DiskAfter += after
	e.log.Info("segment scavenged", "file", filepath.Base(seg.path), "events", len(gone),
		"disk_before", before, "disk_after", after)
	return nil
}

// forgetID drops a scavenged event from the idempotency maps, as recovery
// would (a scavenged event has no id). Caller holds the write lock.
func (e *Engine) forgetID(id [16]byte, g uint32) {
	earlier := e.reused[id]
	if latest, ok := e.ids[id]; ok && latest == g {
		if len(earlier) == 0 {
			delete(e.ids, id)
			return
		}
		e.ids[id] = earlier[len(earlier)-1]
		earlier = earlier[:len(earlier)-1]
	} else {
		for i, x := range earlier {
			if x == g {
				earlier = append(earlier[:i], earlier[i+1:]...)
				break
			}
		}
	}
	if len(earlier) == 0 {
		delete(e.reused, id)
	} else {
		e.reused[id] = earlier
	}
}

// rewriteSegment writes seg's new version to tmp: every record as it was,
// except that the events plan names (and that are old enough) become
// scavenged events. It syncs tmp and checks it with the recovery scanner,
// and returns the events it replaced (g not yet known).
func rewriteSegment(seg *segment, tmp string, plan map[int64]int64) ([]scavenged, error) {
	_ = os.Remove(tmp) // a leftover of an interrupted scavenge
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Base(tmp), err)
	}
	defer func() { _ = out.Close() }() // closed explicitly on success
	w := newSparseWriter(out)
	if err := w.write([]byte(segmentMagic)); err != nil {
		return nil, err
	}
	var gone []scavenged
	records := 0
	var np []byte
	hdr := make([]byte, recordHeaderSize)
	res, err := scanSegment(&segment{base: seg.base, path: seg.path}, false, func(pos int64, payload []byte) error {
		records++
		np = append(np[:0], payload...)
		payloadBase := pos + recordHeaderSize
		err := walkCommit(payload, func([]byte, int) error { return nil }, func(h *eventHeader) error {
			evPos := payloadBase + int64(h.offset)
			cutoff, ok := plan[evPos]
			if !ok {
				return nil
			}
			body := np[h.offset : h.offset+h.size]
			created := int64(binary.LittleEndian.Uint64(body[8:16]))
			if created >= cutoff {
				return nil
			}
			gone = append(gone, scavenged{pos: evPos, created: created, id: h.id, size: h.size})
			scavengeEvent(body, h.revision)
			return nil
		})
		if err != nil {
			return &CorruptionError{File: filepath.Base(seg.path), Offset: pos - seg.base, Reason: err.Error()}
		}
		binary.LittleEndian.PutUint32(hdr[0:4], uint32(len(np)))
		binary.LittleEndian.PutUint32(hdr[4:8], crcOf(np))
		if err := w.write(hdr); err != nil {
			return err
		}
		return w.write(np)
	})
	if err != nil {
		return nil, err
	}
	if res.validEnd != seg.size {
		return nil, fmt.Errorf("segment holds %d bytes of records, the index %d", res.validEnd, seg.size)
	}
	if len(gone) == 0 {
		return nil, nil
	}
	if err := w.finish(); err != nil {
		return nil, fmt.Errorf("write %s: %w", filepath.Base(tmp), err)
	}
	if err := out.Sync(); err != nil {
		return nil, fmt.Errorf("sync %s: %w", filepath.Base(tmp), err)
	}
	if err := out.Close(); err != nil {
		return nil, fmt.Errorf("close %s: %w", filepath.Base(tmp), err)
	}
	// Read back what is on disk with the scanner recovery uses.
	check := 0
	res, err = scanSegment(&segment{base: seg.base, path: tmp}, false, func(int64, []byte) error { check++; return nil })
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", filepath.Base(tmp), err)
	}
	if check != records || res.validEnd != seg.size {
		return nil, fmt.Errorf("check %s: %d records in %d bytes, want %d in %d", filepath.Base(tmp), check, res.validEnd, records, seg.size)
	}
	return gone, nil
}

// scavengeEvent turns the bytes of an event into a scavenged event of the
// same size: its revision, an empty type, and its data length; the rest,
// id, creation time, type, metadata and data included, is zeros.
func scavengeEvent(body []byte, revision uint64) {
	clear(body)
	binary.LittleEndian.PutUint64(body[0:8], revision)
	// revision 8, created 8, id 16, type and content-type lengths 2+2,
	// custom-metadata length 4, then the data length.
	binary.LittleEndian.PutUint32(body[40:44], uint32(len(body)-scavengedEventOverhead))
}

// scavengedEventOverhead is the size of an event with no type, content
// type, metadata or data; every appended event is larger (it has a type).
const scavengedEventOverhead = 8 + 8 + 16 + 2 + 2 + 4 + 4

// sparseWriter writes a file sequentially, leaving each 4 KiB block that
// holds only zeros as a hole, so the space of scavenged events is freed.
type sparseWriter struct {
	f   *os.File
	off int64  // file offset of buf[0]; a multiple of sparseBlock
	buf []byte // up to sparseBuffer bytes
}

const (
	sparseBlock  = 4 << 10
	sparseBuffer = 1 << 20
)

func newSparseWriter(f *os.File) *sparseWriter {
	return &sparseWriter{f: f, buf: make([]byte, 0, sparseBuffer)}
}

func (w *sparseWriter) write(b []byte) error {
	for len(b) > 0 {
		n := min(len(b), sparseBuffer-len(w.buf))
		w.buf = append(w.buf, b[:n]...)
		b = b[n:]
		if len(w.buf) == sparseBuffer {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes the buffer's non-zero blocks, coalesced into runs.
func (w *sparseWriter) flush() error {
	run := -1 // start of the current run of non-zero blocks
	for i := 0; ; i += sparseBlock {
		zero := true
		if i < len(w.buf) {
			for _, c := range w.buf[i:min(i+sparseBlock, len(w.buf))] {
				if c != 0 {
					zero = false
					break
				}
			}
		}
		if !zero && run < 0 {
			run = i
		}
		if zero && run >= 0 {
			if _, err := w.f.WriteAt(w.buf[run:min(i, len(w.buf))], w.off+int64(run)); err != nil {
				return err
			}
			run = -1
		}
		if i >= len(w.buf) {
			break
		}
	}
	w.off += int64(len(w.buf))
	w.buf = w.buf[:0]
	return nil
}

// finish writes what is buffered and sets the file's size, which also
// makes a trailing hole part of it.
func (w *sparseWriter) finish() error {
	if err := w.flush(); err != nil {
		return err
	}
	return w.f.Truncate(w.off)
}

// allocated is the space the file system gives path, 0 if unknown.
func allocated(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return sys.Blocks * 512
	}
	return st.Size()
}

// removeScavengeLeftovers deletes the files of scavenges a crash
// interrupted before their rename: the segments they were for are intact.
func removeScavengeLeftovers(dir string) error {
	left, err := filepath.Glob(filepath.Join(dir, segmentPrefix+"*"+segmentSuffix+scavengeSuffix))
	if err != nil {
		return err
	}
	for _, p := range left {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove leftover %s: %w", filepath.Base(p), err)
		}
	}
	return nil
}
