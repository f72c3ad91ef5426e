package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/api"
	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

// linkClock is the API's clock in these tests: real time plus an offset the
// test moves forward to let a link expire.
type linkClock struct{ offset atomic.Int64 }

func (c *linkClock) now() time.Time       { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *linkClock) skip(d time.Duration) { c.offset.Add(int64(d)) }

// replica is one Leerpad process as serve wires it (services, read models on
// their runner, the API with the durable rater-link store) over a shared
// event store.
type replica struct {
	name   string
	models *readModels
	h      http.Handler
	stop   func()
}

func startReplica(t *testing.T, name string, es *eventStore, verifier *auth.Verifier, clock *linkClock) *replica {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	codec, err := es.codec()
	if err != nil {
		t.Fatal(err)
	}
	store := eventstore.NewStore(es.client, codec)
	models, err := newProjections(es, codec, prometheus.NewRegistry(), log, projectionsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	deps, err := apiDeps(newServices(store), models, verifier, prometheus.NewRegistry(), log, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	deps.Now = clock.now
	server, err := api.NewServer(api.Config{}, deps)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- models.Runner.Run(ctx) }()
	var once sync.Once
	r := &replica{name: name, models: models, h: server.Handler()}
	r.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("runner of %s: %v", name, err)
			}
			_ = models.Close()
		})
	}
	t.Cleanup(r.stop)
	return r
}

type linkResponse struct {
	status int
	header http.Header
	body   string
}

func (r *replica) do(t *testing.T, method, path, token, body string) linkResponse {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return linkResponse{status: w.Code, header: w.Header(), body: w.Body.String()}
}

// form asks for the rater form of round with a link's token and checks the status.
func (r *replica) form(t *testing.T, round, token string, want int, what string) {
	t.Helper()
	if got := r.do(t, http.MethodGet, "/v1/rater-forms/"+round, token, ""); got.status != want {
		t.Errorf("%s on %s: status %d, want %d: %s", what, r.name, got.status, want, got.body)
	}
}

