package demo

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/domain"
)

// outline is what a plan would write, command by command: what, key and time.
func outline(p *plan) []string {
	var out []string
	add := func(st *step) { out = append(out, st.what+"|"+st.key+"|"+st.at.String()) }
	for _, st := range p.catalogue {
		add(st)
	}
	for _, c := range p.cohorts {
		for _, ph := range c.phases {
			for _, st := range ph.cohort {
				add(st)
			}
			for _, js := range ph.journeys {
				for _, st := range js {
					add(st)
				}
			}
		}
	}
	return out
}

func TestPlanIsDeterministic(t *testing.T) {
	o := Options{Seed: 42}.withDefaults()
	a, b := outline(build(Services{}, o)), outline(build(Services{}, o))
	if !slices.Equal(a, b) {
		t.Fatal("two plans of the same options differ")
	}
	o.Seed++
	if c := outline(build(Services{}, o)); slices.Equal(a, c) {
		t.Fatal("plans of seeds 42 and 43 are the same")
	}
	keys := map[string]bool{}
	for _, line := range a {
		key := strings.Split(line, "|")[1]
		if keys[key] {
			t.Fatalf("idempotency key %s used twice", key)
		}
		keys[key] = true
	}
}

// Every stream gets its commands in time order, phase after phase, all
// before the reference date, and a journey's completion or withdrawal is its
// last command: a journey found closed was seeded in full. A journey without
// one is in progress at the reference date, which only the running cohorts
// have, the last one always.
func TestPlanOrdersEveryStream(t *testing.T) {
	for _, o := range []Options{{Seed: 1}, {Seed: 2, Cohorts: 4, Participants: 13}, {Seed: 3, Cohorts: 1, Participants: 2}} {
		p := build(Services{}, o.withDefaults())
		inProgress := 0
		for ci, c := range p.cohorts {
			running := 0
			var cohortSteps []*step
			for _, ph := range c.phases {
				cohortSteps = append(cohortSteps, ph.cohort...)
			}
			if !slices.IsSortedFunc(cohortSteps, func(a, b *step) int { return a.at.Compare(b.at) }) {
				t.Errorf("seed %d cohort %d: cohort commands out of time order", o.Seed, ci)
			}
			for j := range c.journeyIDs {
				var steps []*step
				for _, ph := range c.phases {
					steps = append(steps, ph.journeys[j]...)
				}
				if !slices.IsSortedFunc(steps, func(a, b *step) int { return a.at.Compare(b.at) }) {
					t.Errorf("seed %d cohort %d journey %d: commands out of time order", o.Seed, ci, j)
				}
				for i, st := range steps {
					closing := strings.HasSuffix(st.what, ": complete") || strings.HasSuffix(st.what, ": withdraw")
					if closing && i != len(steps)-1 {
						t.Errorf("seed %d cohort %d journey %d: %q is followed by %q", o.Seed, ci, j, st.what, steps[i+1].what)
					}
					if closing || i != len(steps)-1 {
						continue
					}
					running++ // in progress: every step before the reference date
					if p.report.InProgress == 0 {
						t.Errorf("seed %d cohort %d journey %d ends with %q, but the report has no journey in progress", o.Seed, ci, j, st.what)
					}
				}
				if !strings.HasSuffix(steps[0].what, ": enrol") {
					t.Errorf("seed %d cohort %d journey %d starts with %q", o.Seed, ci, j, steps[0].what)
				}
				for _, st := range steps {
					if !st.at.Before(ReferenceDate) {
						t.Errorf("seed %d cohort %d journey %d: %q at %s, after the reference date", o.Seed, ci, j, st.what, st.at)
					}
				}
			}
			for _, ph := range c.phases {
				for _, st := range ph.cohort {
					if !st.at.Before(ReferenceDate) {
						t.Errorf("seed %d cohort %d: %q at %s, after the reference date", o.Seed, ci, st.what, st.at)
					}
				}
			}
			if ci == len(p.cohorts)-1 && running == 0 {
				t.Errorf("seed %d: the last cohort has no journey in progress at the reference date", o.Seed)
			}
			inProgress += running
		}
		if inProgress != p.report.InProgress {
			t.Errorf("seed %d: %d journeys end before closing, the report says %d in progress", o.Seed, inProgress, p.report.InProgress)
		}
	}
}

