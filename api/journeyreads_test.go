package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/usecase"
)

// follow reads, as the caller who wrote it (token), the Location (of a 201)
// and the body's href of the write rec answered, each once the read models
// have passed the write: both must answer 200.
func (cp *component) follow(t *testing.T, name string, rec *httptest.ResponseRecorder, token string) {
	t.Helper()
	var ref resourceRef
	must(t, rec, rec.Code, &ref)
	if rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
		t.Fatalf("%s: status %d: %s", name, rec.Code, rec.Body)
	}
	hrefs := []string{ref.Href}
	if rec.Code == http.StatusCreated {
		hrefs = append(hrefs, rec.Header().Get("Location"))
	}
	for _, h := range hrefs {
		if h == "" {
			t.Fatalf("%s: no href in %v %s", name, rec.Header(), rec.Body)
		}
		if got := cp.call(t, call{method: "GET", path: h, token: token, header: after(rec)}); got.Code != http.StatusOK {
			t.Errorf("%s: GET %s as the writer: %d %s", name, h, got.Code, got.Body)
		}
	}
}

// TestComponentEveryHrefCanBeFollowed makes one write per route of a
// journey (and the catalogue's and cohorts' that other tests reach) and
// follows its Location and href with GET as the caller who wrote it. The
// programme office, which reads no journey
// (TestComponentProgrammeOfficeSeesAggregatesOnly), follows what it writes
// on one (an enrolment, each row of an upload, a completion, a change of
// manager, a withdrawal) at the participant's enrolment in the cohort.
//
// The writes of a 360 round are walked in TestComponent360HrefsCanBeFollowed,
// deliveries and attendance in the cohort tests (cohorts_component_test.go).
func TestComponentEveryHrefCanBeFollowed(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG hrefs")
	j := journeyHref(w.journeyID)
	goal := cp.goal(t, w)
	journeyETag := func() http.Header {
		rec := cp.call(t, call{method: "GET", path: j, token: w.participant})
		must(t, rec, 200, nil)
		return http.Header{"If-Match": {rec.Header().Get("ETag")}}
	}
	write := func(name, token string, c call) resourceRef {
		t.Helper()
		c.token = token
		rec := cp.call(t, c)
		cp.follow(t, name, rec, token)
		var ref resourceRef
		must(t, rec, rec.Code, &ref)
		return ref
	}

	// The participant's own records.
	write("why and values", w.participant, call{method: "PUT", path: j + "/why-and-values", header: journeyETag(), body: `{"why":"A team that grows","values":["trust"]}`})
	write("learning goal", w.participant, call{method: "POST", path: j + "/learning-goals",
		body: fmt.Sprintf(`{"kind":"goal","text":"Delegate the planning","competencyIds":["%s"],"moduleGoalIds":[]}`, newID())})
	choice := write("behaviour choice", w.participant, call{method: "POST", path: j + "/behaviour-choices",
		body: fmt.Sprintf(`{"competencyId":"%s","behaviour":"Delegates the planning","choice":"develop"}`, newID())})
	write("behaviour choice revised", w.participant, call{method: "PUT", path: choice.Href, header: journeyETag(), body: `{"choice":"continue"}`})
	exp := write("experiment", w.participant, call{method: "POST", path: j + "/experiments",
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Ask for feedback on Monday","plannedFor":"2025-03-17T09:00:00+01:00"}`, goal)})
	write("experiment step", w.participant, call{method: "POST", path: exp.Href + "/steps",
		body: `{"step":"tried","whatWasTried":"Asked two questions","triedOn":"2025-03-14T08:00:00+01:00"}`})
	write("measurement by the participant", w.participant, call{method: "POST", path: j + "/measurements",
		body: `{"kind":"team-role","instrument":"Team roles","result":"Coordinator","takenOn":"2025-03-07T10:00:00+01:00"}`})
	write("section shared", w.participant, call{method: "PUT", path: j + "/shared-sections/experiments"})
	write("section no longer shared", w.participant, call{method: "DELETE", path: j + "/shared-sections/experiments"})

	// What trainers record on the journey, and the participant's hand-in.
	asg := write("assignment", w.trainer, call{method: "POST", path: j + "/assignments",
		body: fmt.Sprintf(`{"moduleId":"%s","title":"Team plan","dueOn":"2025-04-01T17:00:00+02:00"}`, w.moduleID)})
	write("hand-in", w.participant, call{method: "POST", path: asg.Href + "/hand-ins", body: `{"reflection":"Writing it down helped"}`})
	write("coaching session", w.trainer, call{method: "POST", path: j + "/coaching-sessions", body: `{"heldOn":"2025-03-12T10:00:00+01:00","notes":"Delegation"}`})
	write("measurement by a trainer", w.trainer, call{method: "POST", path: j + "/measurements",
		body: `{"kind":"leadership-style","instrument":"Style inventory","result":"Coaching","takenOn":"2025-03-14T09:30:00Z"}`})

	// A module evaluation of a delivery attended.
	var d resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/deliveries", token: w.office,
		body: fmt.Sprintf(`{"moduleId":"%s","moduleVersion":1,"startsAt":"2025-03-10T09:00:00+01:00","endsAt":"2025-03-10T17:00:00+01:00"}`, w.moduleID)}), 201, &d)
	must(t, cp.call(t, call{method: "PUT", path: "/v1/cohorts/" + w.cohortID + "/deliveries/" + d.ID + "/attendances/" + w.participantID,
		token: w.trainer, body: `{"status":"present"}`}), 200, nil)
	write("module evaluation", w.participant, call{method: "POST", path: j + "/module-evaluations",
		body: fmt.Sprintf(`{"deliveryId":"%s","scores":[{"questionId":"overall","score":4}]}`, d.ID)})

	// A development conversation: recorded and revised by the manager, confirmed by both.
	conv := write("conversation", w.manager, call{method: "POST", path: j + "/development-conversations",
		body: `{"heldOn":"2025-03-14T09:30:00Z","agreements":["Weekly one-to-ones"],"nextQuestions":[]}`})
	write("conversation revised", w.manager, call{method: "PUT", path: conv.Href, header: journeyETag(),
		body: `{"agreements":["Weekly one-to-ones","A team day"],"nextQuestions":["How do I say no?"]}`})
	write("confirmation by the manager", w.manager, call{method: "POST", path: conv.Href + "/confirmations"})
	write("confirmation by the participant", w.participant, call{method: "POST", path: conv.Href + "/confirmations"})

	// The programme office's catalogue and cohort, and an intervision group by a trainer.
	write("module", w.office, call{method: "POST", path: "/v1/modules", body: fmt.Sprintf(moduleJSON, newID())})
	write("cohort", w.office, call{method: "POST", path: "/v1/cohorts",
		body: fmt.Sprintf(`{"programmeId":"%s","entityId":"%s","title":"BLG autumn","trainerIds":["%s"],"startsOn":"2025-09-01T09:00:00+02:00","endsOn":"2025-12-19T17:00:00+01:00"}`,
			w.programmeID, newID(), w.trainerID)})
	write("entity", w.office, call{method: "POST", path: "/v1/entities", body: `{"name":"Tax Office"}`})
	inst, _, _ := cp.instrument(t, w)
	must(t, cp.call(t, call{method: "GET", path: "/v1/instruments/" + inst, token: w.office}), 200, nil)
	members := []string{w.participantID}
	for range 3 {
		id, _ := cp.enrolAnother(t, w)
		members = append(members, id)
	}
	write("intervision group", w.trainer, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/intervision-groups",
		body: `{"memberIds":["` + strings.Join(members, `","`) + `"]}`})

	// The programme office's writes on journeys: an enrolment, an upload,
	// a completion, a change of manager and a withdrawal it records.
	write("enrolment", w.office, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolments",
		body: fmt.Sprintf(`{"participantId":"%s","name":"Bram","email":"bram@example.org","role":"coordinator","managerId":"%s"}`, newID(), w.managerID)})
	upload := cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolment-uploads", token: w.office,
		body:   fmt.Sprintf("participantId,name,email,role,managerId\n%s,Carla,carla@example.org,coordinator,%s\n%s,Dirk,dirk@example.org,beginning-manager,%s\n", newID(), w.managerID, newID(), w.managerID),
		header: http.Header{"Content-Type": {"text/csv"}}})
	var up enrolmentUploadResult
	must(t, upload, 201, &up)
	hrefs := []string{upload.Header().Get("Location")}
	for _, e := range up.Enrolled {
		hrefs = append(hrefs, e.Href)
	}
	for _, h := range hrefs {
		if got := cp.call(t, call{method: "GET", path: h, token: w.office, header: after(upload)}); got.Code != http.StatusOK {
			t.Errorf("enrolment upload: GET %q as the writer: %d %s", h, got.Code, got.Body)
		}
	}
	_, completed := cp.enrolAnother(t, w)
	write("completion", w.office, call{method: "POST", path: journeyHref(completed) + "/completions", body: `{}`})
	_, managed := cp.enrolAnother(t, w)
	write("change of manager", w.office, call{method: "PUT", path: journeyHref(managed) + "/manager", body: fmt.Sprintf(`{"managerId":"%s"}`, newID())})
	_, withdrawn := cp.enrolAnother(t, w)
	write("withdrawal recorded by the programme office", w.office, call{method: "POST", path: journeyHref(withdrawn) + "/withdrawals", body: `{"reason":"New job"}`})

	// The participant withdraws at last: the journey's href is theirs to read.
	write("withdrawal", w.participant, call{method: "POST", path: j + "/withdrawals", body: `{}`})
}

