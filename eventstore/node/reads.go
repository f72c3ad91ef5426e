package node

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
)

// Position is the location of an event in the global log; commit and prepare
// positions are equal on this node.
type Position = uint64

// Revision constants for reads.
const (
	// RevisionStart is the first revision of a stream.
	RevisionStart = uint64(0)
	// RevisionEnd means "after the last event".
	RevisionEnd = uint64(math.MaxUint64)
	// PositionEnd means "after the last event of $all".
	PositionEnd = uint64(math.MaxUint64)
)

// Event is a recorded event.
type Event struct {
	ID             [16]byte
	Stream         string
	Revision       uint64
	Position       Position
	Type           string
	ContentType    string
	Created        int64 // .NET ticks (100 ns) since the Unix epoch
	CustomMetadata []byte
	Data           []byte
}

// readBatch is how many events a read loads per lock acquisition.
const readBatch = 256

// ReadStream calls fn for up to count events of stream from revision from
// (inclusive), forwards or backwards. from may be RevisionEnd. It returns
// ErrStreamNotFound or *StreamDeletedError for an unreadable stream.
func (e *Engine) ReadStream(ctx context.Context, stream string, from uint64, backwards bool, count uint64, fn func(*Event) error) error {
	return e.readStream(ctx, stream, from, backwards, count, true, fn)
}

