package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
)

// The API under load (issue 5, Benchmarks): logging an experiment p99 at
// most 20 ms and reading a portfolio p99 at most 10 ms at 500 requests/s,
// on the embedded default with the seeded data set, fsync on.
//
// BenchmarkAPILoad seeds the default data set into a temp data directory,
// reads the journeys still in progress from the read models built over it,
// starts the whole service in-process as leerpad serve does (serveWith, on
// 127.0.0.1:0), waits for /readyz, and drives an open-loop load from a Go
// client on loopback: requests are sent at fixed times (a constant arrival
// rate), each from its own goroutine, whatever the responses do. A
// request's latency runs from its scheduled send time to the end of its
// response body, so a stalled server or a late sender shows in the figures
// (no coordinated omission). Each scenario runs loadWarmup unrecorded, then
// its run recorded; the request count is bounded by rate × duration and
// each request by loadRequestTimeout (a time-out counts as an error).
//
// Sub-benchmarks, in this order: read-portfolio (GET .../portfolio, the
// participant's own view, alternating with the manager's view where
// sections are shared), log-experiment (POST .../experiments, each a new
// experiment on a learning goal of the journey, with an Idempotency-Key),
// mixed (both at the same time at half the rate each). Reads go first, so
// that they see the seeded portfolios. Any answer but the expected 200 or
// 201 fails the benchmark; the figures are logged as well, since a failed
// benchmark prints no metrics.
//
// LEERPAD_LOAD_RATE=<n> runs every scenario at n requests/s instead of 500
// (for a capacity sweep; the targets are at 500).
var loadRate = loadRateFromEnv()

func loadRateFromEnv() int {
	if v, err := strconv.Atoi(os.Getenv("LEERPAD_LOAD_RATE")); err == nil && v > 0 {
		return v
	}
	return 500
}

const (
	loadWarmup   = 2 * time.Second
	loadRun      = 10 * time.Second
	loadMixedRun = 5 * time.Second
	// loadRequestTimeout bounds one request of the load: 200
	// times the read target, and it keeps a saturated run under a minute.
	loadRequestTimeout = 2 * time.Second
)

func BenchmarkAPILoad(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds, starts the whole service and loads it for about a minute")
	}
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	dir := b.TempDir()
	started := time.Now()
	if err := run(ctx, []string{"seed", "--data", dir}, io.Discard, io.Discard); err != nil {
		b.Fatalf("seed: %v", err)
	}
	b.Logf("seeded in %s", time.Since(started).Round(time.Millisecond))
	found, err := loadJourneysIn(ctx, dir)
	if err != nil {
		b.Fatalf("read the seeded journeys: %v", err)
	}

	key, err := auth.LoadOrCreateSigningKey(auth.KeyPath(dir))
	if err != nil {
		b.Fatal(err)
	}
	srv := startLoadServer(b, ctx, dir)
	c := &loadClient{base: "http://" + srv.api + "/v1", key: key, http: &http.Client{
		Transport: &http.Transport{
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     time.Minute,
		},
	}}
	defer c.http.CloseIdleConnections()
	// Reads go to the seeded journeys in progress. Writes go to those and
	// to loadFreshJourneys journeys enrolled through the API in a new
	// cohort, so that 500 writes/s are spread as over many participants:
	// on the 18 seeded journeys alone they would be 28 writes/s on each
	// journey's stream, and concurrent appends to one stream conflict (409
	// after the repository's one retry).
	fresh, err := c.enrolFresh(ctx, found, loadFreshJourneys)
	if err != nil {
		b.Fatalf("enrol journeys to log on: %v", err)
	}
	readers := found.open
	if len(readers) == 0 {
		b.Logf("the seeded data set has no journey in progress: reading the %d enrolled through the API", len(fresh))
		readers = fresh
	}
	readTargets, err := c.targets(readers)
	if err != nil {
		b.Fatal(err)
	}
	writeTargets, err := c.targets(append(slices.Clip(found.open), fresh...))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("service ready %s after start; reads on %d seeded journeys in progress (%d with sections shared with the manager), writes on those and %d enrolled through the API",
		time.Since(started).Round(time.Millisecond), len(found.open), countShared(found.open), len(fresh))

	read := func(i int) error { return c.readPortfolio(ctx, readTargets[i%len(readTargets)], i) }
	write := func(i int) error { return c.logExperiment(ctx, writeTargets[i%len(writeTargets)], i) }

	b.Run("read-portfolio", func(b *testing.B) {
		res := runLoad(b, ctx, loadScenario{{"read", loadRate, read}}, loadRun)
		res.report(b, "read")
	})
	b.Run("log-experiment", func(b *testing.B) {
		res := runLoad(b, ctx, loadScenario{{"log", loadRate, write}}, loadRun)
		res.report(b, "log")
	})
	b.Run("mixed", func(b *testing.B) {
		res := runLoad(b, ctx, loadScenario{{"log", loadRate / 2, write}, {"read", loadRate / 2, read}}, loadMixedRun)
		res.report(b, "log", "read")
	})
}

