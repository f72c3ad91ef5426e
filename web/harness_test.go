package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/api"
	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/demo"
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
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/projections/raterlinks"
	"github.com/leerpad/leerpad/usecase"
	"github.com/leerpad/leerpad/web"
)

// The page tests run the pages as serve does: mounted on the API's server
// (api.Deps.Pages), over the real use cases, domain services and read
// models, on the embedded event-store node, with a small demo data set
// seeded through the domain services (package demo), and the demo
// sign-in over its people. A browser is a net/http client with a cookie
// jar that follows no redirect by itself.

// demoOptions is the data set of the page tests: one running cohort.
var demoOptions = demo.Options{Seed: 1, Cohorts: 1, Participants: 8}

// site is the server under test and its demo people.
type site struct {
	url    string
	people demo.People
	feed   *catchUp
	pages  *web.Server
	// app is the use cases, for what the pages do not do yet (a trainer
	// giving an assignment).
	app *usecase.App
}

// newSite seeds the data set and starts the server with cfg's pages.
func newSite(t *testing.T, cfg web.Config) *site {
	t.Helper()
	return newSiteOf(t, cfg, demoOptions)
}

// newSiteOf is newSite on the data set of opts.
func newSiteOf(t *testing.T, cfg web.Config, opts demo.Options) *site {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped under -short: starts the embedded event-store node and seeds the demo data set")
	}
	ctx := t.Context()
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
	svc := usecase.NewServices(repos)
	if _, err := demo.Run(ctx, demo.Services{Modules: svc.Modules, Programmes: svc.Programmes, Entities: svc.Entities, Cohorts: svc.Cohorts,
		Journeys: svc.Journeys, Instruments: svc.Instruments, Rounds: svc.Rounds, JourneyLog: repos.Journeys}, opts, nil); err != nil {
		t.Fatalf("seed: %v", err)
	}
	pf := portfolio.New(portfolio.Config{})
	db, err := cohortdashboard.New(cohortdashboard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	bc, off, links, imp := behaviourchange.New(behaviourchange.Config{}), offer.New(), raterlinks.New(), impact.New()
	feed := &catchUp{client: client, store: store, models: []projections.Projection{pf, db, bc, off, links, imp}}
	if err := feed.all(ctx); err != nil {
		t.Fatal(err)
	}
	app, err := usecase.New(usecase.Deps{Clock: time.Now, IDs: uuid.NewString,
		Portfolios: pf, Dashboards: db, ChangeMeasurements: bc, Offer: off, ReadYourWrites: feed, RaterLinks: raterLinkIndex{links}, Impact: imp, ReadAudit: audit}.Over(repos))
	if err != nil {
		t.Fatal(err)
	}
	people, err := demo.PeopleOf(opts)
	if err != nil {
		t.Fatal(err)
	}
	var demoPeople []web.DemoPerson
	for _, g := range []struct {
		ps   []demo.Person
		role access.Role
	}{{people.Participants, access.RoleParticipant}, {people.Managers, access.RoleManager}, {people.Trainers, access.RoleTrainer}, {people.ProgrammeOffice, access.RoleProgrammeOffice}} {
		for _, p := range g.ps {
			demoPeople = append(demoPeople, web.DemoPerson{Subject: p.Subject, Name: p.Name, Role: g.role})
		}
	}
	keys, err := web.LoadOrCreateSessionKeys(filepath.Join(t.TempDir(), "session.key"))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := web.New(cfg, web.Deps{App: app, SignIn: web.NewDemoSignIn(demoPeople), Keys: keys, ExportJSON: api.MarshalPersonalData})
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{KeyFile: filepath.Join(t.TempDir(), "signing.key")})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.NewServer(api.Config{}, api.Deps{Registry: prometheus.NewRegistry(), Verifier: verifier, App: app, Pages: pages.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &site{url: hs.URL, people: people, feed: feed, pages: pages, app: app}
}

// browser is one person's browser: a cookie jar, no automatic redirects.
type browser struct {
	t    *testing.T
	site *site
	http *http.Client
}

func (s *site) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, site: s, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is a page as the browser got it.
type response struct {
	status   int
	header   http.Header
	body     string
	location string
}

func (b *browser) do(method, path string, form url.Values) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(b.t.Context(), method, b.site.url+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// What a browser sends with a form of the same site.
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", b.site.url)
	}
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(raw), location: res.Header.Get("Location")}
}

func (b *browser) get(path string) response { b.t.Helper(); return b.do(http.MethodGet, path, nil) }

// follow gets path and follows its redirects to the page at the end.
func (b *browser) follow(path string) (response, string) {
	b.t.Helper()
	for range 10 {
		r := b.get(path)
		if r.status != http.StatusSeeOther && r.status != http.StatusFound {
			return r, path
		}
		path = r.location
	}
	b.t.Fatalf("too many redirects from %s", path)
	return response{}, ""
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of the page at path.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	r := b.get(path)
	m := csrfField.FindStringSubmatch(r.body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s (%d): %s", path, r.status, r.body)
	}
	return m[1]
}

// post sends form from the page at from (with that page's CSRF token).
func (b *browser) post(from, path string, form url.Values) response {
	b.t.Helper()
	form.Set("csrf", b.csrf(from))
	return b.do(http.MethodPost, path, form)
}

// signIn signs the browser in as person p in role through the demo sign-in.
func (b *browser) signIn(p demo.Person, role access.Role) {
	b.t.Helper()
	r := b.post("/signin", "/signin/callback", url.Values{"subject": {p.Subject}, "role": {role.String()}, "next": {"/"}})
	if r.status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: %d %s", role, r.status, r.body)
	}
}

// catchUp feeds the read models from the log, as the projections runner
// does in serve: everything at once before the server starts, and on
// every read that waits for a write (read-your-writes).
type catchUp struct {
	client *esdb.Client
	store  *eventstore.Store
	models []projections.Projection

	mu   sync.Mutex
	from *esdb.Position
}

func (f *catchUp) WaitFor(ctx context.Context, name string, pos uint64) error {
	if err := f.all(ctx); err != nil {
		return err
	}
	for _, m := range f.models {
		if m.Name() == name && m.Position() < pos {
			return fmt.Errorf("%s at %d, not %d", name, m.Position(), pos)
		}
	}
	return nil
}

// all hands every event not handled yet to every read model.
func (f *catchUp) all(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
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
			return nil
		}
		if err != nil {
			return err
		}
		re := ev.Event
		if f.from != nil && re.Position == *f.from {
			continue // the start is inclusive
		}
		p := re.Position
		f.from = &p
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
	}
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
