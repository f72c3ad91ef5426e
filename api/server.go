package api

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
)

// Deps are what the API uses and does not own.
type Deps struct {
	// Logger receives JSON request logs; records logged with a request's
	// context get its correlation id. Default: logs are discarded.
	Logger *slog.Logger
	// Registry receives the API's metrics and is served by AdminHandler.
	// Required. The caller registers the Go runtime and process collectors;
	// the server registers only its own.
	Registry *prometheus.Registry
	// Verifier checks bearer tokens. Required.
	Verifier Verifier
	// RaterLinks finds rater links for the 360 answer form. Default: none,
	// so every rater link is refused.
	RaterLinks RaterLinks
	// Ready reports nil once the read models have caught up with the event
	// store; /readyz answers 503 until then. Default: always ready.
	Ready func(ctx context.Context) error
	// Now is the clock for expiry checks and the time of every command.
	// Default time.Now.
	Now func() time.Time

	// The domain services and the loaders of their aggregates (the
	// repositories' Load). Each resource answers 503 while its dependencies
	// are missing, so a server without them still serves the platform.
	Journeys     JourneyCommands
	JourneyLog   Loader[*journey.Journey]
	Cohorts      CohortCommands
	CohortLog    Loader[*cohort.Cohort]
	Modules      ModuleCommands
	ModuleLog    Loader[*catalogue.Module]
	Programmes   ProgrammeCommands
	ProgrammeLog Loader[*catalogue.Programme]
	Instruments  InstrumentCommands
	// InstrumentLog loads instruments, for the questions of the rater form.
	InstrumentLog Loader[*feedback.Instrument]
	Rounds        RoundCommands
	RoundLog      Loader[*feedback.Round]
	// Facts answers the access facts no read model exposes yet.
	Facts Facts
	// Entities are the commands on ordering entities and their orders;
	// EntityLog loads an entity for its orders and ETag.
	Entities  EntityCommands
	EntityLog Loader[*catalogue.Entity]

	// The read models.
	Portfolios         Portfolios
	Dashboards         Dashboards
	ChangeMeasurements ChangeMeasurements
	// Offer lists the catalogue: modules, programmes, 360 instruments and
	// ordering entities with their orders.
	Offer Offer
	// ReadYourWrites lets a read wait for its read model to reach the
	// position a write reported (request header Leerpad-Min-Position).
	// Default: none, and such reads answer 503.
	ReadYourWrites ReadYourWrites
	// WriteContext carries correlation id and actor into event metadata and
	// reports a write's global position (response header Leerpad-Position).
	// Default: neither.
	WriteContext WriteContext
	// RaterLinkStore keeps the rater links the API issues; when set and
	// RaterLinks is nil it also serves RaterLinks. Default: none, and no
	// link is issued.
	RaterLinkStore RaterLinkStore
	// NewID returns a new UUID for a resource the API creates. Default
	// uuid.NewString. With an Idempotency-Key the id derives from the key.
	NewID func() string
	// Random is the source of rater-link tokens. Default crypto/rand.Reader.
	Random io.Reader
}

// Server is Leerpad's HTTP API.
type Server struct {
	cfg        Config
	log        *slog.Logger
	echo       *echo.Echo
	admin      http.Handler
	metrics    *metrics
	verifier   Verifier
	raterLinks RaterLinks
	ready      func(ctx context.Context) error
	now        func() time.Time
	openapi    []byte          // the rendered OpenAPI document
	routes     map[string]bool // registered route templates, for metric labels
	d          Deps            // the resources' dependencies
	idem       *idempotencyCache
}

