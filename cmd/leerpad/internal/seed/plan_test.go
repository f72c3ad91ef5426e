package seed

import (
	"errors"
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

// Every stream gets its commands in time order, phase after phase, and a
// journey's completion or withdrawal is its last command: a journey found
// closed was seeded in full.
func TestPlanOrdersEveryStream(t *testing.T) {
	for _, o := range []Options{{Seed: 1}, {Seed: 2, Cohorts: 4, Participants: 13}, {Seed: 3, Cohorts: 1, Participants: 2}} {
		p := build(Services{}, o.withDefaults())
		for ci, c := range p.cohorts {
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
				last := steps[len(steps)-1].what
				if !strings.HasSuffix(last, ": complete") && !strings.HasSuffix(last, ": withdraw") {
					t.Errorf("seed %d cohort %d journey %d ends with %q", o.Seed, ci, j, last)
				}
				if !strings.HasSuffix(steps[0].what, ": enrol") {
					t.Errorf("seed %d cohort %d journey %d starts with %q", o.Seed, ci, j, steps[0].what)
				}
			}
		}
	}
}

func TestPlanReport(t *testing.T) {
	r := build(Services{}, Options{Seed: 1}.withDefaults()).report
	if r.Programmes != 3 || r.Modules != 16 || r.Cohorts != 3 || r.Journeys != 60 || r.Completed+r.Withdrawn != 60 || r.Withdrawn == 0 {
		t.Errorf("report = %+v", r)
	}
	if r.Rounds != 2*r.Completed+r.Withdrawn || r.Responses == 0 || r.Experiments < r.Journeys {
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
