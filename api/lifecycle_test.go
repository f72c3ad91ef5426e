package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/usecase"
)

// count returns how many events of the type of e a stream holds.
func (cp *component) count(t *testing.T, stream string, e domain.Event) int {
	t.Helper()
	recs, err := cp.store.Load(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.Event.EventName() == e.EventName() {
			n++
		}
	}
	return n
}

// status reads the journey's status as its participant sees it.
func (cp *component) status(t *testing.T, w *world) string {
	t.Helper()
	var sum journeySummary
	must(t, cp.call(t, call{method: "GET", path: journeyHref(w.journeyID), token: w.participant}), 200, &sum)
	return sum.Status
}

// enrolAnother enrols one more participant of the world's manager in its cohort.
func (cp *component) enrolAnother(t *testing.T, w *world) (participantID, journeyID string) {
	t.Helper()
	participantID = newID()
	var e enrolmentResult
	rec := cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolments", token: w.office,
		body: fmt.Sprintf(`{"participantId":"%s","name":"Bram","email":"bram@example.org","role":"coordinator","managerId":"%s"}`, participantID, w.managerID)})
	must(t, rec, 201, &e)
	w.last = rec
	return participantID, e.JourneyID
}

func TestComponentCompletion(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	j := journeyHref(w.journeyID)
	must(t, cp.call(t, call{method: "PUT", path: j + "/shared-sections/experiments", token: w.participant}), 200, nil)

	for _, tok := range []string{w.participant, w.manager, w.trainer} {
		decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/completions", token: tok, body: `{}`}), 403)
	}
	rec := cp.call(t, call{method: "POST", path: j + "/completions", token: w.office, body: `{}`})
	var ref resourceRef
	must(t, rec, 201, &ref)
	if ref.ID != w.journeyID || rec.Header().Get("Location") != j || rec.Header().Get("ETag") != `"2"` || rec.Header().Get(headerPosition) == "" {
		t.Fatalf("completion %s %v", rec.Body, rec.Header())
	}
	if got := cp.status(t, w); got != "completed" {
		t.Fatalf("status %s", got)
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/completions", token: w.office, body: `{}`}), 409)
	// Nothing is logged after completion, but the participant can still stop sharing.
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/learning-goals", token: w.participant,
		body: fmt.Sprintf(`{"kind":"goal","text":"x","competencyIds":["%s"],"moduleGoalIds":[]}`, newID())}), 409)
	must(t, cp.call(t, call{method: "DELETE", path: j + "/shared-sections/experiments", token: w.participant}), 200, nil)

	// A completed journey is not withdrawn, and the cohort keeps the participant.
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/withdrawals", token: w.participant, body: `{}`}), 409)
	if n := cp.count(t, "cohort-"+w.cohortID, cohort.ParticipantWithdrawn{}); n != 0 {
		t.Fatalf("%d withdrawals from the cohort", n)
	}
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/completions", token: w.office, body: `{"when":"now"}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "when" {
		t.Fatalf("invalid params %s", got)
	}
}

