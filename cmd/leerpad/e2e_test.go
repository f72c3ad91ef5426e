package main

// Browser tests: headless Chromium (internal/browsertest) through the real
// service (leerpad seed, then leerpad serve in-process, embedded node) with
// the demo data set. Every page a flow visits is checked with axe-core for
// WCAG 2.1 A and AA. With LEERPAD_SCREENSHOTS set (make screenshots), each
// role's main page is saved there as a PNG.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/internal/browsertest"
	"github.com/leerpad/leerpad/internal/testoidc"
)

// tab is one browser tab on the service, checking every page it lands on.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	// pages counts the pages checked with axe; violations the violations.
	pages, violations int
}

func newTab(t *testing.T, b *browsertest.Browser, base string) *tab {
	t.Helper()
	return &tab{t: t, ctx: b.NewTab(t, 5*time.Minute), base: base}
}

// landed checks the page the tab is on: the status of its last response,
// and axe-core. It returns the status.
func (tb *tab) landed(status int64, err error, what string) int64 {
	tb.t.Helper()
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	loc := tb.location()
	if strings.HasPrefix(loc, tb.base) {
		tb.pages++
		tb.violations += browsertest.CheckA11y(tb.t, tb.ctx, strings.TrimPrefix(loc, tb.base))
	}
	return status
}

// open navigates to path (on the service unless absolute) and checks the page.
func (tb *tab) open(path string) int64 {
	tb.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = tb.base + path
	}
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Navigate(u))
	if err == nil && resp == nil {
		err = errors.New("no response")
	}
	if err != nil {
		return tb.landed(0, fmt.Errorf("open %s: %w", u, err), "open "+path)
	}
	return tb.landed(resp.Status, nil, "open "+path)
}

// submit clicks the button sel (a CSS selector), waits for the page the
// form leads to and checks it.
func (tb *tab) submit(sel string) int64 {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err == nil && resp == nil {
		err = errors.New("no response")
	}
	if err != nil {
		return tb.landed(0, fmt.Errorf("submit %s at %s: %w", sel, tb.location(), err), "submit")
	}
	return tb.landed(resp.Status, nil, "submit "+sel)
}

// fill types v into the field sel (after clearing it).
func (tb *tab) fill(sel, v string) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.querySelector(%q).value = ''", sel)),
		chromedp.SendKeys(chromedp.CSS(sel), v)); err != nil {
		tb.t.Fatalf("fill %s at %s: %v", sel, tb.location(), err)
	}
}

// has reports whether the page has an element matching sel.
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%q) !== null", sel)))
	if err != nil {
		tb.t.Fatalf("look for %s: %v", sel, err)
	}
	return ok
}

// text is the text of the page's main element (the body when it has none).
func (tb *tab) text() string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`(document.querySelector("main") || document.body).innerText`))
	if err != nil {
		tb.t.Fatalf("read the page: %v", err)
	}
	return s
}

func (tb *tab) location() string {
	tb.t.Helper()
	loc, err := chromedp.Run(tb.ctx, chromedp.Location())
	if err != nil {
		tb.t.Fatalf("location: %v", err)
	}
	return loc
}

// screenshot saves the page as name.png in LEERPAD_SCREENSHOTS, when set.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	dir := os.Getenv("LEERPAD_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := browsertest.Screenshot(tb.ctx, filepath.Join(dir, name+".png")); err != nil {
		tb.t.Errorf("screenshot %s: %v", name, err)
	}
}

// demoSignIn signs in through the demo list as subject in role.
func (tb *tab) demoSignIn(subject, role string) {
	tb.t.Helper()
	if st := tb.open("/signin"); st != http.StatusOK {
		tb.t.Fatalf("the demo sign-in answered %d", st)
	}
	sel := fmt.Sprintf(`form[action="/signin/callback"]:has(input[name=subject][value=%q]):has(input[name=role][value=%q]) button`, subject, role)
	if !tb.has(sel) {
		tb.t.Fatalf("the demo sign-in lists no %s %s:\n%s", role, subject, tb.text())
	}
	if st := tb.submit(sel); st != http.StatusOK {
		tb.t.Fatalf("signing in as the demo's %s answered %d at %s", role, st, tb.location())
	}
}

