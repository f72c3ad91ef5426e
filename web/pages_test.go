package web_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/usecase"
	"github.com/leerpad/leerpad/web"
)

// TestPages drives the pages as their users do, on one seeded site (the
// subtests run in order; the later ones build on what the earlier wrote).
func TestPages(t *testing.T) {
	s := newSite(t, web.Config{})
	participant, manager := s.people.Participants[0], s.people.Managers[0]
	trainer, office := s.people.Trainers[0], s.people.ProgrammeOffice[0]
	journeyPath := "/journeys/" + participant.JourneyID

	t.Run("signed out, every page sends to the sign-in and back", func(t *testing.T) {
		b := s.browser(t)
		for _, path := range []string{"/journey", journeyPath, journeyPath + "/plan", "/people", "/raters", "/cohorts"} {
			r := b.get(path)
			if r.status != http.StatusSeeOther || r.location != "/signin?next="+url.QueryEscape(path) {
				t.Errorf("GET %s signed out: %d to %q, want 303 to the sign-in", path, r.status, r.location)
			}
		}
		r := b.get("/signin")
		checkMarkup(t, "/signin", r.body)
		if r.status != http.StatusOK || !strings.Contains(r.body, participant.Name) || !strings.Contains(r.body, "demo") {
			t.Fatalf("the demo sign-in does not list %s: %d %s", participant.Name, r.status, r.body)
		}
	})

	t.Run("each role's pages render for it and are refused to the others", func(t *testing.T) {
		pb, mb, tb, ob := s.browser(t), s.browser(t), s.browser(t), s.browser(t)
		pb.signIn(participant, access.RoleParticipant)
		mb.signIn(manager, access.RoleManager)
		tb.signIn(trainer, access.RoleTrainer)
		ob.signIn(office, access.RoleProgrammeOffice)

		r, at := pb.follow("/")
		if r.status != http.StatusOK || at != journeyPath {
			t.Fatalf("the participant's home is %s (%d), want their journey %s", at, r.status, journeyPath)
		}
		for _, path := range []string{journeyPath, journeyPath + "/plan", journeyPath + "/feedback", journeyPath + "/portfolio",
			journeyPath + "/sharing", journeyPath + "/conversations"} {
			r := pb.get(path)
			if r.status != http.StatusOK {
				t.Errorf("participant GET %s: %d", path, r.status)
			}
			checkMarkup(t, path, r.body)
		}
		for _, path := range []string{"/people", "/raters", "/cohorts"} {
			if r := pb.get(path); r.status != http.StatusForbidden {
				t.Errorf("participant GET %s: %d, want 403", path, r.status)
			}
		}
		for _, path := range []string{"/people", "/raters", journeyPath + "/portfolio", journeyPath + "/conversations"} {
			r := mb.get(path)
			if r.status != http.StatusOK {
				t.Errorf("manager GET %s: %d %s", path, r.status, r.body)
			}
			checkMarkup(t, path, r.body)
		}
		if r := mb.get("/journey"); r.status != http.StatusForbidden {
			t.Errorf("manager GET /journey: %d, want 403", r.status)
		}
		for _, b := range []*browser{tb, ob} {
			if r := b.get("/cohorts"); r.status != http.StatusOK || !strings.Contains(r.body, "<table") {
				t.Errorf("GET /cohorts: %d, want the list", r.status)
			}
			for _, path := range []string{journeyPath, journeyPath + "/plan", "/people"} {
				if r := b.get(path); r.status != http.StatusForbidden {
					t.Errorf("trainer/office GET %s: %d, want 403", path, r.status)
				}
			}
		}
		// The trainer opens their cohort's dashboard; a participant may not.
		list := tb.get("/cohorts")
		cohort := regexp.MustCompile(`href="(/cohorts/[^"]+)"`).FindStringSubmatch(list.body)
		if cohort == nil {
			t.Fatalf("the trainer's cohorts list links to no cohort")
		}
		if r := tb.get(cohort[1] + "?asOf=2026-04-15"); r.status != http.StatusOK || !strings.Contains(r.body, "<table") {
			t.Errorf("trainer GET %s: %d", cohort[1], r.status)
		}
		if r := pb.get(cohort[1]); r.status != http.StatusForbidden {
			t.Errorf("participant GET %s: %d, want 403", cohort[1], r.status)
		}
		// Another participant's journey is not this participant's to read.
		other := s.browser(t)
		other.signIn(s.people.Participants[1], access.RoleParticipant)
		if r := other.get(journeyPath + "/plan"); r.status != http.StatusForbidden {
			t.Errorf("another participant GET the plan: %d, want 403", r.status)
		}
	})

	t.Run("a form without the session's CSRF token is refused", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(participant, access.RoleParticipant)
		form := url.Values{"learningGoalId": {"x"}, "intention": {"Try"}, "plannedFor": {"2026-05-01"}}
		if r := b.do(http.MethodPost, journeyPath+"/experiments", form); r.status != http.StatusForbidden {
			t.Fatalf("POST without token: %d, want 403", r.status)
		}
		form.Set("csrf", "not-the-token")
		if r := b.do(http.MethodPost, journeyPath+"/experiments", form); r.status != http.StatusForbidden {
			t.Fatalf("POST with a wrong token: %d, want 403", r.status)
		}
		// The right token from another site's page is refused too.
		form.Set("csrf", b.csrf(journeyPath+"/plan"))
		req := url.Values{}
		for k, v := range form {
			req[k] = v
		}
		r := b.doCross(journeyPath+"/experiments", req)
		if r.status != http.StatusForbidden {
			t.Fatalf("cross-site POST: %d, want 403", r.status)
		}
	})

	t.Run("the participant logs an experiment and the manager sees it only once shared", func(t *testing.T) {
		pb, mb := s.browser(t), s.browser(t)
		pb.signIn(participant, access.RoleParticipant)
		mb.signIn(manager, access.RoleManager)
		plan := pb.get(journeyPath + "/plan")
		goal := regexp.MustCompile(`<option value="([^"]+)"`).FindStringSubmatch(plan.body)
		if goal == nil {
			t.Fatalf("no open learning goal to log for: %s", plan.body)
		}
		for _, sec := range []string{"experiments", "learning-goals"} {
			if r := pb.post(journeyPath+"/sharing", journeyPath+"/sharing", url.Values{"section": {sec}, "share": {"revoke"}}); r.status != http.StatusSeeOther {
				t.Fatalf("revoke %s: %d %s", sec, r.status, r.body)
			}
		}
		intention := "Ask the team for one thing to stop doing " + t.Name()
		r := pb.post(journeyPath+"/plan", journeyPath+"/experiments", url.Values{"learningGoalId": {goal[1]}, "intention": {intention}, "plannedFor": {"2026-05-04"}})
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, journeyPath+"/plan?pos=") {
			t.Fatalf("log experiment: %d to %q: %s", r.status, r.location, r.body)
		}
		page, _ := pb.follow(r.location)
		if !strings.Contains(page.body, intention) {
			t.Fatalf("the plan after logging does not show the experiment")
		}
		if tl := pb.get(journeyPath); !strings.Contains(tl.body, "<q>"+intention+"</q>") {
			t.Fatalf("the timeline does not name the new experiment")
		}
		if r := mb.get(journeyPath + "/portfolio"); r.status != http.StatusOK || strings.Contains(r.body, intention) {
			t.Fatalf("the manager sees the experiment before it is shared (%d)", r.status)
		}
		var last response
		for _, sec := range []string{"learning-goals", "experiments"} {
			last = pb.post(journeyPath+"/sharing", journeyPath+"/sharing", url.Values{"section": {sec}, "share": {"grant"}})
			if last.status != http.StatusSeeOther {
				t.Fatalf("grant %s: %d", sec, last.status)
			}
		}
		pos := strings.TrimPrefix(last.location, journeyPath+"/sharing")
		if r := mb.get(journeyPath + "/portfolio" + pos); r.status != http.StatusOK || !strings.Contains(r.body, intention) {
			t.Fatalf("the manager does not see the shared experiment (%d)", r.status)
		}

		// The participant takes the experiment through its steps.
		stepForm := regexp.MustCompile(regexp.QuoteMeta(intention) + `[\s\S]*?action="([^"]+/step)"`)
		for _, step := range []url.Values{
			{"step": {"tried"}, "whatWasTried": {"Asked in the Monday meeting"}, "triedOn": {time.Now().Format(time.DateOnly)}},
			{"step": {"reflected"}, "outcome": {"Two said: fewer status mails"}, "reflection": {"Asking works better than guessing"}},
			{"step": {"concluded"}, "nextStep": {"Ask again in a month"}},
		} {
			page := pb.get(journeyPath + "/plan")
			m := stepForm.FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("no step form for the experiment before %s", step.Get("step"))
			}
			r := pb.post(journeyPath+"/plan", m[1], step)
			if r.status != http.StatusSeeOther {
				t.Fatalf("step %s: %d %s", step.Get("step"), r.status, r.body)
			}
			page, _ = pb.follow(r.location)
			for k, v := range step {
				if k != "step" && k != "triedOn" && !strings.Contains(page.body, v[0]) {
					t.Fatalf("after step %s the plan does not show %q", step.Get("step"), v[0])
				}
			}
		}
	})

	t.Run("the participant nominates a rater, sees the link once, and the manager approves", func(t *testing.T) {
		pb, mb := s.browser(t), s.browser(t)
		pb.signIn(participant, access.RoleParticipant)
		mb.signIn(manager, access.RoleManager)
		fb := journeyPath + "/feedback"
		page := pb.get(fb)
		nominate := regexp.MustCompile(`action="(` + regexp.QuoteMeta(fb) + `/rounds/[^/"]+/raters)"`)
		if nominate.FindStringSubmatch(page.body) == nil {
			r := pb.post(fb, fb+"/rounds", url.Values{"kind": {"extra"}, "instrumentId": {regexp.MustCompile(`name="instrumentId" value="([^"]+)"`).FindStringSubmatch(page.body)[1]}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("open a round: %d %s", r.status, r.body)
			}
			page, _ = pb.follow(r.location)
		}
		m := nominate.FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no nomination form on the 360 page")
		}
		r := pb.post(fb, m[1], url.Values{"group": {"peer"}, "name": {"Sam Peer"}, "email": {"sam.peer@example.org"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("nominate: %d %s", r.status, r.body)
		}
		shown, _ := pb.follow(r.location)
		if !strings.Contains(shown.body, "<code>lpr_") && !strings.Contains(shown.body, "<code>") {
			t.Fatalf("the rater's link is not shown after nominating")
		}
		if again := pb.get(fb); strings.Contains(again.body, "<code>") {
			t.Fatalf("the rater's link is shown a second time")
		}
		key := regexp.MustCompile(`<code>([^<]+)</code>`).FindStringSubmatch(shown.body)[1]
		raters := mb.get("/raters?pos=" + strings.SplitN(strings.TrimPrefix(r.location, fb+"?pos="), "&", 2)[0])
		approve := regexp.MustCompile(`name="raterId" value="([^"]+)"><input type="hidden" name="decision" value="approve">`).FindAllStringSubmatch(raters.body, -1)
		if len(approve) == 0 {
			t.Fatalf("the manager has no rater to approve: %d", raters.status)
		}
		rid := approve[len(approve)-1][1]
		form := url.Values{"decision": {"approve"}, "raterId": {rid},
			"journeyId": {regexp.MustCompile(`name="journeyId" value="([^"]+)"`).FindStringSubmatch(raters.body)[1]},
			"roundId":   {regexp.MustCompile(`name="roundId" value="([^"]+)"><input type="hidden" name="raterId" value="` + rid).FindStringSubmatch(raters.body)[1]}}
		r = mb.post("/raters", "/raters", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", r.status, r.body)
		}
		if after, _ := mb.follow(r.location); strings.Contains(after.body, `value="`+rid+`"`) {
			t.Fatalf("the approved rater still awaits a decision")
		}

		// The rater answers with the key of their link, once.
		rb := s.browser(t)
		if r := rb.get("/rate/form"); r.status != http.StatusSeeOther || r.location != "/rate" {
			t.Fatalf("the rater's form without a key: %d to %q, want the key form", r.status, r.location)
		}
		bad := rb.post("/rate", "/rate", url.Values{"key": {"not-a-key"}})
		if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, `href="#rate-key"`) || !strings.Contains(bad.body, `id="rate-key-error"`) {
			t.Fatalf("a wrong key: %d, the error not tied to the field", bad.status)
		}
		checkMarkup(t, "/rate with an error", bad.body)
		if r := rb.post("/rate", "/rate", url.Values{"key": {key}}); r.status != http.StatusSeeOther || r.location != "/rate/form" {
			t.Fatalf("the key: %d to %q", r.status, r.location)
		}
		rform := rb.get("/rate/form")
		items := regexp.MustCompile(`name="(item-[^"]+)" value="4"`).FindAllStringSubmatch(rform.body, -1)
		if rform.status != http.StatusOK || len(items) == 0 || strings.Contains(rform.body, participant.Name) {
			t.Fatalf("the rater's form: %d, %d items (and it must not name the participant)", rform.status, len(items))
		}
		checkMarkup(t, "/rate/form", rform.body)
		answers := url.Values{}
		for _, it := range items {
			answers.Set(it[1], "4")
		}
		if r := rb.post("/rate/form", "/rate/form", answers); r.status != http.StatusSeeOther {
			t.Fatalf("the rater's answers: %d %s", r.status, r.body)
		}
		if r := rb.post("/rate/form", "/rate/form", answers); r.status != http.StatusConflict {
			t.Fatalf("the rater's answers a second time: %d, want 409", r.status)
		}
		if r := rb.get(journeyPath + "/plan"); r.status != http.StatusForbidden {
			t.Fatalf("a rater reads the participant's plan: %d, want 403", r.status)
		}
	})

	t.Run("the participant fills in their self-assessment once", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(participant, access.RoleParticipant)
		fb := b.get(journeyPath + "/feedback")
		link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(journeyPath) + `/feedback/rounds/[^"]+/self)"`).FindStringSubmatch(fb.body)
		if link == nil {
			t.Fatalf("no self-assessment link on the 360 page of an open round")
		}
		page := b.get(link[1])
		items := regexp.MustCompile(`name="(item-[^"]+)" value="3"`).FindAllStringSubmatch(page.body, -1)
		if page.status != http.StatusOK || len(items) == 0 {
			t.Fatalf("self-assessment form: %d, %d items", page.status, len(items))
		}
		form := url.Values{"comment": {"I listen more than I did."}}
		for _, it := range items {
			form.Set(it[1], "3")
		}
		if r := b.post(link[1], link[1], form); r.status != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
		if r := b.post(link[1], link[1], form); r.status != http.StatusConflict || !strings.Contains(r.body, "utrecht-alert--error") {
			t.Fatalf("a second self-assessment: %d, want 409 with the form's error", r.status)
		}
	})

	t.Run("the manager records a conversation, both confirm it, and it reads the portfolio as it stood", func(t *testing.T) {
		pb, mb := s.browser(t), s.browser(t)
		pb.signIn(participant, access.RoleParticipant)
		mb.signIn(manager, access.RoleManager)
		cv := journeyPath + "/conversations"
		if r := mb.post(cv, cv, url.Values{"heldOn": {"2026-05-06"}, "agreements": {""}, "nextQuestions": {""}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, "conversation-agreements-error") {
			t.Fatalf("a conversation without agreements: %d", r.status)
		}
		r := mb.post(cv, cv, url.Values{"heldOn": {"2026-05-06"}, "agreements": {"Weekly one-to-ones\nAsk the team for feedback"}, "nextQuestions": {"How do I delegate?"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("record: %d %s", r.status, r.body)
		}
		list, _ := mb.follow(r.location)
		links := regexp.MustCompile(`href="(`+regexp.QuoteMeta(cv)+`/[^"]+)"`).FindAllStringSubmatch(list.body, -1)
		if len(links) == 0 {
			t.Fatalf("the recorded conversation is not listed")
		}
		one := links[len(links)-1][1]
		for _, b := range []*browser{pb, mb} {
			if page := b.get(one); !strings.Contains(page.body, `action="`+one+`/confirm"`) {
				t.Fatalf("no confirm form before confirming")
			}
			r = b.post(one, one+"/confirm", url.Values{})
			if r.status != http.StatusSeeOther {
				t.Fatalf("confirm: %d %s", r.status, r.body)
			}
			if page, _ := b.follow(r.location); strings.Contains(page.body, `action="`+one+`/confirm"`) {
				t.Fatalf("the confirm form is still there after confirming")
			}
		}
		page, _ := mb.follow(r.location)
		if page.status != http.StatusOK || !strings.Contains(page.body, "How do I delegate?") || !strings.Contains(page.body, "definitief") || !strings.Contains(page.body, "zoals het toen was") {
			t.Fatalf("the conversation page: %d, final and with its questions?", page.status)
		}
	})

	t.Run("the participant hands in an assignment a trainer gave", func(t *testing.T) {
		ctx := t.Context()
		pf, err := s.app.Portfolio(ctx, access.Principal{Subject: participant.Subject, Roles: []access.Role{access.RoleParticipant}}, participant.JourneyID, nil, 0)
		if err != nil || len(pf.View.Modules) == 0 {
			t.Fatalf("the participant's modules: %v", err)
		}
		tr := access.Principal{Subject: trainer.Subject, Roles: []access.Role{access.RoleTrainer}}
		title := "Hold a 5R conversation " + t.Name()
		w, err := s.app.GiveAssignment(ctx, usecase.Write{Actor: tr}, journey.GiveAssignment{JourneyID: participant.JourneyID,
			ModuleID: pf.View.Modules[0].ModuleID, Title: title, DueOn: time.Now().AddDate(0, 0, 14)})
		if err != nil {
			t.Fatal(err)
		}
		b := s.browser(t)
		b.signIn(participant, access.RoleParticipant)
		page := b.get(fmt.Sprintf("%s/plan?pos=%d", journeyPath, w.Position))
		m := regexp.MustCompile(regexp.QuoteMeta(title) + `[\s\S]*?action="([^"]+/hand-in)"`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatalf("no hand-in form for the new assignment on the plan")
		}
		reflection := "We agreed on one concrete next step"
		r := b.post(journeyPath+"/plan", m[1], url.Values{"reflection": {reflection}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("hand in: %d %s", r.status, r.body)
		}
		after, _ := b.follow(r.location)
		if strings.Contains(after.body, m[1]) {
			t.Fatalf("the assignment can still be handed in after handing it in")
		}
		if pf, err := s.app.Assignment(ctx, access.Principal{Subject: participant.Subject, Roles: []access.Role{access.RoleParticipant}}, participant.JourneyID, w.ID, 0); err != nil || pf.Reflection != reflection {
			t.Fatalf("the handed-in assignment: %+v, %v", pf, err)
		}
	})

	t.Run("the participant formulates a learning goal linked to a competency", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(participant, access.RoleParticipant)
		plan := b.get(journeyPath + "/plan")
		comp := regexp.MustCompile(`name="competencyIds" value="([^"]+)"`).FindStringSubmatch(plan.body)
		if comp == nil {
			t.Fatalf("no competency to link a new goal to on the plan")
		}
		text := "Delegate one decision a week " + t.Name()
		r := b.post(journeyPath+"/plan", journeyPath+"/goals", url.Values{"kind": {"goal"}, "text": {text}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `href="#goal-competencyIds"`) || !strings.Contains(r.body, `id="goal-competencyIds-error"`) {
			t.Fatalf("a goal without a competency: %d, the error not tied to the competencies", r.status)
		}
		r = b.post(journeyPath+"/plan", journeyPath+"/goals", url.Values{"kind": {"goal"}, "text": {text}, "competencyIds": {comp[1]}, "dueOn": {"2026-06-30"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("formulate: %d %s", r.status, r.body)
		}
		page, _ := b.follow(r.location)
		if !strings.Contains(page.body, "<option value=") || !strings.Contains(page.body, ">"+text+"</option>") {
			t.Fatalf("the new goal is not one to log an experiment for")
		}
	})

	t.Run("wrong input comes back with errors tied to their fields", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(participant, access.RoleParticipant)
		plan := b.get(journeyPath + "/plan")
		goal := regexp.MustCompile(`<option value="([^"]+)"`).FindStringSubmatch(plan.body)
		r := b.post(journeyPath+"/plan", journeyPath+"/experiments", url.Values{"learningGoalId": {goal[1]}, "intention": {""}, "plannedFor": {"someday"}})
		if r.status != http.StatusBadRequest {
			t.Fatalf("empty intention: %d, want 400", r.status)
		}
		checkMarkup(t, "the plan with errors", r.body)
		for _, want := range []string{
			`href="#log-plannedFor"`, `id="log-plannedFor-error"`,
			`aria-describedby="log-plannedFor-hint log-plannedFor-error" aria-invalid="true"`, `value="someday"`,
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the form shown again lacks %s", want)
			}
		}
		r = b.post(journeyPath+"/plan", journeyPath+"/experiments", url.Values{"learningGoalId": {goal[1]}, "intention": {""}, "plannedFor": {"2026-05-04"}})
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, `href="#log-intention"`) || !strings.Contains(r.body, `id="log-intention-error"`) {
			t.Fatalf("empty intention: %d, the error is not tied to the field", r.status)
		}
	})

	t.Run("every page carries a CSP without unsafe-inline and the other security headers", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(participant, access.RoleParticipant)
		for _, path := range []string{"/", "/signin", journeyPath + "/plan", "/nope"} {
			r := b.get(path)
			csp := r.header.Get("Content-Security-Policy")
			if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("GET %s: CSP %q", path, csp)
			}
			if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") == "" {
				t.Errorf("GET %s: headers %v", path, r.header)
			}
			if strings.Contains(r.body, "<script") || strings.Contains(r.body, "style=") {
				t.Errorf("GET %s holds a script or an inline style", path)
			}
		}
	})

	t.Run("the session cookie is HttpOnly and SameSite=Lax; signing out ends it", func(t *testing.T) {
		b := s.browser(t)
		r := b.get("/")
		ck := r.header.Get("Set-Cookie")
		if !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
			t.Fatalf("session cookie %q", ck)
		}
		b.signIn(participant, access.RoleParticipant)
		if r := b.post(journeyPath, "/signout", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("sign out: %d", r.status)
		}
		if r := b.get(journeyPath); r.status != http.StatusSeeOther {
			t.Fatalf("after signing out the journey answers %d, want the sign-in", r.status)
		}
	})

	t.Run("Dutch by default, English on request and kept", func(t *testing.T) {
		b := s.browser(t)
		if r := b.get("/"); !strings.Contains(r.body, `<html lang="nl"`) || !strings.Contains(r.body, "Welkom") {
			t.Fatalf("default page not Dutch")
		}
		if r := b.get("/?lang=en"); !strings.Contains(r.body, `<html lang="en"`) || !strings.Contains(r.body, "Welcome") {
			t.Fatalf("?lang=en not English")
		}
		if r := b.get("/signin"); !strings.Contains(r.body, `<html lang="en"`) {
			t.Fatalf("the language was not kept")
		}
	})

	t.Run("the 360 report has the gap chart with a text alternative and the table beside it", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(participant, access.RoleParticipant)
		r := b.get(journeyPath + "/feedback")
		if r.status != http.StatusOK {
			t.Fatalf("feedback: %d", r.status)
		}
		if strings.Contains(r.body, "<svg") {
			for _, want := range []string{`role="img"`, "<title id=", "<desc id=", "<table"} {
				if !strings.Contains(r.body, want) {
					t.Errorf("the chart lacks %s", want)
				}
			}
		} else if !strings.Contains(r.body, "<h2>Rapport</h2>") {
			t.Fatalf("no report section")
		}
	})

	t.Run("the main pages weigh at most 150 KB compressed", func(t *testing.T) {
		pb, mb := s.browser(t), s.browser(t)
		pb.signIn(participant, access.RoleParticipant)
		mb.signIn(manager, access.RoleManager)
		for _, c := range []struct {
			b    *browser
			path string
		}{{pb, journeyPath}, {pb, journeyPath + "/plan"}, {pb, journeyPath + "/feedback"}, {mb, "/people"}, {mb, journeyPath + "/portfolio"}} {
			r := c.b.get(c.path)
			total := gzipSize(t, []byte(r.body))
			for _, m := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(r.body, -1) {
				a := c.b.get(m[1])
				if a.status != http.StatusOK || a.header.Get("Set-Cookie") != "" || !strings.Contains(a.header.Get("Cache-Control"), "immutable") {
					t.Fatalf("%s: %d, cookie %q, cache %q", m[1], a.status, a.header.Get("Set-Cookie"), a.header.Get("Cache-Control"))
				}
				total += gzipSize(t, []byte(a.body))
			}
			t.Logf("%s: %d bytes compressed with its CSS", c.path, total)
			if total > 150<<10 {
				t.Errorf("%s weighs %d bytes compressed, above 150 KB", c.path, total)
			}
		}
	})

	t.Run("the API keeps its own answers beside the pages", func(t *testing.T) {
		b := s.browser(t)
		if r := b.get("/v1/nope"); r.status != http.StatusNotFound || !strings.Contains(r.header.Get("Content-Type"), "problem+json") {
			t.Fatalf("GET /v1/nope: %d %s", r.status, r.header.Get("Content-Type"))
		}
		if r := b.do(http.MethodDelete, "/v1/me", nil); r.status != http.StatusMethodNotAllowed {
			t.Fatalf("DELETE /v1/me: %d, want 405", r.status)
		}
		if r := b.get("/nope"); r.status != http.StatusNotFound || !strings.Contains(r.body, "<html") {
			t.Fatalf("GET /nope: %d, want the pages' 404", r.status)
		}
	})
}

