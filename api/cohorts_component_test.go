package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/domain/access"
)

// Issue 13: cohorts can be listed (the programme office all of them, a
// trainer their own) and read with their details; every version of a
// module can be read as it was made.

// planCohort plans a cohort of w's programme with trainer trainerID and
// returns its id.
func (cp *component) planCohort(t *testing.T, w *world, title, trainerID string) string {
	t.Helper()
	rec := cp.call(t, call{method: "POST", path: "/v1/cohorts", token: w.office,
		body: fmt.Sprintf(`{"programmeId":"%s","entityId":"%s","title":%q,"trainerIds":["%s"],"startsOn":"2025-09-01T09:00:00+02:00","endsOn":"2026-06-30T17:00:00+02:00"}`,
			w.programmeID, newID(), title, trainerID)})
	var r resourceRef
	must(t, rec, 201, &r)
	return r.ID
}

func TestComponentCohortsAreListedPerRole(t *testing.T) {
	cp := newAdminComponent(t)
	w := cp.setUp(t, "BLG spring")
	otherID := newID()
	other := cp.token(t, otherID, access.RoleTrainer)
	second := cp.planCohort(t, w, "BLG autumn", otherID)
	// A second participant, and the first withdraws: the size counts one.
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolments", token: w.office,
		body: fmt.Sprintf(`{"participantId":"%s","name":"Bo Jansen","email":"bo@example.org","role":"beginning-manager","managerId":"%s"}`, newID(), w.managerID)}), 201, nil)
	last := cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/withdrawals", token: w.office, body: `{"reason":"moved"}`})
	must(t, last, 201, nil)

	// The programme office: every cohort, in the order planned, a page at a time.
	var page1, page2 cohortList
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts?limit=1", token: w.office, header: after(last)}), 200, &page1)
	if len(page1.Items) != 1 || page1.NextCursor == "" {
		t.Fatalf("first page %+v", page1)
	}
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts?limit=1&cursor=" + page1.NextCursor, token: w.office}), 200, &page2)
	if len(page2.Items) != 1 || page2.NextCursor != "" {
		t.Fatalf("second page %+v", page2)
	}
	c1, c2 := page1.Items[0], page2.Items[0]
	if c1.ID != w.cohortID || c1.Href != cohortHref(w.cohortID) || c1.Title != "BLG spring" || c1.ProgrammeID != w.programmeID ||
		c1.ProgrammeTitle != "Beginning managers" || c1.EntityID == "" || !slices.Equal(c1.TrainerIDs, []string{w.trainerID}) ||
		c1.Size != 1 || c1.StartsOn.IsZero() || c1.EndsOn.IsZero() || c1.PlannedAt.IsZero() {
		t.Errorf("first cohort %+v", c1)
	}
	if c2.ID != second || c2.Title != "BLG autumn" || c2.Size != 0 || !slices.Equal(c2.TrainerIDs, []string{otherID}) {
		t.Errorf("second cohort %+v", c2)
	}

	// A trainer: the cohorts they train, no other.
	for _, tc := range []struct {
		name, token, want string
	}{{"trainer", w.trainer, w.cohortID}, {"other trainer", other, second}} {
		var l cohortList
		must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts", token: tc.token}), 200, &l)
		if len(l.Items) != 1 || l.Items[0].ID != tc.want || l.NextCursor != "" {
			t.Errorf("%s lists %+v, want only %s", tc.name, l.Items, tc.want)
		}
	}
	// A trainer with a cursor of the programme office's list: it is not theirs.
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/cohorts?cursor=" + page1.NextCursor, token: w.trainer}), 400)

	// Participants and managers list no cohorts.
	for _, tok := range []string{w.participant, w.manager} {
		p := decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/cohorts", token: tok}), 403)
		if !strings.Contains(p.Detail, "no rule") {
			t.Errorf("refusal %q", p.Detail)
		}
	}
}

