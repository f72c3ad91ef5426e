package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

type commitKind uint8

const (
	kindAppend commitKind = iota
	kindDelete
	kindTombstone
	// kindSeal asks the committer to roll to a new segment after its batch,
	// so that a scavenge may rewrite the one written so far.
	kindSeal
)

type commitReq struct {
	kind     commitKind
	stream   string
	expected Expected
	events   []ProposedEvent
	reply    chan commitReply
}

type commitReply struct {
	res WriteResult
	err error
}

func (e *Engine) do(ctx context.Context, req *commitReq) (WriteResult, error) {
	req.reply = make(chan commitReply, 1)
	e.mu.RLock()
	closed, failed := e.closed, e.failed
	e.mu.RUnlock()
	if closed {
		return WriteResult{}, ErrClosed
	}
	if failed != nil {
		return WriteResult{}, ErrStopped
	}
	select {
	case e.submit <- req:
	case <-e.done:
		return WriteResult{}, ErrClosed
	case <-ctx.Done():
		return WriteResult{}, ctx.Err()
	}
	// Once submitted, the outcome is decided by the committer: wait for it
	// even if ctx ends, so a caller never mistakes a durable write for a
	// failed one. The committer always replies.
	select {
	case r := <-req.reply:
		return r.res, r.err
	case <-e.stopped:
		select {
		case r := <-req.reply:
			return r.res, r.err
		default:
			return WriteResult{}, ErrClosed // queued after the committer's last drain
		}
	}
}

// maxBatchBytes bounds one group commit so latency stays bounded.
const maxBatchBytes = 32 << 20

// maxReusedBatchBuffer is the largest batch buffer kept for the next batch;
// a bigger one (a batch of large appends) is left to the garbage collector.
const maxReusedBatchBuffer = 4 << 20

func (e *Engine) commitLoop() {
	defer e.wg.Done()
	defer close(e.stopped)
	var batch []*commitReq
	for {
		select {
		case <-e.done:
			e.drainClosed()
			return
		case req := <-e.submit:
			batch = append(batch[:0], req)
		}
	more:
		for len(batch) < 4096 {
			select {
			case req := <-e.submit:
				batch = append(batch, req)
			default:
				break more
			}
		}
		e.commitBatch(batch)
	}
}

func (e *Engine) drainClosed() {
	for {
		select {
		case req := <-e.submit:
			req.reply <- commitReply{err: ErrClosed}
		default:
			return
		}
	}
}

type pending struct {
	req   *commitReq
	res   WriteResult
	err   error
	start int // byte offset of its record in the batch buffer; -1: nothing to write
	end   int
	// positions of written events are known only after the write; lastEv is
	// the offset within the batch buffer of the last event written.
	lastEv int
}

func (e *Engine) commitBatch(batch []*commitReq) {
	e.mu.RLock()
	failed := e.failed
	e.mu.RUnlock()
	if failed != nil {
		for _, r := range batch {
			r.reply <- commitReply{err: ErrStopped}
		}
		return
	}
	now := e.opts.Now()
	created := now.UnixNano() / 100
	ov := map[string]*overlay{}
	written := map[[16]byte]bool{} // ids of events this batch writes
	// Reuse the previous batch's buffer: encoding into a fresh one made the
	// committer the largest allocator of the append path. Nothing keeps a
	// reference to it once the batch is applied (the indexes copy).
	buf := e.wbuf[:0]
	defer func() {
		if cap(buf) <= maxReusedBatchBuffer {
			e.wbuf = buf[:0]
		}
	}()
	results := make([]pending, len(batch))

	sealWanted := false
	e.mu.RLock()
	for i, req := range batch {
		p := &results[i]
		p.req = req
		p.start = -1
		if req.kind == kindSeal {
			sealWanted = true
			continue
		}
		if len(buf) >= maxBatchBytes || writesAny(written, req) {
			// Too much for one write, or a retry of an append still in this
			// batch (only the indexes recognise a retry, and they see the
			// original once it is applied): hand it back for the next batch.
			p.err = errRequeue
			continue
		}
		var parts []commitPart
		parts, p.res, p.err = e.decide(req, ov, created)
		if p.err != nil || len(parts) == 0 {
			continue
		}
		for _, ev := range req.events {
			written[ev.ID] = true
		}
		p.start = len(buf)
		buf = encodeCommit(buf, parts)
		p.end = len(buf)
		p.lastEv = p.start + mainEventOffset(parts[0])
	}
	seg := e.segs[len(e.segs)-1]
	e.mu.RUnlock()

	if len(buf) > 0 {
		var err error
		// Appends beyond this batch's own are being received: let them
		// have the CPU while this batch is on its way to disk.
		async := e.appending.Load() > int64(len(batch))
		seg, err = e.writeDurably(seg, buf, async)
		if err != nil {
			for i := range results {
				if results[i].start >= 0 {
					results[i].err = err
				}
			}
			// A failed batch may have been decided against state written by
			// earlier requests of the same batch: those failed too, so
			// everything decided in this batch is retried by nobody; each
			// caller gets the error.
			buf = nil
		} else {
			base := seg.base + seg.size - int64(len(buf))
			e.mu.Lock()
			for i := range results {
				p := &results[i]
				if p.start < 0 || p.err != nil {
					continue
				}
				pos := base + int64(p.start)
				if err := e.applyRecord(pos, buf[p.start+recordHeaderSize:p.end]); err != nil {
					// Cannot happen for a record we just encoded; stop writes
					// rather than diverge from the log.
					e.failed = err
					e.log.Error("applying a committed record failed; writes stopped", "err", err)
				}
				p.res.Position = Position(base + int64(p.lastEv))
			}
			close(e.changed)
			e.changed = make(chan struct{})
			e.mu.Unlock()
		}
	}
	if sealWanted {
		err := e.sealActive(seg)
		for i := range results {
			if results[i].req.kind == kindSeal {
				results[i].err = err
			}
		}
	}
	for i := range results {
		p := &results[i]
		if errors.Is(p.err, errRequeue) {
			go func(r *commitReq) {
				select {
				case e.submit <- r:
				case <-e.done:
					r.reply <- commitReply{err: ErrClosed}
				}
			}(p.req)
			continue
		}
		p.req.reply <- commitReply{res: p.res, err: p.err}
	}
}

