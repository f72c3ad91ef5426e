package api

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestComponentFeedbackRoundReads: the participant follows their round
// (raters with their approval, responses counted per group, never who
// answered); their manager sees only the raters awaiting their decision,
// per round and in their list of decisions to take; nobody else reads it.
func TestComponentFeedbackRoundReads(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUpProgramme(t, "BLG rounds", true)
	inst, item1, item2 := cp.instrument(t, w)
	j := journeyHref(w.journeyID)
	var round resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/feedback-rounds", token: w.participant, body: fmt.Sprintf(`{"instrumentId":"%s","kind":"pre"}`, inst)}), 201, &round)
	links := map[string]raterLinkResponse{}
	var order []string
	var rec *httptest.ResponseRecorder
	for _, name := range []string{"Piet", "Joke", "Karel"} {
		var link raterLinkResponse
		rec = cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant,
			body: fmt.Sprintf(`{"group":"peer","name":"%s","email":"%s@example.org"}`, name, strings.ToLower(name))})
		must(t, rec, 201, &link)
		links[name] = link
		order = append(order, link.RaterID)
	}
	piet, joke, karel := links["Piet"].RaterID, links["Joke"].RaterID, links["Karel"].RaterID

	// The manager's decisions to take: all three, each with where to post it.
	var todo raterDecisionList
	must(t, cp.call(t, call{method: "GET", path: "/v1/rater-decisions", token: w.manager, header: after(rec)}), 200, &todo)
	var pending []string
	for _, d := range todo.Items {
		if d.JourneyID != w.journeyID || d.RoundID != round.ID || d.ParticipantID != w.participantID || d.Group != "peer" ||
			d.DecisionHref != round.Href+"/raters/"+d.RaterID+"/decisions" || d.RoundHref != round.Href {
			t.Fatalf("decision %+v", d)
		}
		pending = append(pending, d.RaterID)
	}
	if !slices.Equal(pending, order) {
		t.Fatalf("pending %v, want %v", pending, order)
	}
	rec = cp.call(t, call{method: "POST", path: todo.Items[0].DecisionHref, token: w.manager, body: `{"decision":"approved"}`})
	must(t, rec, 201, nil)
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/raters/" + karel + "/decisions", token: w.manager, body: `{"decision":"rejected"}`}), 201, nil)

	// Piet answers through his link.
	answers := fmt.Sprintf(`{"answers":[{"itemId":"%s","score":4},{"itemId":"%s","score":3}]}`, item1, item2)
	must(t, cp.call(t, call{method: "POST", path: "/v1/rater-forms/" + round.ID + "/responses", token: links["Piet"].Token, body: answers}), 201, nil)

	// The participant: every rater with their approval, the responses per group.
	var st feedbackRoundState
	rec = cp.call(t, call{method: "GET", path: round.Href, token: w.participant})
	must(t, rec, 200, &st)
	if rec.Header().Get(headerETag) == "" || st.Status != "open" || st.Kind != "pre" || !st.RaterApproval || st.InstrumentID != inst || st.Href != round.Href {
		t.Fatalf("round %+v (ETag %q)", st, rec.Header().Get(headerETag))
	}
	approvals := map[string]string{}
	for _, r := range st.Raters {
		approvals[r.RaterID] = r.Approval
	}
	// Piet answered and reads "approved", as an approved rater who has not.
	if want := map[string]string{piet: "approved", joke: "pending", karel: "rejected"}; fmt.Sprint(approvals) != fmt.Sprint(want) {
		t.Fatalf("approvals %v, want %v", approvals, want)
	}
	if len(st.Responses) != 1 || st.Responses[0] != (groupResponses{Group: "peer", Nominated: 3, Responded: 1}) {
		t.Fatalf("responses %+v", st.Responses)
	}
	if len(st.Awaiting) != 1 || st.Awaiting[0].RaterID != joke {
		t.Fatalf("awaiting %+v", st.Awaiting)
	}

	// The manager: the raters awaiting their decision, nothing of the responses.
	rec = cp.call(t, call{method: "GET", path: round.Href, token: w.manager})
	var ms feedbackRoundState
	must(t, rec, 200, &ms)
	if len(ms.Raters) != 0 || len(ms.Responses) != 0 || strings.Contains(rec.Body.String(), `"responses"`) || strings.Contains(rec.Body.String(), piet) {
		t.Fatalf("the manager sees more than the raters awaiting them: %s", rec.Body)
	}
	if len(ms.Awaiting) != 1 || ms.Awaiting[0].RaterID != joke || ms.Awaiting[0].DecisionHref != round.Href+"/raters/"+joke+"/decisions" {
		t.Fatalf("manager's round %+v", ms)
	}
	var list feedbackRoundList
	must(t, cp.call(t, call{method: "GET", path: j + "/feedback-rounds", token: w.manager}), 200, &list)
	if len(list.Items) != 1 || len(list.Items[0].Raters) != 0 || len(list.Items[0].Awaiting) != 1 {
		t.Fatalf("manager's list %+v", list)
	}
	must(t, cp.call(t, call{method: "GET", path: j + "/feedback-rounds", token: w.participant}), 200, &list)
	if len(list.Items) != 1 || len(list.Items[0].Raters) != 3 {
		t.Fatalf("participant's list %+v", list)
	}
	must(t, cp.call(t, call{method: "GET", path: "/v1/rater-decisions", token: w.manager}), 200, &todo)
	if len(todo.Items) != 1 || todo.Items[0].RaterID != joke {
		t.Fatalf("decisions left %+v", todo)
	}

	// Nobody else reads the round or a manager's decisions.
	other := cp.setUp(t, "other rounds")
	for name, tok := range map[string]string{"trainer": w.trainer, "programme office": w.office, "another manager": other.manager, "another participant": other.participant} {
		for _, path := range []string{round.Href, j + "/feedback-rounds"} {
			if p := decodeProblem(t, cp.call(t, call{method: "GET", path: path, token: tok}), 403); p.Detail == "" {
				t.Fatalf("%s: no reason given", name)
			}
		}
	}
	for _, tok := range []string{w.participant, w.trainer, w.office} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/rater-decisions", token: tok}), 403)
	}
	// Another manager has no decision of w's to take.
	must(t, cp.call(t, call{method: "GET", path: "/v1/rater-decisions", token: other.manager}), 200, &todo)
	if len(todo.Items) != 0 {
		t.Fatalf("another manager's decisions %+v", todo)
	}
	// A rater link opens its form only.
	decodeProblem(t, cp.call(t, call{method: "GET", path: round.Href, token: links["Joke"].Token}), 401)
	// A round is read through its own journey only.
	decodeProblem(t, cp.call(t, call{method: "GET", path: journeyHref(other.journeyID) + "/feedback-rounds/" + round.ID, token: other.participant}), 404)

	// Once the round is closed, nothing awaits a decision.
	rec = cp.call(t, call{method: "POST", path: round.Href + "/closures", token: w.participant, body: `{}`})
	must(t, rec, 201, nil)
	must(t, cp.call(t, call{method: "GET", path: "/v1/rater-decisions", token: w.manager, header: after(rec)}), 200, &todo)
	if len(todo.Items) != 0 {
		t.Fatalf("decisions on a closed round %+v", todo)
	}
	must(t, cp.call(t, call{method: "GET", path: round.Href, token: w.participant}), 200, &st)
	if st.Status != "closed" || st.ClosedAt == nil || len(st.Awaiting) != 0 {
		t.Fatalf("closed round %+v", st)
	}
}

