package node

import "slices"

// latestIn returns the global index of the latest write of event id in
// stream. Caller holds the read lock.
func (e *Engine) latestIn(id [16]byte, stream uint32) (uint32, bool) {
	g, ok := e.ids[id]
	if !ok {
		return 0, false
	}
	if e.entries[g].stream == stream {
		return g, true
	}
	earlier := e.reused[id]
	for i := len(earlier) - 1; i >= 0; i-- {
		if e.entries[earlier[i]].stream == stream {
			return earlier[i], true
		}
	}
	return 0, false
}

// wroteAt reports whether event id was written at global index g. Caller
// holds the read lock.
func (e *Engine) wroteAt(id [16]byte, g uint32) bool {
	if latest, ok := e.ids[id]; !ok || latest == g {
		return ok
	}
	return slices.Contains(e.reused[id], g)
}

// idempotent recognises a retry: the same event ids, in order, already
// written to this stream right after the expected revision (or, with any,
// anywhere in the stream). It returns the original result.
func (e *Engine) idempotent(req *commitReq) (WriteResult, bool) {
	if len(req.events) == 0 {
		return WriteResult{}, false
	}
	s, ok := e.streams[req.stream]
	if !ok {
		return WriteResult{}, false
	}
	g, ok := e.latestIn(req.events[0].ID, s.idx)
	if !ok || e.entries[g].rev == revTombstone {
		return WriteResult{}, false
	}
	firstRev := int64(e.entries[g].rev)
	switch req.expected.Kind {
	case ExpectAny: // anywhere in the stream
	case ExpectNoStream:
		if firstRev != 0 {
			return WriteResult{}, false
		}
	case ExpectRevision:
		if firstRev != int64(req.expected.Revision)+1 {
			return WriteResult{}, false
		}
	case ExpectStreamExists:
		if firstRev == 0 {
			return WriteResult{}, false
		}
	}
	lastRev := firstRev + int64(len(req.events)) - 1
	if lastRev >= int64(len(s.revs)) {
		return WriteResult{}, false
	}
	for i := range req.events {
		if !e.wroteAt(req.events[i].ID, s.revs[firstRev+int64(i)]) {
			return WriteResult{}, false
		}
	}
	last := e.entries[s.revs[lastRev]]
	return WriteResult{Success: true, Revision: uint64(lastRev), Position: Position(last.pos)}, true
}