// NewServer builds the API on cfg and deps, registering its metrics on
// deps.Registry (so one registry takes one server).
func NewServer(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	switch {
	case deps.Registry == nil:
		return nil, errors.New("api: a metrics registry is required")
	case deps.Verifier == nil:
		return nil, errors.New("api: a token verifier is required")
	}
	s := &Server{
		cfg:        cfg,
		log:        deps.Logger,
		verifier:   deps.Verifier,
		raterLinks: deps.RaterLinks,
		ready:      deps.Ready,
		now:        deps.Now,
	}
	if deps.RaterLinks == nil && deps.RaterLinkStore != nil {
		s.raterLinks = deps.RaterLinkStore
	}
	if deps.NewID == nil {
		deps.NewID = uuid.NewString
	}
	if deps.Random == nil {
		deps.Random = rand.Reader
	}
	if deps.WriteContext == nil {
		deps.WriteContext = func(ctx context.Context, _, _ string) (context.Context, func() uint64) {
			return ctx, func() uint64 { return 0 }
		}
	}
	s.d = deps
	s.idem = newIdempotencyCache(cfg.IdempotencyEntries, cfg.IdempotencyTTL)
	if s.log == nil {
		s.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	s.log = slog.New(correlated{s.log.Handler()})
	if s.ready == nil {
		s.ready = func(context.Context) error { return nil }
	}
	if s.now == nil {
		s.now = time.Now
	}
	m, err := newMetrics(deps.Registry)
	if err != nil {
		return nil, err
	}
	s.metrics = m

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard) // everything worth logging goes through s.log
	e.HTTPErrorHandler = s.writeError
	e.Pre(s.observe, limitHeaders, rejectTrailingSlash, limitBody(cfg.BodyLimit))
	s.echo = e
	s.registerRoutes()
	s.routes = map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method != echo.RouteNotFound {
			s.routes[r.Path] = true
		}
	}
	if s.openapi, err = renderOpenAPI(openAPIDocument(cfg)); err != nil {
		return nil, err
	}

	admin := http.NewServeMux()
	admin.Handle("GET /metrics", promhttp.HandlerFor(deps.Registry, promhttp.HandlerOpts{Registry: deps.Registry}))
	admin.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	admin.HandleFunc("GET /readyz", s.adminReady)
	s.admin = admin
	return s, nil
}

// MaxHeaderBytes is the most the request line and headers of a request may
// take; above it the API answers 431 as problem+json.
//
// net/http enforces http.Server.MaxHeaderBytes itself, while reading, and
// answers 431 in plain text before any handler runs, so a limit enforced
// only there could never be problem+json. The API therefore enforces this
// limit in its handler, and the http.Server serving it should set a
// MaxHeaderBytes well above it (ServerMaxHeaderBytes): only requests far
// beyond any honest client's then meet net/http's plain 431, and they cost
// the server at most that much memory. (Counting bytes on a wrapped
// listener was the alternative; it would mean parsing HTTP twice.)
const MaxHeaderBytes = 64 << 10

// ServerMaxHeaderBytes is the http.Server.MaxHeaderBytes to serve Handler
// with: generous, so that MaxHeaderBytes is the limit clients meet.
const ServerMaxHeaderBytes = 1 << 20

// limitHeaders answers 431 when the request line and headers, as they came
// over the wire, exceed MaxHeaderBytes.
func limitHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if n := headerBytes(c.Request()); n > MaxHeaderBytes {
			return problemf(errHeaderTooLarge, "The request's headers take %d bytes; at most %d are accepted.", n, MaxHeaderBytes)
		}
		return next(c)
	}
}

// headerBytes is the size of r's request line and header fields on the
// wire, near enough: "METHOD URI PROTO\r\n", each "Name: value\r\n"
// (Host included, which net/http moves out of the header map) and the blank
// line.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	if r.Host != "" {
		n += len("Host: ") + len(r.Host) + 2
	}
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + 2 + len(v) + 2
		}
	}
	return n + 2
}

// Handler returns the API's handler, for the public listener.
func (s *Server) Handler() http.Handler { return s.echo }

// AdminHandler returns the operators' handler, for a separate listener that
// is not exposed to users: GET /metrics (Prometheus exposition of
// deps.Registry), /healthz and /readyz.
func (s *Server) AdminHandler() http.Handler { return s.admin }

// checkReady calls deps.Ready within the configured timeout.
func (s *Server) checkReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ReadyTimeout)
	defer cancel()
	return s.ready(ctx)
}

func (s *Server) adminReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if err := s.checkReady(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"status":"not ready"}`)
		return
	}
	_, _ = io.WriteString(w, `{"status":"ready"}`)
}
