package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/usecase"
)

// newAdminComponent is newComponent with what the programme office's
// administration adds, wired as cmd wires it: the ordering entities over
// their guarded repository, and the offer read model fed like the others.
func newAdminComponent(t *testing.T) *component {
	t.Helper()
	cp := newComponent(t)
	feed, ok := cp.deps.ReadYourWrites.(*catchUp)
	if !ok {
		t.Fatalf("read-your-writes is a %T", cp.deps.ReadYourWrites)
	}
	of := offer.New()
	feed.models[of.Name()] = of // before the first request, so it sees the whole log
	cp.use(t, func(d *usecase.Deps) { d.Offer = of })
	return cp
}

// events counts the events of a stream.
func (cp *component) events(t *testing.T, stream string) int {
	t.Helper()
	recs, err := cp.store.Load(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

func ids[T any](items []T, id func(T) string) string {
	return strings.Join(mapAll(items, id), ",")
}

func TestComponentModuleListAndRetirement(t *testing.T) {
	cp := newAdminComponent(t)
	w := cp.setUp(t, "BLG")
	var m2, m3 resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/modules", token: w.office, body: fmt.Sprintf(moduleJSON, newID())}), 201, &m2)
	rec := cp.call(t, call{method: "POST", path: "/v1/modules", token: w.office, body: fmt.Sprintf(moduleJSON, newID())})
	must(t, rec, 201, &m3)

	// Everyone in a programme reads the catalogue, a page at a time, in the
	// order the modules were added.
	var page1, page2 moduleList
	must(t, cp.call(t, call{method: "GET", path: "/v1/modules?limit=2", token: w.participant, header: after(rec)}), 200, &page1)
	must(t, cp.call(t, call{method: "GET", path: "/v1/modules?limit=2&cursor=" + page1.NextCursor, token: w.trainer}), 200, &page2)
	got := ids(append(page1.Items, page2.Items...), func(m moduleSummary) string { return m.ID })
	if want := strings.Join([]string{w.moduleID, m2.ID, m3.ID}, ","); got != want || page1.NextCursor == "" || page2.NextCursor != "" {
		t.Fatalf("modules %s (cursors %q, %q), want %s", got, page1.NextCursor, page2.NextCursor, want)
	}
	first := page1.Items[0]
	if first.Version != 1 || first.Retired || first.Content.Title != "Me and myself" || first.Href != moduleHref(w.moduleID) || first.AddedAt.IsZero() {
		t.Fatalf("first module %+v", first)
	}

	// Only the programme office retires, once; the module stays readable.
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/modules/" + m2.ID + "/retirements", token: w.trainer, body: `{}`}), 403)
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/modules/" + m2.ID + "/retirements", token: w.office, body: `{}`,
		header: http.Header{"If-Match": {`"5"`}}}), 412)
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/modules/" + m2.ID + "/retirements", token: w.office, body: `{"reason":"old"}`}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "reason" {
		t.Fatalf("invalid params %v", got)
	}
	rec = cp.call(t, call{method: "POST", path: "/v1/modules/" + m2.ID + "/retirements", token: w.office, body: `{}`, header: http.Header{"If-Match": {`"0"`}}})
	must(t, rec, 201, nil)
	if rec.Header().Get("Location") != moduleHref(m2.ID) || rec.Header().Get("ETag") != `"1"` || rec.Header().Get(headerPosition) == "" {
		t.Fatalf("headers %v", rec.Header())
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/modules/" + m2.ID + "/retirements", token: w.office, body: `{}`}), 409)
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/modules/" + newID() + "/retirements", token: w.office, body: `{}`}), 404)
	var mod moduleResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/modules/" + m2.ID, token: w.participant}), 200, &mod)
	if !mod.Retired {
		t.Fatalf("module %+v", mod)
	}

	// The filter: on offer, or retired.
	var offered, retired, all moduleList
	must(t, cp.call(t, call{method: "GET", path: "/v1/modules?retired=false", token: w.office, header: after(rec)}), 200, &offered)
	must(t, cp.call(t, call{method: "GET", path: "/v1/modules?retired=true", token: w.office}), 200, &retired)
	must(t, cp.call(t, call{method: "GET", path: "/v1/modules", token: w.office}), 200, &all)
	if got := ids(offered.Items, func(m moduleSummary) string { return m.ID }); got != w.moduleID+","+m3.ID {
		t.Fatalf("on offer: %s", got)
	}
	if len(retired.Items) != 1 || retired.Items[0].ID != m2.ID || !retired.Items[0].Retired || len(all.Items) != 3 {
		t.Fatalf("retired %+v, all %d", retired.Items, len(all.Items))
	}
	// No programme takes a retired module.
	decodeProblem(t, cp.call(t, call{method: "POST", path: programmeHref(w.programmeID) + "/modules", token: w.office,
		body: fmt.Sprintf(`{"moduleId":"%s","position":1}`, m2.ID)}), 409)

	// Bad parameters are each named; a cursor belongs to its list and filter.
	p = decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/modules?retired=maybe", token: w.office}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "retired" {
		t.Fatalf("invalid params %v", got)
	}
	p = decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/modules?retired=false&limit=0&cursor=" + page1.NextCursor, token: w.office}), 400)
	if got := strings.Join(paramNames(p), ","); got != "limit,cursor" {
		t.Fatalf("invalid params %s", got)
	}
	// A rater link reaches none of it.
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/modules", token: "lprl_" + strings.Repeat("A", 43)}), 401)
}

