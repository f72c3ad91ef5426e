package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/journey"
)

// The write side of impact measurement (leerpad.impact/v1): a cohort's
// measurement closed by the programme office, a participant's level 2
// ratings, an ordering entity's key figures.

// countEvents counts the events of stream that match.
func (cp *component) countEvents(t *testing.T, stream string, match func(e any) bool) int {
	t.Helper()
	recs, err := cp.store.Load(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if match(r.Event) {
			n++
		}
	}
	return n
}

func TestComponentMeasurementClosure(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG closure")
	stays, _ := cp.enrolAnother(t, w)
	_, leavesJourney := cp.enrolAnother(t, w)
	must(t, cp.call(t, call{method: "POST", path: journeyHref(leavesJourney) + "/withdrawals", token: w.office, body: `{}`}), 201, nil)
	path := cohortHref(w.cohortID) + "/measurement-closures"

	// Only the programme office closes it.
	for _, tok := range []string{w.participant, w.manager, w.trainer} {
		decodeProblem(t, cp.call(t, call{method: "POST", path: path, token: tok, body: `{}`}), 403)
	}
	// Bad input is named.
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: path, token: w.office, body: `{"when":"now"}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "when" {
		t.Fatalf("invalid params %s", got)
	}
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/nope/measurement-closures", token: w.office, body: `{}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "cohortId" {
		t.Fatalf("invalid params %s", got)
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: cohortHref(newID()) + "/measurement-closures", token: w.office, body: `{}`}), 404)

	key := http.Header{headerIdempotencyKey: {"close-blg-closure"}}
	first := cp.call(t, call{method: "POST", path: path, token: w.office, body: `{}`, header: key})
	var ref resourceRef
	must(t, first, 201, &ref)
	if ref.Href != cohortHref(w.cohortID) || first.Header().Get("Location") != ref.Href || first.Header().Get(headerPosition) == "" || first.Header().Get("ETag") == "" {
		t.Fatalf("closure answered %+v %v", ref, first.Header())
	}
	// A retry with the same key answers as the first; without it, the
	// second closure is refused and says why.
	again := cp.call(t, call{method: "POST", path: path, token: w.office, body: `{}`, header: key})
	must(t, again, 201, nil)
	if again.Body.String() != first.Body.String() || again.Header().Get(headerReplayed) != "true" {
		t.Fatalf("retry %s %v", again.Body, again.Header())
	}
	cp.idem = newIdempotencyCache(10, cp.cfg.IdempotencyTTL) // a restart: the event store still records it once
	must(t, cp.call(t, call{method: "POST", path: path, token: w.office, body: `{}`, header: key}), 201, nil)
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: path, token: w.office, body: `{}`}), 409)
	if !strings.Contains(p.Detail, "closed") {
		t.Fatalf("detail %q", p.Detail)
	}
	closures := func() []cohort.MeasurementClosed {
		var out []cohort.MeasurementClosed
		cp.countEvents(t, "cohort-"+w.cohortID, func(e any) bool {
			if m, ok := e.(cohort.MeasurementClosed); ok {
				out = append(out, m)
			}
			return false
		})
		return out
	}
	want := []string{w.participantID, stays}
	slices.Sort(want)
	if got := closures(); len(got) != 1 || !slices.Equal(got[0].ParticipantIDs, want) || !got[0].At.Equal(testNow) {
		t.Fatalf("closures %+v, want one of %v", got, want)
	}

	// The cohort shows when; it enrols nobody after it; a withdrawal after
	// it leaves the frozen participants as they were.
	var co cohortResponse
	must(t, cp.call(t, call{method: "GET", path: cohortHref(w.cohortID), token: w.trainer}), 200, &co)
	if co.MeasurementClosedAt == nil || !co.MeasurementClosedAt.Equal(testNow) || co.Size != 2 {
		t.Fatalf("cohort %+v", co)
	}
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: cohortHref(w.cohortID) + "/enrolments", token: w.office,
		body: fmt.Sprintf(`{"participantId":"%s","name":"Late","email":"late@example.org","role":"coordinator","managerId":"%s"}`, newID(), w.managerID)}), 409)
	if !strings.Contains(p.Detail, "measurement is closed") {
		t.Fatalf("detail %q", p.Detail)
	}
	must(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/withdrawals", token: w.participant, body: `{}`}), 201, nil)
	if got := closures(); len(got) != 1 || !slices.Equal(got[0].ParticipantIDs, want) {
		t.Fatalf("closures after a withdrawal %+v", got)
	}

	// A cohort that has not started yet is not closed.
	var future resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts", token: w.office,
		body: fmt.Sprintf(`{"programmeId":"%s","entityId":"%s","title":"BLG autumn","trainerIds":["%s"],"startsOn":"2025-09-01T09:00:00+02:00","endsOn":"2026-06-19T17:00:00+02:00"}`,
			w.programmeID, newID(), w.trainerID)}), 201, &future)
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: cohortHref(future.ID) + "/measurement-closures", token: w.office, body: `{}`}), 409)
	if !strings.Contains(p.Detail, "not started") {
		t.Fatalf("detail %q", p.Detail)
	}
	var open cohortResponse
	must(t, cp.call(t, call{method: "GET", path: cohortHref(future.ID), token: w.office}), 200, &open)
	if open.MeasurementClosedAt != nil {
		t.Fatalf("open cohort %+v", open)
	}
}

