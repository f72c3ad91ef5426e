package node

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"strings"
	"time"
)

// ExpectedKind is the kind of optimistic-concurrency check of a write.
type ExpectedKind uint8

// The expected-revision forms of the protocol.
const (
	ExpectAny ExpectedKind = iota
	ExpectNoStream
	ExpectStreamExists
	ExpectRevision
)

// Expected is an expected-revision check.
type Expected struct {
	Kind     ExpectedKind
	Revision uint64 // with ExpectRevision
}

// ProposedEvent is an event to append.
type ProposedEvent struct {
	ID             [16]byte
	Type           string
	ContentType    string
	CustomMetadata []byte
	Data           []byte
}

// WriteResult is the outcome of a write that passed validation.
type WriteResult struct {
	// Success is false on a wrong expected revision.
	Success bool
	// Revision is the stream's last revision after the write (success) or
	// at the time of the check (failure); meaningless when NoStream.
	Revision uint64
	// NoStream says the stream had (or has) no events.
	NoStream bool
	// Position is the position of the last event written (or, for an
	// idempotent retry, of the original write); 0 when nothing was written.
	Position Position
}

// Append writes events to a stream atomically after the expected-revision
// check. A wrong expected revision is a result (Success false), not an error.
func (e *Engine) Append(ctx context.Context, stream string, expected Expected, events []ProposedEvent) (WriteResult, error) {
	if err := validateStreamName(stream); err != nil {
		return WriteResult{}, err
	}
	size := 0
	for i := range events {
		ev := &events[i]
		if ev.Type == "" {
			return WriteResult{}, &InvalidError{Reason: fmt.Sprintf("event %d has no type", i)}
		}
		if len(ev.Type) > math.MaxUint16 || len(ev.ContentType) > math.MaxUint16 {
			return WriteResult{}, &InvalidError{Reason: fmt.Sprintf("event %d: type or content type longer than %d bytes", i, math.MaxUint16)}
		}
		size += len(ev.Data) + len(ev.CustomMetadata)
	}
	if size > e.opts.MaxAppendSize {
		return WriteResult{}, &AppendTooLargeError{Size: size, Limit: e.opts.MaxAppendSize}
	}
	return e.do(ctx, &commitReq{kind: kindAppend, stream: stream, expected: expected, events: events})
}

// Delete soft-deletes a stream: reads report it not found, and a later write
// starts it again at the next revision.
func (e *Engine) Delete(ctx context.Context, stream string, expected Expected) (WriteResult, error) {
	if err := validateStreamName(stream); err != nil {
		return WriteResult{}, err
	}
	return e.do(ctx, &commitReq{kind: kindDelete, stream: stream, expected: expected})
}

// Tombstone deletes a stream for good: it can never be read or written again.
func (e *Engine) Tombstone(ctx context.Context, stream string, expected Expected) (WriteResult, error) {
	if err := validateStreamName(stream); err != nil {
		return WriteResult{}, err
	}
	return e.do(ctx, &commitReq{kind: kindTombstone, stream: stream, expected: expected})
}

func validateStreamName(s string) error {
	switch {
	case s == "":
		return &InvalidError{Reason: "stream name is empty"}
	case len(s) > 2048:
		return &InvalidError{Reason: "stream name is longer than 2048 bytes"}
	case s == "$all":
		return &InvalidError{Reason: "$all cannot be written to"}
	}
	return nil
}

// overlay tracks, inside one batch, what earlier commits of the batch will
// have done to a stream, so that later commits are decided against it.
type overlay struct {
	last       int64 // last revision, -1 none
	tombstoned bool
	softDel    bool
	meta       []byte // raw metadata if changed in the batch
	metaSet    bool
}