func TestComponentWithdrawal(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	j := journeyHref(w.journeyID)
	cohortStream, journeyStream := "cohort-"+w.cohortID, "journey-"+w.journeyID

	for _, tok := range []string{w.manager, w.trainer, cp.token(t, newID(), access.RoleParticipant)} {
		decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/withdrawals", token: tok, body: `{"reason":"New job"}`}), 403)
	}
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/withdrawals", token: w.participant,
		body: `{"reason":"` + strings.Repeat("x", domain.MaxText+1) + `"}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "reason" {
		t.Fatalf("invalid params %s", got)
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/withdrawals", token: w.participant, body: `{"reason":"New job"}`,
		header: http.Header{"If-Match": {`"3"`}}}), 412)
	// If-Match is the journey's: the cohort's side is not held to it.
	rec := cp.call(t, call{method: "POST", path: j + "/withdrawals", token: w.participant, body: `{"reason":"New job"}`,
		header: http.Header{"If-Match": {`"0"`}}})
	must(t, rec, 201, nil)
	if rec.Header().Get("Location") != j || rec.Header().Get("ETag") != `"1"` || rec.Header().Get(headerPosition) == "" {
		t.Fatalf("withdrawal headers %v", rec.Header())
	}
	if got := cp.status(t, w); got != "withdrawn" {
		t.Fatalf("status %s", got)
	}
	once := func(when string) {
		t.Helper()
		if a, b := cp.count(t, journeyStream, journey.Withdrawn{}), cp.count(t, cohortStream, cohort.ParticipantWithdrawn{}); a != 1 || b != 1 {
			t.Fatalf("%s: %d journey withdrawals, %d cohort withdrawals; want one each", when, a, b)
		}
	}
	once("after the withdrawal")
	// The cohort dashboard counts the participant as withdrawn (the
	// position covers both writes).
	var d dashboardResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/dashboard", token: w.office, header: after(rec)}), 200, &d)
	if d.Enrolment.Withdrawn != 1 || d.Enrolment.Active != 0 {
		t.Fatalf("dashboard enrolment %+v", d.Enrolment)
	}
	// Repeating it, by the participant or the programme office, records nothing.
	must(t, cp.call(t, call{method: "POST", path: j + "/withdrawals", token: w.participant, body: `{"reason":"New job"}`}), 201, nil)
	must(t, cp.call(t, call{method: "POST", path: j + "/withdrawals", token: w.office, body: `{}`}), 201, nil)
	once("after repeats")
	// Nothing more is recorded on the journey.
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/completions", token: w.office, body: `{}`}), 409)

	// The programme office withdraws another participant for them.
	_, other := cp.enrolAnother(t, w)
	must(t, cp.call(t, call{method: "POST", path: journeyHref(other) + "/withdrawals", token: w.office, body: `{"reason":"Long-term leave"}`}), 201, nil)
	if n := cp.count(t, cohortStream, cohort.ParticipantWithdrawn{}); n != 2 {
		t.Fatalf("%d cohort withdrawals, want 2", n)
	}
}

// flakyCohorts passes commands to the real cohort service, and fails the
// next withdrawal from a cohort: before it reaches the event store, or
// after (the append is stored, the answer is lost).
type flakyCohorts struct {
	usecase.CohortCommands
	mu          sync.Mutex
	failBefore  int
	failAfter   int
	withdrawals int
}

func (f *flakyCohorts) WithdrawParticipant(ctx context.Context, c cohort.WithdrawParticipant) (domain.Written, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.withdrawals++
	if f.failBefore > 0 {
		f.failBefore--
		return domain.Written{}, errors.New("connection to the event store lost")
	}
	w, err := f.CohortCommands.WithdrawParticipant(ctx, c)
	if f.failAfter > 0 && err == nil {
		f.failAfter--
		return domain.Written{}, errors.New("connection to the event store lost")
	}
	return w, err
}

// TestComponentWithdrawalStoppedHalfWay: when the cohort's side of a
// withdrawal fails, the journey is withdrawn and the request answers 500;
// sending it again completes the cohort's side, with the same
// Idempotency-Key or without one, and records nothing twice, also when the
// failed attempt had stored its event.
func TestComponentWithdrawalStoppedHalfWay(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after int
		retryKey      string
	}{
		{"failed before the append, retried with the same key", 1, 0, "withdraw-1"},
		{"failed before the append, repeated without a key", 1, 0, ""},
		{"failed after the append, retried with the same key", 0, 1, "withdraw-1"},
		{"failed after the append, repeated without a key", 0, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cp := newComponent(t)
			w := cp.setUp(t, "BLG")
			flaky := &flakyCohorts{CohortCommands: cp.deps.Cohorts, failBefore: tc.before, failAfter: tc.after}
			cp.use(t, func(d *usecase.Deps) { d.Cohorts = flaky })
			j := journeyHref(w.journeyID)
			body := `{"reason":"Moved to another ministry"}`
			decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/withdrawals", token: w.participant, body: body,
				header: http.Header{headerIdempotencyKey: {"withdraw-1"}}}), 500)
			if got := cp.status(t, w); got != "withdrawn" {
				t.Fatalf("after the failure the journey is %s, want withdrawn (the journey goes first)", got)
			}
			cohortWithdrawals := cp.count(t, "cohort-"+w.cohortID, cohort.ParticipantWithdrawn{})
			if cohortWithdrawals != tc.after {
				t.Fatalf("after the failure the cohort holds %d withdrawals, want %d", cohortWithdrawals, tc.after)
			}
			h := http.Header{}
			if tc.retryKey != "" {
				h.Set(headerIdempotencyKey, tc.retryKey)
			}
			rec := cp.call(t, call{method: "POST", path: j + "/withdrawals", token: w.participant, body: body, header: h})
			must(t, rec, 201, nil)
			if rec.Header().Get(headerReplayed) != "" {
				t.Fatal("a failed request was replayed")
			}
			if a, b := cp.count(t, "journey-"+w.journeyID, journey.Withdrawn{}), cp.count(t, "cohort-"+w.cohortID, cohort.ParticipantWithdrawn{}); a != 1 || b != 1 {
				t.Fatalf("%d journey withdrawals, %d cohort withdrawals; want one each", a, b)
			}
			if flaky.withdrawals != 2 {
				t.Fatalf("%d withdrawals from the cohort tried, want 2", flaky.withdrawals)
			}
		})
	}
}

// TestComponentWithdrawalCompletesAnEarlierOne: a journey withdrawn
// without the cohort's side (as leerpad seed writes them, each step with its
// own key) is completed by a withdrawal request, which records only the
// cohort's side.
func TestComponentWithdrawalCompletesAnEarlierOne(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	if _, err := cp.svc.Journeys.Withdraw(context.Background(), journey.Withdraw{JourneyID: w.journeyID, Reason: "Reorganisation", At: testNow,
		Envelope: domain.Envelope{IdempotencyKey: "seed/withdraw"}}); err != nil {
		t.Fatal(err)
	}
	must(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/withdrawals", token: w.office, body: `{}`}), 201, nil)
	if a, b := cp.count(t, "journey-"+w.journeyID, journey.Withdrawn{}), cp.count(t, "cohort-"+w.cohortID, cohort.ParticipantWithdrawn{}); a != 1 || b != 1 {
		t.Fatalf("%d journey withdrawals, %d cohort withdrawals; want one each", a, b)
	}
}

func TestComponentManagerChange(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	j := journeyHref(w.journeyID)
	must(t, cp.call(t, call{method: "PUT", path: j + "/shared-sections/why-and-values", token: w.participant}), 200, nil)
	rec := cp.call(t, call{method: "PUT", path: j + "/why-and-values", token: w.participant, header: http.Header{"If-Match": {`"1"`}},
		body: `{"why":"I want my team to grow","values":["trust"]}`})
	must(t, rec, 200, nil)
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager, header: after(rec)}), 200, nil)

	newManagerID := newID()
	newManager := cp.token(t, newManagerID, access.RoleManager)
	body := fmt.Sprintf(`{"managerId":"%s"}`, newManagerID)
	for _, tok := range []string{w.participant, w.manager, w.trainer, newManager} {
		decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/manager", token: tok, body: body}), 403)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"managerId":"nope"}`, "managerId"},
		{`{}`, "managerId"},
		{fmt.Sprintf(`{"managerId":"%s"}`, w.participantID), "managerId"},
	} {
		p := decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/manager", token: w.office, body: tc.body}), 400)
		if got := strings.Join(paramNames(p), ","); got != tc.field {
			t.Fatalf("%s: invalid params %s", tc.body, got)
		}
	}
	decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/manager", token: w.office, body: body, header: http.Header{"If-Match": {`"1"`}}}), 412)
	rec = cp.call(t, call{method: "PUT", path: j + "/manager", token: w.office, body: fmt.Sprintf(`{"managerId":"%s"}`, strings.ToUpper(newManagerID)), header: http.Header{"If-Match": {`"2"`}}})
	must(t, rec, 200, nil)
	if rec.Header().Get("ETag") != `"3"` {
		t.Fatalf("ETag %q", rec.Header().Get("ETag"))
	}
	decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/manager", token: w.office, body: body}), 409)
	var sum journeySummary
	must(t, cp.call(t, call{method: "GET", path: j, token: w.participant}), 200, &sum)
	if sum.ManagerID != newManagerID || len(sum.SharedWith) != 0 {
		t.Fatalf("journey %+v: want the new manager and nothing shared", sum)
	}

	// The former manager's access has ended: no portfolio, no conversation,
	// no longer in their list.
	p := decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager, header: after(rec)}), 403)
	if !strings.Contains(p.Detail, "own participants") {
		t.Fatalf("detail %q", p.Detail)
	}
	conv := `{"heldOn":"2025-03-13T14:00:00+01:00","agreements":["Weekly one-to-ones"],"nextQuestions":[]}`
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/development-conversations", token: w.manager, body: conv}), 403)
	var list managedJourneyList
	must(t, cp.call(t, call{method: "GET", path: "/v1/managed-journeys", token: w.manager, header: after(rec)}), 200, &list)
	if len(list.Items) != 0 {
		t.Fatalf("the former manager lists %+v", list.Items)
	}

	// The new manager's begins: the journey is in their list with nothing
	// shared, no section until the participant shares again; they hold
	// conversations.
	must(t, cp.call(t, call{method: "GET", path: "/v1/managed-journeys", token: newManager, header: after(rec)}), 200, &list)
	if len(list.Items) != 1 || list.Items[0].ID != w.journeyID || len(list.Items[0].SharedSections) != 0 {
		t.Fatalf("the new manager lists %+v", list.Items)
	}
	p = decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: newManager, header: after(rec)}), 403)
	if !strings.Contains(p.Detail, "revoked") {
		t.Fatalf("detail %q", p.Detail)
	}
	must(t, cp.call(t, call{method: "POST", path: j + "/development-conversations", token: newManager, body: conv}), 201, nil)
	rec = cp.call(t, call{method: "PUT", path: j + "/shared-sections/why-and-values", token: w.participant})
	must(t, rec, 200, nil)
	var pf portfolioResponse
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: newManager, header: after(rec)}), 200, &pf)
	if pf.WhyAndValues == nil || pf.ManagerID != newManagerID {
		t.Fatalf("the new manager reads %+v", pf)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager}), 403)
}

