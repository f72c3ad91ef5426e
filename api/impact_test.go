package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/journey"
)

// impactWorld is a cohort of ten participants of a registered entity, each
// with a closed pre and post round of self-assessments, in a programme.
type impactWorld struct {
	*world
	entityID       string
	participants   []string // tokens, the world's participant first
	journeys       []string
	participantIDs []string
	instrumentID   string
	items          [2]string
}

// The self-assessments: item 1 and item 2 before and after, per participant.
var (
	selfPre1  = []int{1, 2, 3, 1, 2, 3, 2, 3, 4, 2}
	selfPre2  = []int{2, 2, 3, 2, 3, 3, 2, 4, 4, 1}
	selfPost1 = []int{3, 3, 4, 2, 3, 5, 3, 4, 5, 3}
	selfPost2 = []int{3, 4, 4, 2, 3, 4, 3, 5, 5, 2}
)

func (cp *component) impactWorld(t *testing.T) *impactWorld {
	t.Helper()
	w := cp.setUp(t, "BLG impact")
	iw := &impactWorld{world: w}
	var r resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/entities", token: w.office, body: `{"name":"Agency for Roads"}`}), 201, &r)
	iw.entityID = r.ID
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts", token: w.office,
		body: fmt.Sprintf(`{"programmeId":"%s","entityId":"%s","title":"BLG impact","trainerIds":["%s"],"startsOn":"2025-01-06T09:00:00+01:00","endsOn":"2025-06-19T17:00:00+01:00"}`,
			w.programmeID, iw.entityID, w.trainerID)}), 201, &r)
	w.cohortID = r.ID
	// A competency whose name a spreadsheet would run as a formula.
	item1, item2 := newID(), newID()
	must(t, cp.call(t, call{method: "POST", path: "/v1/instruments", token: w.office, body: fmt.Sprintf(
		`{"title":"Leadership 360","scale":{"points":5},"competencies":[{"id":"%s","name":"=Feedback","items":[{"id":"%s","text":"Asks for feedback"},{"id":"%s","text":"Gives feedback"}]}]}`,
		newID(), item1, item2)}), 201, &r)
	inst := r.ID
	iw.instrumentID, iw.items = inst, [2]string{item1, item2}
	for i := range selfPre1 {
		pid := w.participantID
		if i > 0 {
			pid = newID()
		}
		var e enrolmentResult
		w.last = cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolments", token: w.office,
			body: fmt.Sprintf(`{"participantId":"%s","name":"Deelnemer","email":"d@example.org","role":"beginning-manager","managerId":"%s"}`, pid, w.managerID)})
		must(t, w.last, 201, &e)
		tok := cp.token(t, pid, access.RoleParticipant)
		iw.participants, iw.journeys, iw.participantIDs = append(iw.participants, tok), append(iw.journeys, e.JourneyID), append(iw.participantIDs, pid)
		for _, rd := range []struct {
			kind   string
			a1, a2 int
		}{{"pre", selfPre1[i], selfPre2[i]}, {"post", selfPost1[i], selfPost2[i]}} {
			var round resourceRef
			must(t, cp.call(t, call{method: "POST", path: journeyHref(e.JourneyID) + "/feedback-rounds", token: tok,
				body: fmt.Sprintf(`{"instrumentId":"%s","kind":"%s"}`, inst, rd.kind)}), 201, &round)
			must(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: tok,
				body: fmt.Sprintf(`{"answers":[{"itemId":"%s","score":%d},{"itemId":"%s","score":%d}]}`, item1, rd.a1, item2, rd.a2)}), 201, nil)
			w.last = cp.call(t, call{method: "POST", path: round.Href + "/closures", token: tok, body: `{}`})
			must(t, w.last, 201, nil)
		}
	}
	return iw
}

// release records the entity's key figures of a quarter and closes the
// cohort's measurement, as the programme office does, and returns the
// header that makes a read wait for them.
func (cp *component) release(t *testing.T, iw *impactWorld) http.Header {
	t.Helper()
	must(t, cp.call(t, call{method: "PUT", path: "/v1/entities/" + iw.entityID + "/key-figures/2024-Q4", token: iw.office,
		body: `{"absenteeismPct":5.5,"turnoverPct":11}`}), 200, nil)
	rec := cp.call(t, call{method: "POST", path: "/v1/cohorts/" + iw.cohortID + "/measurement-closures", token: iw.office, body: `{}`})
	must(t, rec, 201, nil)
	return after(rec)
}

