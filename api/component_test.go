package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/domain/registry"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
	"github.com/leerpad/leerpad/eventstore/readaudit"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/projections/raterlinks"
	"github.com/leerpad/leerpad/usecase"
)

// The component tests run the API over the real domain services on the
// embedded event-store node, wired as cmd's newServices wires them (with
// the repositories guarded for If-Match), and the real read models. The
// projections runner is not there yet, so catchUp feeds the read models:
// WaitFor reads $all from where it stopped and hands every event to each
// read model, as the runner will. Reads send the Leerpad-Min-Position of
// the write they follow, so they go through the read-your-writes path.

// component is a test server over the real services and read models.
type component struct {
	*testServer
	store *eventstore.Store
	// deps are the use cases' dependencies; svc the domain services over
	// the event store. use changes deps and builds the use cases anew.
	deps usecase.Deps
	svc  usecase.Services
	// audit is the read audit (flushed by the test when it wants the
	// records stored), shredder the stand-in for the crypto-shredding key
	// store: it records whom it was asked to forget.
	audit    *readaudit.Auditor
	shredder *shredder
}

// shredder records the people it forgets, as the key store's Forget would
// delete their keys.
type shredder struct {
	mu     sync.Mutex
	forgot []string
}

func (s *shredder) Forget(_ context.Context, subjectID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forgot = append(s.forgot, subjectID)
	return nil
}

func (s *shredder) forgotten() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.forgot...)
}

func newComponent(t *testing.T) *component {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped under -short: starts the embedded event-store node")
	}
	codec, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		t.Fatal(err)
	}
	client := eventstoretest.Client(t)
	store := eventstore.NewStore(client, codec)
	repos := usecase.Repositories{
		Modules:     eventstore.NewRepository(store, catalogue.ModuleCategory, catalogue.ReplayModule, 64),
		Programmes:  eventstore.NewRepository(store, catalogue.ProgrammeCategory, catalogue.ReplayProgramme, 64),
		Entities:    eventstore.NewRepository(store, catalogue.EntityCategory, catalogue.ReplayEntity, 64),
		Cohorts:     eventstore.NewRepository(store, cohort.StreamCategory, cohort.Replay, 64),
		Journeys:    eventstore.NewRepository(store, journey.StreamCategory, journey.Replay, 64),
		Instruments: eventstore.NewRepository(store, feedback.InstrumentCategory, feedback.ReplayInstrument, 64),
		Rounds:      eventstore.NewRepository(store, feedback.RoundCategory, feedback.ReplayRound, 64),
		Erasures:    eventstore.NewRepository(store, privacy.ErasureCategory, privacy.ReplayErasure, 64),
		Retention:   eventstore.NewRepository(store, privacy.RetentionCategory, privacy.ReplayRetention, 64),
	}
	audit, err := readaudit.New(readaudit.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	shredder := &shredder{}

	pf := portfolio.New(portfolio.Config{})
	db, err := cohortdashboard.New(cohortdashboard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	bc := behaviourchange.New(behaviourchange.Config{})
	links := raterlinks.New()
	im := impact.New()
	feed := &catchUp{client: client, store: store, models: map[string]projections.Projection{pf.Name(): pf, db.Name(): db, bc.Name(): bc, links.Name(): links, im.Name(): im}}
	deps := usecase.Deps{
		Clock: func() time.Time { return testNow }, IDs: uuid.NewString,
		Portfolios: pf, Dashboards: db, ChangeMeasurements: bc, Impact: im,
		ReadYourWrites: feed,
		RaterLinks:     raterLinkIndex{links},
		ReadAudit:      audit,
		Shredder:       shredder,
	}.Over(repos)
	cp := &component{testServer: newTestServer(t), store: store, deps: deps, svc: usecase.NewServices(repos), audit: audit, shredder: shredder}
	cp.use(t, nil)
	return cp
}

// use changes the use cases' dependencies with change (when not nil) and
// gives the server use cases built on them.
func (cp *component) use(t *testing.T, change func(d *usecase.Deps)) {
	t.Helper()
	if change != nil {
		change(&cp.deps)
	}
	app, err := usecase.New(cp.deps)
	if err != nil {
		t.Fatal(err)
	}
	cp.app = app
	cp.raterLinks = app
}

// raterLinkIndex is the rater-links read model as the use cases see it, as
// cmd wires it.
type raterLinkIndex struct{ m *raterlinks.ReadModel }

func (x raterLinkIndex) Name() string { return x.m.Name() }

func (x raterLinkIndex) ByHash(hash string) (access.RaterLink, error) {
	l, err := x.m.ByHash(hash)
	return access.RaterLink{RoundID: l.RoundID, RaterID: l.RaterID, TokenHash: l.TokenHash, ExpiresAt: l.ExpiresAt}, err
}

func (x raterLinkIndex) Of(roundID, raterID string) (access.RaterLink, error) {
	l, err := x.m.Of(roundID, raterID)
	return access.RaterLink{RoundID: l.RoundID, RaterID: l.RaterID, TokenHash: l.TokenHash, ExpiresAt: l.ExpiresAt}, err
}

type catchUp struct {
	client *esdb.Client
	store  *eventstore.Store
	models map[string]projections.Projection

	mu   sync.Mutex
	from *esdb.Position
}

func (f *catchUp) WaitFor(ctx context.Context, name string, pos uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.models[name]
	if !ok {
		return fmt.Errorf("no read model %q", name)
	}
	if m.Position() >= pos {
		return nil
	}
	opts := esdb.ReadAllOptions{From: esdb.Start{}}
	if f.from != nil {
		opts.From = *f.from
	}
	rs, err := f.client.ReadAll(ctx, opts, ^uint64(0))
	if err != nil {
		return err
	}
	defer rs.Close()
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		re := ev.Event
		if strings.HasPrefix(re.StreamID, "$") || strings.HasPrefix(re.EventType, "$") {
			continue
		}
		rec, err := f.store.Decode(re)
		if err != nil {
			return err
		}
		pe := projections.Event{Stream: re.StreamID, Revision: re.EventNumber, Position: re.Position.Commit, Recorded: re.CreatedDate, Data: rec.Event}
		for _, m := range f.models {
			if err := m.Handle(ctx, pe); err != nil {
				return err
			}
		}
		p := re.Position
		f.from = &p
	}
	if m.Position() < pos {
		return fmt.Errorf("%s at %d, not %d", name, m.Position(), pos)
	}
	return nil
}