func TestComponentCohortDetails(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG spring")
	rec := cp.call(t, call{method: "GET", path: "/v1/modules/" + w.moduleID, token: w.office})
	must(t, rec, 200, nil)
	must(t, cp.call(t, call{method: "POST", path: "/v1/modules/" + w.moduleID + "/versions", token: w.office,
		body: fmt.Sprintf(`{"content":{"title":"Me and myself","theme":"self","forms":["group-training"],"hours":20,
	"learningGoals":[{"id":"%s","behaviour":"Asks for feedback weekly."}]},"reason":"more practice"}`, newID()),
		header: http.Header{"If-Match": {rec.Header().Get("ETag")}}}), 201, nil)
	var late, early resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/deliveries", token: w.office,
		body: fmt.Sprintf(`{"moduleId":"%s","moduleVersion":2,"startsAt":"2025-05-12T09:00:00+02:00","endsAt":"2025-05-12T17:00:00+02:00"}`, w.moduleID)}), 201, &late)
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/deliveries", token: w.office,
		body: fmt.Sprintf(`{"moduleId":"%s","moduleVersion":1,"startsAt":"2025-03-10T09:00:00+01:00","endsAt":"2025-03-10T17:00:00+01:00"}`, w.moduleID)}), 201, &early)

	var co cohortResponse
	rec = cp.call(t, call{method: "GET", path: cohortHref(w.cohortID), token: w.trainer})
	must(t, rec, 200, &co)
	if rec.Header().Get("ETag") != etag(co.Revision) || co.Revision != 3 {
		t.Errorf("ETag %q, revision %d: want the revision after plan, enrolment and two deliveries", rec.Header().Get("ETag"), co.Revision)
	}
	if co.ID != w.cohortID || co.Title != "BLG spring" || co.ProgrammeID != w.programmeID || co.ProgrammeTitle != "Beginning managers" ||
		co.EntityID == "" || !slices.Equal(co.ModuleIDs, []string{w.moduleID}) || !slices.Equal(co.TrainerIDs, []string{w.trainerID}) ||
		co.Size != 1 || co.StartsOn.IsZero() || !co.EndsOn.After(co.StartsOn.Time) {
		t.Errorf("cohort %+v", co)
	}
	if len(co.Deliveries) != 2 || co.Deliveries[0].ID != early.ID || co.Deliveries[0].ModuleVersion != 1 ||
		co.Deliveries[1].ID != late.ID || co.Deliveries[1].ModuleVersion != 2 || co.Deliveries[1].ModuleID != w.moduleID ||
		!co.Deliveries[1].EndsAt.After(co.Deliveries[1].StartsAt.Time) {
		t.Fatalf("deliveries %+v", co.Deliveries)
	}
	// Each delivery's module version can be followed, as it was made.
	var v moduleVersionResponse
	must(t, cp.call(t, call{method: "GET", path: co.Deliveries[0].ModuleVersionHref, token: w.trainer}), 200, &v)
	if v.Version != 1 || v.Content.Hours != 16 || v.Reason != "" {
		t.Errorf("version 1 of the first delivery %+v", v)
	}

	// The Location of a delivery and of an attendance can be followed by
	// whoever received it.
	var d deliveryResponse
	must(t, cp.call(t, call{method: "GET", path: deliveryHref(w.cohortID, early.ID), token: w.office}), 200, &d)
	if d.ID != early.ID || d.CohortID != w.cohortID || d.ModuleVersion != 1 || d.ModuleVersionHref != moduleVersionHref(w.moduleID, 1) || d.Revision != 3 {
		t.Errorf("delivery %+v", d)
	}
	must(t, cp.call(t, call{method: "GET", path: early.Href, token: w.trainer}), 200, nil)
	decodeProblem(t, cp.call(t, call{method: "GET", path: deliveryHref(w.cohortID, newID()), token: w.office}), 404)
	att := attendanceHref(w.cohortID, early.ID, w.participantID)
	decodeProblem(t, cp.call(t, call{method: "GET", path: att, token: w.trainer}), 404) // not recorded yet
	var put resourceRef
	must(t, cp.call(t, call{method: "PUT", path: att, token: w.trainer, body: `{"status":"excused"}`}), 200, &put)
	var a attendanceResponse
	must(t, cp.call(t, call{method: "GET", path: put.Href, token: w.trainer}), 200, &a)
	if a.Status != "excused" || a.ParticipantID != w.participantID || a.DeliveryID != early.ID || a.Revision != 4 {
		t.Errorf("attendance %+v", a)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: att, token: w.participant}), 403)

	// The programme office reads the cohort too; a trainer of another
	// cohort and the participant do not.
	must(t, cp.call(t, call{method: "GET", path: cohortHref(w.cohortID), token: w.office}), 200, nil)
	decodeProblem(t, cp.call(t, call{method: "GET", path: cohortHref(w.cohortID), token: cp.token(t, newID(), access.RoleTrainer)}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: cohortHref(w.cohortID), token: w.participant}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: cohortHref(newID()), token: w.office}), 404)
}

