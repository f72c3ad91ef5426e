package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/usecase"
)

// What the demo-like participant of these tests writes: none of it may be
// found anywhere once they are erased.
const (
	secretName       = "Ans de Vries"
	secretEmail      = "ans@example.org"
	secretReflection = "I should wait longer for answers"
	secretWhy        = "Make the service work for the people of the city"
)

// answered collects every answer body of a test, to search them.
type answered struct{ bodies [][]byte }

func (a *answered) keep(rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	a.bodies = append(a.bodies, append([]byte(nil), rec.Body.Bytes()...))
	return rec
}

// holding returns the secrets found in b.
func holding(b []byte) []string {
	var found []string
	for _, s := range []string{secretName, secretEmail, secretReflection, secretWhy} {
		if bytes.Contains(b, []byte(s)) {
			found = append(found, s)
		}
	}
	return found
}

// snapshotOf is the snapshot a read model would write now.
func snapshotOf(t *testing.T, m projections.Snapshotter) []byte {
	t.Helper()
	_, write := m.Snapshot()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// journal gives the participant of w a learning goal, an experiment with a
// reflection and a why, shares the learning goals with the manager and lets
// the manager read the portfolio. It returns the last write.
func (cp *component) journal(t *testing.T, w *world) *httptest.ResponseRecorder {
	t.Helper()
	j := journeyHref(w.journeyID)
	goal := cp.goal(t, w)
	var exp resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Ask my team for feedback","plannedFor":"2025-03-17T09:00:00+01:00"}`, goal)}), 201, &exp)
	must(t, cp.call(t, call{method: "POST", path: exp.Href + "/steps", token: w.participant,
		body: `{"step":"tried","whatWasTried":"Asked two questions","triedOn":"2025-03-14T08:00:00+01:00"}`}), 201, nil)
	must(t, cp.call(t, call{method: "POST", path: exp.Href + "/steps", token: w.participant,
		body: fmt.Sprintf(`{"step":"reflected","outcome":"Two people answered","reflection":%q}`, secretReflection)}), 201, nil)
	var j0 journeySummary
	must(t, cp.call(t, call{method: "GET", path: j, token: w.participant}), 200, &j0)
	must(t, cp.call(t, call{method: "PUT", path: j + "/why-and-values", token: w.participant, header: ifMatchHeader(t, cp, w),
		body: fmt.Sprintf(`{"why":%q,"values":["care"]}`, secretWhy)}), 200, nil)
	rec := cp.call(t, call{method: "PUT", path: j + "/shared-sections/learning-goals", token: w.participant})
	must(t, rec, 200, nil)
	return rec
}

// ifMatchHeader is the If-Match of the journey of w as it is now.
func ifMatchHeader(t *testing.T, cp *component, w *world) map[string][]string {
	t.Helper()
	rec := cp.call(t, call{method: "GET", path: journeyHref(w.journeyID), token: w.participant})
	must(t, rec, 200, nil)
	return map[string][]string{"If-Match": {rec.Header().Get("ETag")}}
}

// TestComponentErasureOfAParticipant erases the participant of a cohort
// (the scenario of the demo participant): before, they see who read their
// portfolio and export everything; nobody else may erase them; after the
// programme office erased them on their request, their name, e-mail
// address, reflections and why are in no API answer and no read model's
// snapshot, their journey answers 404, the dashboard keeps their counts
// under "gewist", and a second erasure answers the first.
func TestComponentErasureOfAParticipant(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG erasure")
	j := journeyHref(w.journeyID)
	rec := cp.journal(t, w)

	// The manager reads the shared learning goals: the participant sees it.
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager, header: after(rec)}), 200, nil)
	var reads portfolioReadList
	must(t, cp.call(t, call{method: "GET", path: j + "/reads", token: w.participant}), 200, &reads)
	if len(reads.Items) != 1 || reads.Items[0].ReaderID != w.managerID || reads.Items[0].ReaderRole != "manager" ||
		strings.Join(reads.Items[0].Parts, ",") != "journey,learning-goals,conversations" {
		t.Fatalf("reads %+v", reads)
	}
	for _, tok := range []string{w.manager, w.office, w.trainer} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/reads", token: tok}), 403)
	}
	// The participant's own reads are not recorded; stored and queued reads both show.
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.participant}), 200, nil)
	if err := cp.audit.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	must(t, cp.call(t, call{method: "GET", path: j + "/reads", token: w.participant}), 200, &reads)
	if len(reads.Items) != 1 {
		t.Fatalf("reads after the participant's own read and a flush: %+v", reads)
	}
	var hist sharingHistory
	must(t, cp.call(t, call{method: "GET", path: j + "/sharing-history", token: w.participant}), 200, &hist)
	if len(hist.Items) != 1 || hist.Items[0].Change != "granted" || hist.Items[0].Section != "learning-goals" || hist.Items[0].ManagerID != w.managerID {
		t.Fatalf("sharing history %+v", hist)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/sharing-history", token: w.manager}), 403)

	// The export holds everything: name, e-mail, the reflection, the why, who read.
	people := "/v1/people/" + w.participantID
	var data personalData
	must(t, cp.call(t, call{method: "GET", path: people + "/data", token: w.participant}), 200, &data)
	if len(data.Enrolments.Items) != 1 || data.Enrolments.Items[0].Name != secretName || data.Enrolments.Items[0].Email != secretEmail ||
		len(data.Journeys.Items) != 1 || len(data.Journeys.Items[0].Reads) != 1 || len(data.Journeys.Items[0].LearningPlan) != 1 ||
		data.About.NL == "" || data.Journeys.About.EN == "" {
		t.Fatalf("export %+v", data)
	}
	exp := cp.call(t, call{method: "GET", path: people + "/data", token: w.office})
	must(t, exp, 200, nil)
	if found := holding(exp.Body.Bytes()); len(found) != 4 {
		t.Fatalf("the export holds %v of the participant's data, want all four", found)
	}
	for _, tok := range []string{w.manager, w.trainer, cp.token(t, newID(), access.RoleParticipant)} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: people + "/data", token: tok}), 403)
	}

	// Nobody but the participant and the programme office erases them.
	other := cp.token(t, newID(), access.RoleParticipant)
	for _, tok := range []string{other, w.manager, w.trainer} {
		decodeProblem(t, cp.call(t, call{method: "POST", path: people + "/erasures", token: tok, body: `{}`}), 403)
	}
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: people + "/erasures", token: w.office, body: `{}`}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "reason" {
		t.Fatalf("office without a reason: %v", got)
	}
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: people + "/erasures", token: w.office,
		body: `{"reason":"subject-request","reference":"asked by Ans de Vries"}`}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "reference" {
		t.Fatalf("office with a sentence as reference: %v", got)
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/people/" + newID() + "/erasures", token: w.office, body: `{"reason":"objection"}`}), 404)

	// The programme office erases them on their request.
	var er erasureResponse
	rec = cp.call(t, call{method: "POST", path: people + "/erasures", token: w.office, body: `{"reason":"subject-request","reference":"PB-2025/017"}`})
	must(t, rec, 201, &er)
	if rec.Header().Get("Location") != er.Href || er.PersonID != w.participantID || er.Reason != "subject-request" ||
		er.RequestedBy != "programme-office" || strings.Join(er.Roles, ",") != "participant" {
		t.Fatalf("erasure %+v, Location %q", er, rec.Header().Get("Location"))
	}
	if got := cp.shredder.forgotten(); !slices.Contains(got, w.participantID) {
		t.Fatalf("the shredder forgot %v, not the participant", got)
	}
	// Again, by the participant themselves: the same erasure, no error.
	var again erasureResponse
	must(t, cp.call(t, call{method: "POST", path: people + "/erasures", token: w.participant, body: `{}`}), 200, &again)
	if again.ErasureID != er.ErasureID || again.RequestedBy != "programme-office" {
		t.Fatalf("second erasure %+v, want the first %+v", again, er)
	}
	var got erasureResponse
	must(t, cp.call(t, call{method: "GET", path: er.Href, token: w.participant}), 200, &got)
	if got.ErasureID != er.ErasureID {
		t.Fatalf("erasure read %+v", got)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: er.Href, token: w.manager}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: people + "/erasures/" + newID(), token: w.office}), 404)

	// Nothing of them in any answer.
	var a answered
	for _, tok := range []string{w.participant, w.manager} {
		for _, path := range []string{j, j + "/portfolio", j + "/learning-goals", j + "/why-and-values", j + "/reads", j + "/sharing-history", j + "/development-conversations"} {
			decodeProblem(t, a.keep(cp.call(t, call{method: "GET", path: path, token: tok, header: after(rec)})), 404)
		}
	}
	decodeProblem(t, a.keep(cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant, body: `{}`})), 404)
	var dash dashboardResponse
	must(t, a.keep(cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/dashboard", token: w.office, header: after(rec)})), 200, &dash)
	if len(dash.Participants) != 1 || dash.Participants[0].ParticipantID != domain.Erased || dash.Participants[0].ExperimentsLogged != 1 || dash.Enrolment.Enrolled != 1 {
		t.Fatalf("dashboard after the erasure %+v", dash.Participants)
	}
	var list enrolmentList
	must(t, a.keep(cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/enrolments", token: w.office})), 200, &list)
	if len(list.Items) != 1 || list.Items[0].ParticipantID != domain.Erased || list.Items[0].JourneyID != "" {
		t.Fatalf("enrolments after the erasure %+v", list.Items)
	}
	must(t, a.keep(cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/enrolments/" + w.participantID, token: w.office})), 200, nil)
	must(t, a.keep(cp.call(t, call{method: "GET", path: people + "/data", token: w.office})), 200, &data)
	if data.Erasure == nil || len(data.Journeys.Items) != 0 || len(data.Enrolments.Items) != 0 {
		t.Fatalf("export after the erasure %+v", data)
	}
	for i, b := range a.bodies {
		if found := holding(b); len(found) > 0 {
			t.Errorf("answer %d after the erasure holds %v: %s", i, found, b)
		}
	}
	// Nor in any read model's snapshot.
	for _, m := range []projections.Snapshotter{cp.deps.Portfolios.(*portfolio.ReadModel), cp.deps.Dashboards.(*cohortdashboard.ReadModel)} {
		if found := holding(snapshotOf(t, m)); len(found) > 0 {
			t.Errorf("the snapshot of %T holds %v", m, found)
		}
	}
	if tr := cp.deps.Portfolios.Traces(w.participantID); !tr.Empty() {
		t.Errorf("the portfolio read model still holds %+v", tr)
	}
}

// TestComponentErasureOfARater: a rater's erasure takes their name and
// comments out of the participant's 360 report and ends their link; the
// participant's scores stay as they were.
func TestComponentErasureOfARater(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG rater erasure")
	inst, item1, item2 := cp.instrument(t, w)
	j := journeyHref(w.journeyID)
	var round resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/feedback-rounds", token: w.participant, body: fmt.Sprintf(`{"instrumentId":"%s","kind":"pre"}`, inst)}), 201, &round)
	answers := func(score int, comment string) string {
		return fmt.Sprintf(`{"answers":[{"itemId":"%s","score":%d},{"itemId":"%s","score":%d}],"comments":[{"text":%q}]}`, item1, score, item2, score, comment)
	}
	var links []raterLinkResponse
	for i, g := range []string{"manager", "peer", "peer", "peer"} {
		var link raterLinkResponse
		must(t, cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant,
			body: fmt.Sprintf(`{"group":"%s","name":"Rater %d","email":"rater%d@example.org"}`, g, i, i)}), 201, &link)
		must(t, cp.call(t, call{method: "POST", path: "/v1/rater-forms/" + round.ID + "/responses", token: link.Token,
			body: answers(2+i%2, fmt.Sprintf("Peer remark %d", i))}), 201, nil)
		links = append(links, link)
	}
	// A fifth rater, nominated, not answered yet: their link works until they are erased.
	var late raterLinkResponse
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant, body: `{"group":"other","name":"Late","email":"late@example.org"}`}), 201, &late)
	rec := cp.call(t, call{method: "POST", path: round.Href + "/closures", token: w.participant, body: `{}`})
	must(t, rec, 201, nil)
	var before portfolioResponse
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.participant, header: after(rec)}), 200, &before)

	// The programme office erases the second peer on their request.
	peer := links[2].RaterID
	var er erasureResponse
	rec = cp.call(t, call{method: "POST", path: "/v1/people/" + peer + "/erasures", token: w.office, body: `{"reason":"objection"}`})
	must(t, rec, 201, &er)
	if strings.Join(er.Roles, ",") != "rater" {
		t.Fatalf("roles %v", er.Roles)
	}
	var after_ portfolioResponse
	pr := cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.participant, header: after(rec)})
	must(t, pr, 200, &after_)
	if strings.Contains(pr.Body.String(), "Peer remark 2") {
		t.Fatalf("the erased rater's comment is still in the portfolio: %s", pr.Body)
	}
	if len(after_.FeedbackRounds[0].Comments) != len(before.FeedbackRounds[0].Comments)-1 {
		t.Fatalf("comments %d, want %d", len(after_.FeedbackRounds[0].Comments), len(before.FeedbackRounds[0].Comments)-1)
	}
	if b, a := jsonOf(t, before.FeedbackRounds[0].Competencies), jsonOf(t, after_.FeedbackRounds[0].Competencies); b != a {
		t.Fatalf("scores changed:\n before %s\n after %s", b, a)
	}
	// The round shows the rater as erased.
	var state feedbackRoundState
	must(t, cp.call(t, call{method: "GET", path: round.Href, token: w.participant}), 200, &state)
	erased := 0
	for _, r := range state.Raters {
		if r.RaterID == domain.Erased {
			erased++
		}
		if r.RaterID == peer {
			t.Fatalf("the erased rater is still named in the round: %+v", state.Raters)
		}
	}
	if erased != 1 {
		t.Fatalf("raters %+v", state.Raters)
	}
	// An erased rater who had not answered: their link stops working.
	rec = cp.call(t, call{method: "POST", path: "/v1/people/" + late.RaterID + "/erasures", token: w.office, body: `{"reason":"consent-withdrawn"}`})
	must(t, rec, 201, nil)
	cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.participant, header: after(rec)})
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/rater-forms/" + round.ID, token: late.Token}), 401)
}

