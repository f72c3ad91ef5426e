package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/demo"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/web"
)

// TestMyData drives the participant's "Mijn gegevens" page and the sharing
// history as the participant and their manager use them (the subtests run
// in order; the erasure uses a participant the others do not need).
func TestMyData(t *testing.T) {
	s := newSite(t, web.Config{})
	participant, manager := s.people.Participants[0], s.people.Managers[0]
	trainer, office := s.people.Trainers[0], s.people.ProgrammeOffice[0]
	journeyPath := "/journeys/" + participant.JourneyID

	t.Run("the page renders for the participant, linked from their navigation, and is refused to the other roles", func(t *testing.T) {
		pb := s.browser(t)
		pb.signIn(participant, access.RoleParticipant)
		r := pb.get("/my-data")
		if r.status != http.StatusOK {
			t.Fatalf("participant GET /my-data: %d %s", r.status, r.body)
		}
		checkMarkup(t, "/my-data", r.body)
		for _, want := range []string{`href="/my-data" aria-current="page"`, `href="/my-data/download"`, `action="/my-data/erasure"`,
			`type="checkbox" id="erase-confirm" name="confirm"`, `<label for="erase-confirm">`, "<caption>"} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if j := pb.get(journeyPath); !strings.Contains(j.body, `href="/my-data"`) {
			t.Errorf("the journey page's navigation does not link to /my-data")
		}
		for _, who := range []struct {
			p    demo.Person
			role access.Role
		}{{manager, access.RoleManager}, {trainer, access.RoleTrainer}, {office, access.RoleProgrammeOffice}} {
			b := s.browser(t)
			b.signIn(who.p, who.role)
			if r := b.get("/my-data"); r.status != http.StatusForbidden {
				t.Errorf("%s GET /my-data: %d, want 403", who.role, r.status)
			}
		}
		if r := s.browser(t).get("/my-data"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin") {
			t.Errorf("signed out GET /my-data: %d to %q, want the sign-in", r.status, r.location)
		}
	})

	t.Run("the download is the participant's own data as a JSON attachment", func(t *testing.T) {
		pb := s.browser(t)
		pb.signIn(participant, access.RoleParticipant)
		r := pb.get("/my-data/download")
		if r.status != http.StatusOK {
			t.Fatalf("GET /my-data/download: %d %s", r.status, r.body)
		}
		if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "leerpad-mijn-gegevens.json") {
			t.Errorf("Content-Disposition %q, want an attachment leerpad-mijn-gegevens.json", cd)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type %q, want JSON", ct)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
			t.Fatalf("the download is not JSON: %v", err)
		}
		if doc["personId"] != participant.Subject {
			t.Errorf("the download is of %v, want %s", doc["personId"], participant.Subject)
		}
		if !strings.Contains(r.body, participant.JourneyID) {
			t.Errorf("the download lacks the participant's journey %s", participant.JourneyID)
		}
		if other := s.people.Participants[1]; strings.Contains(r.body, other.JourneyID) {
			t.Errorf("the download holds another participant's journey %s", other.JourneyID)
		}
	})

	t.Run("the sharing page lists a grant made through its form in the history", func(t *testing.T) {
		pb := s.browser(t)
		pb.signIn(participant, access.RoleParticipant)
		granted := `<td>Gedeeld</td>` + "\n" + `<td>Experimenten</td>`
		before := pb.get(journeyPath + "/sharing")
		checkMarkup(t, journeyPath+"/sharing", before.body)
		if !strings.Contains(before.body, "<caption>Wat u deelde en niet meer deelde") {
			t.Fatalf("the sharing page has no history table: %s", before.body)
		}
		for _, share := range []string{"revoke", "grant"} {
			r := pb.post(journeyPath+"/sharing", journeyPath+"/sharing", url.Values{"section": {"experiments"}, "share": {share}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("%s experiments: %d %s", share, r.status, r.body)
			}
			if share == "grant" {
				after, _ := pb.follow(r.location)
				if n, m := strings.Count(before.body, granted), strings.Count(after.body, granted); m != n+1 {
					t.Errorf("the history lists %d grants of experiments after the grant, %d before; want one more", m, n)
				}
				checkMarkup(t, "the sharing page after a grant", after.body)
			}
		}
		mb := s.browser(t)
		mb.signIn(manager, access.RoleManager)
		if r := mb.get(journeyPath + "/sharing"); r.status != http.StatusOK || strings.Contains(r.body, "sharing-history") {
			t.Errorf("manager GET the sharing page: %d, want it without the participant's history", r.status)
		}
	})

	t.Run("a read of the portfolio by the manager shows in who read my portfolio", func(t *testing.T) {
		pb, mb := s.browser(t), s.browser(t)
		pb.signIn(participant, access.RoleParticipant)
		mb.signIn(manager, access.RoleManager)
		row := "<th scope=\"row\">" + manager.Subject + "</th>\n<td>Leidinggevende</td>"
		before := strings.Count(pb.get("/my-data").body, row)
		if r := mb.get(journeyPath + "/portfolio"); r.status != http.StatusOK {
			t.Fatalf("manager GET the portfolio: %d", r.status)
		}
		after := pb.get("/my-data")
		if n := strings.Count(after.body, row); n != before+1 {
			t.Errorf("the reads table lists the manager %d times after their read, %d before; want one more", n, before)
		}
		if !strings.Contains(after.body, "Experimenten") {
			t.Errorf("the read does not name the shared part it read")
		}
	})

	t.Run("a POST without the CSRF token is refused", func(t *testing.T) {
		b := s.browser(t)
		b.signIn(participant, access.RoleParticipant)
		if r := b.do(http.MethodPost, "/my-data/erasure", url.Values{"confirm": {"yes"}}); r.status != http.StatusForbidden {
			t.Fatalf("erasure POST without token: %d, want 403", r.status)
		}
		if r := b.get(journeyPath); r.status != http.StatusOK {
			t.Fatalf("after the refused erasure the journey answers %d, want 200", r.status)
		}
	})

	t.Run("erasure needs the confirmation; with it the person is erased and signed out", func(t *testing.T) {
		erased := s.people.Participants[len(s.people.Participants)-1]
		path := "/journeys/" + erased.JourneyID
		b := s.browser(t)
		b.signIn(erased, access.RoleParticipant)
		r := b.post("/my-data", "/my-data/erasure", url.Values{})
		if r.status != http.StatusBadRequest {
			t.Fatalf("erasure without confirmation: %d, want 400", r.status)
		}
		checkMarkup(t, "the erasure form with its error", r.body)
		for _, want := range []string{`href="#erase-confirm"`, `id="erase-confirm-error"`, `aria-invalid="true" aria-describedby="erase-confirm-error"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the refused erasure form lacks %s", want)
			}
		}
		if r := b.get(path); r.status != http.StatusOK {
			t.Fatalf("after the refused erasure the journey answers %d, want 200", r.status)
		}

		r = b.post("/my-data", "/my-data/erasure", url.Values{"confirm": {"yes"}})
		if r.status != http.StatusSeeOther || r.location != "/erased" {
			t.Fatalf("erasure: %d to %q, want 303 to /erased: %s", r.status, r.location, r.body)
		}
		done := b.get("/erased")
		checkMarkup(t, "/erased", done.body)
		if done.status != http.StatusOK || !strings.Contains(done.body, "Uw gegevens zijn gewist") {
			t.Errorf("GET /erased: %d %s", done.status, done.body)
		}
		if r := b.get(path); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin") {
			t.Errorf("after the erasure the session goes on: GET the journey %d to %q, want the sign-in", r.status, r.location)
		}
		again := s.browser(t)
		again.signIn(erased, access.RoleParticipant)
		if r := again.get(path); r.status != http.StatusNotFound {
			t.Errorf("signed in again, the erased journey answers %d, want 404", r.status)
		}
		ob := s.browser(t)
		ob.signIn(participant, access.RoleParticipant)
		if r := ob.get(journeyPath); r.status != http.StatusOK {
			t.Errorf("another participant's journey answers %d after the erasure, want 200", r.status)
		}
	})
}
