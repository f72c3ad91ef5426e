package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/projections"
)

// runRebuild rebuilds every read model from the log, whatever their
// snapshots, shows its progress, prints what it read and how fast, and writes
// fresh snapshots to <data>/readmodels, from which the next serve resumes.
// It is what serve does at a start without valid snapshots, done alone: it
// shows that the log replays cleanly (nothing poisoned, nothing unknown) and
// how long such a start takes.
func runRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("leerpad rebuild", stderr)
	var esf eventStoreFlags
	esf.register(fs)
	verbose := fs.Bool("v", false, "log what the runner does (resume or rebuild, poisoned events)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := newLogger(stderr, level)
	es, err := openEventStore(ctx, esf, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, es.Close()) }()
	codec, err := es.codec()
	if err != nil {
		return err
	}
	snaps := projections.SnapshotConfig{Dir: snapshotDir(esf.data), Fresh: true, Interval: -1, Events: -1}
	models, err := newProjections(es, codec, prometheus.NewRegistry(), log, projectionsConfig{Snapshots: snaps})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, models.Close()) }()
	r := models.Runner

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	started := time.Now()
	ran := make(chan error, 1)
	go func() { ran <- r.Run(runCtx) }()

	p := &rebuildProgress{w: stderr, tty: isTerminal(stderr), started: started}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !r.CaughtUp() {
		select {
		case err := <-ran:
			p.finish()
			if err == nil {
				err = ctx.Err()
			}
			return fmt.Errorf("rebuild interrupted after %d events: %w", r.Read(), err)
		case <-tick.C:
			p.update(r, false)
		}
	}
	elapsed := time.Since(started)
	p.update(r, true)
	p.finish()
	stop() // Run writes the snapshots before it returns
	if err := <-ran; err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	if _, err := io.WriteString(stdout, rebuildSummary(r, elapsed, where(esf))); err != nil {
		return err
	}
	return snapshotSummary(stdout, r, snaps.Dir)
}

// rebuildProgress redraws one line on a terminal and writes a line a second
// otherwise (logs, CI).
type rebuildProgress struct {
	w       io.Writer
	tty     bool
	started time.Time
	written time.Time
	drawn   bool
}

// update draws the progress: on a terminal every 100 ms, otherwise every
// second; always when final.
func (p *rebuildProgress) update(r *projections.Runner, final bool) {
	now := time.Now()
	every := time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	if !final && now.Sub(p.written) < every {
		return
	}
	p.written = now
	read, head := r.Read(), r.StartHead()
	pos := head
	for _, s := range r.Status() {
		pos = min(pos, s.Position)
	}
	pct := 100.0
	if head > 0 {
		pct = 100 * float64(pos) / float64(head)
	}
	elapsed := time.Since(p.started)
	line := fmt.Sprintf("rebuild: %5.1f%%  %d events  %.0f events/s  position %d/%d  %s",
		pct, read, float64(read)/max(elapsed.Seconds(), 1e-9), pos, head, elapsed.Round(100*time.Millisecond))
	if p.tty {
		_, _ = fmt.Fprintf(p.w, "\r%s ", line)
		p.drawn = true
		return
	}
	_, _ = fmt.Fprintln(p.w, line)
}

func (p *rebuildProgress) finish() {
	if p.tty && p.drawn {
		_, _ = fmt.Fprintln(p.w)
	}
}

// rebuildSummary says how much was read, how fast, and what each read model
// skipped or could not handle.
func rebuildSummary(r *projections.Runner, elapsed time.Duration, at string) string {
	out := &strings.Builder{}
	read := r.Read()
	fmt.Fprintf(out, "Rebuilt %d read models from %s: %d events in %.2f s (%.0f events/s), up to position %d.\n",
		len(r.Status()), at, read, elapsed.Seconds(), float64(read)/max(elapsed.Seconds(), 1e-9), r.StartHead())
	fmt.Fprintf(out, "  %-16s %10s %8s %9s %9s\n", "read model", "events", "unknown", "failures", "poisoned")
	var poisoned []string
	for _, s := range r.Status() {
		fmt.Fprintf(out, "  %-16s %10d %8d %9d %9d\n", s.Name, s.Handled, s.Unknown, s.Failures, s.Poisoned)
		if s.Poisoned > 0 {
			poisoned = append(poisoned, projections.PoisonTopic(s.Name))
		}
	}
	if len(poisoned) > 0 {
		fmt.Fprintf(out, "Poisoned events are in the streams %s.\n", strings.Join(poisoned, ", "))
	}
	return out.String()
}

// snapshotSummary lists the snapshots the rebuild wrote; it fails when one
// read model has none, since the next serve would then rebuild it again.
func snapshotSummary(w io.Writer, r *projections.Runner, dir string) error {
	out := &strings.Builder{}
	fmt.Fprintf(out, "Snapshots in %s (the next serve resumes from them):\n", dir)
	var missing []string
	for _, s := range r.Snapshots() {
		if s.Path == "" {
			missing = append(missing, s.Name)
			fmt.Fprintf(out, "  %-16s none written\n", s.Name)
			continue
		}
		fmt.Fprintf(out, "  %-16s position %d, %d bytes\n", s.Name, s.Position, s.Bytes)
	}
	if _, err := io.WriteString(w, out.String()); err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("rebuild: no snapshot written of %s (see the log); the next serve rebuilds them", strings.Join(missing, ", "))
	}
	return nil
}