// The default data set stands on the reference date with its last cohort
// halfway: earlier cohorts closed, later modules of the last one scheduled
// but not delivered, and a Try-it participant who is in progress, shares
// learning goals and experiments with their manager and has a learning goal
// and an open experiment.
func TestPlanStandsOnTheReferenceDate(t *testing.T) {
	p := build(Services{}, Options{Seed: 1}.withDefaults())
	r := p.report
	if r.InProgress == 0 || r.InProgress > 20 || r.Upcoming == 0 {
		t.Errorf("report = %+v: want the last cohort's journeys in progress and deliveries to come", r)
	}
	last := p.cohorts[len(p.cohorts)-1]
	for ci, c := range p.cohorts[:len(p.cohorts)-1] {
		for j := range c.journeyIDs {
			var lastStep *step
			for _, ph := range c.phases {
				if js := ph.journeys[j]; len(js) > 0 {
					lastStep = js[len(js)-1]
				}
			}
			if w := lastStep.what; !strings.HasSuffix(w, ": complete") && !strings.HasSuffix(w, ": withdraw") {
				t.Errorf("cohort %d, which ended before the reference date, has a journey ending with %q", ci, w)
			}
		}
	}

	ti := r.TryIt
	if again := build(Services{}, Options{Seed: 1}.withDefaults()).report.TryIt; !reflect.DeepEqual(ti, again) {
		t.Errorf("Try-it ids differ between two plans of the same options: %+v, %+v", ti, again)
	}
	j := slices.Index(last.journeyIDs, ti.JourneyID)
	if j < 0 || ti.CohortID == "" || ti.TrainerID == "" || ti.ParticipantID == "" || ti.ManagerID == "" || ti.LearningGoalID == "" {
		t.Fatalf("Try-it = %+v: want ids of a journey of the last cohort", ti)
	}
	var steps []string
	for _, ph := range last.phases {
		for _, st := range ph.journeys[j] {
			steps = append(steps, st.what)
		}
	}
	for _, want := range []string{"grant sharing learning-goals", "grant sharing experiments", "formulate learning goal", "log experiment"} {
		if !slices.ContainsFunc(steps, func(w string) bool { return strings.HasSuffix(w, ": "+want) }) {
			t.Errorf("the Try-it journey has no %q", want)
		}
	}
	if slices.ContainsFunc(steps, func(w string) bool { return strings.HasSuffix(w, ": complete") || strings.HasSuffix(w, ": withdraw") }) {
		t.Error("the Try-it journey is closed")
	}
	if !slices.Contains(ti.Shared, "learning-goals") || !slices.Contains(ti.Shared, "experiments") || slices.Contains(ti.Shared, "coaching") || ti.OpenExperiments == 0 {
		t.Errorf("Try-it = %+v: want learning goals and experiments shared, coaching not, and an open experiment", ti)
	}
}

func TestPlanReport(t *testing.T) {
	r := build(Services{}, Options{Seed: 1}.withDefaults()).report
	if r.Programmes != 3 || r.Modules != 16 || r.Cohorts != 3 || r.Journeys != 60 || r.Completed+r.Withdrawn+r.InProgress != 60 ||
		r.Withdrawn == 0 || r.Completed == 0 || r.InProgress == 0 {
		t.Errorf("report = %+v", r)
	}
	if r.Rounds != 2*r.Completed+r.Withdrawn+r.InProgress || r.Responses == 0 || r.Experiments < r.Journeys {
		t.Errorf("report = %+v: want a pre round per journey, a post round per completed one, and experiments", r)
	}
}

func TestGroupSizes(t *testing.T) {
	for n := range 60 {
		sizes := groupSizes(n)
		sum := 0
		for _, s := range sizes {
			if s < 4 || s > 6 {
				t.Errorf("groupSizes(%d) = %v: a group of %d", n, sizes, s)
			}
			sum += s
		}
		left := n - sum
		expected := left == 0 || n < 4 && left == n || n == 7 && left == 1
		if !expected {
			t.Errorf("groupSizes(%d) = %v leaves %d without a group", n, sizes, left)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	if err := (Options{}).Validate(); err != nil {
		t.Errorf("zero options (the defaults): %v", err)
	}
	for _, o := range []Options{{Cohorts: -1}, {Cohorts: MaxCohorts + 1}, {Participants: MaxParticipants + 1}, {Concurrency: -2}} {
		if err := o.Validate(); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("Validate(%+v) = %v, want ErrInvalid", o, err)
		}
	}
}
