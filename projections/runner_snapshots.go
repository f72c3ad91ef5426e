package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// SnapshotConfig configures the runner's snapshots of its read models (those
// that implement Snapshotter), so that a restart resumes each read model
// after its checkpoint instead of replaying the whole log. Zero values take
// the documented defaults.
//
// At start (Run), each read model is restored from its snapshot when that is
// valid (see ReadSnapshot), and rebuilt from the start of the log otherwise;
// the runner logs which, and why. Snapshots are written, each by a goroutine
// of its own and never two of one read model at once:
//   - once a read model that was rebuilt has caught up with the head of the
//     log observed at start, so that the next start does not rebuild again;
//   - while live, when the read model handled Events events since its last
//     snapshot, or Interval passed since then and it handled any;
//   - when Run stops (a graceful shutdown, or the end of leerpad rebuild),
//     for every read model that handled events since its last snapshot.
//
// While catching up, no snapshot is written on count or time: each would
// encode the growing state again and slow the catch-up down.
type SnapshotConfig struct {
	// Dir is the directory of the snapshot files (<Dir>/<name>.snap).
	// Empty: no snapshots; every start rebuilds.
	Dir string
	// Fresh ignores the snapshots present at start: every read model is
	// rebuilt from the start of the log, then snapshotted as usual
	// (leerpad rebuild).
	Fresh bool
	// Interval is how often, at most, a live read model that handled events
	// is snapshotted (default 5 min; negative: not on time).
	Interval time.Duration
	// Events is how many handled events, at most, a live read model goes
	// without a snapshot (default 100,000; negative: not on count).
	Events int
	// Sealer, when set, encrypts every snapshot's payload with a key it
	// forgets when a person is erased (see SnapshotSealer).
	Sealer SnapshotSealer
}

func (c *SnapshotConfig) setDefaults() {
	if c.Interval == 0 {
		c.Interval = 5 * time.Minute
	}
	if c.Events == 0 {
		c.Events = 100_000
	}
}

// snapshotPoll is how often the runner checks whether a snapshot is due.
const snapshotPoll = 200 * time.Millisecond

// snapshots keeps the snapshots of the runner's read models.
type snapshots struct {
	cfg   SnapshotConfig
	log   *slog.Logger
	lanes []*snapLane
	wg    sync.WaitGroup // writes in flight
}

// snapLane is the snapshot state of one lane.
type snapLane struct {
	l        *lane
	s        Snapshotter // nil: the read model keeps no snapshots
	rebuilt  bool        // the read model started from nothing
	caughtUp bool

	mu       sync.Mutex // one write at a time
	busy     atomic.Bool
	position atomic.Uint64 // of the last snapshot written or restored
	handled  atomic.Uint64 // lane's handled count at that snapshot
	at       atomic.Int64  // unix nanos of that snapshot (or of the start)
	last     atomic.Pointer[SnapshotInfo]

	failures prometheus.Counter
	duration prometheus.Observer
}

