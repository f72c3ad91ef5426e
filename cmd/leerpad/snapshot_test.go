package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/projections/raterlinks"
	"github.com/leerpad/leerpad/projections/readmodeltest"
)

var readModelNames = []string{portfolio.Name, cohortdashboard.Name, behaviourchange.Name, raterlinks.Name, offer.Name}

// lockedBuffer is a log that the runner writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startLines returns the runner's start line (the JSON log record) of each
// read model: whether it resumes or rebuilds, and why.
func startLines(t *testing.T, logs string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue
		}
		msg, _ := rec["msg"].(string)
		if name, ok := rec["projection"].(string); ok && strings.HasPrefix(msg, "projection re") {
			out[name] = rec
		}
	}
	return out
}

// wiredProcess is the read side of one leerpad process over a data
// directory, wired as serve wires it, with its logs.
type wiredProcess struct {
	es     *eventStore
	codec  *eventstore.Codec
	models *readModels
	logs   *lockedBuffer
	stop   func()
}

func startWired(t *testing.T, dir string) *wiredProcess {
	t.Helper()
	ctx := context.Background()
	p := &wiredProcess{logs: &lockedBuffer{}}
	log := newLogger(p.logs, 0)
	f, err := parseServeFlags([]string{"--data", dir}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if p.es, err = openEventStore(ctx, f.store, log); err != nil {
		t.Fatal(err)
	}
	if p.codec, err = p.es.codec(); err != nil {
		t.Fatal(err)
	}
	if p.models, err = newProjections(p.es, p.codec, prometheus.NewRegistry(), log, projectionsConfig{Snapshots: f.snapshots()}); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.models.Runner.Run(runCtx) }()
	var once sync.Once
	p.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("runner: %v", err)
			}
			if err := p.models.Close(); err != nil {
				t.Errorf("close read models: %v", err)
			}
			if err := p.es.Close(); err != nil {
				t.Errorf("close event store: %v", err)
			}
		})
	}
	t.Cleanup(p.stop)
	deadline := time.Now().Add(30 * time.Second)
	for !p.models.Runner.CaughtUp() {
		if time.Now().After(deadline) {
			t.Fatal("the read models did not catch up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p
}

// servedReadModels returns every read model serve wires (each field of
// readModels that is a projection) with its queries, as readmodeltest
// enumerates them; it fails the test for a read model whose queries are not
// all enumerated, so that neither a new read model nor a new query of one
// escapes the comparison of restored and rebuilt read models.
func servedReadModels(t *testing.T, m *readModels) []readmodeltest.ReadModel {
	t.Helper()
	var out []readmodeltest.ReadModel
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		if !v.Type().Field(i).IsExported() {
			continue
		}
		p, ok := v.Field(i).Interface().(projections.Projection)
		if !ok {
			continue
		}
		r := readmodeltest.MustOf(t, p)
		if u := r.Uncovered(); len(u) > 0 {
			t.Fatalf("the queries of %s are not all enumerated in package readmodeltest:\n%s", p.Name(), strings.Join(u, "\n"))
		}
		out = append(out, r)
	}
	var names []string
	for _, r := range out {
		names = append(names, r.Model.Name())
	}
	if !slices.Equal(names, readModelNames) {
		t.Fatalf("serve wires the read models %v, the test expects %v", names, readModelNames)
	}
	return out
}

// logOf is the data set the log of a process holds: its events, as the
// read models receive them, for readmodeltest to harvest the ids to ask
// about.
func logOf(t *testing.T, p *wiredProcess) readmodeltest.DataSet {
	t.Helper()
	ctx := context.Background()
	rs, err := p.es.client.ReadAll(ctx, esdb.ReadAllOptions{}, ^uint64(0))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	store := eventstore.NewStore(p.es.client, p.codec)
	var evs []projections.Event
	for {
		re, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ev := re.Event
		if ev == nil || strings.HasPrefix(ev.StreamID, "$") || strings.HasPrefix(ev.EventType, "$") {
			continue
		}
		rec, err := store.Decode(ev)
		if err != nil {
			continue // not a domain event (a poison-queue record, say): no read model's
		}
		evs = append(evs, projections.Event{Stream: ev.StreamID, Revision: rec.Revision, Position: rec.Position, Recorded: rec.Created, Data: rec.Event})
	}
	if len(evs) == 0 {
		t.Fatal("the log holds no events")
	}
	return readmodeltest.DataSetOf(evs)
}

// readModelAnswers is what every read model serve wires answers about the
// data set: every query it answers (readmodeltest enumerates them, indexes
// included), asked with every id the log holds, by read model name.
func readModelAnswers(t *testing.T, m *readModels, d readmodeltest.DataSet) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, r := range servedReadModels(t, m) {
		out[r.Model.Name()] = r.Answers(context.Background(), d)
		t.Logf("%s: %d answers", r.Model.Name(), len(out[r.Model.Name()]))
	}
	return out
}