// TestComponentManagerErasureWaitsForANewManager: a manager who manages a
// journey now is refused until the programme office recorded a new one;
// then their id is gone from the participant's portfolio.
func TestComponentManagerErasureWaitsForANewManager(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG manager erasure")
	j := journeyHref(w.journeyID)
	mgr := "/v1/people/" + w.managerID
	decodeProblem(t, cp.call(t, call{method: "POST", path: mgr + "/erasures", token: w.manager, header: after(w.last), body: `{}`}), 409)
	rec := cp.call(t, call{method: "PUT", path: j + "/manager", token: w.office, body: fmt.Sprintf(`{"managerId":"%s"}`, newID())})
	must(t, rec, 200, nil)
	var er erasureResponse
	rec = cp.call(t, call{method: "POST", path: mgr + "/erasures", token: w.manager, header: after(rec), body: `{}`})
	must(t, rec, 201, &er)
	if er.RequestedBy != "self" || er.Reason != "subject-request" || strings.Join(er.Roles, ",") != "manager" {
		t.Fatalf("erasure %+v", er)
	}
	var hist sharingHistory
	hr := cp.call(t, call{method: "GET", path: j + "/sharing-history", token: w.participant, header: after(rec)})
	must(t, hr, 200, &hist)
	pf := cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.participant})
	must(t, pf, 200, nil)
	for _, b := range [][]byte{hr.Body.Bytes(), pf.Body.Bytes()} {
		if bytes.Contains(b, []byte(w.managerID)) {
			t.Fatalf("the erased manager's id is still there: %s", b)
		}
	}
	// Their own export: only the erasure.
	var data personalData
	must(t, cp.call(t, call{method: "GET", path: mgr + "/data", token: w.manager}), 200, &data)
	if data.Erasure == nil || len(data.AsManager.FormerlyManaged) != 0 {
		t.Fatalf("export %+v", data)
	}
}

