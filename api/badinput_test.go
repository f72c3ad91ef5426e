package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/usecase"
)

// The bad input found when the API was probed as an attacker would, each
// answered with a 400 naming the field (or a problem in the user's words),
// and nothing stored.
func TestComponentBadInputIsRefusedByName(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	goal := cp.goal(t, w)
	j := journeyHref(w.journeyID)
	experiment := func(learningGoal, intention, plannedFor string) string {
		return fmt.Sprintf(`{"learningGoalId":"%s","intention":"%s","plannedFor":"%s"}`, learningGoal, intention, plannedFor)
	}
	for _, tc := range []struct {
		name, path, body, field string
	}{
		{"an unknown learning goal", j + "/experiments", experiment(newID(), "Ask first", "2025-03-17T09:00:00Z"), "learningGoalId"},
		{"a NUL in free text", j + "/experiments", experiment(goal, `Ask\u0000first`, "2025-03-17T09:00:00Z"), "intention"},
		{"an escape sequence in free text", j + "/experiments", experiment(goal, `\u001b[31mAsk first`, "2025-03-17T09:00:00Z"), "intention"},
		{"a bidirectional override", j + "/experiments", experiment(goal, "Ask \u202efirst", "2025-03-17T09:00:00Z"), "intention"},
		{"a date before 1900", j + "/experiments", experiment(goal, "Ask first", "1899-12-31T09:00:00Z"), "plannedFor"},
		{"a date after 2200", j + "/experiments", experiment(goal, "Ask first", "2200-01-02T09:00:00Z"), "plannedFor"},
		{"a control character in a title-like field", j + "/measurements",
			`{"kind":"skills","instrument":"Skills\tscan","result":"Strong","takenOn":"2025-03-14T09:00:00Z"}`, "instrument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := cp.events(t, "journey-"+w.journeyID)
			p := decodeProblem(t, cp.call(t, call{method: "POST", path: tc.path, token: w.participant, body: tc.body}), http.StatusBadRequest)
			if got := strings.Join(paramNames(p), ","); got != tc.field {
				t.Fatalf("invalid params %q, want %q (%s)", got, tc.field, p.Detail)
			}
			if after := cp.events(t, "journey-"+w.journeyID); after != before {
				t.Fatalf("the journey holds %d events after a refused request, %d before", after, before)
			}
		})
	}

	// Dates that contradict the story: tried in the future, concluded
	// before it was tried.
	var exp resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
		body: experiment(goal, "Ask first", "2025-03-17T09:00:00Z")}), http.StatusCreated, &exp)
	steps := j + "/experiments/" + exp.ID + "/steps"
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: steps, token: w.participant,
		body: `{"step":"tried","whatWasTried":"Asked","triedOn":"2025-03-20T09:00:00Z"}`}), http.StatusBadRequest)
	if got := strings.Join(paramNames(p), ","); got != "triedOn" {
		t.Fatalf("tried in the future: invalid params %q", got)
	}

	// A refusal for what the journey is names the rule, not the stream.
	must(t, cp.call(t, call{method: "POST", path: j + "/completions", token: w.office, body: `{}`}), http.StatusCreated, nil)
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/completions", token: w.office, body: `{}`}), http.StatusConflict)
	if strings.Contains(p.Detail, w.journeyID) || strings.Contains(p.Detail, "journey-") || strings.Contains(p.Detail, ": ") {
		t.Fatalf("detail %q names internals: a stream, an id or an error chain", p.Detail)
	}
	if p.Detail != "Journey is completed or withdrawn." {
		t.Fatalf("detail %q", p.Detail)
	}
}

// Writes without If-Match from several clients at once on one journey all
// land: a command that loses the race against another writer is decided
// again on the fresh journey inside the use case (before, one in 25 failed
// with 409 under four clients).
func TestComponentConcurrentWritesOnOneJourneyAllLand(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	goal := cp.goal(t, w)
	j := journeyHref(w.journeyID)
	before := cp.events(t, "journey-"+w.journeyID)
	const clients, each = 4, 8
	var wg sync.WaitGroup
	statuses := make(chan int, clients*each)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rec := cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
					body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Client %d, experiment %d","plannedFor":"2025-03-17T09:00:00Z"}`, goal, c, i)})
				if rec.Code != http.StatusCreated {
					t.Logf("%d %s", rec.Code, rec.Body)
				}
				statuses <- rec.Code
			}
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusCreated {
			t.Errorf("a concurrent write answered %d, want 201", s)
		}
	}
	if got := cp.events(t, "journey-"+w.journeyID) - before; got != clients*each {
		t.Fatalf("%d experiments stored, want %d", got, clients*each)
	}
}

// A command sent with If-Match and an Idempotency-Key, and sent again after
// it was written (after a restart, or to another replica, where the API's
// response cache does not answer), is answered as the first time, not with
// 412: the revision it was decided on is the client's, and the repository
// recognises the retry before comparing revisions. Another command with the
// old revision is refused.
func TestComponentRetryWithIfMatchAnswersAsTheFirstTime(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	j := journeyHref(w.journeyID)
	rec := cp.call(t, call{method: "GET", path: j, token: w.participant})
	must(t, rec, 200, nil)
	read := rec.Header().Get("ETag")
	rev, ok := parseETag(read)
	if !ok {
		t.Fatalf("ETag %q", read)
	}
	p := access.Principal{Subject: w.participantID, Roles: []access.Role{access.RoleParticipant}}
	write := usecase.Write{Actor: p, IdempotencyKey: "why-1", IfMatch: domain.AtRevision(rev)}
	cmd := journey.StateWhy{JourneyID: w.journeyID, Why: "A team that grows"}
	first, err := cp.app.StateWhy(t.Context(), write, cmd)
	if err != nil {
		t.Fatal(err)
	}
	again, err := cp.app.StateWhy(t.Context(), write, cmd)
	if err != nil || again != first {
		t.Fatalf("the retry answered %+v, %v; want %+v as the first time", again, err, first)
	}
	other := write
	other.IdempotencyKey = "why-2"
	if _, err := cp.app.StateWhy(t.Context(), other, cmd); !errors.Is(err, usecase.ErrPreconditionFailed) {
		t.Fatalf("another command with the old revision: err = %v, want ErrPreconditionFailed", err)
	}
	// Through the API: the old ETag is a 412.
	decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/why-and-values", token: w.participant,
		header: http.Header{"If-Match": {read}}, body: `{"why":"Another why","values":[]}`}), http.StatusPreconditionFailed)
}

// The enrolment upload refuses control characters and bidirectional
// overrides in its rows as the JSON routes do, naming the row's field, and
// enrols nobody.
func TestComponentEnrolmentUploadRefusesControlCharacters(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	m := newID()
	csv := "participantId;name;email;role;managerId\n" +
		newID() + ";Bram\x00;bram@example.org;beginning-manager;" + m + "\n" +
		newID() + ";\u202eCarla;carla@example.org;coordinator;" + m + "\n"
	before := cp.events(t, "cohort-"+w.cohortID)
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolment-uploads", token: w.office, body: csv,
		header: http.Header{"Content-Type": {"text/csv; charset=utf-8"}}}), http.StatusBadRequest)
	if got := strings.Join(paramNames(p), ","); got != "rows[2].name,rows[3].name" {
		t.Fatalf("invalid params %q (%s)", got, p.Detail)
	}
	if after := cp.events(t, "cohort-"+w.cohortID); after != before {
		t.Fatalf("the cohort holds %d events after a refused upload, %d before", after, before)
	}
}
