package projections_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/eventstore/projectionlog"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/portfolio"
)

// startSnapshotting is rig.start with snapshots.
func (r *rig) startSnapshotting(tb testing.TB, ps []projections.Projection, snaps projections.SnapshotConfig) {
	tb.Helper()
	r.reg = prometheus.NewRegistry()
	r.logs = &syncBuffer{}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	src, err := projectionlog.NewSource(projectionlog.Config{Client: r.client, Codec: r.codec, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	if r.poison, err = projectionlog.NewPoisonQueue(r.client, log); err != nil {
		tb.Fatal(err)
	}
	r.runner, err = projections.NewRunner(projections.RunnerConfig{
		Projections: ps, Source: src, Poison: r.poison, Registerer: r.reg, Logger: log,
		HeadInterval: 20 * time.Millisecond, Snapshots: snaps,
	})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.runner.Run(ctx) }()
	var once sync.Once
	var runErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(30 * time.Second):
				runErr = errors.New("runner did not stop within 30 s")
			}
			runErr = errors.Join(runErr, r.poison.Close())
		})
		return runErr
	}
	tb.Cleanup(func() {
		if err := r.stop(); err != nil {
			tb.Errorf("stop runner: %v", err)
		}
	})
	select {
	case <-r.runner.Running():
	case err := <-done:
		tb.Fatalf("runner stopped at start: %v", err)
	case <-time.After(20 * time.Second):
		tb.Fatal("runner did not start within 20 s")
	}
}

// startLine returns the runner's start line about projection name.
func startLine(tb testing.TB, logs, name string) string {
	tb.Helper()
	for line := range strings.SplitSeq(logs, "\n") {
		if strings.Contains(line, "projection="+name+" ") && strings.Contains(line, "msg=\"projection ") {
			return line
		}
	}
	tb.Fatalf("no start line for %s in:\n%s", name, logs)
	return ""
}