// caughtUp waits until the replica's rater-links read model has handled the
// write that answered res (its Leerpad-Position).
func (r *replica) caughtUp(t *testing.T, res linkResponse) {
	t.Helper()
	pos, err := strconv.ParseUint(res.header.Get("Leerpad-Position"), 10, 64)
	if err != nil || pos == 0 {
		t.Fatalf("Leerpad-Position %q of the write", res.header.Get("Leerpad-Position"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.models.Runner.WaitFor(ctx, raterlinks.Name, pos); err != nil {
		t.Fatal(err)
	}
}

type issuedLink struct {
	RaterID   string `json:"raterId"`
	Token     string `json:"token"`
	ExpiresAt string `json:"expiresAt"`
}

func issued(t *testing.T, res linkResponse) issuedLink {
	t.Helper()
	var l issuedLink
	if res.status != http.StatusCreated {
		t.Fatalf("issue a link: status %d: %s", res.status, res.body)
	}
	if err := json.Unmarshal([]byte(res.body), &l); err != nil || !access.IsRaterToken(l.Token) {
		t.Fatalf("issued link %s: %v", res.body, err)
	}
	return l
}

// TestRaterLinksDurableAcrossReplicas runs two replicas over one embedded
// node, then restarts the node and starts a third: a link issued through one
// replica works at once there and on the other once its read model has read
// the write; a new link for the rater ends the old one everywhere; an expired
// link is refused; closing the round ends its links; and after the restart the
// links are as they were, rebuilt from the log alone.
func TestRaterLinksDurableAcrossReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	es, err := openEventStore(ctx, eventStoreFlags{data: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	var closeOnce sync.Once
	closeES := func() { closeOnce.Do(func() { _ = es.Close() }) }
	t.Cleanup(closeES)

	authCfg := auth.Config{KeyFile: auth.KeyPath(dir)}
	key, err := auth.LoadOrCreateSigningKey(authCfg.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, authCfg)
	if err != nil {
		t.Fatal(err)
	}

	// A participant enrolled in a journey without rater approval, and a
	// published instrument.
	codec, err := es.codec()
	if err != nil {
		t.Fatal(err)
	}
	store := eventstore.NewStore(es.client, codec)
	participant, journeyID, instrument, item := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	start := time.Now().Add(-time.Hour)
	if _, err := store.Append(ctx, eventstore.StreamID(journey.StreamCategory, journeyID), eventstore.NoStream(), []domain.Event{journey.Enrolled{
		JourneyID: journeyID, ParticipantID: participant, CohortID: uuid.NewString(), ProgrammeID: uuid.NewString(), EntityID: uuid.NewString(),
		Role: journey.RoleCoordinator, ManagerID: uuid.NewString(), At: start}}, nil, eventstore.Metadata{}); err != nil {
		t.Fatal(err)
	}
	if _, err := newServices(store).Instruments.PublishInstrument(ctx, feedback.PublishInstrument{InstrumentID: instrument, Title: "360",
		Scale: feedback.Scale{Points: 5}, Competencies: []feedback.Competency{{ID: uuid.NewString(), Name: "Coaching",
			Items: []feedback.Item{{ID: item, Text: "Asks before advising"}}}}, At: start}); err != nil {
		t.Fatal(err)
	}
	token, err := auth.Mint(key, authCfg, participant, []access.Role{access.RoleParticipant}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	clock := &linkClock{}
	a := startReplica(t, "replica A", es, verifier, clock)
	b := startReplica(t, "replica B", es, verifier, clock)

	j := "/v1/journeys/" + journeyID
	res := a.do(t, http.MethodPost, j+"/feedback-rounds", token, fmt.Sprintf(`{"instrumentId":%q,"kind":"pre"}`, instrument))
	if res.status != http.StatusCreated {
		t.Fatalf("open a round: %d %s", res.status, res.body)
	}
	var round struct{ ID, Href string }
	if err := json.Unmarshal([]byte(res.body), &round); err != nil {
		t.Fatal(err)
	}

	// Issued through A, the link works on A at once: the store waited for
	// A's read model.
	res = a.do(t, http.MethodPost, round.Href+"/raters", token, `{"group":"peer","name":"Piet","email":"piet@example.org"}`)
	first := issued(t, res)
	a.form(t, round.ID, first.Token, http.StatusOK, "the new link")
	// And on B once B's read model has read the write.
	b.caughtUp(t, res)
	b.form(t, round.ID, first.Token, http.StatusOK, "the link issued on A")

	// A new link for Piet through B ends the first, on both replicas.
	res = b.do(t, http.MethodPost, round.Href+"/raters/"+first.RaterID+"/links", token, `{}`)
	second := issued(t, res)
	b.form(t, round.ID, second.Token, http.StatusOK, "the reissued link")
	b.form(t, round.ID, first.Token, http.StatusUnauthorized, "the replaced link")
	a.caughtUp(t, res)
	a.form(t, round.ID, second.Token, http.StatusOK, "the link reissued on B")
	a.form(t, round.ID, first.Token, http.StatusUnauthorized, "the link replaced on B")

	// A rater nominated without a link (as leerpad seed nominates them,
	// through the services) can be given one through the API.
	seeded := uuid.NewString()
	if _, err := newServices(store).Rounds.NominateRater(ctx, feedback.NominateRater{RoundID: round.ID, RaterID: seeded,
		Group: feedback.GroupPeer, Name: "Anna", Email: "anna@example.org", At: clock.now()}); err != nil {
		t.Fatal(err)
	}
	res = a.do(t, http.MethodPost, round.Href+"/raters/"+seeded+"/links", token, `{}`)
	a.form(t, round.ID, issued(t, res).Token, http.StatusOK, "the first link of a rater nominated without one")

	// A link that expires in an hour works until then.
	expires := clock.now().Add(time.Hour).Format(time.RFC3339)
	res = a.do(t, http.MethodPost, round.Href+"/raters", token, fmt.Sprintf(`{"group":"other","name":"Els","email":"els@example.org","expiresAt":%q}`, expires))
	short := issued(t, res)
	a.form(t, round.ID, short.Token, http.StatusOK, "the short link")
	b.caughtUp(t, res)
	clock.skip(2 * time.Hour)
	b.form(t, round.ID, short.Token, http.StatusUnauthorized, "the expired link")
	b.form(t, round.ID, second.Token, http.StatusOK, "the link of 30 days after 2 hours")

	// The link opens the form of its round and nothing else.
	for _, p := range []string{j, j + "/portfolio", "/v1/journeys"} {
		if got := a.do(t, http.MethodGet, p, second.Token, ""); got.status != http.StatusUnauthorized {
			t.Errorf("GET %s with a rater link: %d, want 401", p, got.status)
		}
	}
	b.form(t, uuid.NewString(), second.Token, http.StatusForbidden, "another round's form")
	// A bearer token does not open the form.
	a.form(t, round.ID, token, http.StatusUnauthorized, "the participant's token")

	// Piet answers through B, once; the link still opens the form.
	answers := fmt.Sprintf(`{"answers":[{"itemId":%q,"score":4}]}`, item)
	if got := b.do(t, http.MethodPost, "/v1/rater-forms/"+round.ID+"/responses", second.Token, answers); got.status != http.StatusCreated {
		t.Fatalf("answer: %d %s", got.status, got.body)
	}
	if got := a.do(t, http.MethodPost, "/v1/rater-forms/"+round.ID+"/responses", second.Token, answers); got.status != http.StatusConflict {
		t.Errorf("second answer: %d %s, want 409", got.status, got.body)
	}
	// A rater who answered gets no new link.
	if got := a.do(t, http.MethodPost, round.Href+"/raters/"+first.RaterID+"/links", token, `{}`); got.status != http.StatusConflict {
		t.Errorf("a link for a rater who answered: %d %s, want 409", got.status, got.body)
	}

	// Restart: both replicas and the node stop; a new node on the same data
	// directory and a new replica rebuild everything from the log.
	a.stop()
	b.stop()
	closeES()
	es2, err := openEventStore(ctx, eventStoreFlags{data: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = es2.Close() })
	c := startReplica(t, "replica C", es2, verifier, clock)
	deadline := time.Now().Add(10 * time.Second)
	for !c.models.Runner.CaughtUp() {
		if time.Now().After(deadline) {
			t.Fatal("replica C did not catch up with the log")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c.form(t, round.ID, second.Token, http.StatusOK, "the current link after the restart")
	c.form(t, round.ID, first.Token, http.StatusUnauthorized, "the replaced link after the restart")
	c.form(t, round.ID, short.Token, http.StatusUnauthorized, "the expired link after the restart")

	// Closing the round ends its links.
	receipt, err := newServices(eventstore.NewStore(es2.client, codec)).Rounds.CloseRound(ctx, feedback.CloseRound{RoundID: round.ID, At: clock.now()})
	if err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.models.Runner.WaitFor(wait, raterlinks.Name, receipt.Position); err != nil {
		t.Fatal(err)
	}
	c.form(t, round.ID, second.Token, http.StatusUnauthorized, "the link of a closed round")
	if _, err := c.models.RaterLinks.Of(round.ID, first.RaterID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the rater's link after the close: %v, want not found", err)
	}
	if got := c.do(t, http.MethodPost, round.Href+"/raters/"+first.RaterID+"/links", token, `{}`); got.status != http.StatusConflict ||
		!strings.Contains(got.body, "Round is closed") {
		t.Errorf("a new link in a closed round: %d %s, want 409 naming the closed round", got.status, got.body)
	}
}
