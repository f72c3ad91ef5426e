package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// ScavengeDir scavenges a stopped node's data directory: it takes the
// directory's lock (ErrDataDirInUse while a node runs on it), recovers the
// log as a start would, seals the segment being written if it holds garbage
// and rewrites every segment that does. logger may be nil.
func ScavengeDir(ctx context.Context, dir string, logger *slog.Logger) (ScavengeReport, error) {
	if st, err := os.Stat(dir); err != nil {
		return ScavengeReport{}, fmt.Errorf("data directory: %w", err)
	} else if !st.IsDir() {
		return ScavengeReport{}, fmt.Errorf("data directory %s is not a directory", dir)
	}
	lock, err := lockDataDir(dir)
	if err != nil {
		return ScavengeReport{}, err
	}
	n := &Node{lock: lock}
	defer n.unlock()
	e, err := OpenEngine(dir, Options{Logger: logger})
	if err != nil {
		return ScavengeReport{}, err
	}
	rep, err := e.Scavenge(ctx, ScavengeOptions{SealActive: true})
	if cerr := e.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("close log: %w", cerr)
	}
	return rep, err
}

// String is a one-line human summary.
func (r ScavengeReport) String() string {
	return fmt.Sprintf("scavenged %d events (%d bytes) in %d of %d sealed segments (%d skipped); disk %d -> %d bytes; %s",
		r.EventsScavenged, r.BytesScavenged, r.SegmentsRewritten, r.SegmentsChecked, r.SegmentsSkipped,
		r.DiskBefore, r.DiskAfter, r.Duration.Round(time.Millisecond))
}

// scavengeLoop runs a scavenge every cfg.ScavengeEvery until stop is closed.
func (n *Node) scavengeLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(n.cfg.ScavengeEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		rep, err := n.engine.Scavenge(ctx, ScavengeOptions{})
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, ErrClosed):
			return
		case err != nil:
			n.cfg.Logger.Warn("scheduled scavenge failed", "err", err)
		case rep.SegmentsRewritten > 0 || rep.SegmentsSkipped > 0:
			n.cfg.Logger.Info("scheduled scavenge finished", "events", rep.EventsScavenged, "bytes", rep.BytesScavenged,
				"segments", rep.SegmentsRewritten, "skipped", rep.SegmentsSkipped,
				"disk_before", rep.DiskBefore, "disk_after", rep.DiskAfter, "ms", rep.Duration.Milliseconds())
		default:
			n.cfg.Logger.Debug("scheduled scavenge found no garbage in sealed segments", "segments", rep.SegmentsChecked)
		}
	}
}