func (tb *tab) signOut() {
	tb.t.Helper()
	if st := tb.submit(`form[action="/signout"] button`); st != http.StatusOK {
		tb.t.Fatalf("signing out answered %d at %s", st, tb.location())
	}
}

// pagesClock is the pages' clock in the browser tests: the real time plus
// an offset the test moves on.
type pagesClock struct{ offset atomic.Int64 }

func (c *pagesClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *pagesClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

var (
	confirmedBy = regexp.MustCompile(`door (\d) van 2 bevestigd|definitief`)
	raterKey    = regexp.MustCompile(`lprl_[A-Za-z0-9_-]{43}`)
)

// TestBrowser runs the flows of the pages in headless Chromium through the
// real service on the demo data set: with the demo sign-in, the participant
// logs an experiment and shares it, opens a 360 round and nominates a rater;
// the manager reads the experiment in the portfolio and approves the rater,
// who answers the questionnaire with the key of their link; the manager
// records and confirms a development conversation; forged form posts are
// refused; the programme office and a trainer reach the cohorts and their
// dashboards;
// then, with the sign-in through a real OIDC provider (internal/testoidc),
// the participant signs in there, an expired session sends them back to
// sign in, sign-out ends the session at the provider too, and a person
// without a Leerpad role is refused. axe-core finds no WCAG 2.1 A or AA
// violation on any page.
func TestBrowser(t *testing.T) {
	b := browsertest.Shared(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir, env := seedDemo(t, ctx)
	for _, name := range []string{"LEERPAD_PARTICIPANT", "LEERPAD_JOURNEY", "LEERPAD_MANAGER", "LEERPAD_TRAINER"} {
		if env[name] == "" {
			t.Fatalf("leerpad seed --env set no %s", name)
		}
	}
	var pages, violations int
	t.Run("demo", func(t *testing.T) {
		svc := startServe(t, ctx, dir, env, nil, "--demo-signin")
		p, v := demoFlows(t, b, svc)
		pages, violations = pages+p, violations+v
		svc.stop()
	})
	t.Run("oidc", func(t *testing.T) {
		p, v := oidcFlows(t, b, ctx, dir, env)
		pages, violations = pages+p, violations+v
	})
	t.Logf("axe-core (WCAG 2.1 A and AA) checked %d pages: %d violations", pages, violations)
}

func demoFlows(t *testing.T, b *browsertest.Browser, svc *service) (pages, violations int) {
	journeyID, participant, manager := svc.env["LEERPAD_JOURNEY"], svc.env["LEERPAD_PARTICIPANT"], svc.env["LEERPAD_MANAGER"]
	jpath := "/journeys/" + journeyID
	intention := "Ik vraag in elk werkoverleg eerst wat het team nodig heeft (" + strconv.FormatInt(time.Now().UnixNano(), 36) + ")"

	// The participant.
	pt := newTab(t, b, svc.base)
	defer func() { pages, violations = pages+pt.pages, violations+pt.violations }()
	if st := pt.open("/"); st != http.StatusOK {
		t.Fatalf("the home page answered %d", st)
	}
	pt.demoSignIn(participant, "participant")
	if loc := pt.location(); loc != svc.base+jpath {
		t.Fatalf("the participant's sign-in led to %s, want their journey %s", loc, jpath)
	}
	pt.screenshot("participant")
	if st := pt.open(jpath + "/plan"); st != http.StatusOK {
		t.Fatalf("the learning plan answered %d", st)
	}
	log := `form[action="` + jpath + `/experiments"]`
	pt.fill(log+` textarea[name=intention]`, intention)
	if st := pt.submit(log + ` button[type=submit]`); st != http.StatusOK || !strings.Contains(pt.text(), intention) {
		t.Fatalf("logging an experiment: %d at %s, the plan shows it: %v", st, pt.location(), strings.Contains(pt.text(), intention))
	}
	if st := pt.open(jpath + "/sharing"); st != http.StatusOK {
		t.Fatalf("the sharing page answered %d", st)
	}
	grant := `form:has(input[name=section][value=experiments]):has(input[name=share][value=grant]) button`
	revoke := `form:has(input[name=section][value=experiments]):has(input[name=share][value=revoke]) button`
	if pt.has(grant) {
		if st := pt.submit(grant); st != http.StatusOK {
			t.Fatalf("sharing the experiments answered %d", st)
		}
	}
	if !pt.has(revoke) {
		t.Fatalf("after sharing, the experiments are not shared:\n%s", pt.text())
	}
	if !pt.has(`#sharing-history + table tbody th[scope=row] time`) {
		t.Fatalf("the sharing page has no history of what was shared:\n%s", pt.text())
	}
	// Mijn gegevens: the download, who read the portfolio and the erasure
	// form (not sent: this participant's journey is needed below).
	if st := pt.open("/my-data"); st != http.StatusOK || !pt.has(`a[href="/my-data/download"]`) || !pt.has(`form[action="/my-data/erasure"] input[type=checkbox][name=confirm]`) {
		t.Fatalf("the my-data page answered %d:\n%s", st, pt.text())
	}
	// A 360 round: open one (unless one is open) and nominate a peer, whose
	// personal link is shown once; the manager approves the rater below.
	feedbackPath := jpath + "/feedback"
	if st := pt.open(feedbackPath); st != http.StatusOK {
		t.Fatalf("the 360 page answered %d", st)
	}
	openRound := `form[action="` + feedbackPath + `/rounds"]`
	if pt.has(openRound) {
		if err := chromedp.Do(pt.ctx, chromedp.SetValue(chromedp.CSS(openRound+` select[name=kind]`), "extra")); err != nil {
			t.Fatal(err)
		}
		if st := pt.submit(openRound + ` button[type=submit]`); st != http.StatusOK {
			t.Fatalf("opening a 360 round answered %d", st)
		}
	}
	nominate := `form[action^="` + feedbackPath + `/rounds/"][action$="/raters"]`
	if !pt.has(nominate) {
		t.Fatalf("the 360 page has no open round to nominate raters in:\n%s", pt.text())
	}
	if err := chromedp.Do(pt.ctx, chromedp.SetValue(chromedp.CSS(nominate+` select[name=group]`), "peer")); err != nil {
		t.Fatal(err)
	}
	pt.fill(nominate+` input[name=name]`, "Sam Jansen")
	pt.fill(nominate+` input[name=email]`, "sam.jansen@example.org")
	if st := pt.submit(nominate + ` button[type=submit]`); st != http.StatusOK || raterKey.FindString(pt.text()) == "" {
		t.Fatalf("nominating a rater: %d, the rater's key shown: %v", st, raterKey.FindString(pt.text()) != "")
	}
	key := raterKey.FindString(pt.text())
	pt.signOut()
	if !strings.Contains(pt.text(), "U bent afgemeld") {
		t.Errorf("after signing out the home page says:\n%s", pt.text())
	}
	if st := pt.open(jpath + "/plan"); st != http.StatusOK || !strings.HasPrefix(pt.location(), svc.base+"/signin") {
		t.Errorf("after signing out the plan led to %s (%d), want the sign-in", pt.location(), st)
	}

	// The manager.
	mt := newTab(t, b, svc.base)
	defer func() { pages, violations = pages+mt.pages, violations+mt.violations }()
	mt.demoSignIn(manager, "manager")
	if loc := mt.location(); loc != svc.base+"/people" || !mt.has(`a[href="`+jpath+`/portfolio"]`) {
		t.Fatalf("the manager's sign-in led to %s, without the participant's portfolio:\n%s", loc, mt.text())
	}
	mt.screenshot("manager")
	if st := mt.open(jpath + "/portfolio"); st != http.StatusOK || !strings.Contains(mt.text(), intention) {
		t.Fatalf("the manager's portfolio (%d) lacks the shared experiment %q:\n%s", st, intention, mt.text())
	}
	// The manager approves the nominated rater.
	if st := mt.open("/raters"); st != http.StatusOK {
		t.Fatalf("the rater decisions answered %d", st)
	}
	approve := `form[action="/raters"]:has(input[name=journeyId][value="` + journeyID + `"]):has(input[name=decision][value=approve]) button`
	pending, err := chromedp.Run(mt.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", approve)))
	if err != nil || pending == 0 {
		t.Fatalf("the manager has no rater of the participant to approve (%v):\n%s", err, mt.text())
	}
	if st := mt.submit(approve); st != http.StatusOK {
		t.Fatalf("approving the rater answered %d", st)
	}
	left, err := chromedp.Run(mt.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", approve)))
	if err != nil || left != pending-1 {
		t.Errorf("after approving one of %d raters, %d wait (%v)", pending, left, err)
	}

	// The rater answers with the key of their link, without an account.
	rt := newTab(t, b, svc.base)
	if st := rt.open("/rate"); st != http.StatusOK {
		t.Fatalf("the rater's start answered %d", st)
	}
	rt.fill(`form[action="/rate"] input[name=key]`, key)
	if st := rt.submit(`form[action="/rate"] button[type=submit]`); st != http.StatusOK || !rt.has(`form[action="/rate/form"]`) {
		t.Fatalf("the rater's key: %d at %s:\n%s", st, rt.location(), rt.text())
	}
	answered, err := chromedp.Run(rt.ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('form[action="/rate/form"] fieldset.lp-field')].map(f => {
		const r = f.querySelectorAll('input[type=radio]'); r[Math.min(2, r.length - 1)].click(); return 1 }).length`))
	if err != nil || answered == 0 {
		t.Fatalf("the rater's form has no questions to answer (%v):\n%s", err, rt.text())
	}
	rt.fill(`form[action="/rate/form"] textarea[name=comment]`, "Luistert goed en vraagt door.")
	if st := rt.submit(`form[action="/rate/form"] button[type=submit]`); st != http.StatusOK || !strings.Contains(rt.text(), "Uw antwoorden zijn opgeslagen") {
		t.Errorf("the rater's %d answers: %d at %s:\n%s", answered, st, rt.location(), rt.text())
	}
	pages, violations = pages+rt.pages, violations+rt.violations

	conversations := jpath + "/conversations"
	if st := mt.open(conversations); st != http.StatusOK {
		t.Fatalf("the conversations answered %d", st)
	}
	agreement := "We spreken elke maand af (" + strconv.FormatInt(time.Now().UnixNano(), 36) + ")"
	record := `form[action="` + conversations + `"]`
	mt.fill(record+` textarea[name=agreements]`, agreement)
	mt.fill(record+` textarea[name=nextQuestions]`, "Wat heeft het team van mij nodig?")
	if st := mt.submit(record + ` button[type=submit]`); st != http.StatusOK {
		t.Fatalf("recording a conversation answered %d at %s", st, mt.location())
	}
	recorded := mt.conversationWith(conversations, agreement)
	before := confirmedBy.FindString(mt.text())
	if st := mt.submit(`form[action$="/confirm"] button`); st != http.StatusOK {
		t.Fatalf("confirming the conversation answered %d", st)
	}
	if st := mt.open(recorded); st != http.StatusOK {
		t.Fatalf("the conversation answered %d", st)
	}
	if after := confirmedBy.FindString(mt.text()); after == before || after == "" {
		t.Errorf("confirming the conversation: %q before, %q after", before, after)
	}

	// Forged posts: without the form's token on this site, and from
	// another origin, are refused and write nothing.
	mt.open(conversations)
	if err := chromedp.Do(mt.ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())`)); err != nil {
		t.Fatal(err)
	}
	mt.fill(record+` textarea[name=agreements]`, "vervalst zonder token")
	mt.fill(record+` textarea[name=nextQuestions]`, "vervalst")
	if st := mt.submit(record + ` button[type=submit]`); st != http.StatusForbidden {
		t.Errorf("a post without its CSRF token answered %d, want 403", st)
	}
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, `<!doctype html><html lang="nl"><head><title>x</title></head><body><form method="post" action="%s%s">
<input type="hidden" name="csrf" value="geraden"><input type="hidden" name="heldOn" value="2026-04-01">
<input type="hidden" name="agreements" value="vervalst van elders"><input type="hidden" name="nextQuestions" value="x">
<button type="submit">Win een prijs</button></form></body></html>`, svc.base, conversations)
	}))
	defer evil.Close()
	mt.open(evil.URL)
	if st := mt.submit(`button`); st != http.StatusForbidden {
		t.Errorf("a post from another origin answered %d, want 403", st)
	}
	mt.open(conversations)
	if txt := mt.text(); strings.Contains(txt, "vervalst") {
		t.Errorf("a forged post was written:\n%s", txt)
	}
	for _, l := range mt.links(conversations + "/") {
		mt.open(l)
		if strings.Contains(mt.text(), "vervalst") {
			t.Errorf("a forged post was written: %s", l)
		}
	}

	// The programme office and a trainer: the cohorts.
	for _, who := range []struct{ role, subject string }{{"programme-office", ""}, {"trainer", svc.env["LEERPAD_TRAINER"]}} {
		ot := newTab(t, b, svc.base)
		if who.subject == "" {
			ot.open("/signin")
			sel := `form:has(input[name=role][value="` + who.role + `"]) input[name=subject]`
			s, err := chromedp.Run(ot.ctx, chromedp.Evaluate[string](fmt.Sprintf("document.querySelector(%q).value", sel)))
			if err != nil {
				t.Fatalf("the demo sign-in lists no %s: %v", who.role, err)
			}
			who.subject = s
		}
		ot.demoSignIn(who.subject, who.role)
		if loc := ot.location(); loc != svc.base+"/cohorts" {
			t.Errorf("the %s's sign-in led to %s, want /cohorts", who.role, loc)
		}
		ot.screenshot(who.role)
		// Each cohort's dashboard.
		for _, l := range ot.links("/cohorts/") {
			if st := ot.open(l); st != http.StatusOK {
				t.Errorf("the %s's %s answered %d", who.role, l, st)
			}
		}
		pages, violations = pages+ot.pages, violations+ot.violations
	}
	p, v := officeFlow(t, b, svc)
	return pages + p, violations + v
}