var errRequeue = errors.New("requeue")

// sealActive rolls the segment being written to a new one, unless it holds
// no record yet. Committer only.
func (e *Engine) sealActive(seg *segment) error {
	e.mu.RLock()
	failed := e.failed
	e.mu.RUnlock()
	if failed != nil {
		return ErrStopped
	}
	if seg.size <= segmentHeaderSize {
		return nil
	}
	if _, err := e.roll(seg); err != nil {
		return fmt.Errorf("seal segment %s: %w", filepath.Base(seg.path), err)
	}
	return nil
}

// writesAny reports whether req carries an event id in written.
func writesAny(written map[[16]byte]bool, req *commitReq) bool {
	for _, ev := range req.events {
		if written[ev.ID] {
			return true
		}
	}
	return false
}

// mainEventOffset is the offset, within an encoded record whose first part
// is p, of the first byte of p's last event: the position a write reports.
func mainEventOffset(p commitPart) int {
	off := recordHeaderSize + 1 + 2 + 2 + len(p.stream) + 4
	for i := 0; i < len(p.events)-1; i++ {
		off += 4 + p.events[i].size()
	}
	return off + 4
}

// writeDurably writes buf at the end of the current segment (rolling to a
// new one when full) and fdatasyncs it. It returns the segment written to.
func (e *Engine) writeDurably(seg *segment, buf []byte, async bool) (*segment, error) {
	if seg.size > segmentHeaderSize && seg.size+int64(len(buf)) > e.opts.SegmentSize {
		next, err := e.roll(seg)
		if err != nil {
			return seg, e.classifyWriteError(seg, err)
		}
		seg = next
	}
	err := e.preallocate(seg, int64(len(buf)))
	if err == nil {
		if _, werr := e.opts.writeFile(seg.f, buf, seg.size); werr != nil {
			return seg, e.classifyWriteError(seg, werr)
		}
		err = e.syncData(seg.f, async)
	}
	if err != nil {
		// After a failed fsync the kernel may have dropped the dirty pages:
		// nothing written since the last good sync can be trusted, and no
		// later write may be acknowledged. Fail-stop. The unacknowledged
		// bytes are cut off again (best effort) so that a restart does not
		// resurrect a write whose caller was told it failed.
		if seg.f.Truncate(seg.size) == nil {
			seg.alloc = seg.size
		}
		e.mu.Lock()
		e.failed = err
		e.mu.Unlock()
		e.log.Error("fsync failed; the node stops accepting writes", "err", err, "file", filepath.Base(seg.path))
		return seg, ErrStopped
	}
	seg.size += int64(len(buf))
	return seg, nil
}

// syncData makes the data written to f durable.
func (e *Engine) syncData(f *os.File, async bool) error {
	if e.opts.syncFile != nil {
		return e.opts.syncFile(f)
	}
	return e.syncer.sync(f, async)
}

// classifyWriteError turns a write failure into ErrDiskFull (the partial
// write is cut off again and writes may resume) or a fail-stop.
func (e *Engine) classifyWriteError(seg *segment, err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		if terr := seg.f.Truncate(seg.size); terr == nil {
			seg.alloc = seg.size
			e.log.Warn("append refused: data volume full", "file", filepath.Base(seg.path))
			return ErrDiskFull
		}
	}
	e.mu.Lock()
	e.failed = err
	e.mu.Unlock()
	e.log.Error("log write failed; the node stops accepting writes", "err", err, "file", filepath.Base(seg.path))
	return ErrStopped
}