// newSnapshots registers the snapshot metrics of the runner's lanes.
func newSnapshots(r *Runner) (*snapshots, error) {
	ss := &snapshots{cfg: r.cfg.Snapshots, log: r.log}
	var cs []prometheus.Collector
	for _, l := range r.lanes {
		sl := &snapLane{l: l}
		sl.s, _ = l.p.(Snapshotter)
		labels := prometheus.Labels{"projection": l.name}
		failures := prometheus.NewCounter(prometheus.CounterOpts{
			Name: "leerpad_projection_snapshot_failures_total", ConstLabels: labels,
			Help: "Snapshots of the read model that could not be written.",
		})
		duration := prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "leerpad_projection_snapshot_seconds", ConstLabels: labels,
			Help:    "Time to capture, encode and write a snapshot of the read model.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		})
		sl.failures, sl.duration = failures, duration
		cs = append(cs, failures, duration, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "leerpad_projection_snapshot_position", ConstLabels: labels,
			Help: "Checkpoint of the read model's last snapshot written or restored (0: none).",
		}, func() float64 { return float64(sl.position.Load()) }))
		ss.lanes = append(ss.lanes, sl)
	}
	for _, c := range cs {
		if err := r.cfg.Registerer.Register(c); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

// startNote says why a read model resumes or rebuilds, for Run's log.
type startNote struct {
	level slog.Level
	why   string
}

// restore restores each read model that has handled nothing from its
// snapshot, when valid for a log whose head is head, all at once. It returns
// for each lane why it resumes or rebuilds.
func (ss *snapshots) restore(head uint64) map[*lane]startNote {
	notes := make(map[*lane]startNote, len(ss.lanes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	now := time.Now().UnixNano()
	for _, sl := range ss.lanes {
		sl.at.Store(now)
		note := func(level slog.Level, format string, args ...any) {
			mu.Lock()
			notes[sl.l] = startNote{level: level, why: fmt.Sprintf(format, args...)}
			mu.Unlock()
		}
		switch {
		case sl.l.p.Position() > 0:
			continue // fed before Run: Run's own words
		case sl.s == nil:
			sl.rebuilt = true
			note(slog.LevelInfo, "the read model is kept in memory and keeps no snapshot")
			continue
		case ss.cfg.Dir == "":
			sl.rebuilt = true
			note(slog.LevelInfo, "snapshots are off (no directory for them)")
			continue
		case ss.cfg.Fresh:
			sl.rebuilt = true
			note(slog.LevelInfo, "asked to rebuild: the snapshot in %s is not read, and is replaced once rebuilt", SnapshotPath(ss.cfg.Dir, sl.l.name))
			continue
		}
		wg.Go(func() {
			start := time.Now()
			info, err := ReadSealedSnapshot(ss.cfg.Dir, sl.s, head, ss.cfg.Sealer)
			var se *SnapshotError
			switch {
			case err == nil:
				sl.position.Store(info.Position)
				sl.last.Store(&info)
				note(slog.LevelInfo, "restored from its snapshot %s (written %s, %d bytes) in %s",
					info.Path, info.Written.Format(time.RFC3339), info.Bytes, time.Since(start).Round(time.Millisecond))
			case errors.As(err, &se) && se.Reason == ReasonMissing:
				sl.rebuilt = true
				note(slog.LevelInfo, "no snapshot: %s is missing", se.Path)
			case errors.As(err, &se):
				sl.rebuilt = true
				note(slog.LevelWarn, "snapshot not used (%s): %v", se.Reason, err)
			default:
				sl.rebuilt = true
				note(slog.LevelWarn, "snapshot not used: %v", err)
			}
		})
	}
	wg.Wait()
	return notes
}

// run writes the snapshots that fall due until ctx ends.
func (ss *snapshots) run(ctx context.Context, r *Runner) {
	if ss.cfg.Dir == "" {
		return
	}
	t := time.NewTicker(snapshotPoll)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		head := r.startHead.Load()
		for _, sl := range ss.lanes {
			if sl.s == nil || sl.busy.Load() {
				continue
			}
			pos := sl.l.position()
			if !sl.caughtUp {
				if pos < head {
					continue
				}
				sl.caughtUp = true
				if sl.rebuilt && pos > sl.position.Load() {
					ss.write(sl, "caught up after a rebuild", true)
				}
				continue
			}
			if pos <= sl.position.Load() {
				continue
			}
			since := sl.l.handled.Load() - sl.handled.Load()
			age := time.Since(time.Unix(0, sl.at.Load()))
			switch {
			case ss.cfg.Events > 0 && since >= uint64(ss.cfg.Events):
				ss.write(sl, fmt.Sprintf("%d events since the last snapshot", since), true)
			case ss.cfg.Interval > 0 && age >= ss.cfg.Interval:
				ss.write(sl, fmt.Sprintf("%s since the last snapshot", age.Round(time.Second)), true)
			}
		}
	}
}

// final writes, after the handlers stopped, the snapshot of every read model
// that handled events since its last one.
func (ss *snapshots) final() {
	if ss.cfg.Dir == "" {
		return
	}
	ss.wg.Wait()
	for _, sl := range ss.lanes {
		if sl.s != nil && sl.s.Position() > sl.position.Load() {
			ss.write(sl, "stopping", false)
		}
	}
	ss.wg.Wait()
}

// write snapshots sl's read model, in a goroutine of its own when async.
func (ss *snapshots) write(sl *snapLane, why string, async bool) {
	if !sl.busy.CompareAndSwap(false, true) {
		return
	}
	ss.wg.Add(1)
	do := func() {
		defer ss.wg.Done()
		defer sl.busy.Store(false)
		sl.mu.Lock()
		defer sl.mu.Unlock()
		start := time.Now()
		handled := sl.l.handled.Load() // at least the events in the snapshot
		info, err := WriteSealedSnapshot(ss.cfg.Dir, sl.s, ss.cfg.Sealer)
		took := time.Since(start)
		if err != nil {
			sl.failures.Inc()
			sl.at.Store(time.Now().UnixNano()) // try again after Interval, not at once
			ss.log.Warn("cannot write the read model's snapshot; the next start may rebuild it", "projection", sl.l.name, "err", err)
			return
		}
		sl.duration.Observe(took.Seconds())
		sl.position.Store(info.Position)
		sl.handled.Store(handled)
		sl.at.Store(time.Now().UnixNano())
		sl.last.Store(&info)
		ss.log.Info("read model snapshot written", "projection", sl.l.name, "position", info.Position, "bytes", info.Bytes,
			"file", info.Path, "took", took.Round(time.Millisecond).String(), "why", why)
	}
	if async {
		go do()
		return
	}
	do()
}

// Snapshots returns, for each read model in configuration order, its last
// snapshot written or restored since the runner was made (a zero
// SnapshotInfo with the read model's name when none).
func (r *Runner) Snapshots() []SnapshotInfo {
	out := make([]SnapshotInfo, 0, len(r.snaps.lanes))
	for _, sl := range r.snaps.lanes {
		if info := sl.last.Load(); info != nil {
			out = append(out, *info)
			continue
		}
		out = append(out, SnapshotInfo{Name: sl.l.name})
	}
	return out
}