// officeFlow is the programme office's flow: it uploads an enrolment file
// with a bad row (shown, nobody enrolled), then a good one, into the
// running cohort; and reads the impact pages of the programmes, of which
// at least one shows its charts with their tables.
func officeFlow(t *testing.T, b *browsertest.Browser, svc *service) (pages, violations int) {
	ot := newTab(t, b, svc.base)
	ot.open("/signin")
	office, err := chromedp.Run(ot.ctx, chromedp.Evaluate[string](`document.querySelector('form:has(input[name=role][value="programme-office"]) input[name=subject]').value`))
	if err != nil {
		t.Fatalf("the demo sign-in lists no programme office: %v", err)
	}
	ot.demoSignIn(office, "programme-office")

	enrol := "/cohorts/" + svc.env["LEERPAD_COHORT"] + "/enrolments"
	if st := ot.open(enrol); st != http.StatusOK {
		t.Fatalf("the enrolment page answered %d", st)
	}
	dir := t.TempDir()
	files := map[string]string{}
	for _, kind := range []string{"bad", "good"} {
		var csv strings.Builder
		csv.WriteString("participantId;name;email;role;managerId\n")
		for i := range 2 {
			email := fmt.Sprintf("browser%d@example.org", i)
			if kind == "bad" && i == 1 {
				email = "not-an-email"
			}
			fmt.Fprintf(&csv, "%s;Deelnemer %d;%s;beginning-manager;%s\n", uuid.NewString(), i, email, svc.env["LEERPAD_MANAGER"])
		}
		files[kind] = filepath.Join(dir, kind+".csv")
		if err := os.WriteFile(files[kind], []byte(csv.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	form := `form[action="` + enrol + `"]`
	upload := func(kind string) int64 {
		t.Helper()
		if err := chromedp.Do(ot.ctx, chromedp.SetUploadFiles(chromedp.CSS(form+` input[type=file]`), []string{files[kind]})); err != nil {
			t.Fatalf("choose the %s file: %v", kind, err)
		}
		return ot.submit(form + ` button[type=submit]`)
	}
	if st := upload("bad"); st != http.StatusBadRequest || !ot.has(`#enrol-file-error table`) || !strings.Contains(ot.text(), "not-an-email") && !strings.Contains(ot.text(), "email") {
		t.Fatalf("the bad file: %d, its rows shown: %v:\n%s", st, ot.has(`#enrol-file-error table`), ot.text())
	}
	ot.screenshot("office-enrolment-errors")
	if st := upload("good"); st != http.StatusOK || !strings.Contains(ot.text(), "2 deelnemers ingeschreven") {
		t.Fatalf("the good file: %d at %s:\n%s", st, ot.location(), ot.text())
	}

	if st := ot.open("/programmes"); st != http.StatusOK {
		t.Fatalf("the programmes answered %d", st)
	}
	charts := 0
	for _, l := range ot.links("/programmes/") {
		if !strings.HasSuffix(l, "/impact") {
			continue
		}
		if st := ot.open(l); st != http.StatusOK {
			t.Errorf("%s answered %d", l, st)
			continue
		}
		if ot.has(`svg.lp-chart[role=img] title`) && ot.has(`svg.lp-chart ~ .lp-scroll table caption`) {
			if charts == 0 {
				ot.screenshot("office-impact")
			}
			charts++
		}
	}
	if charts == 0 {
		t.Errorf("no programme's impact page shows a chart with its table")
	}
	// A programme's page, a module's impact, the programme's entities' key
	// figures, and the running cohort's impact.
	ot.open("/programmes")
	if ls := ot.links("/programmes/"); len(ls) == 0 {
		t.Errorf("the programmes page links to no programme")
	} else {
		ot.open(ls[0])
		if ms := ot.links("/modules/"); len(ms) > 0 {
			if st := ot.open(ms[0]); st != http.StatusOK {
				t.Errorf("%s answered %d", ms[0], st)
			}
			ot.open(ls[0])
		}
		for _, l := range ot.links("/entities/") {
			if strings.HasSuffix(l, "/key-figures") {
				if st := ot.open(l); st != http.StatusOK {
					t.Errorf("%s answered %d", l, st)
				}
				break
			}
		}
	}
	if st := ot.open("/cohorts/" + svc.env["LEERPAD_COHORT"] + "/impact"); st != http.StatusOK {
		t.Errorf("the running cohort's impact answered %d", st)
	}
	p, v := trainerFlow(t, b, svc)
	return ot.pages + p, ot.violations + v
}

// trainerFlow is the trainer's: the running cohort's deliveries, groups,
// assignments (one given to every participant) and impact.
func trainerFlow(t *testing.T, b *browsertest.Browser, svc *service) (pages, violations int) {
	tt := newTab(t, b, svc.base)
	defer func() { pages, violations = tt.pages, tt.violations }()
	tt.demoSignIn(svc.env["LEERPAD_TRAINER"], "trainer")
	cohort := "/cohorts/" + svc.env["LEERPAD_COHORT"]
	if st := tt.open(cohort); st != http.StatusOK {
		t.Fatalf("the trainer's cohort answered %d", st)
	}
	var visit []string
	for _, prefix := range []string{cohort + "/deliveries/", cohort + "/groups/"} {
		if ls := tt.links(prefix); len(ls) > 0 {
			visit = append(visit, ls[0])
		}
	}
	visit = append(visit, cohort+"/impact", cohort+"/assignments")
	for _, l := range visit {
		if st := tt.open(l); st != http.StatusOK {
			t.Errorf("the trainer's %s answered %d", l, st)
		}
	}
	give := `form[action="` + cohort + `/assignments"]`
	tt.fill(give+` input[name=title]`, "Voer een slecht-nieuwsgesprek")
	tt.fill(give+` input[name=dueOn]`, "01-06-2026")
	if st := tt.submit(give + ` button[type=submit]`); st != http.StatusOK || !strings.Contains(tt.text(), "Opdracht gegeven aan") {
		t.Errorf("giving an assignment: %d at %s:\n%s", st, tt.location(), tt.text())
	}
	return
}

// links are the hrefs on the page that start with prefix.
func (tb *tab) links(prefix string) []string {
	tb.t.Helper()
	ls, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
		`[...document.querySelectorAll('a[href^=%q]')].map(a => a.getAttribute('href'))`, prefix)))
	if err != nil {
		tb.t.Fatalf("links: %v", err)
	}
	return ls
}