// ratingWorld is a world whose participant attended a delivery of the
// module (whose one learning goal is goalID); absentID was absent.
type ratingWorld struct {
	*world
	deliveryID, goalID      string
	absent, absentJourneyID string // the token and journey of a participant who was absent
}

func (cp *component) setUpRating(t *testing.T) *ratingWorld {
	t.Helper()
	w := cp.setUp(t, "BLG ratings")
	rw := &ratingWorld{world: w}
	var m moduleResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/modules/" + w.moduleID, token: w.office}), 200, &m)
	rw.goalID = m.Content.LearningGoals[0].ID
	var d resourceRef
	must(t, cp.call(t, call{method: "POST", path: cohortHref(w.cohortID) + "/deliveries", token: w.office,
		body: fmt.Sprintf(`{"moduleId":"%s","moduleVersion":1,"startsAt":"2025-03-10T09:00:00+01:00","endsAt":"2025-03-11T17:00:00+01:00"}`, w.moduleID)}), 201, &d)
	rw.deliveryID = d.ID
	absentID, absentJourney := cp.enrolAnother(t, w)
	rw.absent, rw.absentJourneyID = cp.token(t, absentID, access.RoleParticipant), absentJourney
	for id, status := range map[string]string{w.participantID: "present", absentID: "absent"} {
		must(t, cp.call(t, call{method: "PUT", path: attendanceHref(w.cohortID, d.ID, id), token: w.trainer, body: `{"status":"` + status + `"}`}), 200, nil)
	}
	return rw
}

