package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
)

// testNow is the clock of every test server.
var testNow = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// syncBuffer is a log sink the race detector accepts.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is a Server with a local signing key, a log buffer and a registry.
type testServer struct {
	*Server
	key     *auth.SigningKey
	authCfg auth.Config
	logs    *syncBuffer
	reg     *prometheus.Registry
	fakes   map[string]bool // routes added by addRoute: stand-ins the document check skips
}

type serverOption func(*Config, *Deps)

func newTestServer(tb testing.TB, opts ...serverOption) *testServer {
	tb.Helper()
	authCfg := auth.Config{KeyFile: auth.KeyPath(tb.TempDir()), Now: func() time.Time { return testNow }}
	v, err := auth.NewVerifier(context.Background(), authCfg)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := auth.LoadOrCreateSigningKey(authCfg.KeyFile)
	if err != nil {
		tb.Fatal(err)
	}
	logs := &syncBuffer{}
	reg := prometheus.NewRegistry()
	cfg := Config{}
	deps := Deps{
		Logger:   slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Registry: reg,
		Verifier: v,
		Now:      func() time.Time { return testNow },
	}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	s, err := NewServer(cfg, deps)
	if err != nil {
		tb.Fatal(err)
	}
	return &testServer{Server: s, key: key, authCfg: authCfg, logs: logs, reg: reg}
}

// addRoute registers a route for a test, as the resource endpoints will.
func (ts *testServer) addRoute(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	ts.echo.Add(method, path, h, m...)
	ts.routes[path] = true
	if ts.fakes == nil {
		ts.fakes = map[string]bool{}
	}
	ts.fakes[path] = true
}

// token mints a token for subject with roles, valid for an hour from testNow.
func (ts *testServer) token(tb testing.TB, subject string, roles ...access.Role) string {
	tb.Helper()
	tok, err := auth.Mint(ts.key, ts.authCfg, subject, roles, testNow, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

type request struct {
	method, path string
	body         string
	header       http.Header
}

func (ts *testServer) do(tb testing.TB, r request) *httptest.ResponseRecorder {
	tb.Helper()
	var body io.Reader = http.NoBody
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	ts.checkedHandler(tb, ts.Handler()).ServeHTTP(rec, req) // validated against the OpenAPI document
	return rec
}

func bearerHeader(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

func jsonHeader(extra http.Header) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

// decodeProblem asserts a problem+json response of status and returns it.
func decodeProblem(tb testing.TB, rec *httptest.ResponseRecorder, status int) problem {
	tb.Helper()
	if rec.Code != status {
		tb.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != mimeProblemJSON {
		tb.Fatalf("Content-Type = %q, want %q", ct, mimeProblemJSON)
	}
	var raw map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		tb.Fatalf("body is not JSON: %v: %s", err, rec.Body)
	}
	for _, member := range []string{"type", "title", "status", "detail"} {
		if _, ok := raw[member]; !ok {
			tb.Fatalf("problem lacks %q: %s", member, rec.Body)
		}
	}
	var p problem
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		tb.Fatalf("problem has unexpected members: %v: %s", err, rec.Body)
	}
	if p.Status != status || p.Type != "about:blank" || p.Title != http.StatusText(status) || p.Detail == "" {
		tb.Fatalf("problem = %+v, want status %d, type about:blank, title %q and a detail", p, status, http.StatusText(status))
	}
	if p.CorrelationID == "" || p.CorrelationID != rec.Header().Get(headerCorrelationID) {
		tb.Fatalf("problem correlationId %q, header %q", p.CorrelationID, rec.Header().Get(headerCorrelationID))
	}
	return p
}

func paramNames(p problem) []string {
	names := make([]string, len(p.InvalidParams))
	for i, ip := range p.InvalidParams {
		names[i] = ip.Name
	}
	return names
}

const (
	participant = "11111111-1111-4111-8111-111111111111"
	manager     = "33333333-3333-4333-8333-333333333333"
)

func TestConfigDefaultsAndValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("the zero Config is invalid: %v", err)
	}
	c := Config{}.withDefaults()
	if c.Version != "1.0.0" || c.BodyLimit != 1<<20 || c.ReadyTimeout != 2*time.Second || c.ContactEmail == "" {
		t.Fatalf("defaults = %+v", c)
	}
	for _, bad := range []Config{
		{Version: "1.0"}, {Version: "2.0.0"}, {Version: "v1.0.0"}, {BodyLimit: 10},
		{ReadyTimeout: -time.Second}, {ContactEmail: "nobody"}, {ContactURL: "ftp://x"},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted it", bad)
		}
	}
	if _, err := NewServer(Config{}, Deps{Registry: prometheus.NewRegistry()}); err == nil {
		t.Error("NewServer without a verifier succeeded")
	}
	ts := newTestServer(t)
	if _, err := NewServer(Config{}, Deps{Registry: ts.reg, Verifier: ts.verifier}); err == nil {
		t.Error("two servers registered their metrics on one registry")
	}
}

