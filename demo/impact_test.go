package demo

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/domaintest"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
)

// The impact data of the plan, checked on the events its commands record
// when run, one after another, through the domain services over in-memory
// streams (domaintest.Repo): closed measurements, level 2 ratings, key
// figures, behaviour change that differs between people, and the one
// delivery received worse.

// memRepo is an in-memory repository that remembers the streams created.
type memRepo[A domaintest.Aggregate] struct {
	*domaintest.Repo[A]
	mu  sync.Mutex
	ids []string
}

func newMemRepo[A domaintest.Aggregate](replay func(...domain.Event) A) *memRepo[A] {
	return &memRepo[A]{Repo: domaintest.NewRepo(replay)}
}

func (r *memRepo[A]) Create(ctx context.Context, a A, env domain.Envelope) (domain.Written, error) {
	r.mu.Lock()
	r.ids = append(r.ids, a.ID())
	r.mu.Unlock()
	return r.Repo.Create(ctx, a, env)
}

// memCatalogue is the journey.Catalogue of the in-memory run: links are not
// checked, and the learning goals of a module version come from its stream.
type memCatalogue struct{ modules *memRepo[*catalogue.Module] }

func (memCatalogue) Links(context.Context, string) (journey.Links, error) {
	return journey.Links{}, nil
}

func (c memCatalogue) LearningGoalsOf(ctx context.Context, moduleID string, version int) ([]string, error) {
	m, err := c.modules.Load(ctx, moduleID)
	if err != nil {
		return nil, err
	}
	v, ok := m.VersionOf(version)
	if !ok {
		return nil, fmt.Errorf("module %s version %d: %w", moduleID, version, domain.ErrNotFound)
	}
	var ids []string
	for _, g := range v.Content.LearningGoals {
		ids = append(ids, g.ID)
	}
	return ids, nil
}

// memRun is a plan run in memory: its plan and its streams.
type memRun struct {
	plan        *plan
	modules     *memRepo[*catalogue.Module]
	entities    *memRepo[*catalogue.Entity]
	cohorts     *memRepo[*cohort.Cohort]
	journeys    *memRepo[*journey.Journey]
	rounds      *memRepo[*feedback.Round]
	instruments *memRepo[*feedback.Instrument]
}

func runInMemory(t *testing.T, o Options) *memRun {
	t.Helper()
	r := &memRun{
		modules: newMemRepo(catalogue.ReplayModule), entities: newMemRepo(catalogue.ReplayEntity), cohorts: newMemRepo(cohort.Replay),
		journeys: newMemRepo(journey.Replay), rounds: newMemRepo(feedback.ReplayRound), instruments: newMemRepo(feedback.ReplayInstrument),
	}
	programmes := newMemRepo(catalogue.ReplayProgramme)
	cohorts := cohort.NewService(r.cohorts, programmes, r.modules)
	s := Services{
		Modules: catalogue.NewModuleService(r.modules), Programmes: catalogue.NewProgrammeService(programmes, r.modules),
		Entities: catalogue.NewEntityService(r.entities, r.modules, programmes), Cohorts: cohorts,
		Journeys:    journey.NewService(r.journeys, cohorts, memCatalogue{modules: r.modules}),
		Instruments: feedback.NewInstrumentService(r.instruments), Rounds: feedback.NewRoundService(r.rounds, r.instruments, r.journeys),
	}
	r.plan = build(s, o.withDefaults())
	ctx := context.Background()
	do := func(st *step) {
		if err := st.do(ctx, st.key); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
	}
	for _, st := range r.plan.catalogue {
		do(st)
	}
	for _, c := range r.plan.cohorts {
		for _, ph := range c.phases {
			for _, st := range ph.cohort {
				do(st)
			}
			for _, js := range ph.journeys {
				for _, st := range js {
					do(st)
				}
			}
		}
	}
	return r
}

// events returns the events of type E in the streams of r, by stream id.
func events[E domain.Event, A domaintest.Aggregate](r *memRepo[A]) map[string][]E {
	out := map[string][]E{}
	for _, id := range r.ids {
		for _, e := range r.Stream(id) {
			if x, ok := e.(E); ok {
				out[id] = append(out[id], x)
			}
		}
	}
	return out
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestPlanImpactData(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole default data set in memory")
	}
	for _, seed := range []uint64{1, 42} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := runInMemory(t, Options{Seed: seed})
			checkClosures(t, r)
			checkRatings(t, r)
			checkKeyFigures(t, r)
			checkWorseDelivery(t, r)
			checkBehaviourChange(t, r)
		})
	}
}

