package api

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/usecase"
)

// newPlanComponent is newComponent wired as cmd wires it for the links of
// learning goals: the offer read model fed like the others, and the domain
// services built over it (usecase.Deps.Over), so that competencies are
// checked against the published 360 instruments.
func newPlanComponent(t *testing.T) *component {
	t.Helper()
	cp := newComponent(t)
	feed, ok := cp.deps.ReadYourWrites.(*catchUp)
	if !ok {
		t.Fatalf("read-your-writes is a %T", cp.deps.ReadYourWrites)
	}
	of := offer.New()
	feed.models[of.Name()] = of // before the first request, so it sees the whole log
	repos := usecase.Repositories{
		Modules:     eventstore.NewRepository(cp.store, catalogue.ModuleCategory, catalogue.ReplayModule, 64),
		Programmes:  eventstore.NewRepository(cp.store, catalogue.ProgrammeCategory, catalogue.ReplayProgramme, 64),
		Entities:    eventstore.NewRepository(cp.store, catalogue.EntityCategory, catalogue.ReplayEntity, 64),
		Cohorts:     eventstore.NewRepository(cp.store, cohort.StreamCategory, cohort.Replay, 64),
		Journeys:    eventstore.NewRepository(cp.store, journey.StreamCategory, journey.Replay, 64),
		Instruments: eventstore.NewRepository(cp.store, feedback.InstrumentCategory, feedback.ReplayInstrument, 64),
		Rounds:      eventstore.NewRepository(cp.store, feedback.RoundCategory, feedback.ReplayRound, 64),
	}
	cp.use(t, func(d *usecase.Deps) {
		d.Offer = of
		*d = d.Over(repos)
	})
	return cp
}

// planLinks publishes an instrument of one competency and waits until the
// offer lists it; it returns the competency and the learning goal of w's module.
func (cp *component) planLinks(t *testing.T, w *world) (competencyID, moduleGoalID string) {
	t.Helper()
	competencyID = newID()
	rec := cp.call(t, call{method: "POST", path: "/v1/instruments", token: w.office, body: fmt.Sprintf(
		`{"title":"Leadership 360","scale":{"points":5},"competencies":[{"id":"%s","name":"Feedback","items":[{"id":"%s","text":"Asks for feedback"}]}]}`,
		competencyID, newID())})
	must(t, rec, 201, nil)
	must(t, cp.call(t, call{method: "GET", path: "/v1/instruments", token: w.office, header: after(rec)}), 200, nil)
	var m moduleResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/modules/" + w.moduleID, token: w.office}), 200, &m)
	return competencyID, m.Content.LearningGoals[0].ID
}

// TestComponentLearningGoalLinksAreChecked: a learning goal links only to
// competencies of a published 360 instrument and to learning goals of the
// modules of the journey's programme; random ids used to get 201.
func TestComponentLearningGoalLinksAreChecked(t *testing.T) {
	cp := newPlanComponent(t)
	w := cp.setUp(t, "BLG links")
	comp, moduleGoal := cp.planLinks(t, w)
	j := journeyHref(w.journeyID)
	for _, tc := range []struct {
		name, competencies, moduleGoals string
		want                            []string
	}{
		{"a random competency", fmt.Sprintf(`["%s","%s"]`, comp, newID()), `[]`, []string{"competencyIds[1]"}},
		{"a random module learning goal", `[]`, fmt.Sprintf(`["%s"]`, newID()), []string{"moduleGoalIds[0]"}},
		{"a module learning goal as a competency", fmt.Sprintf(`["%s"]`, moduleGoal), fmt.Sprintf(`["%s"]`, comp), []string{"competencyIds[0]", "moduleGoalIds[0]"}},
	} {
		p := decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/learning-goals", token: w.participant,
			body: fmt.Sprintf(`{"kind":"goal","text":"Give feedback weekly","competencyIds":%s,"moduleGoalIds":%s}`, tc.competencies, tc.moduleGoals)}), 400)
		if got := paramNames(p); !slices.Equal(got, tc.want) {
			t.Errorf("%s: invalid params %v, want %v", tc.name, got, tc.want)
		}
	}
	must(t, cp.call(t, call{method: "POST", path: j + "/learning-goals", token: w.participant,
		body: fmt.Sprintf(`{"kind":"goal","text":"Give feedback weekly","competencyIds":["%s"],"moduleGoalIds":["%s"]}`, comp, moduleGoal)}), 201, nil)
}