func TestAPIVersionAndCorrelationIDOnEveryResponse(t *testing.T) {
	ts := newTestServer(t)
	for _, r := range []request{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/v1/openapi.json"},
		{method: "GET", path: "/v1/me"},              // 401
		{method: "GET", path: "/v1/nothing-here"},    // 404
		{method: "DELETE", path: "/v1/openapi.json"}, // 405
		{method: "GET", path: "/v1/openapi.json/"},   // 404, trailing slash
		{method: "GET", path: "/v1/me", header: bearerHeader(ts.token(t, participant, access.RoleParticipant))},
	} {
		rec := ts.do(t, r)
		if got := rec.Header().Get("API-Version"); got != "1.0.0" {
			t.Errorf("%s %s: API-Version = %q", r.method, r.path, got)
		}
		if got := rec.Header().Get(headerCorrelationID); got == "" {
			t.Errorf("%s %s: no %s", r.method, r.path, headerCorrelationID)
		}
	}
}

func TestCorrelationID(t *testing.T) {
	ts := newTestServer(t)
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	for _, tc := range []struct {
		name   string
		header http.Header
		want   string // "" means: a fresh UUID
	}{
		{"incoming id reused", http.Header{"X-Correlation-Id": {"req-2025.03.14:abc"}}, "req-2025.03.14:abc"},
		{"traceparent's trace id", http.Header{"Traceparent": {"00-" + trace + "-00f067aa0ba902b7-01"}}, trace},
		{"id wins over traceparent", http.Header{"X-Correlation-Id": {"abcdefgh12"}, "Traceparent": {"00-" + trace + "-00f067aa0ba902b7-01"}}, "abcdefgh12"},
		{"id with spaces replaced", http.Header{"X-Correlation-Id": {"Jan Jansen <jan@example.org>"}}, ""},
		{"too short replaced", http.Header{"X-Correlation-Id": {"abc"}}, ""},
		{"too long replaced", http.Header{"X-Correlation-Id": {strings.Repeat("a", 65)}}, ""},
		{"all-zero trace id replaced", http.Header{"Traceparent": {"00-" + strings.Repeat("0", 32) + "-00f067aa0ba902b7-01"}}, ""},
		{"malformed traceparent replaced", http.Header{"Traceparent": {"00-XYZ-00f067aa0ba902b7-01"}}, ""},
		{"none", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := ts.do(t, request{method: "GET", path: "/v1/me", header: tc.header})
			p := decodeProblem(t, rec, http.StatusUnauthorized)
			got := rec.Header().Get(headerCorrelationID)
			if tc.want != "" && got != tc.want {
				t.Fatalf("correlation id = %q, want %q", got, tc.want)
			}
			if tc.want == "" && (len(got) != 36 || strings.Count(got, "-") != 4) {
				t.Fatalf("correlation id = %q, want a fresh UUID", got)
			}
			if p.CorrelationID != got {
				t.Fatalf("problem names %q, header %q", p.CorrelationID, got)
			}
			if !strings.Contains(ts.logs.String(), `"correlation_id":"`+got+`"`) {
				t.Fatalf("log lacks the correlation id %q", got)
			}
		})
	}
}

