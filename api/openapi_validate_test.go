package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Every request a test sends through testServer.do goes through
// checkedHandler: the request and the response are validated with
// kin-openapi against the document the server itself serves, so the
// document cannot claim what the API does not do. A response that does not
// match its operation (an undocumented status, a missing header, a body
// outside the schema) fails the test. A request outside the document is
// fine when the server refused it (the tests send bad requests on purpose);
// it is a violation when the server accepted it, because then the document
// is stricter than the API.
//
// kin-openapi stops at the first response header that is wrong, so a
// response without its API-Version header reports that alone; its body is
// checked once the header is there.
//
// Exchanges on paths or methods the document does not describe (a 404 of
// an unknown path, a 405) are not checked, nor are the stand-in routes a
// test adds with addRoute.

// oasChecker is the document of one rendering, loaded and routed.
type oasChecker struct {
	doc    *openapi3.T
	router routers.Router
	err    error
}

// oasLog is what the checked exchanges of the test binary showed: the
// operations that answered with their success status, and the violations.
// It is shared by every test (the coverage check in TestMain reads it after
// all of them ran), hence package state, guarded by its mutex.
type oasLog struct {
	mu         sync.Mutex
	checkers   map[[32]byte]*oasChecker // by the document's bytes
	checked    int
	succeeded  map[string]bool // operationId → answered with its success status
	violations []string
}

var exchanges = newOASLog()

func newOASLog() *oasLog {
	return &oasLog{checkers: map[[32]byte]*oasChecker{}, succeeded: map[string]bool{}}
}

// checker loads doc once per distinct rendering (the version and contact
// are configurable, so there are a few).
func (l *oasLog) checker(doc []byte) *oasChecker {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := sha256.Sum256(doc)
	if c, ok := l.checkers[key]; ok {
		return c
	}
	c := &oasChecker{}
	loader := openapi3.NewLoader()
	c.doc, c.err = loader.LoadFromData(doc)
	if c.err == nil {
		c.err = c.doc.Validate(loader.Context)
	}
	if c.err == nil {
		c.router, c.err = gorillamux.NewRouter(c.doc)
	}
	if c.err != nil {
		c.err = fmt.Errorf("the served OpenAPI document does not load: %w", c.err)
	}
	l.checkers[key] = c
	return c
}

func (l *oasLog) record(operationID string, succeeded bool, violations []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checked++
	if succeeded {
		l.succeeded[operationID] = true
	}
	l.violations = append(l.violations, violations...)
}

// summary returns the number of checked exchanges and of violations.
func (l *oasLog) summary() (checked, violations int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.checked, len(l.violations)
}

// exercised reports whether an operation answered with its success status.
func (l *oasLog) exercised(operationID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.succeeded[operationID]
}

// checkedHandler wraps h, the handler of ts, in the validation of every
// exchange against ts's document; violations fail tb.
func (ts *testServer) checkedHandler(tb testing.TB, h http.Handler) http.Handler {
	return checked{ts: ts, tb: tb, h: h, log: exchanges}
}

// checked is the validating layer; a type of its own, not a closure, so
// that tb.Helper reports a violation at the test's line.
type checked struct {
	ts  *testServer
	tb  testing.TB
	h   http.Handler
	log *oasLog
}

func (v checked) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tb := v.tb
	tb.Helper()
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			tb.Fatalf("read the request body: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	// The request the validator sees is a copy: the handler may change the
	// one it serves (echo sets its context, path and body).
	probe := r.Clone(context.Background())
	probe.Body = io.NopCloser(bytes.NewReader(body))

	rec := httptest.NewRecorder()
	v.h.ServeHTTP(rec, r)
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())

	c := v.log.checker(v.ts.openapi)
	if c.err != nil {
		tb.Fatal(c.err)
	}
	route, params, err := c.router.FindRoute(probe)
	if err != nil || v.ts.fakes[echoPathOfRoute(route)] {
		return // not an operation of the document, or a stand-in
	}
	op := route.Operation
	where := fmt.Sprintf("%s %s (%s) answered %d", probe.Method, route.Path, op.OperationID, rec.Code)
	var violations []string
	in := &openapi3filter.RequestValidationInput{
		Request: probe, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && rec.Code < 300 {
		violations = append(violations, where+": the request is outside the document, yet it was accepted: "+explain(err))
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		violations = append(violations, where+": the response is not as documented: "+explain(err))
	}
	for _, msg := range violations {
		tb.Errorf("openapi: %s", msg)
	}
	v.log.record(op.OperationID, rec.Code == successStatus(op), violations)
}

