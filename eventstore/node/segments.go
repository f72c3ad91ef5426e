package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
)

func createSegment(dir string, base int64) (*segment, error) {
	path := filepath.Join(dir, segmentName(base))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create segment: %w", err)
	}
	if _, err := f.WriteAt([]byte(segmentMagic), 0); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write segment header: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("sync new segment: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close new segment: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("sync data directory: %w", err)
	}
	return &segment{base: base, path: path, size: segmentHeaderSize}, nil
}

func (e *Engine) fileOf(pos int64) string {
	for i := len(e.segs) - 1; i >= 0; i-- {
		if e.segs[i].base <= pos {
			return filepath.Base(e.segs[i].path)
		}
	}
	return segmentName(0)
}

func (e *Engine) baseOf(pos int64) int64 {
	for i := len(e.segs) - 1; i >= 0; i-- {
		if e.segs[i].base <= pos {
			return e.segs[i].base
		}
	}
	return 0
}

// preallocationStep is how far ahead of its end the segment being written
// is allocated (at most to the segment size).
const preallocationStep = 64 << 20

// preallocate makes sure the n bytes about to be written at seg's end fall
// inside allocated space, extending the allocation by a step if not, and
// makes the new allocation durable at once. Writing into allocated blocks
// inside the file's size lets most fdatasyncs flush only data, without a
// journal commit for a new size or new blocks (on ext4 measured 1.2-1.3x
// faster for 1 KiB writes; docs/benchmarks.md). It is only an optimisation:
// if the file system cannot, or the disk is full, the write extends the file
// as before and reports its own error. Only a failed fdatasync is an error.
func (e *Engine) preallocate(seg *segment, n int64) error {
	from := max(seg.alloc, seg.size)
	if e.noPrealloc || seg.size+n <= from {
		return nil
	}
	end := min((seg.size+n+preallocationStep-1)/preallocationStep*preallocationStep, e.opts.SegmentSize)
	if end < seg.size+n {
		return nil // a commit larger than the rest of the segment
	}
	err := e.opts.allocate(seg.f, from, end-from)
	switch {
	case err == nil:
		seg.alloc = end
		return e.syncData(seg.f, false)
	case errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS):
		e.noPrealloc = true
		e.log.Info("the file system cannot preallocate; segments grow with each write", "err", err)
	}
	return nil
}

// seal cuts a segment's preallocated zeros off once nothing more will be
// written to it, so a finished segment is exactly its records. Best effort:
// recovery reads zeros after the last record as the end anyway.
func seal(seg *segment) {
	if seg.alloc > seg.size && seg.f.Truncate(seg.size) == nil {
		seg.alloc = seg.size
	}
}

func (e *Engine) roll(seg *segment) (*segment, error) {
	next, err := createSegment(e.dir, seg.base+seg.size)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(next.path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	seal(seg)
	next.f = f
	next.alloc = next.size
	e.mu.Lock()
	e.segs = append(e.segs, next)
	e.mu.Unlock()
	return next, nil
}

// segmentAt finds the segment holding pos. Caller holds the read lock.
func (e *Engine) segmentAt(pos int64) *segment {
	i := sort.Search(len(e.segs), func(i int) bool { return e.segs[i].base > pos }) - 1
	if i < 0 {
		return nil
	}
	return e.segs[i]
}