func TestTrailingSlashIs404NotRedirect(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/v1/openapi.json/", "/v1/", "/healthz/", "/v1/me/"} {
		rec := ts.do(t, request{method: "GET", path: path, header: bearerHeader(ts.token(t, participant, access.RoleParticipant))})
		p := decodeProblem(t, rec, http.StatusNotFound)
		if rec.Header().Get("Location") != "" || !strings.Contains(p.Detail, "slash") {
			t.Errorf("GET %s: Location %q, detail %q", path, rec.Header().Get("Location"), p.Detail)
		}
	}
}

func TestNotFoundAndMethodNotAllowedAreProblems(t *testing.T) {
	ts := newTestServer(t)
	decodeProblem(t, ts.do(t, request{method: "GET", path: "/v1/no-such-thing"}), http.StatusNotFound)
	decodeProblem(t, ts.do(t, request{method: "GET", path: "/"}), http.StatusNotFound)
	rec := ts.do(t, request{method: "POST", path: "/v1/openapi.json"})
	decodeProblem(t, rec, http.StatusMethodNotAllowed)
	if !strings.Contains(rec.Header().Get("Allow"), "GET") {
		t.Errorf("405 without Allow: %q", rec.Header().Get("Allow"))
	}
}

func TestHealthAndReadiness(t *testing.T) {
	var caughtUp bool
	var mu sync.Mutex
	ts := newTestServer(t, func(_ *Config, d *Deps) {
		d.Ready = func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			if !caughtUp {
				return errors.New("portfolio projection 120 events behind")
			}
			return nil
		}
	})
	if rec := ts.do(t, request{method: "GET", path: "/healthz"}); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Fatalf("healthz: %d %s", rec.Code, rec.Body)
	}
	p := decodeProblem(t, ts.do(t, request{method: "GET", path: "/readyz"}), http.StatusServiceUnavailable)
	if strings.Contains(p.Detail, "120") {
		t.Errorf("readiness detail leaks internals: %q", p.Detail)
	}
	adminRec := httptest.NewRecorder()
	ts.AdminHandler().ServeHTTP(adminRec, httptest.NewRequest("GET", "/readyz", nil))
	if adminRec.Code != http.StatusServiceUnavailable {
		t.Errorf("admin readyz before catching up: %d", adminRec.Code)
	}
	mu.Lock()
	caughtUp = true
	mu.Unlock()
	if rec := ts.do(t, request{method: "GET", path: "/readyz"}); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ready"`) {
		t.Fatalf("readyz after catching up: %d %s", rec.Code, rec.Body)
	}
}

// shapeDTO is a request body of the kind the resource endpoints will bind.
type shapeDTO struct {
	Title string      `json:"title"`
	Score int         `json:"score"`
	At    DateTime    `json:"at"`
	Steps []shapeStep `json:"steps"`
	Tags  []string    `json:"tags"`
}

type shapeStep struct {
	Note string   `json:"note"`
	At   DateTime `json:"at"`
}

func (d *shapeDTO) validate() error {
	var title *domain.FieldError
	switch {
	case d.Title == "":
		title = domain.Required("title")
	case len(d.Title) > domain.MaxTitle:
		title = domain.Invalid("title", "must be at most %d characters", domain.MaxTitle)
	}
	var score *domain.FieldError
	if d.Score < 1 || d.Score > 5 {
		score = domain.Invalid("score", "must be 1 to 5")
	}
	return domain.Validate(title, score)
}

func (ts *testServer) addShapeRoute() {
	ts.addRoute("POST", "/v1/shapes", func(c echo.Context) error {
		var d shapeDTO
		if err := bindJSON(c, &d); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, d)
	})
}

