package node

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A commit payload (the body of one log record):
//
//	u8   kind (recordCommit)
//	u16  number of parts
//	per part: u16 stream-name length, stream name, u32 number of events,
//	          per event: u32 event length, event bytes
//
// Event bytes are self-contained so a single event can be read back from
// its position without the rest of the record:
//
//	u64 revision, i64 created (.NET ticks since the Unix epoch), 16-byte id,
//	u16 type length, type, u16 content-type length, content type,
//	u32 custom-metadata length, custom metadata, u32 data length, data
//
// An event's position is the logical position of its first byte.

const recordCommit = 1

// tombstoneRevision is the revision the stream-deleted event is stored at, as
// on the real server (EventNumber.DeletedStream).
const tombstoneRevision = uint64(math.MaxInt64)

type commitPart struct {
	stream string
	events []encodedEvent
}

type encodedEvent struct {
	revision    uint64
	created     int64
	id          [16]byte
	typ         string
	contentType string
	metadata    []byte
	data        []byte
}

func (e *encodedEvent) size() int {
	return 8 + 8 + 16 + 2 + len(e.typ) + 2 + len(e.contentType) + 4 + len(e.metadata) + 4 + len(e.data)
}

// encodeCommit appends the framed record (header + payload) to dst.
func encodeCommit(dst []byte, parts []commitPart) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, recordHeaderSize)...)
	dst = append(dst, recordCommit)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(parts)))
	for _, p := range parts {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(len(p.stream)))
		dst = append(dst, p.stream...)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p.events)))
		for i := range p.events {
			e := &p.events[i]
			dst = binary.LittleEndian.AppendUint32(dst, uint32(e.size()))
			dst = binary.LittleEndian.AppendUint64(dst, e.revision)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(e.created))
			dst = append(dst, e.id[:]...)
			dst = binary.LittleEndian.AppendUint16(dst, uint16(len(e.typ)))
			dst = append(dst, e.typ...)
			dst = binary.LittleEndian.AppendUint16(dst, uint16(len(e.contentType)))
			dst = append(dst, e.contentType...)
			dst = binary.LittleEndian.AppendUint32(dst, uint32(len(e.metadata)))
			dst = append(dst, e.metadata...)
			dst = binary.LittleEndian.AppendUint32(dst, uint32(len(e.data)))
			dst = append(dst, e.data...)
		}
	}
	payload := dst[start+recordHeaderSize:]
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(dst[start+4:], crcOf(payload))
	return dst
}

var errShortRecord = errors.New("record payload is shorter than its contents say")

// decoder walks a byte slice, remembering the first error.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || d.off+n > len(d.b) {
		d.err = errShortRecord
		return nil
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) u8() uint8 {
	s := d.take(1)
	if s == nil {
		return 0
	}
	return s[0]
}

func (d *decoder) u16() int {
	s := d.take(2)
	if s == nil {
		return 0
	}
	return int(binary.LittleEndian.Uint16(s))
}

func (d *decoder) u32() int {
	s := d.take(4)
	if s == nil {
		return 0
	}
	return int(binary.LittleEndian.Uint32(s))
}

func (d *decoder) u64() uint64 {
	s := d.take(8)
	if s == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(s)
}

// eventHeader is what the index needs of an event, decoded without copying.
type eventHeader struct {
	offset   int // of the event bytes within the payload
	size     int
	revision uint64
	id       [16]byte
	typ      []byte
}

// walkCommit decodes a commit payload, calling part for each part and ev for
// each event header in it.
func walkCommit(payload []byte, part func(stream []byte, n int) error, ev func(h *eventHeader) error) error {
	d := &decoder{b: payload}
	if kind := d.u8(); d.err == nil && kind != recordCommit {
		return fmt.Errorf("unknown record kind %d", kind)
	}
	nparts := d.u16()
	for p := 0; p < nparts && d.err == nil; p++ {
		stream := d.take(d.u16())
		n := d.u32()
		if d.err != nil {
			break
		}
		if err := part(stream, n); err != nil {
			return err
		}
		for i := 0; i < n && d.err == nil; i++ {
			size := d.u32()
			body := d.take(size)
			if d.err != nil {
				break
			}
			h := eventHeader{offset: d.off - size, size: size}
			if err := parseEventHeader(body, &h); err != nil {
				return err
			}
			if err := ev(&h); err != nil {
				return err
			}
		}
	}
	if d.err != nil {
		return d.err
	}
	if d.off != len(payload) {
		return fmt.Errorf("record has %d trailing bytes", len(payload)-d.off)
	}
	return nil
}

func parseEventHeader(body []byte, h *eventHeader) error {
	d := &decoder{b: body}
	h.revision = d.u64()
	d.u64() // created
	copy(h.id[:], d.take(16))
	h.typ = d.take(d.u16())
	return d.err
}

// decodeEvent parses the bytes of one event into e. With clone, e owns its
// byte slices; without, they alias body and are valid only as long as it is.
func decodeEvent(body []byte, e *Event, clone bool) error {
	d := &decoder{b: body}
	e.Revision = d.u64()
	e.Created = int64(d.u64())
	copy(e.ID[:], d.take(16))
	if tb := d.take(d.u16()); string(tb) != e.Type {
		e.Type = string(tb) // callers that know the type set it first: no allocation
	}
	e.ContentType = internContentType(d.take(d.u16()))
	e.CustomMetadata = d.take(d.u32())
	e.Data = d.take(d.u32())
	if clone {
		e.CustomMetadata, e.Data = cloneBytes(e.CustomMetadata), cloneBytes(e.Data)
	}
	if d.err == nil && d.off != len(body) {
		return fmt.Errorf("event has %d trailing bytes", len(body)-d.off)
	}
	return d.err
}

// internContentType avoids an allocation for the two content types the
// protocol knows.
func internContentType(b []byte) string {
	switch string(b) {
	case "application/json":
		return "application/json"
	case "application/octet-stream":
		return "application/octet-stream"
	}
	return string(b)
}

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