// conversationWith opens the conversations of the list at path until one
// shows text, and returns its path.
func (tb *tab) conversationWith(path, text string) string {
	tb.t.Helper()
	for _, l := range tb.links(path + "/") {
		tb.open(l)
		if strings.Contains(tb.text(), text) {
			return l
		}
		tb.open(path)
	}
	tb.t.Fatalf("no conversation at %s shows %q", path, text)
	return ""
}

func oidcFlows(t *testing.T, b *browsertest.Browser, ctx context.Context, dir string, env map[string]string) (pages, violations int) {
	participant, journeyID := env["LEERPAD_PARTICIPANT"], env["LEERPAD_JOURNEY"]
	op := testoidc.Start(t, testoidc.Config{Users: []testoidc.User{
		{Subject: participant, Username: "deelnemer", Password: "geheim-1", Roles: []string{"participant"}},
		{Subject: "a1b2c3d4-0000-4000-8000-00000000000f", Username: "zonderrol", Password: "geheim-2"},
	}})
	// The callback URL must be registered before serve starts: a free port.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	base := "http://" + addr
	op.RegisterRedirect(base+"/signin/callback", base+"/?signedout=1")
	secret := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secret, []byte(op.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clock := &pagesClock{}
	svc := startServe(t, ctx, dir, env, clock.now, "--listen", addr, "--oidc-issuer", op.Issuer,
		"--oidc-client-id", op.ClientID, "--oidc-client-secret-file", secret, "--oidc-redirect-url", base+"/signin/callback")
	defer svc.stop()

	pt := newTab(t, b, svc.base)
	defer func() { pages, violations = pages+pt.pages, violations+pt.violations }()
	signIn := func(tb *tab, user, password string) int64 {
		t.Helper()
		if loc := tb.location(); !strings.HasPrefix(loc, op.Issuer+"/login") {
			t.Fatalf("the sign-in led to %s, want the provider's form", loc)
		}
		browsertest.CheckA11y(t, tb.ctx, "the test provider's sign-in form")
		tb.fill(`#username`, user)
		tb.fill(`#password`, password)
		return tb.submit(`button[type=submit]`)
	}
	// A page behind the sign-in goes to the provider and comes back there.
	jpath := "/journeys/" + journeyID
	pt.open(jpath + "/plan")
	if st := signIn(pt, "deelnemer", "geheim-1"); st != http.StatusOK || pt.location() != svc.base+jpath+"/plan" || !pt.has(`form[action="`+jpath+`/experiments"]`) {
		t.Fatalf("after signing in at the provider: %d at %s:\n%s", st, pt.location(), pt.text())
	}
	// An idle session expires: the next page sends the browser to sign in again.
	clock.advance(31 * time.Minute)
	pt.open(jpath)
	if loc := pt.location(); !strings.HasPrefix(loc, op.Issuer+"/login") {
		t.Fatalf("with the session expired, the journey led to %s, want the provider's sign-in", loc)
	}
	if st := signIn(pt, "deelnemer", "geheim-1"); st != http.StatusOK || pt.location() != svc.base+jpath {
		t.Fatalf("signing in again: %d at %s", st, pt.location())
	}
	// Sign-out ends the session here and at the provider, and comes back.
	pt.signOut()
	if loc := pt.location(); loc != svc.base+"/?signedout=1" || op.SignOutCount() != 1 {
		t.Errorf("signing out led to %s with %d sign-outs at the provider, want %s/?signedout=1 and 1", loc, op.SignOutCount(), svc.base)
	}
	pt.open(jpath)
	if loc := pt.location(); !strings.HasPrefix(loc, op.Issuer+"/login") {
		t.Errorf("after signing out the journey led to %s, want the provider's sign-in", loc)
	}
	// Someone the provider knows without a Leerpad role is refused.
	nt := newTab(t, b, svc.base)
	defer func() { pages, violations = pages+nt.pages, violations+nt.violations }()
	nt.open("/signin")
	if st := signIn(nt, "zonderrol", "geheim-2"); st != http.StatusForbidden {
		t.Errorf("a person without a Leerpad role: %d at %s, want 403", st, nt.location())
	}
	return pages, violations
}