// decide runs under the read lock: it checks a request against the indexes
// plus the batch overlay and returns the parts to write.
func (e *Engine) decide(req *commitReq, ov map[string]*overlay, created int64) ([]commitPart, WriteResult, error) {
	o := e.overlayFor(ov, req.stream)
	if o.tombstoned {
		return nil, WriteResult{}, &StreamDeletedError{Stream: req.stream}
	}
	if target, ok := strings.CutPrefix(req.stream, "$$"); ok && e.overlayFor(ov, target).tombstoned {
		// As on the real server, a tombstoned stream's metadata stream is
		// deleted with it.
		return nil, WriteResult{}, &StreamDeletedError{Stream: req.stream}
	}
	if req.kind == kindAppend {
		if res, ok := e.idempotent(req); ok {
			return nil, res, nil
		}
	}
	if !expectationHolds(req.expected, o) {
		return nil, WriteResult{Revision: uint64(max(o.last, 0)), NoStream: o.last < 0 || o.softDel}, nil
	}
	switch req.kind {
	case kindAppend: // below
	case kindSeal:
		// The committer takes a seal before deciding (groupcommit.go): one
		// never gets here.
		return nil, WriteResult{}, errors.New("a seal is not a write")
	case kindDelete:
		meta := withTB(o.meta, math.MaxInt64)
		mo := e.overlayFor(ov, "$$"+req.stream)
		part := commitPart{stream: "$$" + req.stream, events: []encodedEvent{{
			revision: uint64(mo.last + 1), created: created, id: e.systemID(req, mo.last+1),
			typ: "$metadata", contentType: "application/json", data: meta}}}
		mo.last++
		o.softDel, o.meta, o.metaSet = true, meta, true
		return []commitPart{part}, WriteResult{Success: true, Revision: uint64(max(o.last, 0)), NoStream: o.last < 0}, nil
	case kindTombstone:
		part := commitPart{stream: req.stream, events: []encodedEvent{{
			revision: tombstoneRevision, created: created, id: e.systemID(req, o.last+1),
			typ: "$streamDeleted", contentType: "application/octet-stream"}}}
		o.tombstoned = true
		return []commitPart{part}, WriteResult{Success: true, Revision: uint64(max(o.last, 0)), NoStream: o.last < 0}, nil
	}
	if len(req.events) == 0 {
		return nil, WriteResult{Success: true, Revision: uint64(max(o.last, 0)), NoStream: o.last < 0}, nil
	}
	first := o.last + 1
	part := commitPart{stream: req.stream, events: make([]encodedEvent, len(req.events))}
	for i, ev := range req.events {
		part.events[i] = encodedEvent{revision: uint64(first + int64(i)), created: created, id: ev.ID,
			typ: ev.Type, contentType: ev.ContentType, metadata: ev.CustomMetadata, data: ev.Data}
	}
	o.last += int64(len(req.events))
	parts := []commitPart{part}
	if strings.HasPrefix(req.stream, "$$") {
		target := e.overlayFor(ov, strings.TrimPrefix(req.stream, "$$"))
		target.meta, target.metaSet = req.events[len(req.events)-1].Data, true
		target.softDel = parseMeta(target.meta).tb == math.MaxInt64
	}
	if o.softDel {
		// The first write after a soft delete revives the stream: events
		// before it stay hidden by rewriting $tb to the first new revision,
		// in the same record so both happen or neither.
		meta := withTB(o.meta, first)
		mo := e.overlayFor(ov, "$$"+req.stream)
		parts = append(parts, commitPart{stream: "$$" + req.stream, events: []encodedEvent{{
			revision: uint64(mo.last + 1), created: created, id: e.systemID(req, mo.last+1),
			typ: "$metadata", contentType: "application/json", data: meta}}})
		mo.last++
		o.softDel, o.meta, o.metaSet = false, meta, true
	}
	return parts, WriteResult{Success: true, Revision: uint64(o.last)}, nil
}

// systemID derives an id for an event the node writes itself.
func (e *Engine) systemID(req *commitReq, rev int64) [16]byte {
	var id [16]byte
	sum := crc32.Checksum([]byte(fmt.Sprintf("%s/%d/%d", req.stream, rev, time.Now().UnixNano())), castagnoli)
	h := fnv64(req.stream)
	for i := 0; i < 8; i++ {
		id[i] = byte(h >> (8 * i))
	}
	id[8], id[9], id[10], id[11] = byte(sum), byte(sum>>8), byte(sum>>16), byte(sum>>24)
	r := uint32(rev)
	id[12], id[13], id[14], id[15] = byte(r), byte(r>>8), byte(r>>16), byte(r>>24)
	id[6] = (id[6] & 0x0f) | 0x40 // version 4 layout
	id[8] = (id[8] & 0x3f) | 0x80
	return id
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func (e *Engine) overlayFor(ov map[string]*overlay, stream string) *overlay {
	if o, ok := ov[stream]; ok {
		return o
	}
	o := &overlay{last: -1}
	if s, ok := e.streams[stream]; ok {
		o.last = s.lastRevision()
		o.tombstoned = s.tombstoned
		o.softDel = s.softDeleted()
		o.meta = s.meta.raw
	}
	ov[stream] = o
	return o
}

func expectationHolds(x Expected, o *overlay) bool {
	switch x.Kind {
	case ExpectAny:
		return true
	case ExpectNoStream:
		return o.last < 0 || o.softDel
	case ExpectStreamExists:
		return o.last >= 0 && !o.softDel
	case ExpectRevision:
		return o.last >= 0 && uint64(o.last) == x.Revision
	}
	return false
}