func TestComponentLearningRatings(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUpRating(t)
	j := journeyHref(w.journeyID)
	path := j + "/learning-ratings"
	body := fmt.Sprintf(`{"deliveryId":"%s","ratings":[{"learningGoalId":"%s","before":2,"now":4}]}`, w.deliveryID, w.goalID)

	// Each bad input is named.
	for _, tc := range []struct{ body, want string }{
		{fmt.Sprintf(`{"deliveryId":"%s","ratings":[{"learningGoalId":"%s","before":0,"now":6}]}`, w.deliveryID, w.goalID), "ratings[0].before,ratings[0].now"},
		{fmt.Sprintf(`{"deliveryId":"%s","ratings":[{"learningGoalId":"%s","before":2,"now":3}]}`, w.deliveryID, newID()), "ratings[0].learningGoalId"},
		{fmt.Sprintf(`{"deliveryId":"%s","ratings":[{"learningGoalId":"%s","before":2,"now":3},{"learningGoalId":"%s","before":3,"now":3}]}`, w.deliveryID, w.goalID, w.goalID), "ratings[1].learningGoalId"},
		{fmt.Sprintf(`{"deliveryId":"%s","ratings":[]}`, w.deliveryID), "ratings"},
		{fmt.Sprintf(`{"deliveryId":"%s","ratings":[{"learningGoalId":"%s","before":2,"now":4}]}`, newID(), w.goalID), "deliveryId"},
		{fmt.Sprintf(`{"ratings":[{"learningGoalId":"%s","before":2,"now":4}]}`, w.goalID), "deliveryId"},
		{fmt.Sprintf(`{"deliveryId":"%s","ratings":[{"learningGoalId":"%s","before":"low","now":4}]}`, w.deliveryID, w.goalID), "ratings[0].before"},
		{fmt.Sprintf(`{"deliveryId":"%s","ratings":[{"learningGoalId":"%s","before":2,"now":4,"why":"x"}]}`, w.deliveryID, w.goalID), "ratings[0].why"},
	} {
		p := decodeProblem(t, cp.call(t, call{method: "POST", path: path, token: w.participant, body: tc.body}), 400)
		if got := strings.Join(paramNames(p), ","); got != tc.want {
			t.Errorf("%s: invalid params %s, want %s", tc.body, got, tc.want)
		}
	}
	// The participant alone rates: not their manager, trainer, the
	// programme office or another participant.
	for _, tok := range []string{w.manager, w.trainer, w.office, w.absent} {
		decodeProblem(t, cp.call(t, call{method: "POST", path: path, token: tok, body: body}), 403)
	}
	// Who was absent rates nothing of the delivery.
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: journeyHref(w.absentJourneyID) + "/learning-ratings", token: w.absent, body: body}), 403)
	if !strings.Contains(p.Detail, "not attended") {
		t.Fatalf("detail %q", p.Detail)
	}

	key := http.Header{headerIdempotencyKey: {"rate-module-1"}}
	first := cp.call(t, call{method: "POST", path: path, token: w.participant, body: body, header: key})
	var ref resourceRef
	must(t, first, 201, &ref)
	if ref.ID != w.deliveryID || ref.Href != learningRatingHref(w.journeyID, w.deliveryID) || first.Header().Get("Location") != ref.Href ||
		first.Header().Get(headerPosition) == "" || first.Header().Get("ETag") == "" {
		t.Fatalf("rating answered %+v %v", ref, first.Header())
	}
	again := cp.call(t, call{method: "POST", path: path, token: w.participant, body: body, header: key})
	must(t, again, 201, nil)
	if again.Body.String() != first.Body.String() || again.Header().Get(headerReplayed) != "true" {
		t.Fatalf("retry %s %v", again.Body, again.Header())
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: path, token: w.participant, body: strings.Replace(body, `"now":4`, `"now":5`, 1), header: key}), 422)
	cp.idem = newIdempotencyCache(10, cp.cfg.IdempotencyTTL)
	must(t, cp.call(t, call{method: "POST", path: path, token: w.participant, body: body, header: key}), 201, nil)
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: path, token: w.participant, body: body}), 409)
	if !strings.Contains(p.Detail, "already rated") {
		t.Fatalf("detail %q", p.Detail)
	}
	if n := cp.countEvents(t, "journey-"+w.journeyID, func(e any) bool { _, ok := e.(journey.LearningRated); return ok }); n != 1 {
		t.Fatalf("%d ratings recorded", n)
	}

	// The participant reads what they rated; nobody else does.
	var got learningRatingResponse
	must(t, cp.call(t, call{method: "GET", path: ref.Href, token: w.participant}), 200, &got)
	if got.DeliveryID != w.deliveryID || got.ModuleID != w.moduleID || got.ModuleVersion != 1 || len(got.Ratings) != 1 ||
		got.Ratings[0] != (goalRatingOutput{LearningGoalID: w.goalID, Before: 2, Now: 4}) || !got.RatedAt.Equal(testNow) {
		t.Fatalf("rating %+v", got)
	}
	for _, tok := range []string{w.manager, w.trainer, w.office, w.absent} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: ref.Href, token: tok}), 403)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: learningRatingHref(w.journeyID, newID()), token: w.participant}), 404)
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/learning-ratings/nope", token: w.participant}), 400)
}

