package node

// StreamInfo describes a stream for subscriptions: its last revision (-1 if
// none) and the first visible revision.
type StreamInfo struct {
	LastRevision int64
	FirstVisible int64
	Tombstoned   bool
	Exists       bool
}

// NextInStream loads up to max visible events of stream with revision >
// after (after = -1: from the first). It never reports not-found: a
// subscription waits for a stream to appear. A tombstoned stream returns
// *StreamDeletedError.
func (e *Engine) NextInStream(stream string, after int64, max int) ([]Event, error) {
	e.mu.RLock()
	s, ok := e.streams[stream]
	if !ok {
		e.mu.RUnlock()
		return nil, nil
	}
	if s.tombstoned {
		e.mu.RUnlock()
		return nil, &StreamDeletedError{Stream: stream}
	}
	first := firstVisible(s)
	cur := after + 1
	if cur < first {
		cur = first
	}
	var idx []uint32
	for cur < int64(len(s.revs)) && len(idx) < max {
		idx = append(idx, s.revs[cur])
		cur++
	}
	cutoff := e.ageCutoff(s.meta.maxAge)
	e.mu.RUnlock()
	out := make([]Event, 0, len(idx))
	err := e.load(idx, true, func(ev *Event) error {
		if cutoff > 0 && ev.Created < cutoff {
			return nil
		}
		out = append(out, *ev)
		return nil
	})
	if len(out) == 0 && len(idx) > 0 && err == nil {
		// Everything loaded was too old: move on past it.
		out = append(out, Event{Revision: uint64(cur - 1), Type: skipMarker})
	}
	return out, err
}

// skipMarker marks a placeholder event that only advances a cursor.
const skipMarker = "\x00skip"

// IsSkip reports a placeholder from NextInStream that carries no event.
func (ev *Event) IsSkip() bool { return ev.Type == skipMarker }

// AllFilter selects events of $all by stream name and event type. Nil
// functions match everything.
type AllFilter struct {
	Stream func(name string) bool
	Type   func(typ string) bool
}

// NextInAll scans $all for events after position after (exclusive; 0 = from
// the first), returning up to max matching events. It scans at most
// maxScan events and returns the position of the last one it looked at
// (scannedTo) and how many it looked at, so callers can send checkpoints.
func (e *Engine) NextInAll(after Position, f AllFilter, max, maxScan int) (events []Event, scannedTo Position, scanned int, err error) {
	idx, scannedTo, scanned := e.scanAll(after, f, max, maxScan)
	if len(idx) == 0 {
		return nil, scannedTo, scanned, nil
	}
	events = make([]Event, 0, len(idx))
	err = e.load(idx, true, func(ev *Event) error { events = append(events, *ev); return nil })
	return events, scannedTo, scanned, err
}

// EachInAll is NextInAll without copying: it calls fn with each event found,
// in order, whose byte slices are valid only during the call (a
// subscription encodes them for the wire at once). An error of fn stops it
// and is returned.
func (e *Engine) EachInAll(after Position, f AllFilter, max, maxScan int, fn func(*Event) error) (scannedTo Position, scanned int, err error) {
	idx, scannedTo, scanned := e.scanAll(after, f, max, maxScan)
	if len(idx) == 0 {
		return scannedTo, scanned, nil
	}
	return scannedTo, scanned, e.load(idx, false, fn)
}

// scanAll returns the global indexes of up to max events after position
// after that pass f, scanning at most maxScan events, how far it scanned
// and how many.
func (e *Engine) scanAll(after Position, f AllFilter, max, maxScan int) (idx []uint32, scannedTo Position, scanned int) {
	e.mu.RLock()
	cur := 0
	if after > 0 {
		cur = e.searchPos(after)
		if cur < len(e.entries) && e.entries[cur].pos == int64(after) {
			cur++
		}
	}
	scannedTo = after
	for cur < len(e.entries) && len(idx) < max && scanned < maxScan {
		en := e.entries[cur]
		scanned++
		scannedTo = Position(en.pos)
		if (f.Stream == nil || f.Stream(e.names[en.stream].name)) && (f.Type == nil || f.Type(e.types[en.typ])) {
			idx = append(idx, uint32(cur))
		}
		cur++
	}
	e.mu.RUnlock()
	return idx, scannedTo, scanned
}
