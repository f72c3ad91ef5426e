package api

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/projections/behaviourchange"
)

// TestMain runs the tests, then says how many exchanges were checked
// against the OpenAPI document (see checkedHandler) and, when every test
// ran (no -run, -skip or -short), fails unless every operation of the
// document answered with its success status at least once: an operation no
// test reaches is an operation whose schema nobody checks.
func TestMain(m *testing.M) {
	code := m.Run()
	checked, violations := exchanges.summary()
	fmt.Printf("openapi: %d exchanges checked against the document, %d violations\n", checked, violations)
	if !wholeRun() {
		os.Exit(code)
	}
	if missing := unexercised(); len(missing) > 0 {
		fmt.Printf("--- FAIL: openapi coverage: %d operations never answered with their success status in a test:\n", len(missing))
		for _, op := range missing {
			fmt.Printf("    %s\n", op)
		}
		code = max(code, 1)
	}
	os.Exit(code)
}

// wholeRun reports whether every test of the package ran.
func wholeRun() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return !testing.Short()
}

// unexercised lists the operations of the document, as "METHOD path
// (operationId)", that no checked exchange answered with their success
// status.
func unexercised() []string {
	var missing []string
	for path, item := range openAPIDocument(Config{}.withDefaults()).Paths {
		for method, op := range item.operations() {
			if !exchanges.exercised(op.OperationID) {
				missing = append(missing, fmt.Sprintf("%s %s (%s)", method, path, op.OperationID))
			}
		}
	}
	slices.Sort(missing)
	return missing
}

// TestComponentOperationsNoOtherTestReaches drives, through the real server
// on the embedded node, the operations the other component tests answer
// only with an error or not at all, so that their success responses are
// checked against the document too.
func TestComponentOperationsNoOtherTestReaches(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG coverage")
	j := journeyHref(w.journeyID)
	etag := func() http.Header {
		rec := cp.call(t, call{method: "GET", path: j, token: w.participant})
		must(t, rec, 200, nil)
		return http.Header{"If-Match": {rec.Header().Get("ETag")}}
	}

	var prog programmeResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/programmes/" + w.programmeID, token: w.office}), 200, &prog)
	if prog.ID != w.programmeID {
		t.Fatalf("programme %+v", prog)
	}

	// A behaviour choice, then its revision.
	var choice resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/behaviour-choices", token: w.participant,
		body: fmt.Sprintf(`{"competencyId":"%s","behaviour":"Delegates the planning","choice":"develop"}`, newID())}), 201, &choice)
	must(t, cp.call(t, call{method: "PUT", path: choice.Href, token: w.participant, header: etag(), body: `{"choice":"continue"}`}), 200, nil)

	// A section shared, and the list of shared sections.
	must(t, cp.call(t, call{method: "PUT", path: j + "/shared-sections/behaviour-choices", token: w.participant}), 200, nil)
	var shared sharedSections
	must(t, cp.call(t, call{method: "GET", path: j + "/shared-sections", token: w.participant}), 200, &shared)

	// A development conversation, then its revision by the manager.
	var conv resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/development-conversations", token: w.manager,
		body: `{"heldOn":"2025-03-13T14:00:00+01:00","agreements":["Weekly one-to-ones"],"nextQuestions":[]}`}), 201, &conv)
	must(t, cp.call(t, call{method: "PUT", path: conv.Href, token: w.manager, header: etag(),
		body: `{"agreements":["Weekly one-to-ones","A plan for the team day"],"nextQuestions":["How do I say no?"]}`}), 200, nil)

	// A rater nominated, then a new link for them.
	inst, _, _ := cp.instrument(t, w)
	var round resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/feedback-rounds", token: w.participant, body: fmt.Sprintf(`{"instrumentId":"%s","kind":"pre"}`, inst)}), 201, &round)
	var link, again raterLinkResponse
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant, body: `{"group":"peer","name":"Piet","email":"piet@example.org"}`}), 201, &link)
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/raters/" + link.RaterID + "/links", token: w.participant, body: `{}`}), 201, &again)
	if again.RaterID != link.RaterID || again.Token == link.Token {
		t.Fatalf("new link %+v after %+v", again, link)
	}

	// An intervision group of four, and a session of it the participant attended.
	members := []string{w.participantID}
	for range 3 {
		id, _ := cp.enrolAnother(t, w)
		members = append(members, id)
	}
	var group resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/intervision-groups", token: w.trainer,
		body: `{"memberIds":["` + strings.Join(members, `","`) + `"]}`}), 201, &group)
	must(t, cp.call(t, call{method: "POST", path: j + "/intervision-sessions", token: w.trainer,
		body: fmt.Sprintf(`{"groupId":"%s","heldOn":"2025-03-11T13:00:00+01:00","method":"incident method","caseBroughtIn":true,"case":"A team member who stopped talking"}`, group.ID)}), 201, nil)
}

// TestComponentChangeMeasurementOfACohort closes a pre and a post round of
// self-assessments for enough participants that the cohort's change shows,
// and reads it as the programme office, the participant and the export do.
func TestComponentChangeMeasurementOfACohort(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG change")
	inst, item1, item2 := cp.instrument(t, w)
	type member struct{ token, journey string }
	members := []member{{w.participant, w.journeyID}}
	for len(members) < behaviourchange.MinParticipants {
		id, journeyID := cp.enrolAnother(t, w)
		members = append(members, member{cp.token(t, id, access.RoleParticipant), journeyID})
	}
	var last *httptest.ResponseRecorder
	for i, m := range members {
		for _, r := range []struct {
			kind  string
			score int
		}{{"pre", 2}, {"post", 3 + i%3}} {
			var round resourceRef
			must(t, cp.call(t, call{method: "POST", path: journeyHref(m.journey) + "/feedback-rounds", token: m.token,
				body: fmt.Sprintf(`{"instrumentId":"%s","kind":"%s"}`, inst, r.kind)}), 201, &round)
			must(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: m.token,
				body: fmt.Sprintf(`{"answers":[{"itemId":"%s","score":%d},{"itemId":"%s","score":%d}]}`, item1, r.score, item2, r.score)}), 201, nil)
			last = cp.call(t, call{method: "POST", path: round.Href + "/closures", token: m.token, body: `{}`})
			must(t, last, 201, nil)
		}
	}

	var cm changeMeasurement
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/change-measurement", token: w.office, header: after(last)}), 200, &cm)
	if len(cm.Competencies) != 1 || cm.Competencies[0].Group != "self" || cm.Competencies[0].Participants != len(members) || cm.Competencies[0].MeanChange <= 0 {
		t.Fatalf("change %+v", cm)
	}
	var pf portfolioResponse
	must(t, cp.call(t, call{method: "GET", path: journeyHref(w.journeyID) + "/portfolio", token: w.participant, header: after(last)}), 200, &pf)
	if len(pf.FeedbackChange) != 1 || len(pf.FeedbackRounds) != 2 {
		t.Fatalf("portfolio change %+v, rounds %+v", pf.FeedbackChange, pf.FeedbackRounds)
	}
	rec := cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/exports/behaviour-change", token: w.office, header: after(last)})
	must(t, rec, 200, nil)
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || strings.Count(rec.Body.String(), "\n") < 2 {
		t.Fatalf("export %v\n%s", rec.Header(), rec.Body)
	}
}