// TestComponentLearningPlan: the participant formulates a SMART goal, reads
// it where Location points, revises it (If-Match required) and closes it;
// a closed goal takes no experiment and no revision. The manager reads the
// plan only while the learning-goals section is shared; nobody else does.
func TestComponentLearningPlan(t *testing.T) {
	cp := newPlanComponent(t)
	w := cp.setUp(t, "BLG plan")
	comp, moduleGoal := cp.planLinks(t, w)
	j := journeyHref(w.journeyID)

	var g resourceRef
	rec := cp.call(t, call{method: "POST", path: j + "/learning-goals", token: w.participant,
		body: fmt.Sprintf(`{"kind":"goal","text":"Give feedback weekly","successCriteria":"Two colleagues say my feedback helped","dueOn":"2025-06-30T17:00:00+02:00","competencyIds":["%s"],"moduleGoalIds":["%s"]}`, comp, moduleGoal)})
	must(t, rec, 201, &g)
	var one learningPlanGoal
	must(t, cp.call(t, call{method: "GET", path: rec.Header().Get("Location"), token: w.participant, header: after(rec)}), 200, &one)
	if one.GoalID != g.ID || one.Href != g.Href || one.State != "open" || one.SuccessCriteria != "Two colleagues say my feedback helped" ||
		one.DueOn == nil || one.DueOn.Format("2006-01-02") != "2025-06-30" || !slices.Equal(one.CompetencyIDs, []string{comp}) ||
		!slices.Equal(one.ModuleIDs, []string{w.moduleID}) || len(one.Experiments) != 0 {
		t.Fatalf("goal %+v", one)
	}
	rec = cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Give feedback after the Monday meeting","plannedFor":"2025-03-17T09:00:00+01:00"}`, g.ID)})
	must(t, rec, 201, nil)

	// The plan, and its ETag for the revision.
	var plan learningPlan
	rec = cp.call(t, call{method: "GET", path: j + "/learning-goals", token: w.participant, header: after(rec)})
	must(t, rec, 200, &plan)
	if len(plan.Items) != 1 || len(plan.Items[0].Experiments) != 1 || plan.Items[0].Experiments[0].Step != "planned" {
		t.Fatalf("plan %+v", plan)
	}
	tag := rec.Header().Get("ETag")
	revision := `{"text":"Give feedback every week","successCriteria":"Three colleagues say my feedback helped","dueOn":"2025-07-31T17:00:00+02:00"}`
	decodeProblem(t, cp.call(t, call{method: "PUT", path: g.Href, token: w.participant, body: revision}), 428)
	p := decodeProblem(t, cp.call(t, call{method: "PUT", path: g.Href, token: w.participant, header: http.Header{"If-Match": {tag}},
		body: `{"text":"Give feedback","dueOn":"20255-07-31T17:00:00+02:00"}`}), 400)
	if got := paramNames(p); !slices.Equal(got, []string{"dueOn"}) {
		t.Errorf("invalid params %v", got)
	}
	rec = cp.call(t, call{method: "PUT", path: g.Href, token: w.participant, header: http.Header{"If-Match": {tag}}, body: revision})
	must(t, rec, 200, nil)
	decodeProblem(t, cp.call(t, call{method: "PUT", path: g.Href, token: w.participant, header: http.Header{"If-Match": {tag}}, body: revision}), 412)
	decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/learning-goals/" + newID(), token: w.participant,
		header: http.Header{"If-Match": {rec.Header().Get("ETag")}}, body: revision}), 404)

	// The manager: nothing while the section is not shared, never a write.
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/learning-goals", token: w.manager}), 403)
	must(t, cp.call(t, call{method: "PUT", path: j + "/shared-sections/experiments", token: w.participant}), 200, nil)
	decodeProblem(t, cp.call(t, call{method: "GET", path: g.Href, token: w.manager}), 403)
	rec = cp.call(t, call{method: "PUT", path: j + "/shared-sections/learning-goals", token: w.participant})
	must(t, rec, 200, nil)
	must(t, cp.call(t, call{method: "GET", path: j + "/learning-goals", token: w.manager, header: after(rec)}), 200, &plan)
	if len(plan.Items) != 1 || plan.Items[0].Text != "Give feedback every week" || plan.Items[0].Revisions != 1 || len(plan.Items[0].Experiments) != 1 {
		t.Fatalf("the manager's plan %+v", plan)
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: g.Href + "/closures", token: w.manager, body: `{"outcome":"achieved"}`}), 403)
	for name, token := range map[string]string{"programme office": w.office, "trainer": w.trainer,
		"another participant": cp.token(t, newID(), access.RoleParticipant), "another manager": cp.token(t, newID(), access.RoleManager)} {
		if rec := cp.call(t, call{method: "GET", path: j + "/learning-goals", token: token}); rec.Code != http.StatusForbidden {
			t.Errorf("%s reads the learning plan: %d", name, rec.Code)
		}
	}

	// Closed: no second closure, no revision, no new experiment.
	decodeProblem(t, cp.call(t, call{method: "POST", path: g.Href + "/closures", token: w.participant, body: `{"outcome":"finished"}`}), 400)
	rec = cp.call(t, call{method: "POST", path: g.Href + "/closures", token: w.participant, body: `{"outcome":"achieved","reflection":"Weekly is doable"}`})
	must(t, rec, 201, nil)
	if rec.Header().Get("Location") != g.Href {
		t.Errorf("Location %q", rec.Header().Get("Location"))
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: g.Href + "/closures", token: w.participant, body: `{"outcome":"dropped"}`}), 409)
	decodeProblem(t, cp.call(t, call{method: "PUT", path: g.Href, token: w.participant, header: http.Header{"If-Match": {rec.Header().Get("ETag")}}, body: revision}), 409)
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Once more","plannedFor":"2025-03-24T09:00:00+01:00"}`, g.ID)}), 409)
	must(t, cp.call(t, call{method: "GET", path: g.Href, token: w.participant, header: after(rec)}), 200, &one)
	if one.State != "achieved" || one.ClosedAt == nil || one.ClosingReflection != "Weekly is doable" {
		t.Fatalf("closed goal %+v", one)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/learning-goals/" + newID(), token: w.participant}), 404)
}