// call is one request of a user.
type call struct {
	method, path, token, body string
	header                    http.Header
}

func (cp *component) call(t *testing.T, r call) *httptest.ResponseRecorder {
	t.Helper()
	h := http.Header{}
	if r.body != "" {
		h.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		h.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		h[k] = v
	}
	return cp.do(t, request{method: r.method, path: r.path, body: r.body, header: h})
}

// must asserts the status and decodes the body into out (when not nil).
func must(t *testing.T, rec *httptest.ResponseRecorder, status int, out any) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("decode %s: %v", rec.Body, err)
		}
	}
}

// after returns the header that makes a read wait for the write of rec.
func after(rec *httptest.ResponseRecorder) http.Header {
	return http.Header{headerMinPosition: {rec.Header().Get(headerPosition)}}
}

// world is a cohort with one enrolled participant, ready to use.
type world struct {
	office, trainer, participant, manager string // tokens
	participantID, managerID, trainerID   string
	programmeID, moduleID, cohortID       string
	journeyID                             string
	last                                  *httptest.ResponseRecorder
}

func newID() string { return uuid.NewString() }

const moduleJSON = `{"content":{"title":"Me and myself","theme":"self","forms":["group-training","coaching"],"hours":16,
	"learningGoals":[{"id":"%s","behaviour":"Asks for feedback on their leadership."}]}}`

// setUp plans a cohort (title) with a trainer and enrols one participant,
// in a programme that does not ask the manager to approve 360 raters.
func (cp *component) setUp(t *testing.T, title string) *world {
	t.Helper()
	return cp.setUpProgramme(t, title, false)
}

// setUpProgramme is setUp with the programme's rater approval chosen.
func (cp *component) setUpProgramme(t *testing.T, title string, raterApproval bool) *world {
	t.Helper()
	w := &world{participantID: newID(), managerID: newID(), trainerID: newID()}
	w.office = cp.token(t, newID(), access.RoleProgrammeOffice)
	w.trainer = cp.token(t, w.trainerID, access.RoleTrainer)
	w.participant = cp.token(t, w.participantID, access.RoleParticipant)
	w.manager = cp.token(t, w.managerID, access.RoleManager)

	var r resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/modules", token: w.office, body: fmt.Sprintf(moduleJSON, newID())}), 201, &r)
	w.moduleID = r.ID
	must(t, cp.call(t, call{method: "POST", path: "/v1/programmes", token: w.office,
		body: fmt.Sprintf(`{"code":"BLG","title":"Beginning managers","moduleIds":["%s"],"raterApproval":%t}`, w.moduleID, raterApproval)}), 201, &r)
	w.programmeID = r.ID
	titleJSON, _ := json.Marshal(title)
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts", token: w.office,
		body: fmt.Sprintf(`{"programmeId":"%s","entityId":"%s","title":%s,"trainerIds":["%s"],"startsOn":"2025-01-06T09:00:00+01:00","endsOn":"2025-12-19T17:00:00+01:00"}`,
			w.programmeID, newID(), titleJSON, w.trainerID)}), 201, &r)
	w.cohortID = r.ID
	var e enrolmentResult
	w.last = cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolments", token: w.office,
		body: fmt.Sprintf(`{"participantId":"%s","name":"Ans de Vries","email":"ans@example.org","role":"beginning-manager","managerId":"%s"}`, w.participantID, w.managerID)})
	must(t, w.last, 201, &e)
	w.journeyID = e.JourneyID
	return w
}

