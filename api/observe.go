package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// Headers the platform reads or writes.
const (
	headerAPIVersion    = "API-Version"
	headerCorrelationID = "X-Correlation-ID"
	headerTraceparent   = "traceparent"
)

var (
	// An incoming correlation id is reused when it is a plain token: no
	// spaces, no personal data can hide in 8 to 64 of these characters
	// without being the caller's own choice.
	validCorrelationID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$`)
	// A W3C traceparent: version-traceid-parentid-flags, lower-case hex.
	validTraceparent = regexp.MustCompile(`^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$`)
)

// correlationIDOf returns the request's correlation id: a valid
// X-Correlation-ID, else the trace id of a valid traceparent, else a new UUID.
func correlationIDOf(h http.Header) string {
	if id := h.Get(headerCorrelationID); validCorrelationID.MatchString(id) {
		return id
	}
	if m := validTraceparent.FindStringSubmatch(h.Get(headerTraceparent)); m != nil &&
		m[1] != strings.Repeat("0", 32) && !strings.HasPrefix(h.Get(headerTraceparent), "ff") {
		return m[1]
	}
	return uuid.NewString()
}

type correlationIDKey struct{}

// correlationID returns the correlation id of the request ctx belongs to.
func correlationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationIDKey{}).(string)
	return id
}

// correlated is a slog handler that adds the request's correlation id to
// every record logged with its context, so that handlers and services log it
// without passing it around.
type correlated struct{ slog.Handler }

func (h correlated) Handle(ctx context.Context, r slog.Record) error {
	if id := correlationID(ctx); id != "" {
		r.AddAttrs(slog.String("correlation_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h correlated) WithAttrs(as []slog.Attr) slog.Handler {
	return correlated{h.Handler.WithAttrs(as)}
}

func (h correlated) WithGroup(name string) slog.Handler { return correlated{h.Handler.WithGroup(name)} }

// metrics are the API's Prometheus collectors, registered on the registry of Deps.
type metrics struct {
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	inFlight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "leerpad_http_request_duration_seconds",
			Help:    "Time to answer an API request, by route template, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leerpad_http_errors_total",
			Help: "API requests answered with a problem (4xx or 5xx), by status.",
		}, []string{"status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "leerpad_http_requests_in_flight",
			Help: "API requests being answered now.",
		}),
	}
	for _, c := range []prometheus.Collector{m.duration, m.errors, m.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register API metrics: %w", err)
		}
	}
	return m, nil
}

// unmatchedRoute labels requests that matched no route, so that scanners
// cannot grow the metrics without bound.
const unmatchedRoute = "unmatched"

// routeLabel returns the route template of the request (c.Path()), or
// unmatchedRoute when it matched none.
func (s *Server) routeLabel(c echo.Context) string {
	if p := c.Path(); s.routes[p] {
		return p
	}
	return unmatchedRoute
}

// methodLabel bounds the method label to the standard methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// subjectHash pseudonymises a subject for the log: enough to follow one
// user's requests, not to name them.
func subjectHash(subject string) string {
	sum := sha256.Sum256([]byte("leerpad-log:" + subject))
	return hex.EncodeToString(sum[:8])
}

// panicError is a recovered panic.
type panicError struct {
	value any
	stack []byte
}

// Error names the panic's type, and the message of a runtime error (index
// out of range, nil dereference); other panic values may carry request data,
// so they stay out of logs.
func (e *panicError) Error() string {
	var re runtime.Error
	if err, ok := e.value.(error); ok && errors.As(err, &re) {
		return "panic: " + re.Error()
	}
	return fmt.Sprintf("panic with a %T", e.value)
}

// observe wraps every request, before routing: correlation id, API-Version
// header, panic recovery, the request log line and the metrics. It writes
// errors itself (through writeError) so that it sees the final status.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		req := c.Request()
		id := correlationIDOf(req.Header)
		h := c.Response().Header()
		h.Set(headerAPIVersion, s.cfg.Version)
		h.Set(headerCorrelationID, id)
		ctx := context.WithValue(req.Context(), correlationIDKey{}, id)
		c.SetRequest(req.WithContext(ctx))

		s.metrics.inFlight.Inc()
		defer s.metrics.inFlight.Dec()
		if err := s.recovering(next, c); err != nil {
			c.Error(err)
		}

		elapsed := time.Since(start)
		status := c.Response().Status
		route, method := s.routeLabel(c), methodLabel(req.Method)
		s.metrics.duration.WithLabelValues(route, method, strconv.Itoa(status)).Observe(elapsed.Seconds())

		attrs := []slog.Attr{
			slog.String("method", method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("duration_seconds", elapsed.Seconds()),
			slog.Int64("bytes_out", c.Response().Size),
		}
		if p, ok := principalOf(c); ok {
			attrs = append(attrs, slog.String("subject_hash", subjectHash(p.Subject)))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		s.log.LogAttrs(ctx, level, "request", attrs...)
		return nil
	}
}

// recovering runs next and turns a panic into a *panicError, logged with its stack.
func (s *Server) recovering(next echo.HandlerFunc, c echo.Context) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			pe := &panicError{value: v, stack: debug.Stack()}
			s.log.ErrorContext(c.Request().Context(), "handler panicked", "route", s.routeLabel(c), "stack", string(pe.stack))
			err = pe
		}
	}()
	return next(c)
}

// rejectTrailingSlash answers 404 for a path ending in "/" (but "/" itself):
// the design rules say never to redirect it (ADR /core/no-trailing-slash).
func rejectTrailingSlash(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			return problemf(errNoRoute, "There is no resource at this path: URIs of this API never end in a slash.")
		}
		return next(c)
	}
}

// limitBody refuses bodies above limit bytes: at once when Content-Length
// says so, and while reading otherwise (bindJSON turns that into 413).
func limitBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > limit {
				return tooLarge(limit)
			}
			if req.Body != nil && req.Body != http.NoBody {
				req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			}
			return next(c)
		}
	}
}

func tooLarge(limit int64) error {
	return problemf(errBodyTooLarge, "The request body is larger than the limit of %d bytes.", limit)
}
