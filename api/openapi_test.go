package api

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// echoPathOf turns a document path into the echo route it describes: under
// /v1 unless the path item names the root server, {param} as :param.
func echoPathOf(path string, item *oasPathItem) string {
	prefix := versionServerURL
	if len(item.Servers) == 1 && item.Servers[0].URL == rootServerURL {
		prefix = ""
	}
	return prefix + regexp.MustCompile(`\{([^}]+)\}`).ReplaceAllString(path, ":$1")
}

// TestOpenAPIDescribesEveryRoute fails when a registered route is missing
// from the document, or the document describes a route or method that is not
// registered.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	ts := newTestServer(t)
	doc := openAPIDocument(ts.cfg)

	registered := map[string]bool{}
	for _, r := range ts.echo.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		registered[r.Method+" "+r.Path] = true
	}
	described := map[string]bool{}
	for path, item := range doc.Paths {
		if len(item.Servers) > 0 && (len(item.Servers) != 1 || item.Servers[0].URL != rootServerURL) {
			t.Errorf("%s: servers other than the root server", path)
		}
		for method := range item.operations() {
			described[method+" "+echoPathOf(path, item)] = true
		}
	}
	if len(registered) == 0 {
		t.Fatal("no routes registered")
	}
	for r := range registered {
		if !described[r] {
			t.Errorf("route %s is registered but not in the OpenAPI document", r)
		}
	}
	for d := range described {
		if !registered[d] {
			t.Errorf("the OpenAPI document describes %s, which is not registered", d)
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	ts := newTestServer(t, func(c *Config, _ *Deps) { c.Version = "1.4.2" })
	rec := ts.do(t, request{method: "GET", path: "/v1/openapi.json"})
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", rec.Code, rec.Header())
	}
	var doc oasDocument
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Info.Version != "1.4.2" || rec.Header().Get("API-Version") != "1.4.2" {
		t.Fatalf("openapi %q, info.version %q, API-Version %q", doc.OpenAPI, doc.Info.Version, rec.Header().Get("API-Version"))
	}
	// Every operation says which security applies (public ones: none), and
	// every response carries the API-Version header.
	for path, item := range doc.Paths {
		for method, op := range item.operations() {
			if op.Security == nil {
				t.Errorf("%s %s: no security requirement", method, path)
			}
			for code, r := range op.Responses {
				if _, ok := r.Headers[headerAPIVersion]; !ok {
					t.Errorf("%s %s %s: no API-Version header", method, path, code)
				}
			}
		}
	}
}

// moduleRoot finds the directory of go.mod above the test's directory.
func moduleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// spectralResult is one finding of `spectral lint -f json`.
type spectralResult struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Path     []any  `json:"path"`
	Severity int    `json:"severity"` // 0 error, 1 warning, 2 info, 3 hint
	Source   string `json:"source"`
}

// spectralCommand returns the Spectral binary pinned by the module's
// package-lock.json, installing it with npm ci into the module's git-ignored
// node_modules when it is not there yet.
func spectralCommand(tb testing.TB, ctx context.Context, root string) string {
	tb.Helper()
	bin := filepath.Join(root, "node_modules", ".bin", "spectral")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		tb.Fatalf("npm is missing: install Node.js and npm to lint the OpenAPI document (%v)", err)
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("npm ci in %s: %v\n%s", root, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		tb.Fatalf("npm ci did not install spectral: %v", err)
	}
	tb.Logf("installed the pinned @stoplight/spectral-cli into %s", filepath.Join(root, "node_modules"))
	return bin
}

// designRules is the NL GOV API Design Rules ruleset, a copy kept in the
// repository (see its README for the source, licence and changes).
const designRules = "testdata/adr/linter.yaml"