// goal formulates a learning goal and returns its id.
func (cp *component) goal(t *testing.T, w *world) string {
	t.Helper()
	var r resourceRef
	must(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/learning-goals", token: w.participant,
		body: fmt.Sprintf(`{"kind":"goal","text":"Give feedback weekly","competencyIds":["%s"],"moduleGoalIds":[]}`, newID())}), 201, &r)
	return r.ID
}

func TestComponentParticipantLogsExperimentAndReadsIt(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG spring")
	goal := cp.goal(t, w)
	j := journeyHref(w.journeyID)

	var exp resourceRef
	rec := cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Ask my team for feedback in the Monday meeting","plannedFor":"2025-03-17T09:00:00+01:00"}`, goal)})
	must(t, rec, 201, &exp)
	if rec.Header().Get("Location") != exp.Href || rec.Header().Get(headerPosition) == "" || rec.Header().Get("ETag") == "" {
		t.Fatalf("headers %v", rec.Header())
	}
	must(t, cp.call(t, call{method: "POST", path: exp.Href + "/steps", token: w.participant,
		body: `{"step":"tried","whatWasTried":"Asked two questions","triedOn":"2025-03-14T08:00:00+01:00"}`}), 201, nil)
	rec = cp.call(t, call{method: "POST", path: exp.Href + "/steps", token: w.participant,
		body: `{"step":"reflected","outcome":"Two people answered","reflection":"I should wait longer for answers"}`})
	must(t, rec, 201, nil)

	var pf portfolioResponse
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.participant, header: after(rec)}), 200, &pf)
	if len(pf.Experiments) != 1 || pf.Experiments[0].ExperimentID != exp.ID || pf.Experiments[0].Step != "reflected" ||
		pf.Experiments[0].Reflection != "I should wait longer for answers" {
		t.Fatalf("experiments = %+v", pf.Experiments)
	}
	if len(pf.LearningGoals) != 1 || len(pf.LearningGoals[0].ExperimentIDs) != 1 {
		t.Fatalf("goals = %+v", pf.LearningGoals)
	}

	// As of a moment before the experiment was logged (testNow is every
	// command's time), the portfolio holds no experiment... and before the
	// enrolment there is none at all.
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio?asOf=2025-03-14T09:29:59Z", token: w.participant, header: after(rec)}), 404, nil)
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio?asOf=2025-03-14T09:30:00Z", token: w.participant, header: after(rec)}), 200, &pf)
	if pf.AsOf == nil {
		t.Fatal("asOf not echoed")
	}
	p := decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio?asOf=2025-03-14T09:30:00", token: w.participant}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != "asOf" {
		t.Fatalf("invalid params %v", got)
	}

	// Another participant cannot read it.
	other := cp.token(t, newID(), access.RoleParticipant)
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: other}), 403)
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: other, body: `{}`}), 403)

	// The journey list holds the journey.
	var list journeyList
	must(t, cp.call(t, call{method: "GET", path: "/v1/journeys", token: w.participant, header: after(w.last)}), 200, &list)
	if len(list.Items) != 1 || list.Items[0].ID != w.journeyID {
		t.Fatalf("journeys = %+v", list)
	}
}