func TestComponentImpactOfACohort(t *testing.T) {
	cp := newComponent(t)
	iw := cp.impactWorld(t)
	w := iw.world
	cohortPath := "/v1/cohorts/" + w.cohortID + "/impact"

	// Not released yet: 200, released false, no figures.
	var before impactResponse
	must(t, cp.call(t, call{method: "GET", path: cohortPath, token: w.office, header: after(w.last)}), 200, &before)
	if before.Released || len(before.Behaviour) != 0 || before.Definition != "leerpad.impact/v2" || before.Population != 0 {
		t.Fatalf("before the release: %+v", before)
	}

	released := cp.release(t, iw)
	rec := cp.call(t, call{method: "GET", path: cohortPath, token: w.office, header: released})
	var v impactResponse
	must(t, rec, 200, &v)
	if !v.Released || v.Population != 10 || v.K != 5 || len(v.Levels) != 4 || len(v.Behaviour) != 1 || !strings.Contains(v.Notes.Behaviour, "indicative") ||
		!strings.Contains(v.Notes.Learning, "etrospective") || !strings.Contains(v.Notes.Results, "escriptive") {
		t.Fatalf("released: %+v", v)
	}
	cell := v.Behaviour[0]
	if cell.Group != "self" || cell.N != 10 || cell.Reliability == nil || cell.SDiff == nil || cell.ReliablyImproved == nil {
		t.Fatalf("self cell %+v", cell)
	}
	// The behaviour cell carries exactly the fields of IMPACT.md §2.
	var raw struct {
		Behaviour []map[string]json.RawMessage `json:"behaviour"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields("competencyId name group n meanPre meanPost meanChange sdPre sdPost sdChange r meanChangeCi t p dz dzCi dav davCi gav reliability sdiff reliablyImproved reliablyDeteriorated noReliableChange")
	if len(raw.Behaviour[0]) != len(fields) {
		t.Fatalf("cell fields %v", raw.Behaviour[0])
	}
	for _, f := range fields {
		if _, ok := raw.Behaviour[0][f]; !ok {
			t.Errorf("field %s missing", f)
		}
	}
	if len(v.Results) != 1 || v.Results[0].EntityID != iw.entityID || v.Results[0].Quarters[0].Quarter != "2024-Q4" {
		t.Fatalf("results %+v", v.Results)
	}

	// The cohort's trainer: reaction and behaviour only; another trainer nothing.
	var tv impactResponse
	must(t, cp.call(t, call{method: "GET", path: cohortPath, token: w.trainer}), 200, &tv)
	if strings.Join(tv.Levels, ",") != "reaction,behaviour" || len(tv.Results) != 0 || len(tv.Learning) != 0 || len(tv.Behaviour) != 1 {
		t.Fatalf("trainer sees %v: %+v", tv.Levels, tv)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: cohortPath, token: cp.token(t, newID(), access.RoleTrainer)}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: cohortPath, token: w.participant}), 403)

	// The programme and the entity (within the programme) show the same cohort.
	var pv, ev impactResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/programmes/" + w.programmeID + "/impact", token: w.office}), 200, &pv)
	must(t, cp.call(t, call{method: "GET", path: "/v1/entities/" + iw.entityID + "/impact?programmeId=" + w.programmeID, token: w.office}), 200, &ev)
	for _, x := range []impactResponse{pv, ev} {
		if !x.Released || len(x.Behaviour) != 1 || x.Behaviour[0].MeanChange != cell.MeanChange || x.Population != 10 {
			t.Fatalf("%s: %+v", x.Kind, x)
		}
	}
	must(t, cp.call(t, call{method: "GET", path: "/v1/entities/" + iw.entityID + "/impact", token: w.office}), 200, &ev)
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/programmes/" + w.programmeID + "/impact", token: w.trainer}), 403)
	// A module across its cohorts: levels 1 and 2 only, for the office
	// (this world's cohort evaluated nothing, so no cell is shown).
	var mv impactResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/modules/" + w.moduleID + "/impact", token: w.office}), 200, &mv)
	if mv.Kind != "module" || mv.ModuleID != w.moduleID || strings.Join(mv.Levels, ",") != "reaction,learning" || len(mv.Behaviour) != 0 ||
		len(mv.Results) != 0 || mv.Definition != "leerpad.impact/v2" {
		t.Fatalf("module impact %+v", mv)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/modules/" + w.moduleID + "/impact", token: w.trainer}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/modules/" + newID() + "/impact", token: w.office}), 404)
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/entities/" + newID() + "/impact", token: w.office}), 404)
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/programmes/" + newID() + "/impact", token: w.office}), 404)
	for path, param := range map[string]string{cohortPath + "?asOf=soon": "asOf", cohortPath + "?asOf=0": "asOf",
		"/v1/entities/" + iw.entityID + "/impact?programmeId=BLG": "programmeId"} {
		p := decodeProblem(t, cp.call(t, call{method: "GET", path: path, token: w.office}), 400)
		if got := paramNames(p); len(got) != 1 || got[0] != param {
			t.Errorf("%s: invalid params %v", path, got)
		}
	}

	// As of the position it answered: the same bytes after more is written
	asOf := cohortPath + "?asOf=" + strconv.FormatUint(v.Position, 10)
	first := cp.call(t, call{method: "GET", path: asOf, token: w.office})
	must(t, first, 200, nil)
	// (a withdrawal, and another closed post round of a released journey).
	must(t, cp.call(t, call{method: "POST", path: journeyHref(iw.journeys[1]) + "/withdrawals", token: iw.participants[1], body: `{}`}), 201, nil)
	var round resourceRef
	must(t, cp.call(t, call{method: "POST", path: journeyHref(iw.journeys[2]) + "/feedback-rounds", token: iw.participants[2],
		body: fmt.Sprintf(`{"instrumentId":"%s","kind":"post"}`, iw.instrumentID)}), 201, &round)
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: iw.participants[2],
		body: fmt.Sprintf(`{"answers":[{"itemId":"%s","score":1},{"itemId":"%s","score":1}]}`, iw.items[0], iw.items[1])}), 201, nil)
	w.last = cp.call(t, call{method: "POST", path: round.Href + "/closures", token: iw.participants[2], body: `{}`})
	must(t, w.last, 201, nil)
	again := cp.call(t, call{method: "GET", path: asOf, token: w.office, header: after(w.last)})
	must(t, again, 200, nil)
	if first.Body.String() != again.Body.String() {
		t.Fatalf("as of %d the answer changed:\n%s\n%s", v.Position, again.Body, first.Body)
	}
	// A position the read model has not reached: waited for, then 503.
	far := cp.call(t, call{method: "GET", path: cohortPath + "?asOf=" + strconv.FormatUint(v.Position*1000, 10), token: w.office})
	decodeProblem(t, far, 503)
	if far.Header().Get("Retry-After") == "" {
		t.Fatalf("no Retry-After: %v", far.Header())
	}

	// CSV: the definition and the position first, formulas escaped.
	for _, path := range []string{"/v1/cohorts/" + w.cohortID, "/v1/programmes/" + w.programmeID, "/v1/entities/" + iw.entityID} {
		rec := cp.call(t, call{method: "GET", path: path + "/exports/impact?asOf=" + strconv.FormatUint(v.Position, 10), token: w.office})
		must(t, rec, 200, nil)
		lines := strings.Split(rec.Body.String(), "\n")
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.HasPrefix(lines[0], "definition,leerpad.impact/v2,") ||
			!strings.HasPrefix(lines[1], "position,"+strconv.FormatUint(v.Position, 10)+",") || !strings.Contains(rec.Body.String(), ",'=Feedback,self,10,") {
			t.Fatalf("%s export:\n%s", path, rec.Body)
		}
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/programmes/" + w.programmeID + "/exports/impact", token: w.trainer}), 403)
	mcsv := cp.call(t, call{method: "GET", path: "/v1/modules/" + w.moduleID + "/exports/impact", token: w.office})
	must(t, mcsv, 200, nil)
	if lines := strings.Split(mcsv.Body.String(), "\n"); !strings.HasPrefix(lines[0], "definition,leerpad.impact/v2,") ||
		!strings.HasPrefix(lines[2], "kind,module,") || !strings.Contains(lines[2], "moduleId,"+w.moduleID) {
		t.Fatalf("module export:\n%s", mcsv.Body)
	}

	// The participant's own change with their RC, in their portfolio only.
	var pf portfolioResponse
	must(t, cp.call(t, call{method: "GET", path: journeyHref(iw.journeys[0]) + "/portfolio", token: iw.participants[0], header: released}), 200, &pf)
	if len(pf.OwnChange) != 1 || pf.OwnChange[0].RC == nil || pf.OwnChange[0].Reliable == nil {
		t.Fatalf("own change %+v", pf.OwnChange)
	}
	o := pf.OwnChange[0]
	pre, post := float64(selfPre1[0]+selfPre2[0])/2, float64(selfPost1[0]+selfPost2[0])/2
	if o.Pre != pre || o.Post != post || *o.RC != (post-pre) / *cell.SDiff {
		t.Fatalf("own change %+v, want %v -> %v over sdiff %v", o, pre, post, *cell.SDiff)
	}
	// The manager, with every section shared, never sees it.
	var sec *httptest.ResponseRecorder
	for _, s := range journey.Sections() {
		sec = cp.call(t, call{method: "PUT", path: journeyHref(iw.journeys[0]) + "/shared-sections/" + s.String(), token: iw.participants[0]})
		must(t, sec, 200, nil)
	}
	rec = cp.call(t, call{method: "GET", path: journeyHref(iw.journeys[0]) + "/portfolio", token: w.manager, header: after(sec)})
	must(t, rec, 200, nil)
	if strings.Contains(rec.Body.String(), "ownChange") || strings.Contains(rec.Body.String(), `"rc"`) {
		t.Fatalf("the manager sees an individual RC: %s", rec.Body)
	}
	// Nor do the programme office and the trainer (no portfolio at all).
	decodeProblem(t, cp.call(t, call{method: "GET", path: journeyHref(iw.journeys[0]) + "/portfolio", token: w.office}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: journeyHref(iw.journeys[0]) + "/portfolio", token: w.trainer}), 403)
}

// TestComponentErasureFreezesReleasedFigures: erasing a participant of a
// released cohort first records the cohort's figures in its stream
// (cohort.figures_frozen, naming nobody), so that a read model that reads
// the log again, when the answers about the erased participant no longer
// decrypt, still counts the release as it was
// (projections/impact TestFrozenFiguresSurviveAnErasure); the figures
// answered as of the release do not change; a second erasure freezes
// nothing again.
func TestComponentErasureFreezesReleasedFigures(t *testing.T) {
	cp := newComponent(t)
	iw := cp.impactWorld(t)
	w := iw.world
	released := cp.release(t, iw)
	cohortPath := "/v1/cohorts/" + w.cohortID + "/impact"
	var v impactResponse
	must(t, cp.call(t, call{method: "GET", path: cohortPath, token: w.office, header: released}), 200, &v)
	asOf := cohortPath + "?asOf=" + strconv.FormatUint(v.Position, 10)
	first := cp.call(t, call{method: "GET", path: asOf, token: w.office})
	must(t, first, 200, nil)

	erase := func() *httptest.ResponseRecorder {
		return cp.call(t, call{method: "POST", path: "/v1/people/" + iw.participantIDs[1] + "/erasures", token: w.office, body: `{"reason":"subject-request"}`})
	}
	rec := erase()
	must(t, rec, 201, nil)
	frozen := func() (cohort.Measurement, uint64) {
		var m cohort.Measurement
		rev, err := cp.deps.CohortView.View(context.Background(), w.cohortID, func(c *cohort.Cohort) { m = c.Measurement() })
		if err != nil {
			t.Fatal(err)
		}
		return m, rev
	}
	m, rev := frozen()
	if !m.FiguresFrozen {
		t.Fatal("the erasure did not freeze the released cohort's figures")
	}
	if !slices.Contains(cp.shredder.forgotten(), iw.participantIDs[1]) {
		t.Fatal("the participant's key was not forgotten")
	}
	again := cp.call(t, call{method: "GET", path: asOf, token: w.office, header: after(rec)})
	must(t, again, 200, nil)
	if again.Body.String() != first.Body.String() {
		t.Fatalf("the released figures changed with the erasure:\n%s\n%s", again.Body, first.Body)
	}
	must(t, erase(), 200, nil)
	if _, rev2 := frozen(); rev2 != rev {
		t.Fatalf("a second erasure wrote to the cohort (revision %d, was %d)", rev2, rev)
	}
}