// loadFreshJourneys is how many journeys are enrolled through the API for
// the writes.
const loadFreshJourneys = 200

// loadJourney is an open journey to load, with the ids its requests need.
type loadJourney struct {
	id, participant, manager string
	goals                    []string
	managerSees              bool // sections are shared with the manager
}

// loadFound is what the seeded read models tell the benchmark.
type loadFound struct {
	open []loadJourney
	// A seeded journey's programme, ordering entity and a competency of
	// one of its learning goals, to plan a cohort and formulate goals with.
	programmeID, entityID, competencyID string
}

// loadJourneysIn reads the journeys in progress, with their learning goals,
// from the read models built over the data directory (as leerpad rebuild
// does), before the service starts on it.
func loadJourneysIn(ctx context.Context, dir string) (found loadFound, err error) {
	log := newLogger(io.Discard, 0)
	es, err := openEventStore(ctx, eventStoreFlags{data: dir}, log)
	if err != nil {
		return found, err
	}
	defer func() { err = errors.Join(err, es.Close()) }()
	codec, err := es.codec()
	if err != nil {
		return found, err
	}
	models, err := newProjections(es, codec, prometheus.NewRegistry(), log, projectionsConfig{})
	if err != nil {
		return found, err
	}
	defer func() { err = errors.Join(err, models.Close()) }()
	runCtx, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- models.Runner.Run(runCtx) }()
	for !models.Runner.CaughtUp() {
		select {
		case err := <-ran:
			return found, fmt.Errorf("read models stopped before catching up: %w", errors.Join(err, runCtx.Err()))
		case <-time.After(10 * time.Millisecond):
		}
	}
	for _, cohortID := range models.CohortDashboard.Cohorts() {
		for _, p := range models.BehaviourChange.Participants(cohortID) {
			v, err := models.Portfolio.Current(p.JourneyID)
			if err != nil {
				return found, err
			}
			for _, g := range v.LearningGoals {
				if len(g.CompetencyIDs) > 0 && found.competencyID == "" {
					found.programmeID, found.entityID, found.competencyID = v.ProgrammeID, v.EntityID, g.CompetencyIDs[0]
				}
			}
			if v.Status != journey.StatusActive || len(v.LearningGoals) == 0 {
				continue
			}
			j := loadJourney{id: v.JourneyID, participant: v.ParticipantID, manager: v.ManagerID, managerSees: len(v.Shared) > 0}
			for _, g := range v.LearningGoals {
				j.goals = append(j.goals, g.GoalID)
			}
			found.open = append(found.open, j)
		}
	}
	stop()
	if err := <-ran; err != nil && !errors.Is(err, context.Canceled) {
		return found, err
	}
	slices.SortFunc(found.open, func(a, b loadJourney) int { return strings.Compare(a.id, b.id) })
	return found, nil
}

// loadServer is the service under load.
type loadServer struct{ api, admin string }