func TestComponentInvalidFieldsAreEachNamed(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	p := decodeProblem(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/experiments", token: w.participant,
		body: `{"learningGoalId":"not-a-uuid","intention":"","plannedFor":"2025-03-17T09:00:00","colour":"red"}`}), 400)
	got := strings.Join(paramNames(p), ",")
	if got != "colour,plannedFor" {
		t.Fatalf("shape: invalid params %s", got)
	}
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/experiments", token: w.participant,
		body: `{"learningGoalId":"not-a-uuid","intention":"  "}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "learningGoalId,intention,plannedFor" {
		t.Fatalf("rules: invalid params %s", got)
	}
	p = decodeProblem(t, cp.call(t, call{method: "POST", path: journeyHref(w.journeyID) + "/experiments/" + newID() + "/steps", token: w.participant,
		body: `{"step":"tried","outcome":"x"}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "whatWasTried,triedOn,outcome" {
		t.Fatalf("step: invalid params %s", got)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/journeys/nope", token: w.participant}), 400)
	// Field lengths: more than domain.MaxText characters.
	p = decodeProblem(t, cp.call(t, call{method: "PUT", path: journeyHref(w.journeyID) + "/why-and-values", token: w.participant,
		header: http.Header{"If-Match": {`"0"`}}, body: `{"why":"` + strings.Repeat("a", domain.MaxText+1) + `","values":[]}`}), 400)
	if got := strings.Join(paramNames(p), ","); got != "why" {
		t.Fatalf("length: invalid params %s", got)
	}
}

func TestComponentManagerSeesOnlySharedSectionsUntilRevoked(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	goal := cp.goal(t, w)
	j := journeyHref(w.journeyID)
	must(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant,
		body: fmt.Sprintf(`{"learningGoalId":"%s","intention":"Delegate the planning","plannedFor":"2025-03-17T09:00:00+01:00"}`, goal)}), 201, nil)
	var sum journeySummary
	rec := cp.call(t, call{method: "GET", path: j, token: w.participant})
	must(t, rec, 200, &sum)
	must(t, cp.call(t, call{method: "PUT", path: j + "/why-and-values", token: w.participant, header: http.Header{"If-Match": {rec.Header().Get("ETag")}},
		body: `{"why":"I want my team to grow","values":["trust"]}`}), 200, nil)

	// Nothing shared: the manager is refused.
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager}), 403)

	rec = cp.call(t, call{method: "PUT", path: j + "/shared-sections/experiments", token: w.participant})
	must(t, rec, 200, nil)
	var pf portfolioResponse
	must(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager, header: after(rec)}), 200, &pf)
	if len(pf.Experiments) != 1 || pf.WhyAndValues != nil || pf.LearningGoals != nil {
		t.Fatalf("manager sees experiments %d, why %v, goals %v", len(pf.Experiments), pf.WhyAndValues, pf.LearningGoals)
	}
	if strings.Join(pf.Parts, ",") != "journey,experiments,conversations" {
		t.Fatalf("parts %v", pf.Parts)
	}
	for _, e := range pf.Timeline {
		if e.Part != "experiments" && e.Part != "journey" && e.Part != "conversations" {
			t.Fatalf("timeline shows %s", e.Part)
		}
	}
	// Another manager sees nothing.
	decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: cp.token(t, newID(), access.RoleManager)}), 403)

	must(t, cp.call(t, call{method: "DELETE", path: j + "/shared-sections/experiments", token: w.participant}), 200, nil)
	p := decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.manager}), 403)
	if !strings.Contains(p.Detail, "revoked") {
		t.Fatalf("detail %q", p.Detail)
	}

	// The manager records a conversation and both confirm it.
	var conv resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/development-conversations", token: w.manager,
		body: `{"heldOn":"2025-03-13T14:00:00+01:00","agreements":["Try weekly one-to-ones"],"nextQuestions":[]}`}), 201, &conv)
	must(t, cp.call(t, call{method: "POST", path: conv.Href + "/confirmations", token: w.manager}), 201, nil)
	must(t, cp.call(t, call{method: "POST", path: conv.Href + "/confirmations", token: w.participant}), 201, nil)
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/development-conversations", token: w.participant, body: `{"agreements":[],"nextQuestions":[]}`}), 403)
}

func TestComponentProgrammeOfficeSeesAggregatesOnly(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	j := journeyHref(w.journeyID)
	for _, path := range []string{j + "/portfolio", j, j + "/shared-sections"} {
		decodeProblem(t, cp.call(t, call{method: "GET", path: path, token: w.office}), 403)
	}
	p := decodeProblem(t, cp.call(t, call{method: "GET", path: j + "/portfolio", token: w.office}), 403)
	if !strings.Contains(p.Detail, "aggregates") {
		t.Fatalf("detail %q", p.Detail)
	}
	// Nor can it write a reflection (experiment steps, hand-ins).
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/experiments/" + newID() + "/steps", token: w.office,
		body: `{"step":"concluded","nextStep":"x"}`}), 403)
	// It reads the dashboard: counts, no text.
	var d dashboardResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/dashboard", token: w.office, header: after(w.last)}), 200, &d)
	if d.Enrolment.Enrolled != 1 {
		t.Fatalf("dashboard %+v", d.Enrolment)
	}
	// The trainer of the cohort reads it too; another trainer does not.
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/dashboard", token: w.trainer}), 200, nil)
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/dashboard", token: cp.token(t, newID(), access.RoleTrainer)}), 403)
	// The behaviour change of a cohort without closed rounds shows nothing.
	var cm changeMeasurement
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/change-measurement", token: w.office, header: after(w.last)}), 200, &cm)
	if len(cm.Competencies) != 0 || cm.MinParticipants < 5 {
		t.Fatalf("change %+v", cm)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/change-measurement", token: w.trainer}), 403)
}

