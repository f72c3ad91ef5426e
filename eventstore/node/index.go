package node

import (
	"fmt"
	"math"
	"strings"
)

// entry is what the index keeps in memory per event (24 bytes).
type entry struct {
	pos    int64
	size   uint32
	stream uint32
	typ    uint32
	rev    uint32 // revision, or revTombstone
}

const revTombstone = math.MaxUint32

type streamState struct {
	idx        uint32
	name       string
	revs       []uint32 // revision -> global index
	tombstoned bool
	meta       streamMeta
}

// lastRevision is the revision of the last event ever written, -1 if none.
func (s *streamState) lastRevision() int64 { return int64(len(s.revs)) - 1 }

// softDeleted reports a soft delete not yet followed by a new write.
func (s *streamState) softDeleted() bool { return s.meta.tb == math.MaxInt64 }

// applyRecord updates the indexes with one committed record. It is the only
// way the indexes change, at recovery and after each commit alike, so the
// in-memory state is always exactly what the log says.
func (e *Engine) applyRecord(pos int64, payload []byte) error {
	var cur *streamState
	var lastMeta []byte
	payloadBase := pos + recordHeaderSize
	err := walkCommit(payload, func(stream []byte, _ int) error {
		if lastMeta != nil {
			e.applyMetadata(cur.name, lastMeta)
			lastMeta = nil
		}
		cur = e.streamFor(string(stream))
		return nil
	}, func(h *eventHeader) error {
		g := uint32(len(e.entries))
		ent := entry{pos: payloadBase + int64(h.offset), size: uint32(h.size), stream: cur.idx, typ: e.typeFor(h.typ)}
		if len(h.typ) == 0 {
			// A scavenged event (scavenge.go): it keeps its revision, so
			// revisions stay contiguous and appends continue after it, but
			// it has no id, no metadata to apply and is never read.
			if h.revision != uint64(len(cur.revs)) {
				return fmt.Errorf("stream %q: scavenged event at revision %d follows revision %d", cur.name, h.revision, len(cur.revs)-1)
			}
			ent.rev = uint32(h.revision)
			cur.revs = append(cur.revs, g)
			e.entries = append(e.entries, ent)
			return nil
		}
		if h.revision == tombstoneRevision {
			ent.rev = revTombstone
			cur.tombstoned = true
		} else {
			if h.revision != uint64(len(cur.revs)) {
				return fmt.Errorf("stream %q: event at revision %d follows revision %d", cur.name, h.revision, len(cur.revs)-1)
			}
			ent.rev = uint32(h.revision)
			cur.revs = append(cur.revs, g)
			if strings.HasPrefix(cur.name, "$$") {
				lastMeta = payload[h.offset : h.offset+h.size]
			}
		}
		e.entries = append(e.entries, ent)
		if prev, ok := e.ids[h.id]; ok {
			e.reused[h.id] = append(e.reused[h.id], prev)
		}
		e.ids[h.id] = g
		return nil
	})
	if err != nil {
		return &CorruptionError{File: e.fileOf(pos), Offset: pos - e.baseOf(pos), Reason: err.Error()}
	}
	if lastMeta != nil {
		e.applyMetadata(cur.name, lastMeta)
	}
	return nil
}

func (e *Engine) streamFor(name string) *streamState {
	if s, ok := e.streams[name]; ok {
		return s
	}
	s := &streamState{idx: uint32(len(e.names)), name: name}
	e.streams[name] = s
	e.names = append(e.names, s)
	return s
}

func (e *Engine) typeFor(typ []byte) uint32 {
	if i, ok := e.typeIdx[string(typ)]; ok {
		return i
	}
	i := uint32(len(e.types))
	name := string(typ)
	e.types = append(e.types, name)
	e.typeIdx[name] = i
	return i
}