// TestComponentJourneyReadsFollowThePortfolioRules reads single records of
// a journey as each role: the participant all, the manager a shared
// section only, a trainer of the cohort what trainers record (the
// assignment without the participant's reflection), and nobody else.
func TestComponentJourneyReadsFollowThePortfolioRules(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG reads")
	j := journeyHref(w.journeyID)
	goal := cp.goal(t, w)
	stranger := cp.token(t, newID(), access.RoleTrainer)
	otherManager := cp.token(t, newID(), access.RoleManager)

	var exp resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Delegate the planning","plannedFor":"2025-03-17T09:00:00+01:00"}`, goal)}), 201, &exp)
	rec := cp.call(t, call{method: "POST", path: exp.Href + "/steps", token: w.participant,
		body: `{"step":"tried","whatWasTried":"Gave the planning to Ann","triedOn":"2025-03-14T08:00:00+01:00"}`})
	must(t, rec, 201, nil)
	var e experimentDTO
	must(t, cp.call(t, call{method: "GET", path: exp.Href, token: w.participant, header: after(rec)}), 200, &e)
	if e.ExperimentID != exp.ID || e.Step != "tried" || e.Intention != "Delegate the planning" || e.WhatWasTried != "Gave the planning to Ann" || e.TriedOn == nil {
		t.Fatalf("experiment %+v", e)
	}
	// The manager: refused until the section is shared, and after it is no longer.
	p := decodeProblem(t, cp.call(t, call{method: "GET", path: exp.Href, token: w.manager}), 403)
	if !strings.Contains(p.Detail, "does not share") {
		t.Fatalf("detail %q", p.Detail)
	}
	rec = cp.call(t, call{method: "PUT", path: j + "/shared-sections/experiments", token: w.participant})
	must(t, rec, 200, nil)
	must(t, cp.call(t, call{method: "GET", path: exp.Href, token: w.manager, header: after(rec)}), 200, nil)
	var sh sharedSectionResponse
	must(t, cp.call(t, call{method: "GET", path: j + "/shared-sections/experiments", token: w.manager}), 200, &sh)
	if !sh.Shared || sh.Section != "experiments" || sh.ManagerID != w.managerID {
		t.Fatalf("shared section %+v", sh)
	}
	for _, tok := range []string{otherManager, w.trainer, w.office} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: exp.Href, token: tok}), 403)
		decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/shared-sections/experiments", token: tok}), 403)
	}
	must(t, cp.call(t, call{method: "DELETE", path: j + "/shared-sections/experiments", token: w.participant}), 200, nil)
	decodeProblem(t, cp.call(t, call{method: "GET", path: exp.Href, token: w.manager}), 403)
	must(t, cp.call(t, call{method: "GET", path: j + "/experiments/" + newID(), token: w.participant}), 404, nil)

	// An assignment: the trainer reads it back without the reflection.
	var asg resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/assignments", token: w.trainer,
		body: fmt.Sprintf(`{"moduleId":"%s","title":"Team plan","dueOn":"2025-04-01T17:00:00+02:00"}`, w.moduleID)}), 201, &asg)
	rec = cp.call(t, call{method: "POST", path: asg.Href + "/hand-ins", token: w.participant, body: `{"reflection":"Writing it down helped"}`})
	must(t, rec, 201, nil)
	var a assignmentDTO
	must(t, cp.call(t, call{method: "GET", path: asg.Href, token: w.participant, header: after(rec)}), 200, &a)
	if a.Reflection != "Writing it down helped" || a.HandedInAt == nil {
		t.Fatalf("participant's assignment %+v", a)
	}
	a = assignmentDTO{}
	must(t, cp.call(t, call{method: "GET", path: asg.Href, token: w.trainer}), 200, &a)
	if a.Reflection != "" || a.HandedInAt == nil || a.Title != "Team plan" {
		t.Fatalf("trainer's assignment %+v", a)
	}
	for _, tok := range []string{stranger, w.manager, w.office} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: asg.Href, token: tok}), 403)
	}

	// A measurement and a coaching session: the cohort's trainer reads them, no other.
	var m, cs resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/measurements", token: w.participant,
		body: `{"kind":"team-role","instrument":"Team roles","result":"Coordinator","takenOn":"2025-03-07T10:00:00+01:00"}`}), 201, &m)
	rec = cp.call(t, call{method: "POST", path: j + "/coaching-sessions", token: w.trainer, body: `{"heldOn":"2025-03-12T10:00:00+01:00","notes":"Delegation"}`})
	must(t, rec, 201, &cs)
	must(t, cp.call(t, call{method: "GET", path: m.Href, token: w.trainer, header: after(rec)}), 200, nil)
	must(t, cp.call(t, call{method: "GET", path: cs.Href, token: w.participant}), 200, nil)
	for _, href := range []string{m.Href, cs.Href} {
		for _, tok := range []string{stranger, w.manager, w.office} {
			decodeProblem(t, cp.call(t, call{method: "GET", path: href, token: tok}), 403)
		}
	}
	// Why and values: not stated yet.
	must(t, cp.call(t, call{method: "GET", path: j + "/why-and-values", token: w.participant}), 404, nil)
}