func TestComponentKeyFigures(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG key figures")
	var en resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/entities", token: w.office, body: `{"name":"Agency for Roads and Traffic"}`}), 201, &en)
	series := keyFiguresHref(en.ID)
	put := func(tok, quarter, body string) *httptest.ResponseRecorder {
		return cp.call(t, call{method: "PUT", path: series + "/" + quarter, token: tok, body: body})
	}

	// Each bad input is named.
	for _, tc := range []struct{ quarter, body, want string }{
		{"2025-Q5", `{"absenteeismPct":5}`, "quarter"},
		{"2025-q1", `{"absenteeismPct":5}`, "quarter"},
		{"2025-Q2", `{"absenteeismPct":5}`, "quarter"}, // not begun on testNow, 14 March 2025
		{"2025-Q1", `{"absenteeismPct":100.5}`, "absenteeismPct"},
		{"2025-Q1", `{"absenteeismPct":5,"turnoverPct":-2}`, "turnoverPct"},
		{"2025-Q1", `{}`, "absenteeismPct"},
		{"2025-Q1", `{"turnoverPct":"8%"}`, "turnoverPct"},
		{"2025-Q1", `{"turnoverPct":8,"sickLeave":3}`, "sickLeave"},
	} {
		p := decodeProblem(t, put(w.office, tc.quarter, tc.body), 400)
		if got := strings.Join(paramNames(p), ","); got != tc.want {
			t.Errorf("%s %s: invalid params %s, want %s", tc.quarter, tc.body, got, tc.want)
		}
	}
	decodeProblem(t, cp.call(t, call{method: "PUT", path: keyFiguresHref(newID()) + "/2025-Q1", token: w.office, body: `{"absenteeismPct":5}`}), 404)
	// The programme office alone keeps and reads them.
	for _, tok := range []string{w.participant, w.manager, w.trainer} {
		decodeProblem(t, put(tok, "2025-Q1", `{"absenteeismPct":5}`), 403)
		decodeProblem(t, cp.call(t, call{method: "GET", path: series, token: tok}), 403)
		decodeProblem(t, cp.call(t, call{method: "GET", path: series + "/2025-Q1", token: tok}), 403)
	}

	rec := put(w.office, "2025-Q1", `{"absenteeismPct":5.5,"turnoverPct":8}`)
	var ref resourceRef
	must(t, rec, 200, &ref)
	if ref.ID != "2025-Q1" || ref.Href != series+"/2025-Q1" || rec.Header().Get(headerPosition) == "" || rec.Header().Get("ETag") != `"1"` {
		t.Fatalf("put answered %+v %v", ref, rec.Header())
	}
	must(t, put(w.office, "2024-Q4", `{"turnoverPct":9.25}`), 200, nil)
	// The same figures again: an idempotent put records nothing.
	same := put(w.office, "2025-Q1", `{"turnoverPct":8,"absenteeismPct":5.5}`)
	must(t, same, 200, nil)
	if same.Header().Get("ETag") != `"2"` || same.Header().Get(headerPosition) != "" {
		t.Fatalf("the same figures again: %v", same.Header())
	}
	if n := cp.countEvents(t, "entity-"+en.ID, func(e any) bool { _, ok := e.(catalogue.KeyFiguresRecorded); return ok }); n != 2 {
		t.Fatalf("%d key figures recorded", n)
	}
	// Recorded again, a quarter is replaced: a figure left out is unknown.
	must(t, put(w.office, "2025-Q1", `{"absenteeismPct":6}`), 200, nil)

	var s keyFiguresSeries
	rec = cp.call(t, call{method: "GET", path: series, token: w.office})
	must(t, rec, 200, &s)
	if s.EntityID != en.ID || len(s.Items) != 2 || rec.Header().Get("ETag") != `"3"` {
		t.Fatalf("series %+v %v", s, rec.Header())
	}
	q4, q1 := s.Items[0], s.Items[1]
	if q4.Quarter != "2024-Q4" || q4.AbsenteeismPct != nil || q4.TurnoverPct == nil || *q4.TurnoverPct != 9.25 ||
		q1.Quarter != "2025-Q1" || q1.AbsenteeismPct == nil || *q1.AbsenteeismPct != 6 || q1.TurnoverPct != nil || q1.Href != series+"/2025-Q1" {
		t.Fatalf("series %+v", s.Items)
	}
	var one quarterFigures
	must(t, cp.call(t, call{method: "GET", path: series + "/2024-Q4", token: w.office}), 200, &one)
	if one.Quarter != "2024-Q4" || one.TurnoverPct == nil || *one.TurnoverPct != 9.25 || !one.RecordedAt.Equal(testNow) {
		t.Fatalf("quarter %+v", one)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: series + "/2023-Q2", token: w.office}), 404)
	decodeProblem(t, cp.call(t, call{method: "GET", path: series + "/2023-Q9", token: w.office}), 400)
	decodeProblem(t, cp.call(t, call{method: "GET", path: keyFiguresHref(newID()), token: w.office}), 404)
	// An entity without figures has an empty series.
	var other resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/entities", token: w.office, body: `{"name":"Department of Finance"}`}), 201, &other)
	must(t, cp.call(t, call{method: "GET", path: keyFiguresHref(other.ID), token: w.office}), 200, &s)
	if len(s.Items) != 0 {
		t.Fatalf("series %+v", s)
	}
}