// successStatus is the 2xx status an operation documents.
func successStatus(op *openapi3.Operation) int {
	for code := 200; code < 300; code++ {
		if op.Responses.Status(code) != nil {
			return code
		}
	}
	return 0
}

// echoPathOfRoute is the echo route a document route describes (see
// echoPathOf), or "" for none.
func echoPathOfRoute(r *routers.Route) string {
	if r == nil {
		return ""
	}
	prefix := versionServerURL
	if r.Server != nil && r.Server.URL == rootServerURL {
		prefix = ""
	}
	return prefix + pathParam.ReplaceAllString(r.Path, ":$1")
}

// explain flattens a validation error into one line per finding.
func explain(err error) string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		parts := make([]string, 0, len(me))
		for _, e := range me {
			parts = append(parts, explain(e))
		}
		slices.Sort(parts)
		return strings.Join(slices.Compact(parts), "; ")
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		// Without the schema and the value, which can be long (and the
		// value is test data): where, and what is wrong.
		return fmt.Sprintf("at /%s: %s", strings.Join(se.JSONPointer(), "/"), se.Reason)
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Parameter != nil {
		return fmt.Sprintf("parameter %s in %s: %s", re.Parameter.Name, re.Parameter.In, strings.Join(strings.Fields(re.Err.Error()), " "))
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// violationsTB records the violations the layer reports instead of failing.
type violationsTB struct {
	testing.TB
	errs []string
}

func (v *violationsTB) Helper() {}

func (v *violationsTB) Errorf(format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...))
}

// TestCheckedHandlerReportsViolations proves the layer is not a no-op: a
// stand-in handler that answers against the document is reported, with the
// operation, the status and what was wrong.
func TestCheckedHandlerReportsViolations(t *testing.T) {
	ts := newTestServer(t)
	bad := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", mimeJSON)
		if r.URL.Path != "/readyz" { // the probe forgets API-Version
			w.Header().Set(headerAPIVersion, "1.0.0")
		}
		w.Header().Set(headerCorrelationID, "abcdefgh")
		switch r.URL.Path {
		case "/readyz":
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"status":"ready"}`))
		case "/v1/me": // a number for a string, a role that does not exist
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"subject":7,"roles":["boss"]}`))
		case "/healthz": // a status the operation does not list
			w.WriteHeader(http.StatusTeapot)
		default: // accepts a body the document refuses
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"id":"x","href":"/v1/modules/x"}`))
		}
	})
	log := newOASLog()
	for _, tc := range []struct {
		method, path, body string
		want               []string
	}{
		{"GET", "/readyz", "", []string{"getReadiness", "answered 200", `header "API-Version" missing`}},
		{"GET", "/v1/me", "", []string{"getMe", "answered 200", "at /subject", "at /roles/0"}},
		{"GET", "/healthz", "", []string{"getHealth", "answered 418", "status is not supported"}},
		{"POST", "/v1/modules", `{"content":7}`, []string{"createModule", "answered 201", "the request is outside the document, yet it was accepted", "/content"}},
	} {
		vt := &violationsTB{TB: t}
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", mimeJSON)
		checked{ts: ts, tb: vt, h: bad, log: log}.ServeHTTP(httptest.NewRecorder(), req)
		got := strings.Join(vt.errs, "\n")
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %s: violations lack %q:\n%s", tc.method, tc.path, w, got)
			}
		}
	}
	if _, n := log.summary(); n == 0 {
		t.Error("no violation recorded")
	}
}