func TestComponentModuleVersionsAreReadable(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	base := "/v1/modules/" + w.moduleID
	rec := cp.call(t, call{method: "GET", path: base, token: w.office})
	must(t, rec, 200, nil)
	must(t, cp.call(t, call{method: "POST", path: base + "/versions", token: w.office,
		body: fmt.Sprintf(`{"content":{"title":"Me, myself and I","theme":"self","forms":["coaching"],"hours":12,
	"learningGoals":[{"id":"%s","behaviour":"Names their pitfalls."}]},"reason":"after the spring delivery"}`, newID()),
		header: http.Header{"If-Match": {rec.Header().Get("ETag")}}}), 201, nil)

	// Everyone in a programme reads the versions, as they were made.
	for _, tok := range []string{w.participant, w.manager, w.trainer, w.office} {
		var l moduleVersionList
		rec := cp.call(t, call{method: "GET", path: base + "/versions", token: tok})
		must(t, rec, 200, &l)
		if rec.Header().Get("ETag") != `"1"` || l.ModuleID != w.moduleID || l.Retired || len(l.Items) != 2 {
			t.Fatalf("versions %+v, ETag %q", l, rec.Header().Get("ETag"))
		}
		v1, v2 := l.Items[0], l.Items[1]
		if v1.Version != 1 || v1.Href != moduleVersionHref(w.moduleID, 1) || v1.Content.Title != "Me and myself" || v1.Content.Hours != 16 || v1.Reason != "" {
			t.Errorf("version 1 %+v", v1)
		}
		if v2.Version != 2 || v2.Content.Title != "Me, myself and I" || v2.Reason != "after the spring delivery" || v2.MadeAt.IsZero() {
			t.Errorf("version 2 %+v", v2)
		}
	}
	var v1 moduleVersionResponse
	rec = cp.call(t, call{method: "GET", path: base + "/versions/1", token: w.participant})
	must(t, rec, 200, &v1)
	if rec.Header().Get("ETag") != `"1"` || v1.ModuleID != w.moduleID || v1.Version != 1 || v1.Content.Title != "Me and myself" ||
		!slices.Equal(v1.Content.Forms, []string{"group-training", "coaching"}) {
		t.Errorf("version 1 %+v", v1)
	}

	// A retired module keeps its versions readable.
	must(t, cp.call(t, call{method: "POST", path: base + "/retirements", token: w.office, body: `{}`}), 201, nil)
	var l moduleVersionList
	must(t, cp.call(t, call{method: "GET", path: base + "/versions", token: w.trainer}), 200, &l)
	if !l.Retired || len(l.Items) != 2 {
		t.Errorf("versions of the retired module %+v", l)
	}

	decodeProblem(t, cp.call(t, call{method: "GET", path: base + "/versions/3", token: w.participant}), 404)
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/modules/" + newID() + "/versions", token: w.participant}), 404)
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/modules/" + newID() + "/versions/1", token: w.participant}), 404)
	for _, bad := range []string{"0", "x", "-1"} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: base + "/versions/" + bad, token: w.participant}), 400)
	}
	// A rater link opens its round's form and nothing else.
	decodeProblem(t, cp.call(t, call{method: "GET", path: base + "/versions", token: access.RaterTokenPrefix + "x"}), 401)
}