// TestRunnerResumesFromSnapshots runs the read models over a log with a
// snapshot directory, as successive processes would: the first start
// rebuilds (no snapshot) and snapshots when it stops; the next, with fresh
// read models, restores them and reads only the events after their
// checkpoints; a damaged snapshot makes that one read model rebuild while the
// others resume; Fresh rebuilds them all. Each time the answers equal those
// of read models fed the whole history, and the log says what happened and
// why.
func TestRunnerResumesFromSnapshots(t *testing.T) {
	r := newRig(t)
	h := fixture.Cohort(fixture.CohortOptions{Participants: 6, Seed: 31})
	half := len(h.Log.Events) / 2
	receipt := writeHistory(t, r.store, h.Log.Events[:half], "c")
	dir := t.TempDir()
	cfg := projections.SnapshotConfig{Dir: dir}
	names := []string{portfolio.Name, cohortdashboard.Name, behaviourchange.Name}

	// First start: nothing to restore.
	m := newModels(t)
	r.startSnapshotting(t, m.all(), cfg)
	for _, n := range names {
		if line := startLine(t, r.logs.String(), n); !strings.Contains(line, "rebuilds from the start") || !strings.Contains(line, "no snapshot") ||
			!strings.Contains(line, "missing") {
			t.Errorf("first start: %s", line)
		}
	}
	r.waitAll(t, receipt)
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if _, err := os.Stat(projections.SnapshotPath(dir, n)); err != nil {
			t.Fatalf("no snapshot of %s after a graceful stop: %v", n, err)
		}
	}
	stopped := m.folio.Position()

	// Second start, a new process: fresh read models restored from the
	// snapshots, the rest of the log read after them.
	receipt = writeHistory(t, r.store, h.Log.Events[half:], "c")
	want := reference(t, h)
	m = newModels(t)
	r.startSnapshotting(t, m.all(), cfg)
	for _, n := range names {
		line := startLine(t, r.logs.String(), n)
		if !strings.Contains(line, "resumes from its checkpoint") || !strings.Contains(line, "restored from its snapshot") {
			t.Errorf("second start: %s", line)
		}
	}
	if !regexp.MustCompile(`projection=portfolio position=` + itoa(stopped) + ` `).MatchString(r.logs.String()) {
		t.Errorf("the portfolio does not resume at %d:\n%s", stopped, r.logs.String())
	}
	r.waitAll(t, receipt)
	if got := m.answers(t, h); !reflect.DeepEqual(got, want) {
		t.Fatal("read models restored from snapshots and fed the rest differ from the reference")
	}
	if n, want := r.runner.Read(), uint64(len(h.Log.Events)-half); n != want {
		t.Errorf("the resumed runner read %d events, want the %d after the checkpoints", n, want)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	// Third start: the portfolio's snapshot is damaged; it alone rebuilds.
	path := projections.SnapshotPath(dir, portfolio.Name)
	flip(t, path, 100)
	m = newModels(t)
	r.startSnapshotting(t, m.all(), cfg)
	logs := r.logs.String()
	if line := startLine(t, logs, portfolio.Name); !strings.Contains(line, "rebuilds from the start") || !strings.Contains(line, "corrupt") ||
		!strings.Contains(line, path) || !strings.Contains(line, "level=WARN") {
		t.Errorf("damaged snapshot: %s", line)
	}
	for _, n := range names[1:] {
		if line := startLine(t, logs, n); !strings.Contains(line, "resumes from its checkpoint") {
			t.Errorf("third start: %s", line)
		}
	}
	eventually(t, "caught up", r.runner.CaughtUp)
	if got := m.answers(t, h); !reflect.DeepEqual(got, want) {
		t.Fatal("read models after a damaged snapshot differ from the reference")
	}
	// The rebuilt portfolio is snapshotted once caught up, without a stop.
	eventually(t, "the rebuilt portfolio snapshotted", func() bool {
		v, _ := metric(t, r.reg, "leerpad_projection_snapshot_position", portfolio.Name)
		return uint64(v) == m.folio.Position()
	})
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := projections.ReadSnapshot(dir, portfolio.New(portfolio.Config{}), receipt); err != nil {
		t.Fatalf("the damaged snapshot was not replaced: %v", err)
	}

	// Fresh: everything rebuilds, whatever the snapshots.
	m = newModels(t)
	r.startSnapshotting(t, m.all(), projections.SnapshotConfig{Dir: dir, Fresh: true})
	for _, n := range names {
		if line := startLine(t, r.logs.String(), n); !strings.Contains(line, "rebuilds from the start") || !strings.Contains(line, "asked to rebuild") {
			t.Errorf("fresh start: %s", line)
		}
	}
	eventually(t, "caught up", r.runner.CaughtUp)
	if got := m.answers(t, h); !reflect.DeepEqual(got, want) {
		t.Fatal("rebuilt read models differ from the reference")
	}
}

// TestRunnerSnapshotsWhileLive checks the count trigger: with Events 1, a
// live read model is snapshotted after the events written while it runs.
func TestRunnerSnapshotsWhileLive(t *testing.T) {
	r := newRig(t)
	h := fixture.Cohort(fixture.CohortOptions{Participants: 3, Seed: 41})
	half := len(h.Log.Events) / 2
	writeHistory(t, r.store, h.Log.Events[:half], "c")
	dir := t.TempDir()
	m := newModels(t)
	r.startSnapshotting(t, m.all(), projections.SnapshotConfig{Dir: dir, Events: 1, Interval: -1})
	eventually(t, "caught up", r.runner.CaughtUp)
	receipt := writeHistory(t, r.store, h.Log.Events[half:], "c")
	r.waitAll(t, receipt)
	eventually(t, "a snapshot at the last write", func() bool {
		v, _ := metric(t, r.reg, "leerpad_projection_snapshot_position", cohortdashboard.Name)
		return uint64(v) == m.dash.Position()
	})
	restored, err := cohortdashboard.New(cohortdashboard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := projections.ReadSnapshot(dir, restored, receipt); err != nil {
		t.Fatal(err)
	}
	if restored.Position() != m.dash.Position() {
		t.Fatalf("snapshot at %d, read model at %d", restored.Position(), m.dash.Position())
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