// instrument publishes an instrument of one competency with two items.
func (cp *component) instrument(t *testing.T, w *world) (id, item1, item2 string) {
	t.Helper()
	item1, item2 = newID(), newID()
	var r resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/instruments", token: w.office, body: fmt.Sprintf(
		`{"title":"Leadership 360","scale":{"points":5},"competencies":[{"id":"%s","name":"Feedback","items":[{"id":"%s","text":"Asks for feedback"},{"id":"%s","text":"Gives feedback"}]}]}`,
		newID(), item1, item2)}), 201, &r)
	return r.ID, item1, item2
}

func TestComponentRaterLinkAnswersOnceAndReachesNothingElse(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	inst, item1, item2 := cp.instrument(t, w)
	j := journeyHref(w.journeyID)
	var round resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/feedback-rounds", token: w.participant, body: fmt.Sprintf(`{"instrumentId":"%s","kind":"pre"}`, inst)}), 201, &round)

	var link raterLinkResponse
	rec := cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant, body: `{"group":"peer","name":"Piet","email":"piet@example.org"}`,
		header: http.Header{headerIdempotencyKey: {"nominate-piet"}}})
	must(t, rec, 201, &link)
	if !access.IsRaterToken(link.Token) || link.RoundID != round.ID || link.ExpiresAt.Sub(testNow) <= 0 {
		t.Fatalf("link %+v", link)
	}
	// The token is not kept for replay: a retry issues a new one, which
	// replaces the first; the nomination is recorded once.
	var again raterLinkResponse
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant, body: `{"group":"peer","name":"Piet","email":"piet@example.org"}`,
		header: http.Header{headerIdempotencyKey: {"nominate-piet"}}}), 201, &again)
	if again.RaterID != link.RaterID || again.Token == link.Token {
		t.Fatalf("retry: %+v after %+v", again, link)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/rater-forms/" + round.ID, token: link.Token}), 401)
	link = again

	var form raterForm
	must(t, cp.call(t, call{method: "GET", path: "/v1/rater-forms/" + round.ID, token: link.Token}), 200, &form)
	if form.InstrumentID != inst || form.Closed {
		t.Fatalf("form %+v", form)
	}
	// The form shows the questions: every item of the instrument, by id and text.
	shown := map[string]string{}
	for _, c := range form.Competencies {
		for _, it := range c.Items {
			shown[it.ID] = it.Text
		}
	}
	if shown[item1] == "" || shown[item2] == "" || form.Scale.Points < 2 || form.Title == "" {
		t.Fatalf("form does not show the instrument's questions: %+v", form)
	}
	answers := fmt.Sprintf(`{"answers":[{"itemId":"%s","score":4},{"itemId":"%s","notObserved":true}]}`, item1, item2)
	must(t, cp.call(t, call{method: "POST", path: "/v1/rater-forms/" + round.ID + "/responses", token: link.Token, body: answers}), 201, nil)
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/rater-forms/" + round.ID + "/responses", token: link.Token, body: answers}), 409)

	// Nothing else opens with the link.
	for _, r := range []call{
		{method: "GET", path: "/v1/me"},
		{method: "GET", path: j},
		{method: "GET", path: j + "/portfolio"},
		{method: "GET", path: "/v1/journeys"},
		{method: "POST", path: j + "/experiments", body: `{}`},
	} {
		r.token = link.Token
		decodeProblem(t, cp.call(t, r), 401)
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/rater-forms/" + newID(), token: link.Token}), 403)
	// A bearer token does not open the form.
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/rater-forms/" + round.ID, token: w.participant}), 401)

	// The participant answers as self, once.
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: w.participant, body: answers}), 201, nil)
	decodeProblem(t, cp.call(t, call{method: "POST", path: round.Href + "/self-assessments", token: w.participant, body: answers}), 409)
	// Not through someone else's journey.
	cp2 := cp.setUp(t, "other")
	decodeProblem(t, cp.call(t, call{method: "POST", path: journeyHref(cp2.journeyID) + "/feedback-rounds/" + round.ID + "/self-assessments", token: cp2.participant, body: answers}), 404)

	// The participant closes the round, once; nobody answers after that.
	decodeProblem(t, cp.call(t, call{method: "POST", path: round.Href + "/closures", token: cp2.participant, body: `{}`}), 403)
	must(t, cp.call(t, call{method: "POST", path: round.Href + "/closures", token: w.participant, body: `{}`}), 201, nil)
	decodeProblem(t, cp.call(t, call{method: "POST", path: round.Href + "/closures", token: w.participant, body: `{}`}), 409)
	decodeProblem(t, cp.call(t, call{method: "POST", path: round.Href + "/raters", token: w.participant,
		body: `{"group":"peer","name":"Els","email":"els@example.org"}`}), 409)
	must(t, cp.call(t, call{method: "GET", path: "/v1/rater-forms/" + round.ID, token: link.Token}), 200, &form)
	if !form.Closed {
		t.Fatalf("form of a closed round: %+v", form)
	}
}

