package api

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/leerpad/leerpad/usecase"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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

	// App holds the use cases every resource calls. Default: none, and
	// every resource answers 503, so a server without an event store still
	// serves the platform (probes, /v1/openapi.json, /v1/me).
	App *usecase.App
	// Random is the source of rater-link tokens. Default crypto/rand.Reader.
	Random io.Reader
	// Pages, when set, answers every path outside the API (pages.go): the
	// web pages (package web), on the same server. Default: none.
	Pages http.Handler
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
	resources  map[string]bool // the route templates that call use cases
	app        *usecase.App    // the use cases
	random     io.Reader       // the source of rater-link tokens
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
	if deps.Random == nil {
		deps.Random = rand.Reader
	}
	s.app, s.random = deps.App, deps.Random
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
	s.routes, s.resources = map[string]bool{}, map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method != echo.RouteNotFound {
			s.routes[r.Path] = true
			s.resources[r.Path] = !platformRoutes[r.Path]
		}
	}
	if deps.Pages != nil {
		s.mountPages(deps.Pages)
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