// readStream is ReadStream; with clone false the event's byte slices are
// valid only during fn (the gRPC layer marshals them before returning).
func (e *Engine) readStream(ctx context.Context, stream string, from uint64, backwards bool, count uint64, clone bool, fn func(*Event) error) error {
	e.mu.RLock()
	if target, meta := strings.CutPrefix(stream, "$$"); meta {
		if t, ok := e.streams[target]; ok && t.tombstoned {
			e.mu.RUnlock()
			return &StreamDeletedError{Stream: stream} // deleted with its stream
		}
	}
	s, ok := e.streams[stream]
	if !ok {
		e.mu.RUnlock()
		return ErrStreamNotFound
	}
	first, err := e.visibility(s)
	if err != nil {
		e.mu.RUnlock()
		return err
	}
	lastRev := s.lastRevision()
	maxAge := s.meta.maxAge
	e.mu.RUnlock()

	var cur int64
	switch {
	case backwards && from == RevisionEnd, backwards && from > uint64(lastRev):
		cur = lastRev
	case backwards:
		cur = int64(from)
	case from == RevisionEnd:
		return nil
	default:
		cur = int64(from)
		if cur < first {
			cur = first
		}
	}
	cutoff := e.ageCutoff(maxAge)
	sent := uint64(0)
	idx := make([]uint32, 0, readBatch)
	for sent < count {
		if err := ctx.Err(); err != nil {
			return err
		}
		idx = idx[:0]
		e.mu.RLock()
		for len(idx) < readBatch && uint64(len(idx)) < count-sent {
			if backwards {
				if cur < first {
					break
				}
				idx = append(idx, s.revs[cur])
				cur--
			} else {
				if cur >= int64(len(s.revs)) {
					break
				}
				idx = append(idx, s.revs[cur])
				cur++
			}
		}
		e.mu.RUnlock()
		if len(idx) == 0 {
			return nil
		}
		stop := false
		err := e.load(idx, clone, func(ev *Event) error {
			if cutoff > 0 && ev.Created < cutoff {
				return nil
			}
			sent++
			if err := fn(ev); err != nil {
				return err
			}
			if sent >= count {
				stop = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		if stop {
			return nil
		}
	}
	return nil
}

// ReadAll calls fn for up to count events of $all starting at position from:
// forwards, the first event at or after from; backwards, events before from
// (from = PositionEnd: from the last event).
func (e *Engine) ReadAll(ctx context.Context, from Position, backwards bool, count uint64, fn func(*Event) error) error {
	return e.readAll(ctx, from, backwards, count, true, fn)
}

// readAll is ReadAll; with clone false the event's byte slices are valid
// only during fn.
func (e *Engine) readAll(ctx context.Context, from Position, backwards bool, count uint64, clone bool, fn func(*Event) error) error {
	e.mu.RLock()
	var cur int
	if backwards {
		if from == PositionEnd {
			cur = len(e.entries) - 1
		} else {
			cur = e.searchPos(from) - 1
		}
	} else {
		if from == PositionEnd {
			e.mu.RUnlock()
			return nil
		}
		cur = e.searchPos(from)
	}
	e.mu.RUnlock()
	sent := uint64(0)
	idx := make([]uint32, 0, readBatch)
	for sent < count {
		if err := ctx.Err(); err != nil {
			return err
		}
		idx = idx[:0]
		e.mu.RLock()
		for len(idx) < readBatch && uint64(len(idx)) < count-sent {
			if cur < 0 || cur >= len(e.entries) {
				break
			}
			idx = append(idx, uint32(cur))
			if backwards {
				cur--
			} else {
				cur++
			}
		}
		e.mu.RUnlock()
		if len(idx) == 0 {
			return nil
		}
		if err := e.load(idx, clone, func(ev *Event) error { sent++; return fn(ev) }); err != nil {
			return err
		}
	}
	return nil
}

// searchPos returns the index of the first entry with pos >= p. Caller holds
// the read lock.
func (e *Engine) searchPos(p Position) int {
	if p > math.MaxInt64 {
		return len(e.entries)
	}
	return sort.Search(len(e.entries), func(i int) bool { return e.entries[i].pos >= int64(p) })
}

// load reads the events at the given global indexes from disk, in order,
// coalescing neighbouring events into one read. With clone false, the byte
// slices of the event passed to fn are valid only during the call.
func (e *Engine) load(idx []uint32, clone bool, fn func(*Event) error) error {
	type span struct {
		f          *os.File
		base       int64 // logical position of the file's first byte
		start, end int64 // file offsets
		first, n   int   // into idx
	}
	e.mu.RLock()
	ents := make([]entry, len(idx))
	names := make([]string, len(idx))
	types := make([]string, len(idx))
	for i, g := range idx {
		ents[i] = e.entries[g]
		names[i] = e.names[ents[i].stream].name
		types[i] = e.types[ents[i].typ]
	}
	var spans []span
	for i, en := range ents {
		seg := e.segmentAt(en.pos)
		if seg == nil || seg.f == nil {
			e.mu.RUnlock()
			return ErrClosed
		}
		off := en.pos - seg.base
		if n := len(spans); n > 0 {
			sp := &spans[n-1]
			if sp.f == seg.f && off >= sp.end && off-sp.end < 4096 && off+int64(en.size)-sp.start <= 4<<20 {
				sp.end = off + int64(en.size)
				sp.n++
				continue
			}
		}
		spans = append(spans, span{f: seg.f, base: seg.base, start: off, end: off + int64(en.size), first: i, n: 1})
	}
	e.mu.RUnlock()
	var buf []byte
	var ev Event
	for _, sp := range spans {
		n := int(sp.end - sp.start)
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if err := e.readSpan(sp.f, sp.base, buf, sp.start); err != nil {
			return fmt.Errorf("read event: %w", err)
		}
		for i := sp.first; i < sp.first+sp.n; i++ {
			en := ents[i]
			if types[i] == "" {
				continue // scavenged: nothing left to read
			}
			off := int(en.pos - sp.base - sp.start)
			body := buf[off : off+int(en.size)]
			ev.Type = types[i]
			if err := decodeEvent(body, &ev, clone); err != nil {
				return fmt.Errorf("decode event at %d: %w", en.pos, err)
			}
			if ev.Type == "" {
				// Scavenged between the index lookup and the read: it was
				// garbage, so it is simply no longer there.
				continue
			}
			if ev.Type != types[i] {
				return fmt.Errorf("decode event at %d: type %q on disk, %q in the index", en.pos, ev.Type, types[i])
			}
			ev.Stream = names[i]
			ev.Position = Position(en.pos)
			if err := fn(&ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// readSpan reads buf at off of the segment file f starting at position base.
// A scavenge may have replaced the segment's file (and closed f) since f was
// looked up; the new file holds the same bytes for every surviving event, so
// the read is repeated on it.
func (e *Engine) readSpan(f *os.File, base int64, buf []byte, off int64) error {
	_, err := f.ReadAt(buf, off)
	if err == nil || !errors.Is(err, os.ErrClosed) {
		return err
	}
	e.mu.RLock()
	seg := e.segmentAt(base)
	if seg == nil || seg.f == nil || seg.f == f || seg.base != base {
		e.mu.RUnlock()
		return err // closed for good (the engine is closing)
	}
	nf := seg.f
	e.mu.RUnlock()
	_, err = nf.ReadAt(buf, off)
	return err
}

// LastRevision returns the last revision of stream (-1 when it has none) and
// whether it is tombstoned.
func (e *Engine) LastRevision(stream string) (int64, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	s, ok := e.streams[stream]
	if !ok {
		return -1, false
	}
	return s.lastRevision(), s.tombstoned
}