// TestOpenAPIPassesDesignRulesLinter runs the NL GOV API Design Rules
// ruleset on the document with the pinned Spectral and fails on any error;
// warnings are logged.
func TestOpenAPIPassesDesignRulesLinter(t *testing.T) {
	root := moduleRoot(t)
	ruleset, err := filepath.Abs(designRules)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ruleset); err != nil {
		t.Fatalf("the design-rules ruleset is missing: %v", err)
	}

	ts := newTestServer(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(file, ts.openapi, 0o600); err != nil {
		t.Fatal(err)
	}
	// A broken copy, linted in the same run, proves the ruleset is applied:
	// it must yield exactly the errors planted in it.
	canary := filepath.Join(dir, "canary.json")
	if err := os.WriteFile(canary, brokenCopy(t, ts.openapi), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	argv := []string{spectralCommand(t, ctx, root), "lint", "-r", ruleset, file, canary, "--fail-severity=error", "--format", "json", "--quiet"}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run %s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	var results []spectralResult
	if jerr := json.Unmarshal(out, &results); jerr != nil {
		t.Fatalf("spectral output is not JSON (%v; exit %v):\n%s\n%s", jerr, err, out, stderr.String())
	}
	counts := map[int]int{}
	planted := map[string]bool{}
	for _, r := range results {
		if r.Source == canary {
			if r.Severity == 0 {
				planted[r.Code] = true
			}
			continue
		}
		counts[r.Severity]++
		line := r.Code + " at " + pathString(r.Path) + ": " + r.Message
		if r.Severity == 0 {
			t.Errorf("error: %s", line)
		} else {
			t.Logf("%s: %s", []string{"error", "warning", "info", "hint"}[min(r.Severity, 3)], line)
		}
	}
	t.Logf("spectral (%s): %d errors, %d warnings, %d infos, %d hints", filepath.Base(argv[0]), counts[0], counts[1], counts[2], counts[3])
	for _, code := range []string{"nlgov:info-contact-fields-exist", "nlgov:missing-version-header", "nlgov:use-problem-schema", "path-keys-no-trailing-slash"} {
		if !planted[code] {
			t.Errorf("the linter did not report %s in the broken copy: is the ruleset applied? (found %v)", code, planted)
		}
	}
	if err == nil {
		t.Fatal("spectral exited 0 although the broken copy has errors")
	}
}

func pathString(p []any) string {
	parts := make([]string, len(p))
	for i, e := range p {
		b, _ := json.Marshal(e)
		parts[i] = strings.Trim(string(b), `"`)
	}
	return strings.Join(slices.Clip(parts), ".")
}

// brokenCopy returns doc with four violations of the design rules planted:
// no contact email, a 200 without API-Version, a 401 that is not
// problem+json, and a path with a trailing slash.
func brokenCopy(tb testing.TB, doc []byte) []byte {
	tb.Helper()
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		tb.Fatal(err)
	}
	get := func(m any, keys ...string) map[string]any {
		for _, k := range keys {
			m = m.(map[string]any)[k]
		}
		return m.(map[string]any)
	}
	delete(get(d, "info", "contact"), "email")
	me := get(d, "paths", "/me")
	delete(get(me, "get", "responses", "200", "headers"), headerAPIVersion)
	get(me, "get", "responses", "401")["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
	get(d, "paths")["/trailing/"] = map[string]any{"get": map[string]any{"operationId": "trailing", "responses": map[string]any{}}}
	b, err := json.Marshal(d)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestOpenAPISchemasAreDescribed fails when a schema or an operation has no
// description, or a closed set of closedSets names a schema or property
// that does not exist (and so would silently not be applied).
func TestOpenAPISchemasAreDescribed(t *testing.T) {
	doc := openAPIDocument(Config{}.withDefaults())
	for name, s := range doc.Components.Schemas {
		if d, _ := s.(map[string]any)["description"].(string); d == "" {
			t.Errorf("schema %s has no description (schemaDescriptions)", name)
		}
	}
	for name := range schemaDescriptions {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("schemaDescriptions describes %s, which is not in the document", name)
		}
	}
	for key := range closedSets() {
		name, prop, _ := strings.Cut(key, ".")
		s, _ := doc.Components.Schemas[name].(map[string]any)
		props, _ := s["properties"].(map[string]any)
		if _, ok := props[prop]; !ok {
			t.Errorf("closed set %s: no such schema property", key)
		}
	}
	for path, item := range doc.Paths {
		for method, op := range item.operations() {
			if op.Description == "" {
				t.Errorf("%s %s (%s) has no description", method, path, op.OperationID)
			}
		}
	}
}