func TestComponentIfMatch(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	j := journeyHref(w.journeyID)
	rec := cp.call(t, call{method: "GET", path: j, token: w.participant})
	must(t, rec, 200, nil)
	tag := rec.Header().Get("ETag")
	if tag != `"0"` {
		t.Fatalf("ETag %q of a journey of one event", tag)
	}
	body := `{"why":"Grow people","values":["trust"]}`
	decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/why-and-values", token: w.participant, body: body}), 428)
	decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/why-and-values", token: w.participant, body: body, header: http.Header{"If-Match": {`"7"`}}}), 412)
	decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/why-and-values", token: w.participant, body: body, header: http.Header{"If-Match": {`W/"x"`}}}), 412)
	rec = cp.call(t, call{method: "PUT", path: j + "/why-and-values", token: w.participant, body: body, header: http.Header{"If-Match": {tag}}})
	must(t, rec, 200, nil)
	if got := rec.Header().Get("ETag"); got != `"1"` {
		t.Fatalf("ETag after the write %q", got)
	}
	// The old tag no longer matches, and nothing was recorded by the refusal.
	decodeProblem(t, cp.call(t, call{method: "PUT", path: j + "/why-and-values", token: w.participant, body: body, header: http.Header{"If-Match": {tag}}}), 412)
	recs, err := cp.store.Load(context.Background(), "journey-"+w.journeyID)
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d events, %v", len(recs), err)
	}
	// Optional If-Match on a POST is checked too.
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/learning-goals", token: w.participant, header: http.Header{"If-Match": {tag}},
		body: `{"kind":"goal","text":"x","competencyIds":[],"moduleGoalIds":[]}`}), 412)
	// A module's next version requires If-Match.
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/modules/" + w.moduleID + "/versions", token: w.office, body: fmt.Sprintf(moduleJSON, newID())}), 428)
	rec = cp.call(t, call{method: "GET", path: "/v1/modules/" + w.moduleID, token: w.participant})
	must(t, rec, 200, nil)
	must(t, cp.call(t, call{method: "POST", path: "/v1/modules/" + w.moduleID + "/versions", token: w.office, body: fmt.Sprintf(moduleJSON, newID()),
		header: http.Header{"If-Match": {rec.Header().Get("ETag")}}}), 201, nil)
}

func TestComponentIdempotencyKey(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	goal := cp.goal(t, w)
	j := journeyHref(w.journeyID)
	body := fmt.Sprintf(`{"learningGoalId":"%s","intention":"Say no to one meeting","plannedFor":"2025-03-18T09:00:00+01:00"}`, goal)
	key := http.Header{headerIdempotencyKey: {"3a0c6b5e-experiment-1"}}
	first := cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant, body: body, header: key})
	must(t, first, 201, nil)
	second := cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant, body: body, header: key})
	must(t, second, 201, nil)
	if second.Body.String() != first.Body.String() || second.Header().Get("Location") != first.Header().Get("Location") ||
		second.Header().Get(headerReplayed) != "true" || second.Header().Get(headerPosition) != first.Header().Get(headerPosition) {
		t.Fatalf("retry %s %v, first %s %v", second.Body, second.Header(), first.Body, first.Header())
	}
	count := func() int {
		recs, err := cp.store.Load(context.Background(), "journey-"+w.journeyID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range recs {
			if _, ok := r.Event.(journey.ExperimentLogged); ok {
				n++
			}
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("%d experiments logged", n)
	}
	// Another body with the same key is refused.
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant, body: strings.Replace(body, "one", "two", 1), header: key}), 422)
	// Without the cache (a restart, another replica) the event store still
	// records it once: the id and event ids derive from the key.
	cp.idem = newIdempotencyCache(10, cp.cfg.IdempotencyTTL)
	third := cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant, body: body, header: key})
	must(t, third, 201, nil)
	if third.Body.String() != first.Body.String() || count() != 1 {
		t.Fatalf("after a restart: %s, %d experiments", third.Body, count())
	}
	// The same key of another user is theirs.
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: cp.token(t, newID(), access.RoleParticipant), body: body, header: key}), 403)
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/experiments", token: w.participant, body: body, header: http.Header{headerIdempotencyKey: {"has space"}}}), 400)
}