// TestComponentConversationsAreReadWhateverIsShared is issue 13's defect:
// a manager lost the development conversations they recorded as soon as
// the participant shared no section, for the portfolio was their only read.
// Now both read them whatever is shared, with the portfolio as it stood at
// the conversation: for the manager the sections shared then and still now.
func TestComponentConversationsAreReadWhateverIsShared(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG conversations")
	j := journeyHref(w.journeyID)
	goal := cp.goal(t, w)
	must(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Delegate the planning","plannedFor":"2025-03-17T09:00:00+01:00"}`, goal)}), 201, nil)
	must(t, cp.call(t, call{method: "PUT", path: j + "/shared-sections/experiments", token: w.participant}), 200, nil)
	must(t, cp.call(t, call{method: "PUT", path: j + "/shared-sections/learning-goals", token: w.participant}), 200, nil)

	var conv resourceRef
	rec := cp.call(t, call{method: "POST", path: j + "/development-conversations", token: w.manager,
		body: `{"heldOn":"2025-03-14T09:30:00Z","agreements":["Weekly one-to-ones"],"nextQuestions":["How do I say no?"]}`})
	must(t, rec, 201, &conv)
	must(t, cp.call(t, call{method: "POST", path: conv.Href + "/confirmations", token: w.manager}), 201, nil)
	// An hour later, the participant stops sharing experiments, then everything.
	cp.use(t, func(d *usecase.Deps) { d.Clock = func() time.Time { return testNow.Add(time.Hour) } })
	must(t, cp.call(t, call{method: "DELETE", path: j + "/shared-sections/experiments", token: w.participant}), 200, nil)

	var got conversationResponse
	rec = cp.call(t, call{method: "GET", path: conv.Href, token: w.manager, header: after(rec)})
	must(t, rec, 200, &got)
	if got.ConversationID != conv.ID || len(got.Agreements) != 1 || len(got.NextQuestions) != 1 || strings.Join(got.ConfirmedBy, ",") != "manager" || got.Final {
		t.Fatalf("conversation %+v", got)
	}
	pf := got.PortfolioAtConversation
	if pf == nil || strings.Join(pf.Parts, ",") != "journey,learning-goals,conversations" || len(pf.LearningGoals) != 1 || pf.Experiments != nil {
		t.Fatalf("manager's portfolio at the conversation %+v", pf)
	}
	rec = cp.call(t, call{method: "DELETE", path: j + "/shared-sections/learning-goals", token: w.participant})
	must(t, rec, 200, nil)
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager}), 403)
	got = conversationResponse{}
	must(t, cp.call(t, call{method: "GET", path: conv.Href, token: w.manager, header: after(rec)}), 200, &got)
	if pf := got.PortfolioAtConversation; pf == nil || strings.Join(pf.Parts, ",") != "journey,conversations" || pf.LearningGoals != nil {
		t.Fatalf("manager's portfolio at the conversation after sharing ended %+v", pf)
	}
	var list conversationList
	must(t, cp.call(t, call{method: "GET", path: j + "/development-conversations", token: w.manager}), 200, &list)
	if len(list.Items) != 1 || list.Items[0].ConversationID != conv.ID || list.Items[0].Agreements[0] != "Weekly one-to-ones" {
		t.Fatalf("manager's list %+v", list)
	}

	// The participant sees the whole portfolio as it stood.
	got = conversationResponse{}
	must(t, cp.call(t, call{method: "GET", path: conv.Href, token: w.participant}), 200, &got)
	if pf := got.PortfolioAtConversation; pf == nil || len(pf.Experiments) != 1 || len(pf.LearningGoals) != 1 ||
		strings.Join(pf.SharedSections, ",") != "learning-goals,experiments" {
		t.Fatalf("participant's portfolio at the conversation %+v", pf)
	}
	must(t, cp.call(t, call{method: "GET", path: j + "/development-conversations", token: w.participant}), 200, &list)

	// Nobody else; an unknown conversation is 404.
	for _, tok := range []string{cp.token(t, newID(), access.RoleManager), w.trainer, w.office, cp.token(t, newID(), access.RoleParticipant)} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: conv.Href, token: tok}), 403)
		decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/development-conversations", token: tok}), 403)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/development-conversations/" + newID(), token: w.participant}), 404)

	// A conversation held before the journey began has no portfolio of then.
	rec = cp.call(t, call{method: "POST", path: j + "/development-conversations", token: w.manager,
		body: `{"heldOn":"2025-03-01T09:30:00Z","agreements":["An intake"],"nextQuestions":[]}`})
	must(t, rec, 201, &conv)
	got = conversationResponse{}
	must(t, cp.call(t, call{method: "GET", path: conv.Href, token: w.manager, header: after(rec)}), 200, &got)
	if got.PortfolioAtConversation != nil || got.Agreements[0] != "An intake" {
		t.Fatalf("conversation before the journey %+v", got)
	}
}

