package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/usecase"
)

// TestComponentManagerPortfolioAsOfShowsWhatWasSharedThen: a manager's
// portfolio "as of" a past moment shows only the sections shared then and
// still shared now, and the sections it says are shared are the ones it
// shows. (It used to show the sections shared now, also those the
// participant shared only later.)
func TestComponentManagerPortfolioAsOfShowsWhatWasSharedThen(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG consent history")
	j := journeyHref(w.journeyID)
	goal := cp.goal(t, w)
	must(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Delegate the planning","plannedFor":"2025-03-17T09:00:00+01:00"}`, goal)}), 201, nil)
	must(t, cp.call(t, call{method: "PUT", path: j + "/shared-sections/learning-goals", token: w.participant}), 200, nil)
	must(t, cp.call(t, call{method: "PUT", path: j + "/shared-sections/why-and-values", token: w.participant}), 200, nil)
	// Two hours later experiments are shared too, and why-and-values no longer.
	cp.use(t, func(d *usecase.Deps) { d.Clock = func() time.Time { return testNow.Add(2 * time.Hour) } })
	must(t, cp.call(t, call{method: "PUT", path: j + "/shared-sections/experiments", token: w.participant}), 200, nil)
	rec := cp.call(t, call{method: "DELETE", path: j + "/shared-sections/why-and-values", token: w.participant})
	must(t, rec, 200, nil)

	var pf portfolioResponse
	asOf := testNow.Add(time.Hour).Format(time.RFC3339)
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio?asOf=" + asOf, token: w.manager, header: after(rec)}), 200, &pf)
	if got := strings.Join(pf.Parts, ","); got != "journey,learning-goals,conversations" {
		t.Fatalf("manager's parts as of an hour in = %s, want only what was shared then and is still shared", got)
	}
	if got := strings.Join(pf.SharedSections, ","); got != "learning-goals" {
		t.Fatalf("manager's shared sections as of an hour in = %s, want learning-goals", got)
	}
	if pf.Experiments != nil || pf.WhyAndValues != nil || len(pf.LearningGoals) != 1 {
		t.Fatalf("manager's portfolio as of an hour in shows %+v", pf)
	}
	// Now: learning goals and experiments.
	pf = portfolioResponse{}
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager}), 200, &pf)
	if got := strings.Join(pf.SharedSections, ","); got != "learning-goals,experiments" || len(pf.Experiments) != 1 {
		t.Fatalf("manager's portfolio now: shared %s, experiments %d", got, len(pf.Experiments))
	}
	// The participant sees everything as of then, with what was shared then.
	pf = portfolioResponse{}
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio?asOf=" + asOf, token: w.participant}), 200, &pf)
	if got := strings.Join(pf.SharedSections, ","); got != "why-and-values,learning-goals" || len(pf.Experiments) != 1 {
		t.Fatalf("participant's portfolio as of then: shared %s, experiments %d", got, len(pf.Experiments))
	}
}