// TestComponentPortfolio360Report: a closed round's report in the
// portfolio has per competency the self-other gap with its flag, and the
// comments of the groups that reach their threshold.
func TestComponentPortfolio360Report(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG report")
	inst, item1, item2 := cp.instrument(t, w)
	j := journeyHref(w.journeyID)
	var round resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/feedback-rounds", token: w.participant, body: fmt.Sprintf(`{"instrumentId":"%s","kind":"pre"}`, inst)}), 201, &round)
	answers := func(score int, comment string) string {
		c := ""
		if comment != "" {
			c = fmt.Sprintf(`,"comments":[{"text":%q}]`, comment)
		}
		return fmt.Sprintf(`{"answers":[{"itemId":"%s","score":%d},{"itemId":"%s","score":%d}]%s}`, item1, score, item2, score, c)
	}
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: w.participant, body: answers(5, "I give feedback weekly")}), 201, nil)
	for i, g := range []string{"manager", "peer", "peer", "peer", "other"} {
		var link raterLinkResponse
		must(t, cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant,
			body: fmt.Sprintf(`{"group":"%s","name":"Rater %d","email":"rater%d@example.org"}`, g, i, i)}), 201, &link)
		must(t, cp.call(t, call{method: "POST", path: "/v1/rater-forms/" + round.ID + "/responses", token: link.Token,
			body: answers(3, fmt.Sprintf("Comment %c of a %s", 'E'-rune(i), g))}), 201, nil)
	}
	rec := cp.call(t, call{method: "POST", path: round.Href + "/closures", token: w.participant, body: `{}`})
	must(t, rec, 201, nil)

	var pf portfolioResponse
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.participant, header: after(rec)}), 200, &pf)
	if len(pf.FeedbackRounds) != 1 {
		t.Fatalf("rounds %+v", pf.FeedbackRounds)
	}
	r := pf.FeedbackRounds[0]
	if r.Points != 5 || r.GapThreshold == nil || *r.GapThreshold != 1 || len(r.Competencies) != 1 {
		t.Fatalf("report %+v", r)
	}
	// Self 5, the others 3 (manager and three peers; the lone other is
	// suppressed): a gap of 2 over four raters, a blind spot.
	gap := r.Competencies[0].Gap
	if gap == nil || gap.Self != 5 || gap.Others != 3 || gap.OtherRaters != 4 || gap.Gap != 2 || gap.Flag != "blind-spot" {
		t.Fatalf("gap %+v", gap)
	}
	var texts []string
	for _, c := range r.Comments {
		texts = append(texts, c.Group+": "+c.Text)
	}
	want := []string{"self: I give feedback weekly", "manager: Comment E of a manager", "peer: Comment B of a peer", "peer: Comment C of a peer", "peer: Comment D of a peer"}
	if !slices.Equal(texts, want) {
		t.Fatalf("comments %q, want %q (the lone other's is left out)", texts, want)
	}
}