func TestComponentEnrolmentUploadIsAllOrNothing(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	upload := func(csv string) *httptest.ResponseRecorder {
		return cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolment-uploads", token: w.office, body: csv,
			header: http.Header{"Content-Type": {"text/csv; charset=utf-8"}}})
	}
	before := cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID, token: w.office})
	must(t, before, 200, nil)
	a, b, m := newID(), newID(), newID()
	bad := "\uFEFFparticipantId;name;email;role;managerId\n" +
		a + ";Bram;bram@example.org;beginning-manager;" + m + "\n" +
		b + ";Carla;carla-at-example.org;coordinator;" + m + "\n" +
		"nope;;dirk@example.org;boss;\n" +
		w.participantID + ";Ans;ans@example.org;beginning-manager;" + m + "\n" +
		a + ";Bram;bram@example.org;beginning-manager;" + m + "\n"
	p := decodeProblem(t, upload(bad), 400)
	want := "rows[3].email,rows[4].participantId,rows[4].name,rows[4].managerId,rows[4].role,rows[5].participantId,rows[6].participantId"
	if got := strings.Join(paramNames(p), ","); got != want {
		t.Fatalf("invalid params\n got %s\nwant %s", got, want)
	}
	now := cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID, token: w.office})
	if now.Header().Get("ETag") != before.Header().Get("ETag") {
		t.Fatalf("the cohort changed: %s -> %s", before.Header().Get("ETag"), now.Header().Get("ETag"))
	}

	good := "participantId,name,email,role,managerId\n" + a + ",Bram,bram@example.org,beginning-manager," + m + "\n" + b + ",\"Carla, MSc\",carla@example.org,coordinator," + m + "\n"
	var res enrolmentUploadResult
	rec := upload(good)
	must(t, rec, 201, &res)
	if len(res.Enrolled) != 2 || res.Enrolled[1].ParticipantID != b || res.Enrolled[1].Href != enrolmentHref(w.cohortID, b) {
		t.Fatalf("enrolled %+v", res)
	}
	// The journeys exist and belong to their participants.
	var sum journeySummary
	must(t, cp.call(t, call{method: "GET", path: journeyHref(res.Enrolled[0].JourneyID), token: cp.token(t, a, access.RoleParticipant)}), 200, &sum)
	if sum.ParticipantID != a || sum.CohortID != w.cohortID {
		t.Fatalf("journey %+v", sum)
	}
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolment-uploads", token: w.office, body: good}), 415)
	decodeProblem(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/enrolment-uploads", token: w.trainer, body: good,
		header: http.Header{"Content-Type": {"text/csv"}}}), 403)

	// Pagination over the three participants.
	list := "/v1/cohorts/" + w.cohortID + "/enrolments"
	var page1, page2 enrolmentList
	must(t, cp.call(t, call{method: "GET", path: list + "?limit=2", token: w.trainer, header: after(rec)}), 200, &page1)
	if len(page1.Items) != 2 || page1.NextCursor == "" {
		t.Fatalf("page 1 %+v", page1)
	}
	must(t, cp.call(t, call{method: "GET", path: list + "?limit=2&cursor=" + page1.NextCursor, token: w.trainer}), 200, &page2)
	if len(page2.Items) != 1 || page2.NextCursor != "" || page2.Items[0].ParticipantID != b {
		t.Fatalf("page 2 %+v", page2)
	}
	p = decodeProblem(t, cp.call(t, call{method: "GET", path: list + "?limit=101&cursor=abc", token: w.trainer}), 400)
	if got := strings.Join(paramNames(p), ","); got != "limit,cursor" {
		t.Fatalf("invalid params %s", got)
	}
	other := "/v1/cohorts/" + newID() + "/enrolments"
	p = decodeProblem(t, cp.call(t, call{method: "GET", path: other + "?cursor=" + page1.NextCursor, token: w.office}), 400)
	if got := strings.Join(paramNames(p), ","); got != "cursor" {
		t.Fatalf("invalid params %s", got)
	}
}