// checkMarkup fails on what every page must have for assistive
// technology: the language, one h1, the skip link to main, no id twice, a
// label for every visible input, and aria-describedby naming ids there are.
func checkMarkup(t *testing.T, path, body string) {
	t.Helper()
	if !regexp.MustCompile(`<html lang="(nl|en)"`).MatchString(body) || strings.Count(body, "<h1") != 1 ||
		!strings.Contains(body, `href="#main"`) || !strings.Contains(body, `<main id="main"`) {
		t.Errorf("%s: no lang, not one h1, or no skip link to main", path)
	}
	ids := map[string]int{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		ids[m[1]]++
		if ids[m[1]] == 2 {
			t.Errorf("%s: id %q twice", path, m[1])
		}
	}
	for _, m := range regexp.MustCompile(`<(?:input|textarea|select)\s(?:[^>]*\s)?id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `for="`+m[1]+`"`) {
			t.Errorf("%s: input %q has no label", path, m[1])
		}
	}
	for _, m := range regexp.MustCompile(`aria-describedby="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		for _, id := range strings.Fields(m[1]) {
			if ids[id] == 0 {
				t.Errorf("%s: aria-describedby names %q, which is not on the page", path, id)
			}
		}
	}
}

// doCross posts form as a browser does from a page of another site.
func (b *browser) doCross(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.site.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	return response{status: res.StatusCode, header: res.Header}
}

func gzipSize(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}