// sameAnswers fails the test, naming every query answered differently,
// when got differs from want.
func sameAnswers(t *testing.T, why string, want, got map[string]map[string]string) {
	t.Helper()
	for _, n := range readModelNames {
		if readmodeltest.CompareAnswers(t, n, want[n], got[n]); t.Failed() {
			t.Fatalf("%s: %s answers differently", why, n)
		}
	}
}

// TestRestartResumesFromSnapshots runs the read side as serve does on a
// seeded data directory, writes through the domain, stops (the runner
// snapshots), starts again as a new process, and expects every read model
// to resume from its snapshot at the position where it stopped, read
// nothing of the past again, and answer every query it answers (indexes
// included: readmodeltest enumerates them, asked with every id of the log)
// as the read models rebuilt from the log did; then checks that a damaged
// snapshot makes only its read model rebuild, with the same answers.
func TestRestartResumesFromSnapshots(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	dir := t.TempDir()
	seedInto(t, dir)

	first := startWired(t, dir)
	for name, rec := range startLines(t, first.logs.String()) {
		if rec["msg"] != "projection rebuilds from the start of $all" || !strings.Contains(fmt.Sprint(rec["why"]), "missing") {
			t.Errorf("first start, %s: %v", name, rec)
		}
	}
	// A write through the domain, read back from the read models.
	ctx := context.Background()
	svc := newServices(eventstore.NewStore(first.es.client, first.codec))
	cohorts := first.models.CohortDashboard.Cohorts()
	seeded, err := first.models.CohortDashboard.Dashboard(cohorts[0], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	wctx, env := ctx, domain.Envelope{CorrelationID: "snapshot-test"}
	starts := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := svc.Cohorts.PlanCohort(wctx, cohort.PlanCohort{CohortID: uuid.NewString(), ProgrammeID: seeded.ProgrammeID, EntityID: seeded.EntityID,
		Title: "Na de herstart", TrainerIDs: []string{uuid.NewString()}, StartsOn: starts, EndsOn: starts.AddDate(0, 6, 0), At: starts.AddDate(0, -1, 0), Envelope: env}); err != nil {
		t.Fatal(err)
	}
	journeyID := seeded.Participants[0].JourneyID
	receipt, err := svc.Journeys.StateWhy(wctx, journey.StateWhy{JourneyID: journeyID,
		Why: "Opnieuw begonnen", At: starts, Envelope: env})
	if err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, n := range readModelNames {
		if err := first.models.Runner.WaitFor(wait, n, receipt.Position); err != nil {
			t.Fatal(err)
		}
	}
	data := logOf(t, first)
	want := readModelAnswers(t, first.models, data)
	positions := map[string]uint64{}
	for _, s := range first.models.Runner.Status() {
		positions[s.Name] = s.Position
	}
	first.stop()

	second := startWired(t, dir)
	lines := startLines(t, second.logs.String())
	for _, n := range readModelNames {
		rec := lines[n]
		if rec["msg"] != "projection resumes from its checkpoint" || !strings.Contains(fmt.Sprint(rec["why"]), "restored from its snapshot") ||
			rec["position"] != float64(positions[n]) {
			t.Errorf("second start, %s: %v; want it to resume at %d", n, rec, positions[n])
		}
	}
	if n := second.models.Runner.Read(); n != 0 {
		t.Errorf("the restarted runner read %d events, want none: nothing was written since", n)
	}
	sameAnswers(t, "restored from snapshots, unlike before the restart", want, readModelAnswers(t, second.models, data))
	v, err := second.models.Portfolio.Current(journeyID)
	if err != nil || v.WhyAndValues == nil || v.WhyAndValues.Why != "Opnieuw begonnen" {
		t.Fatalf("the write before the restart is not in the restored portfolio: %v", err)
	}
	second.stop()

	// A damaged snapshot: that read model rebuilds, the others resume, and
	// the answers stay the same.
	path := projections.SnapshotPath(snapshotDir(dir), cohortdashboard.Name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	third := startWired(t, dir)
	lines = startLines(t, third.logs.String())
	if rec := lines[cohortdashboard.Name]; rec["msg"] != "projection rebuilds from the start of $all" || rec["level"] != "WARN" ||
		!strings.Contains(fmt.Sprint(rec["why"]), "corrupt") || !strings.Contains(fmt.Sprint(rec["why"]), path) {
		t.Errorf("damaged snapshot: %v", rec)
	}
	if rec := lines[portfolio.Name]; rec["msg"] != "projection resumes from its checkpoint" {
		t.Errorf("portfolio beside a damaged dashboard snapshot: %v", rec)
	}
	sameAnswers(t, "after a damaged snapshot", want, readModelAnswers(t, third.models, data))
}

// TestRebuildThenServeResumes runs leerpad rebuild, which writes fresh
// snapshots, then leerpad serve on the same data directory, which resumes
// every read model from them and says so, then rebuild again, which ignores
// them.
func TestRebuildThenServeResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	dir := t.TempDir()
	seedInto(t, dir)

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"rebuild", "--data", dir}, &out, &errOut); err != nil {
		t.Fatalf("leerpad rebuild: %v\n%s", err, errOut.String())
	}
	head := regexp.MustCompile(`up to position (\d+)\.`).FindStringSubmatch(out.String())
	if head == nil || !strings.Contains(out.String(), "Snapshots in "+snapshotDir(dir)) {
		t.Fatalf("rebuild summary:\n%s", out.String())
	}
	for _, n := range readModelNames {
		if !regexp.MustCompile(`(?m)^  ` + n + ` +position \d+, \d+ bytes$`).MatchString(out.String()) {
			t.Errorf("no snapshot of %s in the summary:\n%s", n, out.String())
		}
		st, err := os.Stat(projections.SnapshotPath(snapshotDir(dir), n))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("snapshot of %s: %v", n, err)
		}
	}

	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serveWith(ctx, []string{"--data", dir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}, logs,
			serveHooks{listening: func(_, admin string) { ready <- admin }})
	}()
	var admin string
	select {
	case admin = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not listen within 30 s")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+admin+"/readyz", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready within 30 s:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	lines := startLines(t, logs.String())
	for _, n := range readModelNames {
		rec := lines[n]
		if rec["msg"] != "projection resumes from its checkpoint" || !strings.Contains(fmt.Sprint(rec["why"]), "restored from its snapshot") ||
			fmt.Sprint(rec["head"]) != head[1] {
			t.Errorf("serve after rebuild, %s: %v", n, rec)
		}
	}

	// rebuild again: the snapshots are not read, and are replaced.
	out.Reset()
	verbose := &lockedBuffer{} // the runner logs while the progress is drawn
	if err := run(context.Background(), []string{"rebuild", "--data", dir, "--v"}, &out, verbose); err != nil {
		t.Fatalf("leerpad rebuild: %v\n%s", err, verbose.String())
	}
	for n, rec := range startLines(t, verbose.String()) {
		if rec["msg"] != "projection rebuilds from the start of $all" || !strings.Contains(fmt.Sprint(rec["why"]), "asked to rebuild") {
			t.Errorf("second rebuild, %s: %v", n, rec)
		}
	}
	if len(startLines(t, verbose.String())) != len(readModelNames) {
		t.Errorf("second rebuild logs:\n%s", verbose.String())
	}
}
