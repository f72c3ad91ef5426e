package registry_test

import (
	"testing"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/domain/registry"
)

// Every event type of every aggregate package is registered, once.
func TestEventTypes(t *testing.T) {
	got := map[string]int{}
	for _, et := range registry.EventTypes() {
		got[et.Name]++
	}
	want := 0
	for _, g := range [][]string{names(catalogue.EventTypes), names(cohort.EventTypes), names(journey.EventTypes), names(feedback.EventTypes), names(privacy.EventTypes)} {
		for _, n := range g {
			want++
			if got[n] != 1 {
				t.Errorf("%s registered %d times, want once", n, got[n])
			}
		}
	}
	if len(got) != want {
		t.Errorf("%d event types registered, the aggregate packages have %d", len(got), want)
	}
}

func names(types func() []domain.EventType) []string {
	var out []string
	for _, et := range types() {
		out = append(out, et.Name)
	}
	return out
}