// TestComponentRetention: the programme office sets a programme's
// retention; the due list names a completed journey whose period has
// passed, and the run erases its participant through the erasure, with
// reason retention; an active journey is never due.
func TestComponentRetention(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG retention")
	active := cp.setUp(t, "BLG retention, still running")
	ret := "/v1/programmes/" + w.programmeID + "/retention"
	var pol retentionResponse
	must(t, cp.call(t, call{method: "GET", path: ret, token: w.office}), 200, &pol)
	if !pol.Default || pol.JourneyDays != 730 || pol.ReadAuditDays != 365 {
		t.Fatalf("default policy %+v", pol)
	}
	p := decodeProblem(t, cp.call(t, call{method: "PUT", path: ret, token: w.office, body: `{"journeyDays":0,"readAuditDays":90}`}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "journeyDays" {
		t.Fatalf("invalid params %v", got)
	}
	must(t, cp.call(t, call{method: "PUT", path: ret, token: w.office, body: `{"journeyDays":30,"readAuditDays":90}`}), 200, nil)
	decodeProblem(t, cp.call(t, call{method: "PUT", path: ret, token: w.participant, body: `{"journeyDays":30,"readAuditDays":90}`}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: ret, token: w.manager}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/programmes/" + newID() + "/retention", token: w.office}), 404)
	must(t, cp.call(t, call{method: "GET", path: ret, token: w.office}), 200, &pol)
	if pol.Default || pol.JourneyDays != 30 || pol.ReadAuditDays != 90 || pol.SetAt == nil {
		t.Fatalf("policy %+v", pol)
	}
	rec := cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/completions", token: w.office, body: `{}`})
	must(t, rec, 201, nil)

	office := access.Principal{Subject: newID(), Roles: []access.Role{access.RoleProgrammeOffice}}
	pos := posOf(t, rec)
	due := func(days int) []usecase.RetentionCandidate {
		t.Helper()
		cp.use(t, func(d *usecase.Deps) { d.Clock = func() time.Time { return testNow.AddDate(0, 0, days) } })
		for _, name := range []string{cp.deps.Dashboards.Name(), cp.deps.Portfolios.Name()} {
			if err := cp.deps.ReadYourWrites.WaitFor(context.Background(), name, pos); err != nil {
				t.Fatal(err)
			}
		}
		c, err := cp.app.RetentionDue(context.Background(), office)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := due(29); len(c) != 0 {
		t.Fatalf("due after 29 days: %+v", c)
	}
	c := due(30)
	if len(c) != 1 || c[0].ParticipantID != w.participantID || !c[0].Erase || len(c[0].JourneyIDs) != 1 || c[0].JourneyIDs[0] != w.journeyID ||
		!strings.Contains(c[0].Why, "30 days") {
		t.Fatalf("due after 30 days: %+v", c)
	}
	if _, err := cp.app.RetentionDue(context.Background(), access.Principal{Subject: w.participantID, Roles: []access.Role{access.RoleParticipant}}); err == nil {
		t.Fatal("a participant listed the retention")
	}
	out, err := cp.app.ApplyRetention(context.Background(), usecase.Write{Actor: office})
	if err != nil || len(out) != 1 || out[0].Err != nil || out[0].Erasure.Reason.String() != "retention" || out[0].Erasure.RequestedBy.String() != "retention" {
		t.Fatalf("retention run %+v, %v", out, err)
	}
	pos = out[0].Written.Position
	decodeProblem(t, cp.call(t, call{method: "GET", path: journeyHref(w.journeyID), token: w.participant}), 404)
	must(t, cp.call(t, call{method: "GET", path: journeyHref(active.journeyID), token: active.participant}), 200, nil)
	if c := due(30); len(c) != 0 {
		t.Fatalf("due after the run: %+v", c)
	}
}

// posOf is the Leerpad-Position of a write.
func posOf(t *testing.T, rec *httptest.ResponseRecorder) uint64 {
	t.Helper()
	var pos uint64
	if _, err := fmt.Sscan(rec.Header().Get(headerPosition), &pos); err != nil {
		t.Fatal(err)
	}
	return pos
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestComponentManagerOfAnEndedJourneyIsErased: the manager of a journey
// that ended is erased at once; the journey has no manager from then on, so
// their token reads nothing of it any more.
func TestComponentManagerOfAnEndedJourneyIsErased(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG ended journey's manager")
	j := journeyHref(w.journeyID)
	rec := cp.call(t, call{method: "PUT", path: j + "/shared-sections/learning-goals", token: w.participant})
	must(t, rec, 200, nil)
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager, header: after(rec)}), 200, nil)
	rec = cp.call(t, call{method: "POST", path: j + "/completions", token: w.office, body: `{}`})
	must(t, rec, 201, nil)
	var er erasureResponse
	rec = cp.call(t, call{method: "POST", path: "/v1/people/" + w.managerID + "/erasures", token: w.office, header: after(rec), body: `{"reason":"subject-request"}`})
	must(t, rec, 201, &er)
	if strings.Join(er.Roles, ",") != "manager" {
		t.Fatalf("roles %v", er.Roles)
	}
	for _, path := range []string{j, j + "/portfolio", j + "/development-conversations"} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: path, token: w.manager, header: after(rec)}), 403)
	}
	var pf portfolioResponse
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.participant, header: after(rec)}), 200, &pf)
	if pf.ManagerID != domain.Erased || len(pf.SharedSections) != 0 {
		t.Fatalf("the participant's portfolio after their former manager's erasure: manager %q, shared %v", pf.ManagerID, pf.SharedSections)
	}
}