func TestComponentProgrammeAdministration(t *testing.T) {
	cp := newAdminComponent(t)
	w := cp.setUp(t, "BLG")
	var m2 resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/modules", token: w.office, body: fmt.Sprintf(moduleJSON, newID())}), 201, &m2)
	prog := programmeHref(w.programmeID)
	must(t, cp.call(t, call{method: "POST", path: prog + "/modules", token: w.office, body: fmt.Sprintf(`{"moduleId":"%s","position":2}`, m2.ID)}), 201, nil)

	// Take the first module out; the last one stays.
	decodeProblem(t, cp.call(t, call{method: "DELETE", path: prog + "/modules/" + w.moduleID, token: w.trainer}), 403)
	must(t, cp.call(t, call{method: "DELETE", path: prog + "/modules/" + w.moduleID, token: w.office}), 200, nil)
	decodeProblem(t, cp.call(t, call{method: "DELETE", path: prog + "/modules/" + w.moduleID, token: w.office}), 404)
	decodeProblem(t, cp.call(t, call{method: "DELETE", path: prog + "/modules/" + m2.ID, token: w.office}), 409)
	decodeProblem(t, cp.call(t, call{method: "DELETE", path: prog + "/modules/not-a-module", token: w.office}), 400)

	// The emphasis on a theme, by PUT: a repeat records nothing.
	stream := "programme-" + w.programmeID
	rec := cp.call(t, call{method: "PUT", path: prog + "/emphases/team", token: w.office, body: `{"emphasis":"strong"}`})
	must(t, rec, 200, nil)
	n := cp.events(t, stream)
	again := cp.call(t, call{method: "PUT", path: prog + "/emphases/team", token: w.office, body: `{"emphasis":"strong"}`})
	must(t, again, 200, nil)
	if cp.events(t, stream) != n || again.Header().Get(headerPosition) != "" {
		t.Fatalf("a repeated PUT recorded: %d events, was %d; headers %v", cp.events(t, stream), n, again.Header())
	}
	p := decodeProblem(t, cp.call(t, call{method: "PUT", path: prog + "/emphases/leadership", token: w.office, body: `{"emphasis":"strong"}`}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "theme" {
		t.Fatalf("invalid params %v", got)
	}
	p = decodeProblem(t, cp.call(t, call{method: "PUT", path: prog + "/emphases/self", token: w.office, body: `{"emphasis":"huge"}`}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "emphasis" {
		t.Fatalf("invalid params %v", got)
	}
	p = decodeProblem(t, cp.call(t, call{method: "PUT", path: prog + "/emphases/galaxy", token: w.office, body: `{"emphasis":"huge"}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "theme,emphasis" {
		t.Fatalf("both wrong: invalid params %s, want theme and emphasis", got)
	}
	decodeProblem(t, cp.call(t, call{method: "PUT", path: prog + "/emphases/self", token: w.participant, body: `{"emphasis":"light"}`}), 403)
	decodeProblem(t, cp.call(t, call{method: "PUT", path: programmeHref(newID()) + "/emphases/self", token: w.office, body: `{"emphasis":"light"}`}), 404)

	var list programmeList
	must(t, cp.call(t, call{method: "GET", path: "/v1/programmes", token: w.manager, header: after(rec)}), 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("programmes %+v", list)
	}
	pr := list.Items[0]
	if pr.ID != w.programmeID || pr.Code != "BLG" || pr.Title != "Beginning managers" || !slices.Equal(pr.ModuleIDs, []string{m2.ID}) || pr.Retired {
		t.Fatalf("programme %+v", pr)
	}
	emphasis := map[string]string{}
	for _, e := range pr.Emphasis {
		emphasis[e.Theme] = e.Emphasis
	}
	if len(emphasis) != 5 || emphasis["team"] != "strong" || emphasis["self"] != "normal" {
		t.Fatalf("emphasis %v", pr.Emphasis)
	}

	// Retire: no cohort is planned from it any more, nothing changes it.
	rec = cp.call(t, call{method: "POST", path: prog + "/retirements", token: w.office, body: `{}`})
	must(t, rec, 201, nil)
	decodeProblem(t, cp.call(t, call{method: "POST", path: prog + "/retirements", token: w.office, body: `{}`}), 409)
	decodeProblem(t, cp.call(t, call{method: "PUT", path: prog + "/emphases/self", token: w.office, body: `{"emphasis":"light"}`}), 409)
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/cohorts", token: w.office,
		body: fmt.Sprintf(`{"programmeId":"%s","entityId":"%s","title":"Late","trainerIds":["%s"],"startsOn":"2025-01-06T09:00:00+01:00","endsOn":"2025-12-19T17:00:00+01:00"}`,
			w.programmeID, newID(), w.trainerID)}), 409)
	var offered programmeList
	must(t, cp.call(t, call{method: "GET", path: "/v1/programmes?retired=false", token: w.office, header: after(rec)}), 200, &offered)
	if len(offered.Items) != 0 {
		t.Fatalf("on offer: %+v", offered.Items)
	}
}

func TestComponentInstrumentListGetAndRetirement(t *testing.T) {
	cp := newAdminComponent(t)
	w := cp.setUp(t, "BLG")
	inst, item1, item2 := cp.instrument(t, w)

	var in instrumentResponse
	rec := cp.call(t, call{method: "GET", path: instrumentHref(inst), token: w.participant})
	must(t, rec, 200, &in)
	if in.Title != "Leadership 360" || in.Scale.Points != 5 || in.Scale.Labels == nil || len(in.Competencies) != 1 || in.Retired ||
		len(in.Competencies[0].Items) != 2 || in.Competencies[0].Items[0].ID != item1 || in.Competencies[0].Items[1].ID != item2 || rec.Header().Get("ETag") != `"0"` {
		t.Fatalf("instrument %+v, ETag %q", in, rec.Header().Get("ETag"))
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: instrumentHref(newID()), token: w.participant}), 404)

	decodeProblem(t, cp.call(t, call{method: "POST", path: instrumentHref(inst) + "/retirements", token: w.trainer, body: `{}`}), 403)
	rec = cp.call(t, call{method: "POST", path: instrumentHref(inst) + "/retirements", token: w.office, body: `{}`})
	must(t, rec, 201, nil)
	decodeProblem(t, cp.call(t, call{method: "POST", path: instrumentHref(inst) + "/retirements", token: w.office, body: `{}`}), 409)

	var list instrumentList
	must(t, cp.call(t, call{method: "GET", path: "/v1/instruments", token: w.trainer, header: after(rec)}), 200, &list)
	if len(list.Items) != 1 || list.Items[0].ID != inst || !list.Items[0].Retired || list.Items[0].Items != 2 || list.Items[0].Competencies != 1 {
		t.Fatalf("instruments %+v", list)
	}
	must(t, cp.call(t, call{method: "GET", path: "/v1/instruments?retired=false", token: w.trainer}), 200, &list)
	if len(list.Items) != 0 {
		t.Fatalf("on offer: %+v", list)
	}
	// A retired instrument opens no new round.
	decodeProblem(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/feedback-rounds", token: w.participant,
		body: fmt.Sprintf(`{"instrumentId":"%s","kind":"pre"}`, inst)}), 409)
}

func TestComponentEntitiesAndOrders(t *testing.T) {
	cp := newAdminComponent(t)
	w := cp.setUp(t, "BLG")

	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/entities", token: w.trainer, body: `{"name":"Tax Office"}`}), 403)
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/entities", token: w.office, body: `{"name":" "}`}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "name" {
		t.Fatalf("invalid params %v", got)
	}
	var en, other resourceRef
	rec := cp.call(t, call{method: "POST", path: "/v1/entities", token: w.office, body: `{"name":"Agency for Roads and Traffic"}`})
	must(t, rec, 201, &en)
	if rec.Header().Get("Location") != entityHref(en.ID) {
		t.Fatalf("Location %q", rec.Header().Get("Location"))
	}
	must(t, cp.call(t, call{method: "POST", path: "/v1/entities", token: w.office, body: `{"name":"Tax Office"}`}), 201, &other)

	orders := entityHref(en.ID) + "/orders"
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: orders, token: w.office, body: `{"kind":"trajectory","itemId":"x","seats":0}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "kind,itemId,seats" {
		t.Fatalf("invalid params %s", got)
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: entityHref(newID()) + "/orders", token: w.office,
		body: fmt.Sprintf(`{"kind":"programme","itemId":"%s","seats":20}`, w.programmeID)}), 404)
	decodeProblem(t, cp.call(t, call{method: "POST", path: orders, token: w.office,
		body: fmt.Sprintf(`{"kind":"module","itemId":"%s","seats":2}`, newID())}), 404)

	// An order retried with its Idempotency-Key is placed once.
	key := http.Header{headerIdempotencyKey: {"order-blg-2025"}}
	body := fmt.Sprintf(`{"kind":"programme","itemId":"%s","seats":20}`, w.programmeID)
	var o1 resourceRef
	first := cp.call(t, call{method: "POST", path: orders, token: w.office, body: body, header: key})
	must(t, first, 201, &o1)
	cp.idem = newIdempotencyCache(10, cp.cfg.IdempotencyTTL) // as after a restart
	retry := cp.call(t, call{method: "POST", path: orders, token: w.office, body: body, header: key})
	must(t, retry, 201, nil)
	if retry.Body.String() != first.Body.String() || o1.Href != orderHref(en.ID, o1.ID) || cp.events(t, "entity-"+en.ID) != 2 {
		t.Fatalf("retry %s after %s; %d events", retry.Body, first.Body, cp.events(t, "entity-"+en.ID))
	}
	var o2 resourceRef
	must(t, cp.call(t, call{method: "POST", path: orders, token: w.office, body: fmt.Sprintf(`{"kind":"module","itemId":"%s","seats":3}`, w.moduleID)}), 201, &o2)

	// Cancel the first, once, with the ETag read.
	var got entityResponse
	rec = cp.call(t, call{method: "GET", path: entityHref(en.ID), token: w.office})
	must(t, rec, 200, &got)
	if got.Name != "Agency for Roads and Traffic" || len(got.Orders) != 2 || got.Orders[0].ID != o1.ID || got.Orders[0].Kind != "programme" ||
		got.Orders[0].Seats != 20 || got.Orders[1].ID != o2.ID || rec.Header().Get("ETag") != `"2"` {
		t.Fatalf("entity %+v, ETag %q", got, rec.Header().Get("ETag"))
	}
	var order orderEntry
	must(t, cp.call(t, call{method: "GET", path: o2.Href, token: w.office}), 200, &order)
	if order.ID != o2.ID || order.Kind != "module" || order.ItemID != w.moduleID || order.Seats != 3 || order.Cancelled {
		t.Fatalf("order %+v", order)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: orderHref(en.ID, newID()), token: w.office}), 404)
	decodeProblem(t, cp.call(t, call{method: "GET", path: o2.Href, token: w.trainer}), 403)
	cancel := orderHref(en.ID, o1.ID) + "/cancellations"
	decodeProblem(t, cp.call(t, call{method: "POST", path: cancel, token: w.office, body: `{}`, header: http.Header{"If-Match": {`"1"`}}}), 412)
	rec = cp.call(t, call{method: "POST", path: cancel, token: w.office, body: `{}`, header: http.Header{"If-Match": {`"2"`}}})
	must(t, rec, 201, nil)
	decodeProblem(t, cp.call(t, call{method: "POST", path: cancel, token: w.office, body: `{}`}), 409)
	decodeProblem(t, cp.call(t, call{method: "POST", path: orderHref(en.ID, newID()) + "/cancellations", token: w.office, body: `{}`}), 404)

	// The list, for the programme office only.
	var list entityList
	must(t, cp.call(t, call{method: "GET", path: "/v1/entities", token: w.office, header: after(rec)}), 200, &list)
	if got := ids(list.Items, func(e entitySummary) string { return e.ID }); got != en.ID+","+other.ID {
		t.Fatalf("entities %s", got)
	}
	os := list.Items[0].Orders
	if len(os) != 2 || !os[0].Cancelled || os[0].CancelledAt == nil || os[0].PlacedAt == nil || os[1].Cancelled || os[1].CancelledAt != nil ||
		list.Items[1].Orders == nil || len(list.Items[1].Orders) != 0 {
		t.Fatalf("orders %+v, other %+v", os, list.Items[1])
	}
	for _, tok := range []string{w.trainer, w.participant, w.manager} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/entities", token: tok}), 403)
		decodeProblem(t, cp.call(t, call{method: "GET", path: entityHref(en.ID), token: tok}), 403)
	}
}

func TestComponentIntervisionGroups(t *testing.T) {
	cp := newAdminComponent(t)
	w := cp.setUp(t, "BLG")
	members := []string{w.participantID}
	csv := "participantId,name,email,role,managerId\n"
	for i := range 5 {
		id := newID()
		members = append(members, id)
		csv += fmt.Sprintf("%s,Deelnemer %d,d%d@example.org,beginning-manager,%s\n", id, i, i, w.managerID)
	}
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolment-uploads", token: w.office, body: csv,
		header: http.Header{"Content-Type": {"text/csv"}}}), 201, nil)
	groups := "/v1/cohorts/" + w.cohortID + "/intervision-groups"
	memberJSON := func(ids ...string) string { return `{"memberIds":["` + strings.Join(ids, `","`) + `"]}` }

	// The cohort's trainer forms and re-forms groups; another trainer cannot.
	stranger := cp.token(t, newID(), access.RoleTrainer)
	decodeProblem(t, cp.call(t, call{method: "POST", path: groups, token: stranger, body: memberJSON(members[:4]...)}), 403)
	var g resourceRef
	must(t, cp.call(t, call{method: "POST", path: groups, token: w.trainer, body: memberJSON(members[:4]...)}), 201, &g)
	var read groupResponse
	rec := cp.call(t, call{method: "GET", path: g.Href, token: w.trainer})
	must(t, rec, 200, &read)
	want := slices.Sorted(slices.Values(members[:4]))
	if read.ID != g.ID || read.CohortID != w.cohortID || !slices.Equal(read.MemberIDs, want) || rec.Header().Get("ETag") == "" {
		t.Fatalf("group %+v, ETag %q", read, rec.Header().Get("ETag"))
	}
	for _, tok := range []string{stranger, w.participant, w.manager} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: g.Href, token: tok}), 403)
		decodeProblem(t, cp.call(t, call{method: "PUT", path: g.Href, token: tok, body: memberJSON(members[1:6]...)}), 403)
		decodeProblem(t, cp.call(t, call{method: "DELETE", path: g.Href, token: tok}), 403)
	}

	p := decodeProblem(t, cp.call(t, call{method: "PUT", path: g.Href, token: w.trainer, body: memberJSON(members[:3]...)}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "memberIds" {
		t.Fatalf("invalid params %v", got)
	}
	decodeProblem(t, cp.call(t, call{method: "PUT", path: g.Href, token: w.trainer, body: memberJSON(members[1:6]...), header: http.Header{"If-Match": {`"0"`}}}), 412)
	must(t, cp.call(t, call{method: "PUT", path: g.Href, token: w.trainer, body: memberJSON(members[1:6]...), header: http.Header{"If-Match": {rec.Header().Get("ETag")}}}), 200, nil)
	must(t, cp.call(t, call{method: "GET", path: g.Href, token: w.office}), 200, &read)
	if !slices.Equal(read.MemberIDs, slices.Sorted(slices.Values(members[1:6]))) {
		t.Fatalf("members after the re-form %v", read.MemberIDs)
	}
	decodeProblem(t, cp.call(t, call{method: "PUT", path: groups + "/" + newID(), token: w.office, body: memberJSON(members[:4]...)}), 404)

	// Dissolved, the group is gone and its members may form another.
	must(t, cp.call(t, call{method: "DELETE", path: g.Href, token: w.office}), 200, nil)
	decodeProblem(t, cp.call(t, call{method: "GET", path: g.Href, token: w.office}), 404)
	decodeProblem(t, cp.call(t, call{method: "DELETE", path: g.Href, token: w.office}), 404)
	must(t, cp.call(t, call{method: "POST", path: groups, token: w.office, body: memberJSON(members[1:5]...)}), 201, nil)
}

func TestAdminResourcesWithoutDependencies(t *testing.T) {
	ts := newTestServer(t)
	office := ts.token(t, participant, access.RoleProgrammeOffice)
	for _, r := range []request{
		{method: "GET", path: "/v1/modules"},
		{method: "GET", path: "/v1/programmes"},
		{method: "GET", path: "/v1/instruments"},
		{method: "GET", path: "/v1/entities"},
		{method: "GET", path: "/v1/entities/" + participant},
		{method: "POST", path: "/v1/entities", body: `{"name":"x"}`},
		{method: "POST", path: "/v1/modules/" + participant + "/retirements", body: `{}`},
	} {
		r.header = jsonHeader(bearerHeader(office))
		decodeProblem(t, ts.do(t, r), http.StatusServiceUnavailable)
	}
}