// TestComponent360HrefsCanBeFollowed: the writes of a 360 round answer with
// places their writer can read: the round for the participant (opening,
// nominating, their self-assessment, closing) and for the manager who
// decides on a rater, the answer form for the rater (the link's href, and
// the answer's).
func TestComponent360HrefsCanBeFollowed(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUpProgramme(t, "BLG 360 hrefs", true)
	inst, item1, item2 := cp.instrument(t, w)
	j := journeyHref(w.journeyID)
	write := func(name, token string, c call) *httptest.ResponseRecorder {
		t.Helper()
		c.token = token
		rec := cp.call(t, c)
		cp.follow(t, name, rec, token)
		return rec
	}
	var round resourceRef
	must(t, write("round opened", w.participant, call{method: "POST", path: j + "/feedback-rounds",
		body: fmt.Sprintf(`{"instrumentId":"%s","kind":"pre"}`, inst)}), 201, &round)

	// Nominating answers with the round (Location) and the rater's link,
	// whose href is the answer form the rater reads with the token.
	rec := cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant, body: `{"group":"peer","name":"Piet","email":"piet@example.org"}`})
	var link raterLinkResponse
	must(t, rec, 201, &link)
	if got := cp.call(t, call{method: "GET", path: rec.Header().Get("Location"), token: w.participant}); got.Code != 200 {
		t.Fatalf("nomination: GET %s as the participant: %d %s", rec.Header().Get("Location"), got.Code, got.Body)
	}
	write("rater approved", w.manager, call{method: "POST", path: round.Href + "/raters/" + link.RaterID + "/decisions", body: `{"decision":"approved"}`})
	if got := cp.call(t, call{method: "GET", path: link.Href, token: link.Token}); got.Code != 200 {
		t.Fatalf("the link's href as the rater: %d %s", got.Code, got.Body)
	}
	answers := fmt.Sprintf(`{"answers":[{"itemId":"%s","score":4},{"itemId":"%s","score":3}]}`, item1, item2)
	write("rater's answer", link.Token, call{method: "POST", path: "/v1/rater-forms/" + round.ID + "/responses", body: answers})
	write("self-assessment", w.participant, call{method: "POST", path: round.Href + "/self-assessments", body: answers})
	write("round closed", w.participant, call{method: "POST", path: round.Href + "/closures", body: `{}`})
}