func TestComponentMeasurements(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	j := journeyHref(w.journeyID)
	body := `{"kind":"team-role","instrument":"Team-role self-perception inventory","result":"Coordinator, Plant","takenOn":"2025-03-07T10:00:00+01:00"}`
	for _, tok := range []string{w.manager, w.office, cp.token(t, newID(), access.RoleTrainer), cp.token(t, newID(), access.RoleParticipant)} {
		decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/measurements", token: tok, body: body}), 403)
	}
	var m resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/measurements", token: w.participant, body: body}), 201, &m)
	rec := cp.call(t, call{method: "POST", path: j + "/measurements", token: w.trainer,
		body: `{"kind":"leadership-style","instrument":"Situational leadership style inventory","result":"Coaching","takenOn":"2025-03-14T09:30:00Z"}`})
	must(t, rec, 201, nil)

	p := decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/measurements", token: w.participant, body: `{"kind":"mbti","instrument":"x","result":" "}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "kind,result,takenOn" {
		t.Fatalf("invalid params %s", got)
	}
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/measurements", token: w.participant,
		body: `{"kind":"skills","instrument":"Skills scan","result":"Strong","takenOn":"2025-03-14T09:30:01Z"}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "takenOn" {
		t.Fatalf("a measurement from the future: invalid params %s", got)
	}

	var pf portfolioResponse
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.participant, header: after(rec)}), 200, &pf)
	if len(pf.Measurements) != 2 || pf.Measurements[0].MeasurementID != m.ID || pf.Measurements[0].Kind != "team-role" {
		t.Fatalf("measurements %+v", pf.Measurements)
	}
	// The manager sees them once the participant shares the section.
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager}), 403)
	rec = cp.call(t, call{method: "PUT", path: j + "/shared-sections/measurements", token: w.participant})
	must(t, rec, 200, nil)
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager, header: after(rec)}), 200, &pf)
	if len(pf.Measurements) != 2 || pf.WhyAndValues != nil {
		t.Fatalf("the manager reads measurements %+v, why %+v", pf.Measurements, pf.WhyAndValues)
	}
}

func TestComponentManagedJourneys(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	second, secondJourney := cp.enrolAnother(t, w)
	_, thirdJourney := cp.enrolAnother(t, w)
	rec := cp.call(t, call{method: "PUT", path: journeyHref(secondJourney) + "/shared-sections/learning-goals", token: cp.token(t, second, access.RoleParticipant)})
	must(t, rec, 200, nil)

	for _, tok := range []string{w.participant, w.trainer, w.office} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/managed-journeys", token: tok}), 403)
	}
	var page1, page2 managedJourneyList
	rec = cp.call(t, call{method: "GET", path: "/v1/managed-journeys?limit=2", token: w.manager, header: after(rec)})
	must(t, rec, 200, &page1)
	if len(page1.Items) != 2 || page1.NextCursor == "" || page1.Items[0].ID != w.journeyID || page1.Items[1].ID != secondJourney {
		t.Fatalf("page 1 %+v", page1)
	}
	got := page1.Items[1]
	if got.ParticipantID != second || got.CohortID != w.cohortID || got.ProgrammeID != w.programmeID || got.Status != "active" ||
		!slices.Equal(got.SharedSections, []string{"learning-goals"}) || got.PortfolioHref != journeyHref(secondJourney)+"/portfolio" {
		t.Fatalf("item %+v", got)
	}
	// An item holds the summary and nothing more; the portfolio's href only
	// where there is a section to read (issue 13: every href can be followed).
	var raw struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"cohortId,id,participantId,programmeId,sharedSections,status", "cohortId,id,participantId,portfolioHref,programmeId,sharedSections,status"} {
		keys := make([]string, 0, len(raw.Items[i]))
		for k := range raw.Items[i] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != want {
			t.Fatalf("item %d holds %v", i, keys)
		}
	}
	must(t, cp.call(t, call{method: "GET", path: got.PortfolioHref, token: w.manager}), 200, nil)
	must(t, cp.call(t, call{method: "GET", path: "/v1/managed-journeys?limit=2&cursor=" + page1.NextCursor, token: w.manager}), 200, &page2)
	if len(page2.Items) != 1 || page2.NextCursor != "" || page2.Items[0].ID != thirdJourney {
		t.Fatalf("page 2 %+v", page2)
	}
	// Another manager's list is theirs: empty, and the cursor is not theirs.
	other := cp.token(t, newID(), access.RoleManager)
	var none managedJourneyList
	must(t, cp.call(t, call{method: "GET", path: "/v1/managed-journeys", token: other}), 200, &none)
	if len(none.Items) != 0 || none.NextCursor != "" {
		t.Fatalf("another manager lists %+v", none)
	}
	p := decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/managed-journeys?limit=0&cursor=" + page1.NextCursor, token: other}), 400)
	if got := strings.Join(paramNames(p), ","); got != "limit,cursor" {
		t.Fatalf("invalid params %s", got)
	}

	// An erased journey is left out.
	if _, err := cp.store.Client().DeleteStream(context.Background(), "journey-"+thirdJourney, esdb.DeleteStreamOptions{}); err != nil {
		t.Fatal(err)
	}
	var all managedJourneyList
	must(t, cp.call(t, call{method: "GET", path: "/v1/managed-journeys", token: w.manager}), 200, &all)
	if len(all.Items) != 2 || all.Items[1].ID != secondJourney {
		t.Fatalf("after an erasure %+v", all)
	}

	// The participant lists their own journeys, status included.
	must(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/withdrawals", token: w.participant, body: `{}`}), 201, nil)
	var own journeyList
	must(t, cp.call(t, call{method: "GET", path: "/v1/journeys", token: w.participant}), 200, &own)
	if len(own.Items) != 1 || own.Items[0].ID != w.journeyID || own.Items[0].Status != "withdrawn" {
		t.Fatalf("own journeys %+v", own)
	}
}

// TestComponentRaterDecisionsFollowTheManager: where the programme asks
// for it, the participant's manager approves or rejects nominated raters;
// after a change of manager during an open round, the new manager decides
// and the former one no longer can.
func TestComponentRaterDecisionsFollowTheManager(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUpProgramme(t, "BLG autumn", true)
	inst, _, _ := cp.instrument(t, w)
	j := journeyHref(w.journeyID)
	var round resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/feedback-rounds", token: w.participant, body: fmt.Sprintf(`{"instrumentId":"%s","kind":"pre"}`, inst)}), 201, &round)
	nominate := func(name string) string {
		var link raterLinkResponse
		must(t, cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant,
			body: fmt.Sprintf(`{"group":"peer","name":"%s","email":"%s@example.org"}`, name, strings.ToLower(name))}), 201, &link)
		return link.RaterID
	}
	decide := func(rater, token, decision string) *httptest.ResponseRecorder {
		return cp.call(t, call{method: "POST", path: round.Href + "/raters/" + rater + "/decisions", token: token,
			body: fmt.Sprintf(`{"decision":"%s"}`, decision)})
	}
	piet, joke, karel := nominate("Piet"), nominate("Joke"), nominate("Karel")

	for _, tok := range []string{w.participant, w.trainer, w.office} {
		decodeProblem(t, decide(piet, tok, "approved"), 403)
	}
	p := decodeProblem(t, decide(piet, w.manager, "maybe"), 400)
	if got := strings.Join(paramNames(p), ","); got != "decision" {
		t.Fatalf("invalid params %s", got)
	}
	must(t, decide(piet, w.manager, "approved"), 201, nil)
	decodeProblem(t, decide(piet, w.manager, "rejected"), 409) // decided once

	newManagerID := newID()
	newManager := cp.token(t, newManagerID, access.RoleManager)
	must(t, cp.call(t, call{method: "PUT", path: j + "/manager", token: w.office, body: fmt.Sprintf(`{"managerId":"%s"}`, newManagerID)}), 200, nil)

	decodeProblem(t, decide(joke, w.manager, "approved"), 403)
	must(t, decide(joke, newManager, "approved"), 201, nil)
	must(t, decide(karel, newManager, "rejected"), 201, nil)
}

// TestComponentNotFoundSaysWhat: a 404 names what was not found, in the
// API's words, without the event store client's internals.
func TestComponentNotFoundSaysWhat(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG winter")
	missing := newID()
	for _, path := range []string{journeyHref(missing), "/v1/cohorts/" + missing, "/v1/modules/" + missing, programmeHref(missing)} {
		p := decodeProblem(t, cp.call(t, call{method: "GET", path: path, token: w.office}), 404)
		if !strings.Contains(p.Detail, missing) || strings.Contains(p.Detail, "ErrorCode") || strings.Contains(p.Detail, "remote resource") {
			t.Errorf("GET %s: detail %q", path, p.Detail)
		}
	}
}
