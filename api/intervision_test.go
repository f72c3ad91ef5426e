package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/access"
)

// intervisionWorld is a cohort with an intervision group of four (the
// world's participant and three more) and one participant outside it.
type intervisionWorld struct {
	*world
	groupID   string
	members   []string // participant ids; members[0] is the world's participant
	tokens    []string // their tokens
	journeys  []string
	outsider  string // a token of a participant of the cohort in no group
	sessions  string // the path of the group's sessions
	lastWrite *httptest.ResponseRecorder
}

func (cp *component) intervisionWorld(t *testing.T) *intervisionWorld {
	t.Helper()
	w := &intervisionWorld{world: cp.setUp(t, "BLG intervision")}
	w.members, w.tokens, w.journeys = []string{w.participantID}, []string{w.participant}, []string{w.journeyID}
	for range 3 {
		id, j := cp.enrolAnother(t, w.world)
		w.members, w.tokens, w.journeys = append(w.members, id), append(w.tokens, cp.token(t, id, access.RoleParticipant)), append(w.journeys, j)
	}
	outsider, _ := cp.enrolAnother(t, w.world)
	w.outsider = cp.token(t, outsider, access.RoleParticipant)
	var g resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/intervision-groups", token: w.trainer,
		body: `{"memberIds":["` + strings.Join(w.members, `","`) + `"]}`}), 201, &g)
	w.groupID, w.sessions = g.ID, groupHref(w.cohortID, g.ID)+"/sessions"
	return w
}

func attendees(ids ...string) string { return `["` + strings.Join(ids, `","`) + `"]` }

// TestComponentIntervisionSessionIsOneRecordOfTheGroup records meetings of
// a group as a member and as a trainer, and reads them back: the case
// summary for the members only; strangers to the group are refused; the
// dashboard counts each meeting once; a member who withdraws leaves the group.
func TestComponentIntervisionSessionIsOneRecordOfTheGroup(t *testing.T) {
	cp := newComponent(t)
	w := cp.intervisionWorld(t)
	m := w.members

	// A member records a meeting of three, with the case they brought.
	var first resourceRef
	rec := cp.call(t, call{method: "POST", path: w.sessions, token: w.tokens[1],
		body: fmt.Sprintf(`{"heldOn":"2025-02-25T13:00:00+01:00","attendeeIds":%s,"caseBroughtBy":"%s","method":"incident method","caseSummary":"A team member who stopped talking"}`,
			attendees(m[0], m[1], m[2]), m[1])})
	must(t, rec, 201, &first)
	if rec.Header().Get("Location") != first.Href || first.Href != w.sessions+"/"+first.ID {
		t.Fatalf("Location %q, href %q", rec.Header().Get("Location"), first.Href)
	}
	// The trainer records the next meeting, two weeks later, of all four.
	w.lastWrite = cp.call(t, call{method: "POST", path: w.sessions, token: w.trainer,
		body: fmt.Sprintf(`{"heldOn":"2025-03-11T13:00:00+01:00","attendeeIds":%s,"method":"reflecting team"}`, attendees(m...))})
	must(t, w.lastWrite, 201, nil)

	// Who may not record, and what is not a session of this group.
	session := func(attendeeIDs []string) string {
		return fmt.Sprintf(`{"heldOn":"2025-03-12T13:00:00+01:00","attendeeIds":%s}`, attendees(attendeeIDs...))
	}
	for _, tok := range []string{w.outsider, w.manager, w.office, cp.token(t, newID(), access.RoleTrainer)} {
		decodeProblem(t, cp.call(t, call{method: "POST", path: w.sessions, token: tok, body: session(m[:2])}), 403)
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: groupHref(w.cohortID, newID()) + "/sessions", token: w.trainer, body: session(m[:2])}), 404)
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: w.sessions, token: w.trainer, body: session([]string{m[0], newID()})}), 400)
	if got := strings.Join(paramNames(p), ","); got != "attendeeIds[1]" {
		t.Fatalf("invalid params %s", got)
	}
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: w.sessions, token: w.participant,
		body: fmt.Sprintf(`{"heldOn":"2025-03-15T13:00:00+01:00","attendeeIds":%s}`, attendees(m[:2]...))}), 400)
	if got := strings.Join(paramNames(p), ","); got != "heldOn" {
		t.Fatalf("invalid params %s", got)
	}

	// Members read the sessions with the case; the trainer without it.
	var mine, trainers sessionList
	must(t, cp.call(t, call{method: "GET", path: w.sessions, token: w.tokens[3]}), 200, &mine)
	if len(mine.Items) != 2 || !mine.CaseSummaryShown || mine.Items[0].CaseSummary != "A team member who stopped talking" ||
		mine.Items[0].CaseBroughtBy != m[1] || len(mine.Items[0].AttendeeIDs) != 3 || len(mine.Items[1].AttendeeIDs) != 4 {
		t.Fatalf("member's list %+v", mine)
	}
	rec = cp.call(t, call{method: "GET", path: w.sessions, token: w.trainer})
	must(t, rec, 200, &trainers)
	if len(trainers.Items) != 2 || trainers.CaseSummaryShown || trainers.Items[0].CaseSummary != "" || trainers.Items[0].CaseBroughtBy != m[1] ||
		strings.Contains(rec.Body.String(), "stopped talking") {
		t.Fatalf("trainer's list %s", rec.Body)
	}
	var one sessionResponse
	must(t, cp.call(t, call{method: "GET", path: first.Href, token: w.participant}), 200, &one)
	if one.ID != first.ID || one.CaseSummary == "" || one.Method != "incident method" {
		t.Fatalf("member's session %+v", one)
	}
	var theirs sessionResponse
	rec = cp.call(t, call{method: "GET", path: first.Href, token: w.trainer})
	must(t, rec, 200, &theirs)
	if theirs.CaseSummary != "" || strings.Contains(rec.Body.String(), "stopped talking") {
		t.Fatalf("trainer's session %s", rec.Body)
	}
	for _, tok := range []string{w.outsider, w.manager, w.office} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: w.sessions, token: tok}), 403)
		decodeProblem(t, cp.call(t, call{method: "GET", path: first.Href, token: tok}), 403)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: w.sessions + "/" + newID(), token: w.participant}), 404)

	// The dashboard: one session per meeting, 14 days apart.
	var dash dashboardResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/dashboard", token: w.trainer, header: after(w.lastWrite)}), 200, &dash)
	if len(dash.Intervision) != 1 || dash.Intervision[0].Sessions != 2 || dash.Intervision[0].MeanDaysBetween != 14 || dash.Intervision[0].Members != 4 {
		t.Fatalf("intervision %+v", dash.Intervision)
	}
	for _, p := range dash.Participants {
		if want := map[string]int{m[0]: 2, m[1]: 2, m[2]: 2, m[3]: 1}[p.ParticipantID]; p.Intervision != want {
			t.Fatalf("participant %s attended %d, want %d", p.ParticipantID, p.Intervision, want)
		}
	}

	// A member withdraws: they leave the group, its sessions and its count.
	rec = cp.call(t, call{method: "POST", path: journeyHref(w.journeys[2]) + "/withdrawals", token: w.tokens[2], body: `{"reason":"New job"}`})
	must(t, rec, 201, nil)
	decodeProblem(t, cp.call(t, call{method: "GET", path: w.sessions, token: w.tokens[2]}), 403)
	decodeProblem(t, cp.call(t, call{method: "POST", path: w.sessions, token: w.tokens[2], body: session([]string{m[0], m[1]})}), 403)
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/dashboard", token: w.office, header: after(rec)}), 200, &dash)
	if dash.Intervision[0].Members != 3 {
		t.Fatalf("members after a withdrawal = %d, want 3", dash.Intervision[0].Members)
	}
}