func TestBindJSON(t *testing.T) {
	ts := newTestServer(t)
	ts.addShapeRoute()
	for _, tc := range []struct {
		name       string
		body       string
		wantParams []string
	}{
		{"unknown fields, each named with its path",
			`{"title":"t","score":3,"at":"2025-03-14T09:30:00Z","colour":"red","steps":[{"note":"n","at":"2025-03-14T09:30:00+01:00","mood":1}]}`,
			[]string{"colour", "steps[0].mood"}},
		{"field names are exact, as the documented camelCase",
			`{"Title":"t","score":3,"at":"2025-03-14T09:30:00Z"}`, []string{"Title"}},
		{"wrong types, each named",
			`{"title":7,"score":"3","at":"2025-03-14T09:30:00Z","tags":"x","steps":[{"note":true}]}`,
			[]string{"score", "steps[0].note", "tags", "title"}},
		{"date-time without a time zone",
			`{"title":"t","score":3,"at":"2025-03-14T09:30:00"}`, []string{"at"}},
		{"date without time",
			`{"title":"t","score":3,"at":"2025-03-14","steps":[{"at":"14-03-2025 09:30"}]}`, []string{"at", "steps[0].at"}},
		{"integer out of range", `{"title":"t","score":1e30,"at":"2025-03-14T09:30:00Z"}`, []string{"score"}},
		{"shape rules of the DTO: every field", `{"title":"","score":9,"at":"2025-03-14T09:30:00Z"}`, []string{"title", "score"}},
		{"not JSON", `{"title":`, []string{"body"}},
		{"two values", `{"title":"t"} {}`, []string{"body"}},
		{"not an object", `["title"]`, []string{"body"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := ts.do(t, request{method: "POST", path: "/v1/shapes", body: tc.body, header: jsonHeader(nil)})
			p := decodeProblem(t, rec, http.StatusBadRequest)
			if got := strings.Join(paramNames(p), ","); got != strings.Join(tc.wantParams, ",") {
				t.Fatalf("invalidParams %v, want %v (%s)", paramNames(p), tc.wantParams, rec.Body)
			}
			for _, ip := range p.InvalidParams {
				if ip.Reason == "" {
					t.Errorf("param %q without a reason", ip.Name)
				}
			}
		})
	}

	t.Run("valid body", func(t *testing.T) {
		rec := ts.do(t, request{method: "POST", path: "/v1/shapes", header: jsonHeader(nil),
			body: `{"title":"t","score":3,"at":"2025-03-14T10:30:00+01:00","steps":[{"note":"n","at":"2025-03-14T09:30:00Z"}],"tags":null}`})
		if rec.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if !strings.Contains(rec.Body.String(), `"at":"2025-03-14T10:30:00+01:00"`) {
			t.Fatalf("date-time not written back in RFC 3339 with its zone: %s", rec.Body)
		}
	})

	t.Run("415 without application/json", func(t *testing.T) {
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"} {
			h := http.Header{}
			if ct != "" {
				h.Set("Content-Type", ct)
			}
			decodeProblem(t, ts.do(t, request{method: "POST", path: "/v1/shapes", body: `{"title":"t"}`, header: h}), http.StatusUnsupportedMediaType)
		}
		rec := ts.do(t, request{method: "POST", path: "/v1/shapes", header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}},
			body: `{"title":"t","score":3,"at":"2025-03-14T09:30:00Z"}`})
		if rec.Code != http.StatusCreated {
			t.Fatalf("charset=UTF-8 refused: %d %s", rec.Code, rec.Body)
		}
	})
}

