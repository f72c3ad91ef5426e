package readmodeltest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

func readModels(t *testing.T) []projections.Snapshotter {
	t.Helper()
	dash, err := cohortdashboard.New(cohortdashboard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return []projections.Snapshotter{portfolio.New(portfolio.Config{}), dash, behaviourchange.New(behaviourchange.Config{}), raterlinks.New(), offer.New(), impact.New()}
}

// TestEveryQueryEnumerated fails when a read model has an exported method
// that is neither an enumerated query nor shared machinery: add the query
// to queries.go, and every snapshot test compares its answers.
func TestEveryQueryEnumerated(t *testing.T) {
	for _, m := range readModels(t) {
		if u := MustOf(t, m).Uncovered(); len(u) > 0 {
			t.Errorf("%s:\n%s", m.Name(), strings.Join(u, "\n"))
		}
	}
}

// withIndex is a read model that gained a query nobody enumerated.
type withIndex struct{ *offer.ReadModel }

func (withIndex) ModulesOfTheme(string) []string { return nil }

func TestUncoveredNamesAForgottenQuery(t *testing.T) {
	r := ReadModel{Model: withIndex{offer.New()}, Queries: offerQueries(offer.New())}
	if got := r.Uncovered(); !slices.Equal(got, []string{"offer: method ModulesOfTheme is not enumerated"}) {
		t.Fatalf("Uncovered = %q", got)
	}
	r.Queries["Retired"] = nil
	if got := r.Uncovered(); len(got) != 2 || !strings.Contains(got[1], "query Retired is no method") {
		t.Fatalf("Uncovered = %q", got)
	}
	if _, err := Of(withIndex{offer.New()}); err == nil {
		t.Fatal("Of knows a read model it does not enumerate")
	}
}

// TestDataSetHarvestsIDs checks that the data set holds the ids the
// queries are asked with, stream ids included, and moments around the log.
func TestDataSetHarvestsIDs(t *testing.T) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: 3, Seed: 1})
	d := DataSetOf(h.Log.Events)
	for _, p := range h.Participants {
		for field, id := range map[string]string{"journeyId": p.JourneyID, "participantId": p.ParticipantID, "managerId": p.ManagerID} {
			if !slices.Contains(d.IDs(field), id) {
				t.Errorf("%s %s not in the data set", field, id)
			}
		}
	}
	if ids := d.IDs("cohortId"); !slices.Equal(ids, []string{h.CohortID, Unknown}) && !slices.Equal(ids, []string{Unknown, h.CohortID}) {
		t.Errorf("cohorts %v", ids)
	}
	if len(d.IDs("trainerId")) < 2 {
		t.Errorf("trainers %v", d.IDs("trainerId"))
	}
	if len(d.Pairs("roundId", "raterId")) < 2 {
		t.Error("no round and rater pairs")
	}
	if len(d.Moments) == 0 || !d.Moments[0].Before(h.StartsOn) || !d.Moments[len(d.Moments)-1].After(h.EndsOn) {
		t.Errorf("moments %v", d.Moments)
	}
}

// TestCompareFindsADifference compares a read model with one fed half its
// log, and expects Compare to fail.
func TestCompareFindsADifference(t *testing.T) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: 3, Seed: 2})
	evs := h.Log.Events
	full, part := portfolio.New(portfolio.Config{}), portfolio.New(portfolio.Config{})
	feed(t, full, evs)
	feed(t, part, evs[:len(evs)/2])
	rec := &recorder{T: t}
	if n := Compare(context.Background(), rec, MustOf(t, full), MustOf(t, part), DataSetOf(evs)); n < 50 {
		t.Errorf("%d questions asked", n)
	}
	if !rec.failed {
		t.Fatal("Compare found no difference between a read model and half of it")
	}
}

// recorder is a testing.TB whose failures are recorded, not reported.
type recorder struct {
	*testing.T
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Failed() bool          { return r.failed }