func TestComponentCSVExportEscapesFormulas(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, `=HYPERLINK("http://evil.example","x")`)
	rec := cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/exports/participation?bom=true", token: w.office, header: after(w.last)})
	must(t, rec, 200, nil)
	body := rec.Body.String()
	if !strings.HasPrefix(body, "\uFEFFcohortId,cohortTitle,") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("export %q %v", body, rec.Header())
	}
	if !strings.Contains(body, `"'=HYPERLINK(""http://evil.example"",""x"")"`) || strings.Contains(body, `,"=HYPERLINK`) {
		t.Fatalf("formula not escaped: %s", body)
	}
	for in, want := range map[string]string{"=1+1": "'=1+1", "+31 6": "'+31 6", "-x": "'-x", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "-0.250": "-0.250", "plain": "plain", "": ""} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/exports/participation", token: w.trainer}), 403)
	decodeProblem(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/exports/participation?bom=yes", token: w.office}), 400)
}

func TestComponentTrainerRecordsForOwnCohortOnly(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	j := journeyHref(w.journeyID)
	var a resourceRef
	must(t, cp.call(t, call{method: "POST", path: j + "/assignments", token: w.trainer, body: fmt.Sprintf(`{"moduleId":"%s","title":"Team plan","dueOn":"2025-04-01T17:00:00+02:00"}`, w.moduleID)}), 201, &a)
	must(t, cp.call(t, call{method: "POST", path: a.Href + "/hand-ins", token: w.participant, body: `{"reflection":"Writing it down helped"}`}), 201, nil)
	must(t, cp.call(t, call{method: "POST", path: j + "/coaching-sessions", token: w.trainer, body: `{"heldOn":"2025-03-12T10:00:00+01:00"}`}), 201, nil)
	stranger := cp.token(t, newID(), access.RoleTrainer)
	decodeProblem(t, cp.call(t, call{method: "POST", path: j + "/coaching-sessions", token: stranger, body: `{"heldOn":"2025-03-12T10:00:00+01:00"}`}), 403)

	var d resourceRef
	must(t, cp.call(t, call{method: "POST", path: "/v1/cohorts/" + w.cohortID + "/deliveries", token: w.office,
		body: fmt.Sprintf(`{"moduleId":"%s","moduleVersion":1,"startsAt":"2025-03-10T09:00:00+01:00","endsAt":"2025-03-10T17:00:00+01:00"}`, w.moduleID)}), 201, &d)
	att := "/v1/cohorts/" + w.cohortID + "/deliveries/" + d.ID + "/attendances/" + w.participantID
	decodeProblem(t, cp.call(t, call{method: "PUT", path: att, token: stranger, body: `{"status":"present"}`}), 403)
	rec := cp.call(t, call{method: "PUT", path: att, token: w.trainer, body: `{"status":"present"}`})
	must(t, rec, 200, nil)
	must(t, cp.call(t, call{method: "POST", path: j + "/module-evaluations", token: w.participant,
		body: fmt.Sprintf(`{"deliveryId":"%s","scores":[{"questionId":"overall","score":4}]}`, d.ID)}), 201, nil)
	var dash dashboardResponse
	must(t, cp.call(t, call{method: "GET", path: "/v1/cohorts/" + w.cohortID + "/dashboard", token: w.trainer, header: after(rec)}), 200, &dash)
	if len(dash.Deliveries) != 1 || dash.Deliveries[0].Present != 1 || dash.Assignments.Given != 1 {
		t.Fatalf("dashboard deliveries %+v assignments %+v", dash.Deliveries, dash.Assignments)
	}
}

func TestComponentMinPositionTimesOut(t *testing.T) {
	cp := newComponent(t)
	w := cp.setUp(t, "BLG")
	cp.cfg.ReadYourWritesTimeout = 50 * time.Millisecond
	pos, _ := strconv.ParseUint(w.last.Header().Get(headerPosition), 10, 64)
	rec := cp.call(t, call{method: "GET", path: journeyHref(w.journeyID) + "/portfolio", token: w.participant,
		header: http.Header{headerMinPosition: {strconv.FormatUint(pos+1_000_000, 10)}}})
	decodeProblem(t, rec, 503)
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	p := decodeProblem(t, cp.call(t, call{method: "GET", path: journeyHref(w.journeyID) + "/portfolio", token: w.participant,
		header: http.Header{headerMinPosition: {"soon"}}}), 400)
	if got := paramNames(p); len(got) != 1 || got[0] != headerMinPosition {
		t.Fatalf("invalid params %v", got)
	}
}
