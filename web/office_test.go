package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/demo"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/usecase"
	"github.com/leerpad/leerpad/web"
)

// TestOfficePages drives the programme office's pages (and the trainer's
// view of their cohort's impact): programmes, enrolment by CSV upload,
// closing a cohort's measurement and the impact pages with their charts,
// tables and CSV. The subtests run in order on one seeded site: a finished
// cohort, its measurement closed (so that the programme has figures of
// every level), and a running one.
func TestOfficePages(t *testing.T) {
	s := newSiteOf(t, web.Config{}, officeOptions)
	participant, manager := s.people.Participants[0], s.people.Managers[0]
	trainer, office := s.people.Trainers[0], s.people.ProgrammeOffice[0]
	ob, tb, pb, mb := s.browser(t), s.browser(t), s.browser(t), s.browser(t)
	ob.signIn(office, access.RoleProgrammeOffice)
	tb.signIn(trainer, access.RoleTrainer)
	pb.signIn(participant, access.RoleParticipant)
	mb.signIn(manager, access.RoleManager)
	officeP := access.Principal{Subject: office.Subject, Roles: []access.Role{access.RoleProgrammeOffice}}

	// The running cohort (the one started last) and its programme.
	cs, _, err := s.app.Cohorts(t.Context(), officeP, usecase.Page{Limit: 100}, 0)
	if err != nil || len(cs) < 2 {
		t.Fatalf("cohorts: %d, %v", len(cs), err)
	}
	running, finished := cs[0], cs[0]
	for _, c := range cs {
		if c.StartsOn.After(running.StartsOn) {
			running = c
		}
		if c.StartsOn.Before(finished.StartsOn) {
			finished = c
		}
	}
	list := ob.get("/programmes")
	if list.status != http.StatusOK || !strings.Contains(list.body, `href="/programmes/`+running.ProgrammeID+`"`) {
		t.Fatalf("office GET /programmes: %d, no link to the running cohort's programme: %s", list.status, list.body)
	}
	checkMarkup(t, "/programmes", list.body)
	pm := []string{"", running.ProgrammeID}
	programmePath := "/programmes/" + pm[1]
	prog := ob.get(programmePath)
	if prog.status != http.StatusOK || !strings.Contains(prog.body, "<table") {
		t.Fatalf("office GET %s: %d", programmePath, prog.status)
	}
	checkMarkup(t, programmePath, prog.body)
	cm := regexp.MustCompile(`href="/cohorts/(` + running.CohortID + `)"`).FindStringSubmatch(prog.body)
	em := regexp.MustCompile(`href="(/entities/[0-9a-f-]{36}/impact\?programmeId=[0-9a-f-]{36})"`).FindStringSubmatch(prog.body)
	if cm == nil || em == nil {
		t.Fatalf("the programme page links to no cohort or no entity: %s", prog.body)
	}
	cohortID := cm[1]
	cohortPath := "/cohorts/" + cohortID
	entityInProgramme := strings.ReplaceAll(em[1], "&amp;", "&")
	entityPath, _, _ := strings.Cut(entityInProgramme, "?")

	t.Run("each page renders for the office and is refused to the others", func(t *testing.T) {
		for _, path := range []string{cohortPath + "/impact", programmePath + "/impact", entityPath, entityInProgramme, cohortPath + "/enrolments"} {
			r := ob.get(path)
			if r.status != http.StatusOK {
				t.Errorf("office GET %s: %d %s", path, r.status, r.body)
			}
			checkMarkup(t, path, r.body)
		}
		for _, b := range []*browser{pb, mb} {
			for _, path := range []string{cohortPath + "/impact", programmePath + "/impact", entityPath, cohortPath + "/enrolments", programmePath + "/impact.csv"} {
				if r := b.get(path); r.status != http.StatusForbidden {
					t.Errorf("participant/manager GET %s: %d, want 403", path, r.status)
				}
			}
		}
		// The trainer reads their cohort's impact (reaction and behaviour),
		// not the programme's or an entity's.
		r := tb.get(cohortPath + "/impact")
		if r.status != http.StatusOK {
			t.Errorf("trainer GET their cohort's impact: %d", r.status)
		}
		checkMarkup(t, cohortPath+"/impact", r.body)
		for _, path := range []string{programmePath + "/impact", entityPath} {
			if r := tb.get(path); r.status != http.StatusForbidden {
				t.Errorf("trainer GET %s: %d, want 403", path, r.status)
			}
		}
		// Only the office is shown the upload form, and only the office may post it.
		if r := tb.get(cohortPath + "/enrolments"); strings.Contains(r.body, `type="file"`) {
			t.Errorf("the trainer is shown the upload form")
		}
		if r := tb.upload(cohortPath+"/enrolments", cohortPath+"/enrolments", enrolmentCSV(manager.Subject, "ok")); r.status != http.StatusForbidden {
			t.Errorf("trainer uploads enrolments: %d, want 403", r.status)
		}
	})

	t.Run("the office's cohort page links its participation as CSV, as the use case counts it; exports are the office's", func(t *testing.T) {
		if page := ob.get(cohortPath); !strings.Contains(page.body, `href="`+cohortPath+`/participation.csv"`) {
			t.Fatalf("the cohort page links no participation export: %s", page.body)
		}
		v, err := s.app.ParticipationExport(t.Context(), officeP, cohortID, 0)
		if err != nil {
			t.Fatal(err)
		}
		{
			r := ob.get(cohortPath + "/participation.csv")
			lines := strings.Split(strings.TrimSpace(r.body), "\n")
			if r.status != http.StatusOK || !strings.HasPrefix(lines[0], "cohortId,cohortTitle,participantId,") || len(lines) != len(v.Participants)+1 {
				t.Fatalf("GET participation.csv: %d, %d lines for %d participants:\n%s", r.status, len(lines), len(v.Participants), r.body)
			}
			for _, p := range v.Participants {
				if !strings.Contains(r.body, ","+p.ParticipantID+","+p.Status.String()+",") {
					t.Errorf("participant %s is not exported as the use case counts them", p.ParticipantID)
				}
			}
		}
		for _, b := range []*browser{tb, pb, mb} {
			if r := b.get(cohortPath + "/participation.csv"); r.status != http.StatusForbidden {
				t.Errorf("trainer/participant/manager GET participation.csv: %d, want 403", r.status)
			}
		}
		if page := tb.get(cohortPath); strings.Contains(page.body, "participation.csv") {
			t.Error("the trainer is shown a link to an export they may not have")
		}
	})

	t.Run("an upload with a bad row shows each bad row and enrols nobody; a good file enrols every row", func(t *testing.T) {
		_, before, err := s.app.Enrolments(t.Context(), officeP, cohortID, usecase.Page{Limit: 1}, 0)
		if err != nil {
			t.Fatal(err)
		}
		r := ob.upload(cohortPath+"/enrolments", cohortPath+"/enrolments", enrolmentCSV(manager.Subject, "bad"))
		if r.status != http.StatusBadRequest {
			t.Fatalf("bad upload: %d, want 400: %s", r.status, r.body)
		}
		checkMarkup(t, "bad upload", r.body)
		// Row 3 has no e-mail address, row 4 no role: each is shown by its
		// row number and field, in the table tied to the file field.
		for _, want := range []string{`<th scope="row">3</th><td>email</td><td>is verplicht</td>`, `<th scope="row">4</th><td>role</td>`, `aria-invalid="true"`, `id="enrol-file-error"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the bad upload's page lacks %s", want)
			}
		}
		_, after, err := s.app.Enrolments(t.Context(), officeP, cohortID, usecase.Page{Limit: 1}, 0)
		if err != nil || after != before {
			t.Fatalf("a bad upload enrolled someone: %d → %d (%v)", before, after, err)
		}
		r = ob.upload(cohortPath+"/enrolments", cohortPath+"/enrolments", enrolmentCSV(manager.Subject, "ok"))
		if r.status != http.StatusSeeOther {
			t.Fatalf("good upload: %d %s", r.status, r.body)
		}
		page, _ := ob.follow(r.location)
		if !strings.Contains(page.body, "3 deelnemers ingeschreven") || !strings.Contains(page.body, fmt.Sprintf("Ingeschreven: %d deelnemers", before+3)) {
			t.Fatalf("the page after the upload does not say three were enrolled: %s", page.body)
		}
	})

	t.Run("closing the measurement releases the cohort's figures, the same as the use case's", func(t *testing.T) {
		r := ob.get(cohortPath + "/impact")
		if !strings.Contains(r.body, "measurement-closure") || !strings.Contains(r.body, "Nog niet vrijgegeven") {
			t.Fatalf("the open cohort's impact page offers no closure or shows figures")
		}
		r = ob.post(cohortPath+"/impact", cohortPath+"/measurement-closure", map[string][]string{})
		if r.status != http.StatusSeeOther {
			t.Fatalf("close measurement: %d %s", r.status, r.body)
		}
		page, _ := ob.follow(r.location)
		pos, _ := strconv.ParseUint(regexp.MustCompile(`pos=(\d+)`).FindStringSubmatch(r.location)[1], 10, 64)
		v, err := s.app.CohortImpact(t.Context(), officeP, cohortID, 0, pos)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Released || v.Journeys == 0 {
			t.Fatalf("the use case does not release the cohort: %+v", v.Population)
		}
		checkImpactPage(t, page.body, v)
		if strings.Contains(page.body, `action="/cohorts/`+cohortID+`/measurement-closure"`) {
			t.Errorf("the closed cohort still offers the closure")
		}
		// The trainer sees reaction and behaviour, not learning or results.
		tr := tb.get(cohortPath + "/impact")
		if !strings.Contains(tr.body, `id="level-behaviour"`) || strings.Contains(tr.body, `id="level-learning"`) || strings.Contains(tr.body, `id="level-results"`) {
			t.Errorf("the trainer's impact page shows other levels than reaction and behaviour")
		}
	})

	t.Run("the programme's and entity's impact pages hold the use case's numbers and export them", func(t *testing.T) {
		// The finished cohort's programme: its measurement closed by the
		// demo, with figures of every level.
		v, err := s.app.ProgrammeImpact(t.Context(), officeP, finished.ProgrammeID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Behaviour) == 0 || len(v.Reaction) == 0 || len(v.Results) == 0 {
			t.Fatalf("the finished cohort's programme has no behaviour, reaction or results cells: %+v", v.Population)
		}
		path := "/programmes/" + finished.ProgrammeID
		r := ob.get(path + "/impact")
		checkImpactPage(t, r.body, v)
		if !strings.Contains(r.body, `id="chart-results-`) {
			t.Errorf("the programme's impact has no level 4 series chart")
		}
		csv := ob.get(path + "/impact.csv")
		if csv.status != http.StatusOK || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(csv.body, "released,true,population,"+strconv.Itoa(v.Journeys)) {
			t.Fatalf("the CSV export: %d %s %.300s", csv.status, csv.header.Get("Content-Type"), csv.body)
		}
		for _, c := range v.Behaviour {
			if !strings.Contains(csv.body, ","+strconv.FormatFloat(c.MeanPre, 'g', -1, 64)+",") {
				t.Errorf("the CSV lacks the mean pre %v of %s", c.MeanPre, c.Name)
			}
		}
		if r := ob.get(programmePath + "/impact"); r.status != http.StatusOK {
			t.Errorf("the running cohort's programme's impact: %d", r.status)
		}
		// A module of the programme: reaction and learning across every
		// released cohort that delivered it.
		mm := regexp.MustCompile(`href="(/modules/([0-9a-f-]{36})/impact)"`).FindAllStringSubmatch(ob.get(path).body, -1)
		if len(mm) == 0 {
			t.Fatalf("the programme page links to no module's impact")
		}
		for _, m := range mm {
			mv, err := s.app.ModuleImpact(t.Context(), officeP, m[2], 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !mv.Released {
				continue
			}
			checkImpactPage(t, ob.get(m[1]).body, mv)
			if pb.get(m[1]).status != http.StatusForbidden || tb.get(m[1]).status != http.StatusForbidden {
				t.Errorf("a participant or trainer reads %s", m[1])
			}
			break
		}
		ent := ob.get(entityInProgramme)
		if ent.status != http.StatusOK || !strings.Contains(ent.body, "Vrijgegeven</dt><dd>ja") {
			t.Errorf("the entity-in-programme impact: %d, not released", ent.status)
		}
	})

	t.Run("the trainer records attendance, an intervision session and gives an assignment; others may not", func(t *testing.T) {
		dash := tb.get(cohortPath)
		dm := regexp.MustCompile(`href="(` + cohortPath + `/deliveries/[0-9a-f-]{36})"`).FindStringSubmatch(dash.body)
		if dm == nil {
			t.Fatalf("the dashboard links to no delivery")
		}
		delivery := dm[1]
		page := tb.get(delivery)
		if page.status != http.StatusOK {
			t.Fatalf("trainer GET %s: %d", delivery, page.status)
		}
		checkMarkup(t, delivery, page.body)
		// A participant not excused yet is excused; recording the status
		// they have already is refused and shown with the form.
		var pid, same []string
		for _, m := range regexp.MustCompile(`id="attendance-([0-9a-f-]{36})-who">[^<]+</th>\s*<td>([^<]+)</td>`).FindAllStringSubmatch(page.body, -1) {
			if m[2] != "afgemeld" && pid == nil {
				pid = m
			}
			if m[2] == "aanwezig" && same == nil {
				same = m
			}
		}
		if pid == nil {
			t.Fatalf("the delivery has no participant to excuse")
		}
		if same != nil {
			r := tb.post(delivery, delivery+"/attendance", map[string][]string{"participantId": {same[1]}, "status": {"present"}, "idem": {uuid.NewString()}})
			if r.status != http.StatusConflict || !strings.Contains(r.body, `role="alert"`) {
				t.Errorf("recording the same attendance again: %d, want 409 with the form's alert", r.status)
			}
		}
		r := tb.post(delivery, delivery+"/attendance", map[string][]string{"participantId": {pid[1]}, "status": {"excused"}, "idem": {uuid.NewString()}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("record attendance: %d %s", r.status, r.body)
		}
		page, _ = tb.follow(r.location)
		row := regexp.MustCompile(`id="attendance-` + pid[1] + `-who">[^<]+</th>\s*<td>afgemeld</td>`)
		if !row.MatchString(page.body) {
			t.Errorf("after recording, the delivery does not show the participant excused")
		}
		// Attendance per participant is the cohort's trainers' to keep and read.
		for _, b := range []*browser{ob, pb} {
			if r := b.get(delivery); r.status != http.StatusForbidden {
				t.Errorf("office/participant GET %s: %d, want 403", delivery, r.status)
			}
		}

		// An assignment for every participant still in the cohort.
		assignments := cohortPath + "/assignments"
		before, err := s.app.Dashboard(t.Context(), officeP, cohortID, usecase.DashboardQuery{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		page = tb.get(assignments)
		checkMarkup(t, assignments, page.body)
		mod := regexp.MustCompile(`<option value="([0-9a-f-]{36})"`).FindStringSubmatch(page.body)
		if page.status != http.StatusOK || mod == nil {
			t.Fatalf("trainer GET %s: %d, no module to choose", assignments, page.status)
		}
		if r := tb.post(assignments, assignments, map[string][]string{"moduleId": {mod[1]}, "title": {"Voer een slecht-nieuwsgesprek"}, "dueOn": {"morgen"}}); r.status != http.StatusBadRequest ||
			!strings.Contains(r.body, `id="assignment-dueOn-error"`) {
			t.Errorf("an assignment with a bad date: %d, the error not tied to its field", r.status)
		}
		r = tb.post(assignments, assignments, map[string][]string{"moduleId": {mod[1]}, "title": {"Voer een slecht-nieuwsgesprek"}, "dueOn": {"2026-06-01"}, "idem": {uuid.NewString()}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("give assignment: %d %s", r.status, r.body)
		}
		pos, _ := strconv.ParseUint(regexp.MustCompile(`pos=(\d+)`).FindStringSubmatch(r.location)[1], 10, 64)
		after, err := s.app.Dashboard(t.Context(), officeP, cohortID, usecase.DashboardQuery{}, pos)
		if err != nil {
			t.Fatal(err)
		}
		n := after.Assignments.Given - before.Assignments.Given
		page, _ = tb.follow(r.location)
		if n == 0 || !strings.Contains(page.body, fmt.Sprintf("Opdracht gegeven aan %d deelnemers", n)) {
			t.Errorf("giving an assignment gave %d, the page says: %s", n, regexp.MustCompile(`Opdracht gegeven aan \d+`).FindString(page.body))
		}
		if r := pb.get(assignments); r.status != http.StatusForbidden {
			t.Errorf("participant GET %s: %d, want 403", assignments, r.status)
		}

		// An intervision session of a group of the cohort, when it has one.
		gm := regexp.MustCompile(`href="(` + cohortPath + `/groups/[0-9a-f-]{36})"`).FindStringSubmatch(dash.body)
		if gm == nil {
			t.Logf("the running cohort has no intervision group yet: the group page is not exercised")
			return
		}
		group := gm[1]
		page = tb.get(group)
		if page.status != http.StatusOK {
			t.Fatalf("trainer GET %s: %d", group, page.status)
		}
		checkMarkup(t, group, page.body)
		members := regexp.MustCompile(`name="attendeeIds" value="([^"]+)"`).FindAllStringSubmatch(page.body, -1)
		form := map[string][]string{"heldOn": {"2026-03-02"}, "method": {"Incidentmethode " + t.Name()}, "idem": {uuid.NewString()}}
		for _, m := range members {
			form["attendeeIds"] = append(form["attendeeIds"], m[1])
		}
		r = tb.post(group, group+"/sessions", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("record session: %d %s", r.status, r.body)
		}
		if page, _ = tb.follow(r.location); !strings.Contains(page.body, "Incidentmethode "+t.Name()) {
			t.Errorf("the group's page does not show the session recorded")
		}
		if r := pb.get(group); r.status != http.StatusForbidden {
			t.Errorf("participant GET %s: %d, want 403", group, r.status)
		}
	})

	t.Run("the office records a quarter's key figures; a bad percentage is shown at its field", func(t *testing.T) {
		kf := strings.TrimSuffix(entityPath, "/impact") + "/key-figures"
		page := ob.get(kf)
		if page.status != http.StatusOK {
			t.Fatalf("office GET %s: %d %s", kf, page.status, page.body)
		}
		checkMarkup(t, kf, page.body)
		r := ob.post(kf, kf, map[string][]string{"quarter": {"2026-Q1"}, "absenteeismPct": {"veel"}, "turnoverPct": {"3"}, "idem": {uuid.NewString()}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="keyfigures-absenteeismPct-error"`) {
			t.Fatalf("a bad percentage: %d, its error not at its field", r.status)
		}
		checkMarkup(t, kf+" (refused)", r.body)
		r = ob.post(kf, kf, map[string][]string{"quarter": {"2026-q1"}, "absenteeismPct": {"4,25"}, "turnoverPct": {""}, "idem": {uuid.NewString()}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("record key figures: %d %s", r.status, r.body)
		}
		if page, _ = ob.follow(r.location); !strings.Contains(page.body, `<th scope="row">2026-Q1</th><td>4.25</td><td>–</td>`) {
			t.Errorf("the key figures page does not show 2026-Q1 with 4.25%% absenteeism")
		}
		for _, b := range []*browser{tb, pb} {
			if r := b.get(kf); r.status != http.StatusForbidden {
				t.Errorf("trainer/participant GET %s: %d, want 403", kf, r.status)
			}
		}
	})

	t.Run("the impact page weighs at most 150 KB compressed", func(t *testing.T) {
		r := ob.get("/programmes/" + finished.ProgrammeID + "/impact")
		total := gzipSize(t, []byte(r.body))
		for _, m := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(r.body, -1) {
			total += gzipSize(t, []byte(ob.get(m[1]).body))
		}
		t.Logf("the programme's impact page: %d bytes compressed with its CSS", total)
		if total > 150<<10 {
			t.Errorf("the impact page weighs %d bytes compressed, above 150 KB", total)
		}
	})
}

// officeOptions is the data set of the office's pages: a finished cohort
// and a running one.
var officeOptions = demo.Options{Seed: 1, Cohorts: 2, Participants: 8}

// checkImpactPage checks that the page shows v: released, the population,
// the suppressed cells, every cell's figures in the tables (two decimals,
// as the page writes them), and the charts with their text alternatives.
func checkImpactPage(t *testing.T, body string, v usecase.Impact) {
	t.Helper()
	checkMarkup(t, "impact", body)
	t.Logf("impact of %d journeys: %d reaction, %d learning, %d behaviour, %d results cells, %d suppressed", v.Journeys, len(v.Reaction), len(v.Learning), len(v.Behaviour), len(v.Results), v.SuppressedCells)
	if !strings.Contains(body, "Vrijgegeven</dt><dd>ja") || !strings.Contains(body, fmt.Sprintf("%d trajecten uit %d vrijgegeven groepen", v.Journeys, len(v.Cohorts))) ||
		!strings.Contains(body, fmt.Sprintf("<dd>%d (cellen met", v.SuppressedCells)) {
		t.Errorf("the page does not show the released population of %d journeys and %d suppressed cells", v.Journeys, v.SuppressedCells)
	}
	f := func(x float64) string { return "<td>" + strconv.FormatFloat(x, 'f', 2, 64) + "</td>" }
	for _, c := range v.Behaviour {
		row := regexp.MustCompile(`<tr><th scope="row">` + regexp.QuoteMeta(c.Name) + ` · [^<]+</th><td>` + strconv.Itoa(c.N) + `</td>` +
			regexp.QuoteMeta(f(c.MeanPre)+f(c.MeanPost)+f(c.MeanChange)))
		if !row.MatchString(body) {
			t.Errorf("the behaviour table lacks %s (n %d, pre %.2f, post %.2f)", c.Name, c.N, c.MeanPre, c.MeanPost)
		}
		if c.DZ != nil && !strings.Contains(body, f(*c.DZ)) {
			t.Errorf("the behaviour table lacks dz %.2f of %s", *c.DZ, c.Name)
		}
	}
	for _, c := range v.Reaction {
		if !strings.Contains(body, "<td>"+strconv.Itoa(c.N)+"</td>"+f(c.Mean)+f(c.SD)) {
			t.Errorf("the reaction table lacks question %s (n %d, mean %.2f)", c.QuestionID, c.N, c.Mean)
		}
	}
	for _, e := range v.Results {
		for _, q := range e.Quarters {
			if q.AbsenteeismPct != nil && !strings.Contains(body, "<th scope=\"row\">"+q.Quarter+"</th>"+f(*q.AbsenteeismPct)) {
				t.Errorf("the results table lacks %s's absenteeism %.2f", q.Quarter, *q.AbsenteeismPct)
			}
		}
	}
	if len(v.Behaviour) > 0 {
		for _, want := range []string{`<title id="chart-dz-title">`, `<desc id="chart-dz-desc">`, `aria-labelledby="chart-dz-title chart-dz-desc"`,
			`<title id="chart-prepost-title">`, "indicatief", `role="img"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the behaviour charts lack %s", want)
			}
		}
	}
	if len(v.Reaction) > 0 && !strings.Contains(body, `<desc id="chart-reaction-desc">`) {
		t.Errorf("the reaction chart lacks its description")
	}
}

// enrolmentCSV is an upload of three new participants under manager: "ok"
// all good; "bad" with row 3 lacking its e-mail address and row 4 its role.
func enrolmentCSV(manager, kind string) []byte {
	var b bytes.Buffer
	b.WriteString("participantId;name;email;role;managerId\n")
	for i := range 3 {
		email, role := fmt.Sprintf("nieuw%d@example.org", i), "beginning-manager"
		if kind == "bad" && i == 1 {
			email = ""
		}
		if kind == "bad" && i == 2 {
			role = ""
		}
		fmt.Fprintf(&b, "%s;Nieuwe deelnemer %d;%s;%s;%s\n", uuid.NewString(), i, email, role, manager)
	}
	return b.Bytes()
}

// upload posts file as the upload form of the page at from does.
func (b *browser) upload(from, path string, file []byte) response {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", b.csrf(from))
	_ = mw.WriteField("idem", uuid.NewString())
	fw, err := mw.CreateFormFile("file", "deelnemers.csv")
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.site.url+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.site.url)
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	raw, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(raw), location: res.Header.Get("Location")}
}