func TestBodyLimit(t *testing.T) {
	ts := newTestServer(t, func(c *Config, _ *Deps) { c.BodyLimit = 2048 })
	ts.addShapeRoute()
	big := `{"title":"` + strings.Repeat("x", 4096) + `","score":3,"at":"2025-03-14T09:30:00Z"}`

	p := decodeProblem(t, ts.do(t, request{method: "POST", path: "/v1/shapes", body: big, header: jsonHeader(nil)}), http.StatusRequestEntityTooLarge)
	if !strings.Contains(p.Detail, "2048") {
		t.Errorf("413 detail %q does not name the limit", p.Detail)
	}

	// Without Content-Length (chunked), the limit bites while reading.
	req := httptest.NewRequest("POST", "/v1/shapes", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, req)
	decodeProblem(t, rec, http.StatusRequestEntityTooLarge)

	// Also on a route that matches nothing: the limit is checked before routing.
	decodeProblem(t, ts.do(t, request{method: "POST", path: "/v1/elsewhere", body: big, header: jsonHeader(nil)}), http.StatusRequestEntityTooLarge)
}

func TestStatusOfIsTheOneTable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{domain.ErrInvalid, 400},
		{domain.Invalid("title", "is required"), 400},
		{domain.Validate(domain.Required("a"), domain.Required("b")), 400},
		{errors.Join(errors.New("load journey"), domain.ErrNotFound), 404},
		{problemf(domain.ErrConflict, "already handed in"), 409},
		{domain.ErrForbidden, 403},
		{errUnauthenticated, 401},
		{errPreconditionFailed, 412},
		{errBodyTooLarge, 413},
		{errUnsupportedMediaType, 415},
		{errPreconditionRequired, 428},
		{errTooManyRequests, 429},
		{errRequestTimeout, 408},
		{errHeaderTooLarge, 431},
		{errNoRoute, 404},
		{errNotReady, 503},
		{echo.ErrNotFound, 404},
		{echo.ErrMethodNotAllowed, 405},
		{errors.New("disk full"), 500},
	} {
		if got := statusOf(tc.err); got != tc.want {
			t.Errorf("statusOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestErrorsThroughHandlers(t *testing.T) {
	ts := newTestServer(t)
	ts.addRoute("GET", "/v1/errors/:kind", func(c echo.Context) error {
		switch c.Param("kind") {
		case "invalid":
			return domain.Validate(domain.Required("learningGoalId"), domain.Invalid("section", `"x" is not one of why-and-values`))
		case "field":
			return domain.Invalid("score", "must be 1 to 5")
		case "conflict":
			return errors.Join(errors.New("hand in assignment 1f"), domain.ErrConflict)
		case "precondition":
			return problemf(errPreconditionFailed, "The journey changed since revision 4: read it again.")
		case "panic":
			panic("participant Jan Jansen broke it")
		}
		return errors.New("connect to 10.0.0.7: secret connection string")
	})

	p := decodeProblem(t, ts.do(t, request{method: "GET", path: "/v1/errors/invalid"}), 400)
	if got := strings.Join(paramNames(p), ","); got != "learningGoalId,section" {
		t.Errorf("invalidParams %v", paramNames(p))
	}
	if p := decodeProblem(t, ts.do(t, request{method: "GET", path: "/v1/errors/field"}), 400); len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "score" {
		t.Errorf("a single field error: %+v", p)
	}
	decodeProblem(t, ts.do(t, request{method: "GET", path: "/v1/errors/conflict"}), 409)
	decodeProblem(t, ts.do(t, request{method: "GET", path: "/v1/errors/precondition"}), 412)

	for _, kind := range []string{"internal", "panic"} {
		rec := ts.do(t, request{method: "GET", path: "/v1/errors/" + kind})
		p := decodeProblem(t, rec, 500)
		if p.Detail != "internal error" || strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "Jan") {
			t.Errorf("500 leaks: %s", rec.Body)
		}
	}
	logs := ts.logs.String()
	if !strings.Contains(logs, `"msg":"request failed"`) || !strings.Contains(logs, `"route":"/v1/errors/:kind"`) {
		t.Errorf("5xx not logged with its route template:\n%s", logs)
	}
	if strings.Contains(logs, "Jan") {
		t.Errorf("a panic value reached the log:\n%s", logs)
	}
	if !strings.Contains(logs, `"msg":"handler panicked"`) {
		t.Errorf("panic not logged:\n%s", logs)
	}
}

func TestRequestLogHoldsNoPersonalData(t *testing.T) {
	ts := newTestServer(t)
	ts.addShapeRoute()
	tok := ts.token(t, participant, access.RoleParticipant)
	ts.do(t, request{method: "GET", path: "/v1/me?name=Jan+Jansen&email=jan@example.org", header: bearerHeader(tok)})
	ts.do(t, request{method: "POST", path: "/v1/shapes?email=jan@example.org", header: jsonHeader(bearerHeader(tok)),
		body: `{"title":"Notitie van Jan Jansen","score":3,"at":"2025-03-14T09:30:00Z"}`})
	logs := ts.logs.String()
	for _, secret := range []string{"Jan", "jan@example.org", tok, tok[:20], participant, "Notitie"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q:\n%s", secret, logs)
		}
	}
	var line map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(logs), "\n") {
		if strings.Contains(l, `"route":"/v1/me"`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, k := range []string{"correlation_id", "method", "route", "status", "duration_seconds", "subject_hash"} {
		if _, ok := line[k]; !ok {
			t.Errorf("request log line lacks %q: %v", k, line)
		}
	}
	if line["subject_hash"] != subjectHash(participant) {
		t.Errorf("subject_hash = %v", line["subject_hash"])
	}
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t)
	ts.addRoute("GET", "/v1/journeys/:journeyId", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	tok := ts.token(t, participant, access.RoleParticipant)
	ts.do(t, request{method: "GET", path: "/v1/me", header: bearerHeader(tok)})
	ts.do(t, request{method: "GET", path: "/v1/me"})
	ts.do(t, request{method: "GET", path: "/v1/journeys/" + participant})
	ts.do(t, request{method: "GET", path: "/v1/scanner/" + participant})
	ts.do(t, request{method: "BREW", path: "/v1/me"})

	rec := httptest.NewRecorder()
	ts.AdminHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`# TYPE leerpad_http_request_duration_seconds histogram`,
		`leerpad_http_request_duration_seconds_bucket{method="GET",route="/v1/me",status="200",le="0.005"}`,
		`leerpad_http_request_duration_seconds_count{method="GET",route="/v1/me",status="401"} 1`,
		`leerpad_http_request_duration_seconds_count{method="GET",route="/v1/journeys/:journeyId",status="204"} 1`,
		`leerpad_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`leerpad_http_request_duration_seconds_count{method="OTHER",route="/v1/me",status="405"} 1`,
		`leerpad_http_errors_total{status="401"} 1`,
		`leerpad_http_errors_total{status="404"} 1`,
		`leerpad_http_requests_in_flight 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	if strings.Contains(body, participant) {
		t.Error("a raw URL reached a metric label")
	}
	if strings.Contains(body, "go_goroutines") {
		t.Error("the server registered the Go collector itself; cmd does that")
	}
	// The API's own handler does not serve metrics.
	decodeProblem(t, ts.do(t, request{method: "GET", path: "/metrics"}), http.StatusNotFound)
}

func TestProblemOnHEADHasNoBody(t *testing.T) {
	ts := newTestServer(t)
	rec := ts.do(t, request{method: "HEAD", path: "/v1/nowhere"})
	if rec.Code != http.StatusNotFound || rec.Body.Len() != 0 {
		t.Fatalf("HEAD: %d with %d body bytes", rec.Code, rec.Body.Len())
	}
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestDateTimeParam(t *testing.T) {
	got, err := dateTimeParam("asOf", "2025-03-14T10:30:00+01:00")
	if err != nil || !got.Equal(testNow.Add(0)) {
		t.Fatalf("dateTimeParam = %v, %v", got, err)
	}
	for _, bad := range []string{"2025-03-14T10:30:00", "2025-03-14", "14-03-2025", ""} {
		_, err := dateTimeParam("asOf", bad)
		if p := invalidParamsOf(err); len(p) != 1 || p[0].Name != "asOf" || statusOf(err) != 400 {
			t.Errorf("dateTimeParam(%q): %v", bad, err)
		}
	}
}