// startLoadServer runs serve on dir with its defaults, except for the
// listen addresses (any free port on loopback) and its log (a file in the
// benchmark's temp dir), and waits until /readyz answers 200. The service
// stops when the benchmark ends.
func startLoadServer(b *testing.B, ctx context.Context, dir string, extra ...string) loadServer { // extra: more serve flags
	b.Helper()
	logFile, err := os.Create(filepath.Join(b.TempDir(), "serve.log"))
	if err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(ctx)
	addrs := make(chan loadServer, 1)
	done := make(chan error, 1)
	go func() {
		done <- serveWith(ctx, append([]string{"--data", dir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}, extra...), logFile,
			serveHooks{listening: func(api, admin string) { addrs <- loadServer{api: api, admin: admin} }})
	}()
	b.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			b.Errorf("serve: %v", err)
		}
		_ = logFile.Close()
	})
	var srv loadServer
	select {
	case srv = <-addrs:
	case err := <-done:
		done <- err
		b.Fatalf("serve stopped before listening: %v", err)
	case <-time.After(time.Minute):
		b.Fatal("serve did not listen within a minute")
	}
	deadline := time.Now().Add(time.Minute)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+srv.admin+"/readyz", nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return srv
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("not ready within a minute (last: %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// loadClient sends the benchmark's requests.
type loadClient struct {
	base string
	key  *auth.SigningKey
	http *http.Client
}

// loadTarget is a journey with the tokens and bodies of its requests.
type loadTarget struct {
	loadJourney
	participantToken, managerToken string
}

func (c *loadClient) token(subject string, role access.Role) (string, error) {
	cfg := auth.Config{Issuer: auth.DefaultIssuer, Audience: auth.DefaultAudience}
	return auth.Mint(c.key, cfg, subject, []access.Role{role}, time.Now(), time.Hour)
}

func (c *loadClient) targets(js []loadJourney) ([]loadTarget, error) {
	out := make([]loadTarget, len(js))
	for i, j := range js {
		pt, err := c.token(j.participant, access.RoleParticipant)
		if err != nil {
			return nil, err
		}
		mt, err := c.token(j.manager, access.RoleManager)
		if err != nil {
			return nil, err
		}
		out[i] = loadTarget{loadJourney: j, participantToken: pt, managerToken: mt}
	}
	return out, nil
}

func countShared(js []loadJourney) (n int) {
	for _, j := range js {
		if j.managerSees {
			n++
		}
	}
	return n
}

// do sends one request and reads the whole answer; any status but want
// is an error naming it.
func (c *loadClient) do(ctx context.Context, method, path, token string, body []byte, header map[string]string, want int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d, want %d: %.300s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// readPortfolio reads the portfolio of t: as its participant, and every
// other time as its manager when sections are shared with them.
func (c *loadClient) readPortfolio(ctx context.Context, t loadTarget, i int) error {
	tok := t.participantToken
	if t.managerSees && i/2%2 == 1 {
		tok = t.managerToken
	}
	ctx, cancel := context.WithTimeout(ctx, loadRequestTimeout)
	defer cancel()
	return c.do(ctx, http.MethodGet, "/journeys/"+t.id+"/portfolio", tok, nil, nil, http.StatusOK, nil)
}

// logExperiment logs a new experiment on a learning goal of t, as a
// well-behaved client does: with an Idempotency-Key of its own.
func (c *loadClient) logExperiment(ctx context.Context, t loadTarget, i int) error {
	body, err := json.Marshal(map[string]string{
		"learningGoalId": t.goals[i%len(t.goals)],
		"intention":      fmt.Sprintf("In the next team meeting I let others speak first and summarise before I give my view (load %d).", i),
		"plannedFor":     time.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, loadRequestTimeout)
	defer cancel()
	return c.do(ctx, http.MethodPost, "/journeys/"+t.id+"/experiments", t.participantToken, body,
		map[string]string{"Idempotency-Key": uuid.NewString()}, http.StatusCreated, nil)
}

// enrolFresh plans a running cohort and enrols n participants in it
// through the API as the programme office, and gives each journey a
// learning goal as its participant: journeys to log on when the seed has
// none in progress.
func (c *loadClient) enrolFresh(ctx context.Context, found loadFound, n int) ([]loadJourney, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	office, err := c.token(uuid.NewString(), access.RoleProgrammeOffice)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	body, _ := json.Marshal(map[string]any{"programmeId": found.programmeID, "entityId": found.entityID, "title": "Load benchmark",
		"trainerIds": []string{uuid.NewString()}, "startsOn": now.AddDate(0, 0, -7).Format(time.RFC3339),
		"endsOn": now.AddDate(0, 6, 0).Format(time.RFC3339)})
	var co struct{ ID string }
	if err := c.do(ctx, http.MethodPost, "/cohorts", office, body, nil, http.StatusCreated, &co); err != nil {
		return nil, err
	}
	out := make([]loadJourney, n)
	csv := &strings.Builder{}
	csv.WriteString("participantId,name,email,role,managerId\n")
	for i := range out {
		out[i] = loadJourney{participant: uuid.NewString(), manager: uuid.NewString()}
		fmt.Fprintf(csv, "%s,Load participant %d,load-%d@example.org,%s,%s\n", out[i].participant, i, i, journey.RoleBeginningManager, out[i].manager)
	}
	var up struct {
		Enrolled []struct{ ParticipantID, JourneyID string }
	}
	if err := c.do(ctx, http.MethodPost, "/cohorts/"+co.ID+"/enrolment-uploads", office, []byte(csv.String()),
		map[string]string{"Content-Type": "text/csv"}, http.StatusCreated, &up); err != nil {
		return nil, err
	}
	if len(up.Enrolled) != n {
		return nil, fmt.Errorf("enrolled %d participants, want %d", len(up.Enrolled), n)
	}
	for i, e := range up.Enrolled {
		if e.ParticipantID != out[i].participant {
			return nil, fmt.Errorf("enrolment %d is of %s, want %s", i, e.ParticipantID, out[i].participant)
		}
		out[i].id = e.JourneyID
	}
	// A learning goal on each, as its participant, 8 at a time.
	var wg sync.WaitGroup
	errs := make([]error, n)
	sem := make(chan struct{}, 8)
	for i := range out {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			pt, err := c.token(out[i].participant, access.RoleParticipant)
			if err != nil {
				errs[i] = err
				return
			}
			body, _ := json.Marshal(map[string]any{"kind": journey.KindGoal.String(), "text": "Give feedback that helps, not hurts.",
				"competencyIds": []string{found.competencyID}})
			var g struct{ ID string }
			errs[i] = c.do(ctx, http.MethodPost, "/journeys/"+out[i].id+"/learning-goals", pt, body, nil, http.StatusCreated, &g)
			out[i].goals = []string{g.ID}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // the first is enough
		}
	}
	return out, nil
}

// loadStream is one kind of request at its own constant rate.
type loadStream struct {
	name string
	rate int
	do   func(i int) error
}

// loadScenario is streams run at the same time.
type loadScenario []loadStream

// loadResult holds the latencies and errors of a run, by stream.
type loadResult struct {
	sending time.Duration // from the first scheduled send to the last send
	elapsed time.Duration // from the first scheduled send to the last answer
	lat     map[string][]time.Duration
	errs    map[string]int
	first   []string // the first few errors
}

// runLoad runs the scenario b.N times: loadWarmup unrecorded, then d
// recorded.
func runLoad(b *testing.B, ctx context.Context, sc loadScenario, d time.Duration) loadResult {
	res := loadResult{lat: map[string][]time.Duration{}, errs: map[string]int{}}
	next := 0 // request counter, so that every request is a new one
	for range b.N {
		b.StopTimer()
		openLoop(ctx, sc, loadWarmup, &next, nil)
		b.StartTimer()
		openLoop(ctx, sc, d, &next, &res)
	}
	return res
}

// openLoop sends the requests of every stream of sc at their fixed times
// for d, each on its own goroutine, and waits for all answers; res, when
// not nil, records them.
func openLoop(ctx context.Context, sc loadScenario, d time.Duration, next *int, res *loadResult) {
	type sample struct {
		lat time.Duration
		err error
	}
	samples := make([][]sample, len(sc))
	var wg sync.WaitGroup
	var counter atomic.Int64
	counter.Store(int64(*next))
	start := time.Now().Add(time.Millisecond)
	var lastSend atomic.Int64 // nanoseconds after start
	for s, st := range sc {
		n := int(d.Seconds() * float64(st.rate))
		interval := time.Second / time.Duration(st.rate)
		samples[s] = make([]sample, n)
		wg.Go(func() {
			var reqs sync.WaitGroup
			for k := range n {
				at := start.Add(time.Duration(k) * interval)
				if wait := time.Until(at); wait > 0 {
					select {
					case <-ctx.Done():
						return
					case <-time.After(wait):
					}
				}
				i := int(counter.Add(1))
				sent := int64(time.Since(start))
				for cur := lastSend.Load(); sent > cur && !lastSend.CompareAndSwap(cur, sent); cur = lastSend.Load() {
				}
				reqs.Go(func() {
					err := st.do(i)
					samples[s][k] = sample{lat: time.Since(at), err: err}
				})
			}
			reqs.Wait()
		})
	}
	wg.Wait()
	*next = int(counter.Load())
	if res == nil {
		return
	}
	res.elapsed += time.Since(start)
	res.sending += time.Duration(lastSend.Load())
	for s, st := range sc {
		for _, x := range samples[s] {
			res.lat[st.name] = append(res.lat[st.name], x.lat)
			if x.err != nil {
				res.errs[st.name]++
				if len(res.first) < 5 {
					res.first = append(res.first, x.err.Error())
				}
			}
		}
	}
}

// report reports the rate achieved (req/s: requests sent per second of the
// sending; ok/s: 2xx answers per second until the last answer), the latency
// percentiles and the errors over all streams, and with more than one stream the p99 of each; it fails
// the benchmark on any error.
func (r loadResult) report(b *testing.B, names ...string) {
	var all []time.Duration
	errs := 0
	for _, n := range names {
		all = append(all, r.lat[n]...)
		errs += r.errs[n]
	}
	if len(all) == 0 {
		b.Fatal("no requests were sent")
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	slices.Sort(all)
	b.ReportMetric(0, "ns/op")
	sent := float64(len(all)) / r.sending.Seconds()
	ok := float64(len(all)-errs) / r.elapsed.Seconds()
	b.ReportMetric(sent, "req/s")
	b.ReportMetric(ok, "ok/s")
	b.ReportMetric(ms(loadPct(all, 50)), "p50-ms")
	b.ReportMetric(ms(loadPct(all, 99)), "p99-ms")
	b.ReportMetric(ms(all[len(all)-1]), "max-ms")
	b.ReportMetric(float64(errs), "errors")
	if len(names) > 1 {
		for _, n := range names {
			l := slices.Sorted(slices.Values(r.lat[n]))
			b.ReportMetric(ms(loadPct(l, 99)), n+"-p99-ms")
		}
	}
	// Also as a log line: a failed benchmark prints no metrics.
	b.Logf("%d requests sent in %.2f s (%.1f req/s), %d answered 2xx by %.2f s (%.1f ok/s): p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d errors",
		len(all), r.sending.Seconds(), sent, len(all)-errs, r.elapsed.Seconds(), ok, ms(loadPct(all, 50)), ms(loadPct(all, 99)), ms(all[len(all)-1]), errs)
	if errs > 0 {
		b.Errorf("%d of %d requests failed; first: %s", errs, len(all), strings.Join(r.first, "; "))
	}
}

// loadPct is the p-th percentile of sorted (nearest rank).
func loadPct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}
