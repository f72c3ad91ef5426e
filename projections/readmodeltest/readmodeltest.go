// Package readmodeltest enumerates every query that every read model of
// serve answers, indexes included, so that a test can ask two read models
// everything and compare their answers: one restored from a snapshot and
// one rebuilt from the log.
//
// Forgetting a query is loud: Of fails for a read model it does not know,
// and Uncovered names every exported method of a read model that is neither
// one of its enumerated queries nor the machinery every read model shares
// (projections.Snapshotter, projections.Frame). A read model that gains a
// query (an index with a method to ask it) must be enumerated here, and then
// every snapshot test compares it.
package readmodeltest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

// Ask records one answer of a query: the arguments it was asked with (as
// text) and what it returned.
type Ask func(args string, answer any, err error)

// Query asks one method of a read model everything it answers over a data
// set: with every id of the data set its arguments take, an unknown id, and
// the data set's moments.
type Query func(ctx context.Context, d DataSet, ask Ask)

// ReadModel is a read model and its queries, by the name of the method each
// asks.
type ReadModel struct {
	Model   projections.Projection
	Queries map[string]Query
}

// Of returns the queries of one of serve's read models. It fails for a read
// model it does not enumerate, so that a new read model cannot be left out.
func Of(p projections.Projection) (ReadModel, error) {
	switch m := p.(type) {
	case *portfolio.ReadModel:
		return ReadModel{Model: m, Queries: portfolioQueries(m)}, nil
	case *cohortdashboard.ReadModel:
		return ReadModel{Model: m, Queries: cohortDashboardQueries(m)}, nil
	case *behaviourchange.ReadModel:
		return ReadModel{Model: m, Queries: behaviourChangeQueries(m)}, nil
	case *raterlinks.ReadModel:
		return ReadModel{Model: m, Queries: raterLinksQueries(m)}, nil
	case *offer.ReadModel:
		return ReadModel{Model: m, Queries: offerQueries(m)}, nil
	case *impact.ReadModel:
		return ReadModel{Model: m, Queries: impactQueries(m)}, nil
	}
	return ReadModel{}, fmt.Errorf("read model %s (%T): its queries are not enumerated in package readmodeltest", p.Name(), p)
}

// MustOf is Of for a test: it fails tb for a read model not enumerated.
func MustOf(tb testing.TB, p projections.Projection) ReadModel {
	tb.Helper()
	r, err := Of(p)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// shared are the methods every read model has that answer no question
// about the data: the runner's and the snapshots' (position and unknown
// count are compared by Answers all the same).
func shared() map[string]bool {
	out := map[string]bool{}
	for _, t := range []reflect.Type{reflect.TypeFor[projections.Snapshotter](), reflect.TypeFor[*projections.Frame](), reflect.TypeFor[projections.Warmer]()} {
		for i := range t.NumMethod() {
			out[t.Method(i).Name] = true
		}
	}
	return out
}

// Uncovered returns the exported methods of the read model that are neither
// enumerated queries nor shared machinery, and the enumerated queries that
// are no method of it; empty when the enumeration is complete.
func (r ReadModel) Uncovered() []string {
	t := reflect.TypeOf(r.Model)
	skip := shared()
	var out []string
	for i := range t.NumMethod() {
		name := t.Method(i).Name
		if _, ok := r.Queries[name]; !ok && !skip[name] {
			out = append(out, fmt.Sprintf("%s: method %s is not enumerated", r.Model.Name(), name))
		}
	}
	for name := range r.Queries {
		if _, ok := t.MethodByName(name); !ok {
			out = append(out, fmt.Sprintf("%s: query %s is no method of %v", r.Model.Name(), name, t))
		}
	}
	slices.Sort(out)
	return out
}

// Answers asks every query over d and returns each answer as JSON, keyed by
// the method and its arguments; the position and the count of unknown
// events too.
func (r ReadModel) Answers(ctx context.Context, d DataSet) map[string]string {
	out := map[string]string{
		"Position()": fmt.Sprint(r.Model.Position()),
		"Unknown()":  fmt.Sprint(r.Model.Unknown()),
	}
	for name, q := range r.Queries {
		q(ctx, d, func(args string, answer any, err error) {
			out[name+"("+args+")"] = encode(answer, err)
		})
	}
	return out
}

func encode(answer any, err error) string {
	b, jerr := json.Marshal(answer)
	if jerr != nil {
		b = fmt.Appendf(nil, "%#v", answer)
	}
	if err != nil {
		return string(b) + " error: " + err.Error()
	}
	return string(b)
}

// Compare asks want and got (the same read model) everything over d and
// fails tb for each answer that differs, naming the query. It returns how
// many questions it asked.
func Compare(ctx context.Context, tb testing.TB, want, got ReadModel, d DataSet) int {
	tb.Helper()
	return CompareAnswers(tb, want.Model.Name(), want.Answers(ctx, d), got.Answers(ctx, d))
}

// CompareAnswers fails tb for each answer of the read model called name
// that differs between want and got (as Answers returns them), naming the
// query; it returns how many questions want holds.
func CompareAnswers(tb testing.TB, name string, want, got map[string]string) int {
	tb.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	failed := 0
	for _, k := range keys {
		w, wok := want[k]
		g, gok := got[k]
		if w == g && wok == gok {
			continue
		}
		if failed++; failed <= 10 {
			tb.Errorf("%s: %s answers\n  %.600s\nwant\n  %.600s", name, k, g, w)
		}
	}
	if failed > 10 {
		tb.Errorf("%s: %d answers differ in all", name, failed)
	}
	return len(want)
}