// TestComponentDeprecatedIntervisionRouteChecksTheGroup records on a
// journey (the deprecated way) only for the participant's own group.
func TestComponentDeprecatedIntervisionRouteChecksTheGroup(t *testing.T) {
	cp := newComponent(t)
	w := cp.intervisionWorld(t)
	body := func(group string) string {
		return fmt.Sprintf(`{"groupId":"%s","heldOn":"2025-03-11T13:00:00+01:00","method":"incident method","caseBroughtIn":false}`, group)
	}
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/intervision-sessions", token: w.trainer, body: body(newID())}), 400)
	if got := strings.Join(paramNames(p), ","); got != "groupId" {
		t.Fatalf("invalid params %s", got)
	}
	_, outsiderJourney := cp.enrolAnother(t, w.world)
	decodeProblem(t, cp.call(t, call{method: "POST", path: journeyHref(outsiderJourney) + "/intervision-sessions", token: w.trainer, body: body(w.groupID)}), 400)
	must(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/intervision-sessions", token: w.trainer, body: body(w.groupID)}), 201, nil)
}

// TestComponentDashboardWeeksAsOfAndAtRiskWindow reads a participant's
// experiments per ISO week, and judges risk at a chosen time with a chosen
// window.
func TestComponentDashboardWeeksAsOfAndAtRiskWindow(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG dashboard")
	goal := cp.goal(t, w)
	rec := cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/experiments", token: w.participant,
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Ask my team for feedback","plannedFor":"2025-03-17T09:00:00+01:00"}`, goal)})
	must(t, rec, 201, nil)
	dashboard := func(query string, status int) dashboardResponse {
		t.Helper()
		var d dashboardResponse
		r := cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/dashboard" + query, token: w.trainer, header: after(rec)})
		if status != http.StatusOK {
			decodeProblem(t, r, status)
			return d
		}
		must(t, r, 200, &d)
		return d
	}
	// testNow is Friday 14 March 2025: ISO week 11.
	d := dashboard("?asOf=2025-03-20T12:00:00%2B01:00", 200)
	if len(d.Participants) != 1 || len(d.Participants[0].Weeks) != 1 || d.Participants[0].Weeks[0] != (experimentWeek{Week: "2025-W11", Logged: 1}) {
		t.Fatalf("participants %+v", d.Participants)
	}
	if !d.Now.Equal(time.Date(2025, 3, 20, 11, 0, 0, 0, time.UTC)) {
		t.Fatalf("now %v", d.Now)
	}
	if len(d.AtRisk) != 0 || d.AtRiskWeeks != 3 {
		t.Fatalf("at risk %+v (%d weeks)", d.AtRisk, d.AtRiskWeeks)
	}
	// Five weeks later the participant is at risk with the default window,
	// not with a window of six weeks.
	if d := dashboard("?asOf=2025-04-20T12:00:00Z", 200); len(d.AtRisk) != 1 || d.AtRisk[0].ParticipantID != w.participantID {
		t.Fatalf("at risk on 20 April: %+v", d.AtRisk)
	}
	if d := dashboard("?asOf=2025-04-20T12:00:00Z&atRiskWeeks=6", 200); len(d.AtRisk) != 0 || d.AtRiskWeeks != 6 {
		t.Fatalf("at risk on 20 April within 6 weeks: %+v", d.AtRisk)
	}
	dashboard("?atRiskWeeks=0", 400)
	dashboard("?asOf=yesterday", 400)
}