// checkClosures: every cohort that ended before the reference date has its
// measurement closed, once, as the last event of its stream, after every
// event of its journeys (the post rounds closed, the journeys completed),
// freezing the participants not withdrawn; the running cohort has none.
func checkClosures(t *testing.T, r *memRun) {
	t.Helper()
	closed := events[cohort.MeasurementClosed](r.cohorts)
	if len(closed) != r.plan.report.Closed || len(closed) != len(r.cohorts.ids)-1 {
		t.Errorf("%d cohorts closed (report: %d), want all %d but the running one", len(closed), r.plan.report.Closed, len(r.cohorts.ids)-1)
	}
	enrolled := events[journey.Enrolled](r.journeys)
	rounds := events[feedback.RoundOpened](r.rounds)
	for _, id := range r.cohorts.ids {
		cs := closed[id]
		if len(cs) == 0 {
			continue
		}
		stream := r.cohorts.Stream(id)
		if len(cs) != 1 || stream[len(stream)-1].EventName() != "cohort.measurement_closed" {
			t.Errorf("cohort %s: %d closures, last event %s", id, len(cs), stream[len(stream)-1].EventName())
		}
		c := cohort.Replay(stream...)
		var want []string
		for jid, es := range enrolled {
			if es[0].CohortID != id {
				continue
			}
			j, _ := r.journeys.Load(context.Background(), jid)
			if j.Status() != journey.StatusWithdrawn {
				want = append(want, j.ParticipantID())
			}
			for _, e := range r.journeys.Stream(jid) {
				if at := eventAt(e); !at.Before(cs[0].At) {
					t.Errorf("cohort %s closed at %s before journey %s's %s at %s", id, cs[0].At, jid, e.EventName(), at)
				}
			}
			for rid, ro := range rounds {
				if ro[0].JourneyID != jid {
					continue
				}
				for _, e := range r.rounds.Stream(rid) {
					if at := eventAt(e); !at.Before(cs[0].At) {
						t.Errorf("cohort %s closed at %s before round %s's %s at %s", id, cs[0].At, rid, e.EventName(), at)
					}
				}
			}
		}
		slices.Sort(want)
		if !slices.Equal(cs[0].ParticipantIDs, want) || !slices.Equal(c.Measurement().ParticipantIDs, want) || len(want) == 0 {
			t.Errorf("cohort %s froze %v, want the %d not withdrawn", id, cs[0].ParticipantIDs, len(want))
		}
	}
}

// eventAt is the time an event records (its At field).
func eventAt(e domain.Event) time.Time {
	at, _ := reflect.ValueOf(e).FieldByName("At").Interface().(time.Time)
	return at
}

// checkRatings: most participants present at a delivery rate what they
// learnt there, every learning goal of the version delivered, within the
// scale, and on the whole they report having learnt.
func checkRatings(t *testing.T, r *memRun) {
	t.Helper()
	ctx := context.Background()
	rated := map[string]int{} // by delivery
	var gains []float64
	n := 0
	for _, es := range events[journey.LearningRated](r.journeys) {
		for _, e := range es {
			n++
			rated[e.DeliveryID]++
			m, err := r.modules.Load(ctx, e.ModuleID)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := m.VersionOf(e.ModuleVersion)
			var goals, got []string
			for _, g := range v.Content.LearningGoals {
				goals = append(goals, g.ID)
			}
			for _, g := range e.Ratings {
				got = append(got, g.LearningGoalID)
				if g.Before < journey.MinScore || g.Before > journey.MaxScore || g.Now < journey.MinScore || g.Now > journey.MaxScore {
					t.Errorf("rating %+v outside the scale", g)
				}
				gains = append(gains, float64(g.Now-g.Before))
			}
			if !slices.Equal(got, goals) {
				t.Errorf("delivery %s rated goals %v, want those of module %s version %d: %v", e.DeliveryID, got, e.ModuleID, e.ModuleVersion, goals)
			}
		}
	}
	if n == 0 || n != r.plan.report.Ratings {
		t.Fatalf("%d ratings, report says %d", n, r.plan.report.Ratings)
	}
	if g := mean(gains); g < 0.5 || g > 2 {
		t.Errorf("mean gain now minus before %.2f, want participants to report having learnt (0.5 to 2)", g)
	}
	for _, id := range r.cohorts.ids {
		c := cohort.Replay(r.cohorts.Stream(id)...)
		for _, d := range c.Details().Deliveries {
			present := 0
			for _, e := range r.cohorts.Stream(id) {
				if a, ok := e.(cohort.AttendanceRecorded); ok && a.DeliveryID == d.DeliveryID && a.Status == cohort.Present {
					present++
				}
			}
			if present >= 10 && (rated[d.DeliveryID] < present*6/10 || rated[d.DeliveryID] > present) {
				t.Errorf("delivery %s: %d of %d present rated, want most", d.DeliveryID, rated[d.DeliveryID], present)
			}
		}
	}
}

