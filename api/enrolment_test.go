package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/leerpad/leerpad/domain/access"
)

// TestComponentProgrammeOfficeFollowsItsWritesAtTheEnrolment: the programme
// office, which reads no journey, receives for each write on one (an
// enrolment, a completion, a change of manager, a withdrawal it records)
// the participant's enrolment in the cohort, follows it (200) and sees there
// what it wrote; the cohort's trainers read it too; a participant, a
// manager (of this journey or another) and a trainer of another cohort are
// refused (403); the participant who withdraws themselves keeps the journey.
func TestComponentProgrammeOfficeFollowsItsWritesAtTheEnrolment(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG enrolment")
	var res enrolmentResult
	must(t, w.last, 201, &res)
	href := enrolmentHref(w.cohortID, w.participantID)
	if res.Href != href || w.last.Header().Get("Location") != href || res.JourneyID != w.journeyID {
		t.Fatalf("enrolment answered %+v, Location %q", res, w.last.Header().Get("Location"))
	}
	get := func(h string, after http.Header) enrolmentResponse {
		t.Helper()
		var e enrolmentResponse
		must(t, cp.call(t, call{method: "GET", path: h, token: w.office, header: after}), 200, &e)
		return e
	}
	e := get(href, nil)
	if e.CohortID != w.cohortID || e.ParticipantID != w.participantID || e.JourneyID != w.journeyID || e.Role != "beginning-manager" ||
		e.ManagerID != w.managerID || e.Status != "active" || e.EnrolledAt.IsZero() || e.WithdrawnAt != nil {
		t.Fatalf("enrolment %+v", e)
	}

	// A change of manager and a completion, each followed at the enrolment.
	newManager := newID()
	rec := cp.call(t, call{method: "PUT", path: journeyHref(w.journeyID) + "/manager", token: w.office, body: fmt.Sprintf(`{"managerId":"%s"}`, newManager)})
	var ref resourceRef
	must(t, rec, 200, &ref)
	if ref.ID != w.journeyID || ref.Href != href {
		t.Fatalf("change of manager answered %+v", ref)
	}
	if e := get(ref.Href, after(rec)); e.ManagerID != newManager || e.Status != "active" {
		t.Fatalf("after the change of manager: %+v", e)
	}
	rec = cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/completions", token: w.office, body: `{}`})
	must(t, rec, 201, &ref)
	if ref.Href != href || rec.Header().Get("Location") != href {
		t.Fatalf("completion answered %+v, Location %q", ref, rec.Header().Get("Location"))
	}
	if e := get(ref.Href, after(rec)); e.Status != "completed" || e.WithdrawnAt != nil {
		t.Fatalf("after the completion: %+v", e)
	}

	// A withdrawal the programme office records for a participant, and one
	// a participant makes themselves: the office follows the enrolment, the
	// participant their journey.
	other, otherJourney := cp.enrolAnother(t, w)
	rec = cp.call(t, call{method: "POST", path: journeyHref(otherJourney) + "/withdrawals", token: w.office, body: `{"reason":"New job"}`})
	must(t, rec, 201, &ref)
	otherHref := enrolmentHref(w.cohortID, other)
	if ref.ID != otherJourney || ref.Href != otherHref || rec.Header().Get("Location") != otherHref {
		t.Fatalf("withdrawal by the office answered %+v, Location %q", ref, rec.Header().Get("Location"))
	}
	if e := get(ref.Href, after(rec)); e.Status != "withdrawn" || e.WithdrawnAt == nil || e.Role != "coordinator" {
		t.Fatalf("after the withdrawal: %+v", e)
	}
	self, selfJourney := cp.enrolAnother(t, w)
	selfToken := cp.token(t, self, access.RoleParticipant)
	rec = cp.call(t, call{method: "POST", path: journeyHref(selfJourney) + "/withdrawals", token: selfToken, body: `{}`})
	must(t, rec, 201, &ref)
	if ref.Href != journeyHref(selfJourney) || rec.Header().Get("Location") != journeyHref(selfJourney) {
		t.Fatalf("withdrawal by the participant answered %+v, Location %q", ref, rec.Header().Get("Location"))
	}

	// Who else may read an enrolment: the cohort's trainers; nobody else.
	must(t, cp.call(t, call{method: "GET", path: href, token: w.trainer}), 200, nil)
	otherManager := cp.token(t, newID(), access.RoleManager)
	for name, tok := range map[string]string{
		"the participant":                  w.participant,
		"a participant of another journey": selfToken,
		"the former manager":               w.manager,
		"the current manager":              cp.token(t, newManager, access.RoleManager),
		"a manager of another journey":     otherManager,
		"a trainer of another cohort":      cp.token(t, newID(), access.RoleTrainer),
	} {
		if rec := cp.call(t, call{method: "GET", path: href, token: tok}); rec.Code != http.StatusForbidden {
			t.Errorf("%s: GET %s: %d %s", name, href, rec.Code, rec.Body)
		}
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: href, token: otherManager}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: enrolmentHref(w.cohortID, newID()), token: w.office}), 404)
	decodeProblem(t, cp.call(t, call{method: "GET", path: enrolmentHref(newID(), w.participantID), token: w.office}), 404)
	decodeProblem(t, cp.call(t, call{method: "GET", path: enrolmentHref(w.cohortID, "not-an-id"), token: w.office}), 400)
}
