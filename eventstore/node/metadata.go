package node

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// streamMeta is the parsed content of the latest event in the $$ stream.
type streamMeta struct {
	raw      []byte
	maxAge   int64 // seconds; 0 = none
	maxCount int64 // 0 = none
	tb       int64 // truncate before; 0 = none
}

// applyMetadata parses the event bytes of a $$ event into the target's meta.
func (e *Engine) applyMetadata(metaStream string, body []byte) {
	var ev Event
	if err := decodeEvent(body, &ev, true); err != nil {
		return
	}
	target := e.streamFor(strings.TrimPrefix(metaStream, "$$"))
	target.meta = parseMeta(ev.Data)
}

func parseMeta(data []byte) streamMeta {
	m := streamMeta{raw: cloneBytes(data)}
	var v map[string]json.RawMessage
	if json.Unmarshal(data, &v) != nil {
		return m
	}
	num := func(key string) int64 {
		raw, ok := v[key]
		if !ok {
			return 0
		}
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return 0
		}
		i, err := n.Int64()
		if err != nil {
			if f, ferr := n.Float64(); ferr == nil && f >= math.MaxInt64 {
				return math.MaxInt64
			}
			return 0
		}
		return i
	}
	m.maxAge, m.maxCount, m.tb = num("$maxAge"), num("$maxCount"), num("$tb")
	return m
}

// withTB returns metadata JSON with $tb set, keeping every other key.
func withTB(raw []byte, tb int64) []byte {
	m := map[string]json.RawMessage{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			m = map[string]json.RawMessage{}
		}
	}
	m["$tb"] = json.RawMessage(fmt.Sprintf("%d", tb))
	out, _ := json.Marshal(m)
	return out
}

// visibleFrom returns the first visible revision of a stream and whether the
// stream is readable at all. Caller holds the read lock.
func (e *Engine) visibility(s *streamState) (first int64, err error) {
	if s.tombstoned {
		return 0, &StreamDeletedError{Stream: s.name}
	}
	if len(s.revs) == 0 || s.softDeleted() {
		return 0, ErrStreamNotFound
	}
	return firstVisible(s), nil
}

// firstVisible is the first revision that $tb, $maxCount and the implicit
// one-event window of $$ streams leave visible. Caller holds the read lock.
func firstVisible(s *streamState) int64 {
	if s.softDeleted() {
		return int64(len(s.revs))
	}
	first := int64(0)
	if s.meta.tb > 0 {
		first = s.meta.tb
	}
	if s.meta.maxCount > 0 {
		if c := int64(len(s.revs)) - s.meta.maxCount; c > first {
			first = c
		}
	}
	if strings.HasPrefix(s.name, "$$") {
		// Only the latest metadata is visible (implicit $maxCount 1).
		if c := int64(len(s.revs)) - 1; c > first {
			first = c
		}
	}
	return first
}

func (e *Engine) ageCutoff(maxAge int64) int64 {
	if maxAge <= 0 {
		return 0
	}
	return e.opts.Now().Add(-time.Duration(maxAge)*time.Second).UnixNano() / 100
}

// StreamMetadataRaw returns the raw metadata JSON of a stream, if any.
func (e *Engine) StreamMetadataRaw(stream string) []byte {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if s, ok := e.streams[stream]; ok {
		return s.meta.raw
	}
	return nil
}