// checkKeyFigures: every ordering entity has the eight quarters before the
// reference date, consecutive, with plausible percentages.
func checkKeyFigures(t *testing.T, r *memRun) {
	t.Helper()
	if len(r.entities.ids) == 0 || r.plan.report.KeyFigures != keyFigureQuarters*len(r.entities.ids) {
		t.Errorf("%d key figures reported for %d entities", r.plan.report.KeyFigures, len(r.entities.ids))
	}
	for _, id := range r.entities.ids {
		en, _ := r.entities.Load(context.Background(), id)
		ks := en.KeyFigures()
		if len(ks) != keyFigureQuarters || ks[0].Quarter != "2024-Q2" || ks[len(ks)-1].Quarter != "2026-Q1" {
			t.Errorf("entity %s has %d quarters, %v", id, len(ks), ks)
			continue
		}
		for i, k := range ks {
			if k.AbsenteeismPct == nil || *k.AbsenteeismPct < 4 || *k.AbsenteeismPct > 7 || k.TurnoverPct == nil || *k.TurnoverPct < 5 || *k.TurnoverPct > 12 {
				t.Errorf("entity %s %s: absenteeism %v, turnover %v", id, k.Quarter, k.AbsenteeismPct, k.TurnoverPct)
			}
			start, _ := catalogue.QuarterStart("quarter", k.Quarter)
			if i > 0 {
				prev, _ := catalogue.QuarterStart("quarter", ks[i-1].Quarter)
				if !prev.AddDate(0, 3, 0).Equal(start) {
					t.Errorf("entity %s: %s follows %s", id, k.Quarter, ks[i-1].Quarter)
				}
			}
			if !k.RecordedAt.After(start.AddDate(0, 3, 0)) || !k.RecordedAt.Before(ReferenceDate) {
				t.Errorf("entity %s: %s recorded at %s", id, k.Quarter, k.RecordedAt)
			}
		}
	}
}

// checkWorseDelivery: the first cohort's module 2 is evaluated clearly
// worse than every other cohort's module 2.
func checkWorseDelivery(t *testing.T, r *memRun) {
	t.Helper()
	scores := map[string][]float64{} // by delivery
	for _, es := range events[journey.ModuleEvaluated](r.journeys) {
		for _, e := range es {
			for _, s := range e.Scores {
				scores[e.DeliveryID] = append(scores[e.DeliveryID], float64(s.Score))
			}
		}
	}
	worse, others := 0.0, []float64{}
	for k, id := range r.cohorts.ids {
		d := cohort.Replay(r.cohorts.Stream(id)...).Details()
		if len(d.Deliveries) <= worseModule || len(scores[d.Deliveries[worseModule].DeliveryID]) == 0 {
			continue
		}
		m := mean(scores[d.Deliveries[worseModule].DeliveryID])
		if k == worseCohort {
			worse = m
		} else {
			others = append(others, m)
		}
	}
	if worse == 0 || len(others) == 0 {
		t.Fatalf("module 2 means: worse %.2f, others %v", worse, others)
	}
	for _, m := range others {
		if worse > 3 || m < 3.5 || m-worse < 1 {
			t.Errorf("module 2 evaluated %.2f in cohort %d, %.2f elsewhere: want the one clearly worse", worse, worseCohort+1, m)
		}
	}
}

// checkBehaviourChange: between the pre and the post round, on the
// competencies a participant develops (as others rate them), most improve
// a little, some a lot, a few deteriorate.
func checkBehaviourChange(t *testing.T, r *memRun) {
	t.Helper()
	itemOf := map[string]string{} // item -> competency
	for _, es := range events[feedback.InstrumentPublished](r.instruments) {
		for _, c := range es[0].Competencies {
			for _, it := range c.Items {
				itemOf[it.ID] = c.ID
			}
		}
	}
	focus := map[string]map[string]bool{} // journey -> competencies developed
	for jid, es := range events[journey.BehaviourChosen](r.journeys) {
		focus[jid] = map[string]bool{}
		for _, e := range es {
			if e.Choice == journey.ChoiceDevelop {
				focus[jid][e.CompetencyID] = true
			}
		}
	}
	type prePost struct{ pre, post []float64 }
	scores := map[string]*prePost{}
	responses := events[feedback.ResponseSubmitted](r.rounds)
	for rid, ro := range events[feedback.RoundOpened](r.rounds) {
		jid := ro[0].JourneyID
		if scores[jid] == nil {
			scores[jid] = &prePost{}
		}
		for _, resp := range responses[rid] {
			if resp.Group == feedback.GroupSelf {
				continue
			}
			for _, a := range resp.Answers {
				if a.NotObserved || !focus[jid][itemOf[a.ItemID]] {
					continue
				}
				if ro[0].Kind == feedback.RoundPre {
					scores[jid].pre = append(scores[jid].pre, float64(a.Score))
				} else {
					scores[jid].post = append(scores[jid].post, float64(a.Score))
				}
			}
		}
	}
	var change []float64
	for _, s := range scores {
		if len(s.pre) > 0 && len(s.post) > 0 {
			change = append(change, mean(s.post)-mean(s.pre))
		}
	}
	slices.Sort(change)
	large, worse := 0, 0
	for _, d := range change {
		switch {
		case d >= 0.8:
			large++
		case d <= -0.25:
			worse++
		}
	}
	n := len(change)
	median := change[n/2]
	if n < 20 || large < n/10 || large > n/2 || worse < 1 || worse > n/4 || median <= 0 || median >= 0.6 {
		t.Errorf("change of %d participants: %d large (>= 0.8), %d down (<= -0.25), median %.2f; want some large, a few down, most a little up", n, large, worse, median)
	}
}
