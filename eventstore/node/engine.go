package node

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Engine is the storage core of the node: a durable log plus the indexes
// derived from it. All writes go through one committer goroutine that groups
// concurrent commits into one write and one fdatasync; a commit is
// acknowledged only after its bytes are on disk.
type Engine struct {
	dir  string
	opts Options
	log  *slog.Logger

	submit  chan *commitReq
	done    chan struct{} // closed by Close
	stopped chan struct{} // closed when the committer has exited
	wg      sync.WaitGroup

	mu      sync.RWMutex
	segs    []*segment // all segments; the last one is written to
	entries []entry    // $all, in commit order
	streams map[string]*streamState
	names   []*streamState // stream index -> state
	types   []string       // event-type index -> name
	typeIdx map[string]uint32
	ids     map[[16]byte]uint32 // event id -> global index of its latest write (idempotency)
	// reused holds, for event ids written more than once (in other
	// streams, say), the global indexes of the earlier writes.
	reused  map[[16]byte][]uint32
	changed chan struct{} // closed and replaced on every commit
	failed  error         // set on fail-stop (fsync failed)
	wbuf    []byte        // the committer's batch buffer, reused between batches
	closed  bool

	syncer     *datasyncer // used by the committer only
	noPrealloc bool        // the file system refused fallocate (committer only)
	// appending counts appends being received or served by the gRPC
	// service; the committer compares it with its batch to know whether
	// anything else needs the CPU while it waits for the disk.
	appending atomic.Int64
	recovery  RecoveryReport
	// scavengeMu lets one scavenge run at a time (scavenge.go).
	scavengeMu sync.Mutex
}

// Options tunes an Engine. The zero value gives production defaults.
type Options struct {
	// MaxAppendSize is the largest total size of the events of one append
	// (default 16 MiB, as on the real server).
	MaxAppendSize int
	// SegmentSize is the size after which the log rolls to a new segment
	// (default 256 MiB).
	SegmentSize int64
	// Now is the clock used for event creation times (default time.Now).
	Now func() time.Time
	// Logger receives recovery and fail-stop reports (default: discard).
	Logger *slog.Logger

	// syncFile and writeFile replace fdatasync and the write call in fault
	// injection tests (syncFile nil: the datasyncer).
	syncFile  func(f *os.File) error
	writeFile func(f *os.File, b []byte, off int64) (int, error)
	// allocate replaces fallocate in tests of file systems without it and
	// of full disks.
	allocate func(f *os.File, off, n int64) error
	// scavengeHook is called at the steps of a segment's rewrite, so that
	// crash tests can widen the window between them (default: nothing).
	scavengeHook func(step string)
}

func (o *Options) setDefaults() {
	if o.MaxAppendSize <= 0 {
		o.MaxAppendSize = 16 << 20
	}
	if o.SegmentSize <= 0 {
		o.SegmentSize = 256 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.writeFile == nil {
		o.writeFile = func(f *os.File, b []byte, off int64) (int, error) { return f.WriteAt(b, off) }
	}
	if o.scavengeHook == nil {
		o.scavengeHook = func(string) {}
	}
	if o.allocate == nil {
		o.allocate = func(f *os.File, off, n int64) error { return syscall.Fallocate(int(f.Fd()), 0, off, n) }
	}
}

// OpenEngine opens (or creates) the log in dir, rebuilds the indexes from it
// and starts the committer. A corrupt record before the tail fails with a
// *CorruptionError naming file and offset.
func OpenEngine(dir string, opts Options) (*Engine, error) {
	opts.setDefaults()
	start := time.Now()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	e := &Engine{
		dir:     dir,
		opts:    opts,
		log:     opts.Logger,
		submit:  make(chan *commitReq, 1024),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
		streams: make(map[string]*streamState),
		typeIdx: make(map[string]uint32),
		ids:     make(map[[16]byte]uint32),
		reused:  make(map[[16]byte][]uint32),
		changed: make(chan struct{}),
		syncer:  newDatasyncer(),
	}
	if ok, why := e.syncer.Async(); !ok {
		e.log.Info("group commits wait for fdatasync in place", "reason", why)
	}
	if err := e.recover(); err != nil {
		_ = e.closeFiles() // the recovery error is the one to report
		return nil, err
	}
	e.recovery.Duration = time.Since(start)
	e.wg.Add(1)
	go e.commitLoop()
	return e, nil
}

// Close stops the committer and closes the files. Pending commits fail with
// ErrClosed.
func (e *Engine) Close() error {
	e.stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closeFiles()
}

// stop ends writing and wakes every waiting subscription (which then sees
// Closed), but leaves the files open so reads in flight finish cleanly.
func (e *Engine) stop() {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.closed = true
	e.mu.Unlock()
	close(e.done)
	e.wg.Wait()
	e.mu.Lock()
	close(e.changed)
	e.mu.Unlock()
}

func (e *Engine) closeFiles() error {
	e.syncer.close()
	var first error
	for _, s := range e.segs {
		if s.f != nil {
			seal(s)
			if err := s.f.Close(); err != nil && first == nil {
				first = err
			}
			s.f = nil
		}
	}
	return first
}

// Changed returns a channel closed at the next commit (or at Close). Take it
// before reading, then wait on it when the read found nothing new.
func (e *Engine) Changed() <-chan struct{} {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.changed
}

// HeadPosition is the position of the last event in $all, 0 if empty.
func (e *Engine) HeadPosition() Position {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if len(e.entries) == 0 {
		return 0
	}
	return Position(e.entries[len(e.entries)-1].pos)
}

// EventCount is the number of events in $all.
func (e *Engine) EventCount() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.entries)
}

// Closed reports whether Close has begun; long-running readers stop then.
func (e *Engine) Closed() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.closed
}
