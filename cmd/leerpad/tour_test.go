package main

// The README's tour and configuration reference, held to the code: TestTour
// runs the tour's shell block as it stands, command by command, through
// run() and HTTP; TestTourRoutesAreDocumented checks its requests against the
// OpenAPI document; TestReadmeFlagTables compares the reference with the
// commands' flag sets (and rewrites it with -update).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/api"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
)

var updateReadme = flag.Bool("update", false, "rewrite the README's configuration reference from the flag sets")

const readmePath = "../../README.md"

// tourScale is the scale TestTour seeds at, added to the tour's seed
// command: a small data set keeps the test quick under the race detector.
// Everything else runs as the README has it: three cohorts, so that the
// running one is BLG, whose manager approves 360 raters, as by default.
var tourScale = []string{"--cohorts", "3", "--participants", "8"}

// TestTour runs the README's tour: leerpad seed --env on a temporary data
// directory, serve in-process on free ports (read from its "leerpad serving"
// log line), tokens through leerpad token, and every curl as an HTTP request.
// Then it checks what the tour promises: the experiment is accepted with its
// Leerpad-Position, the manager's read with Leerpad-Min-Position shows the
// shared sections, the new experiment among them, and nothing else, the
// dashboard shows the cohort's participants, the programme office is refused
// the portfolio, and every route used is in the OpenAPI document.
func TestTour(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node and runs leerpad serve")
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sh := newTourShell(t, ctx, t.TempDir())
	defer func() { _ = sh.stopServe() }()
	for _, st := range readTour(t) {
		if err := sh.run(st); err != nil {
			t.Fatalf("the tour stops: %v\n%s", err, sh.serveOutput())
		}
	}
	if sh.serve != nil {
		t.Fatal("the tour leaves leerpad serve running: it should end with kill $SERVE_PID")
	}

	// The ids of leerpad seed --env are the running cohort's.
	for _, name := range []string{"LEERPAD_COHORT", "LEERPAD_PROGRAMME", "LEERPAD_TRAINER", "LEERPAD_PARTICIPANT", "LEERPAD_JOURNEY", "LEERPAD_MANAGER", "LEERPAD_GOAL", "LEERPAD_SHARED", "LEERPAD_INSTRUMENT"} {
		if sh.env[name] == "" {
			t.Errorf("leerpad seed --env set no %s", name)
		}
	}
	env := sh.env
	shared := strings.Split(env["LEERPAD_SHARED"], ",")

	// The participant logs an experiment: 201 with Leerpad-Position.
	logged := sh.exchange(t, "POST", "/v1/journeys/"+env["LEERPAD_JOURNEY"]+"/experiments", access.RoleParticipant)
	position := logged.header.Get("Leerpad-Position")
	if logged.status != http.StatusCreated || position == "" {
		t.Fatalf("logging the experiment: %d, Leerpad-Position %q: %s", logged.status, position, logged.body)
	}
	var ref struct{ ID, Href string }
	if err := json.Unmarshal(logged.body, &ref); err != nil || ref.ID == "" {
		t.Fatalf("logging the experiment answered %s (%v)", logged.body, err)
	}

	// The manager reads the portfolio, waiting for that position: the shared
	// sections with the new experiment, nothing that is not shared.
	read := sh.exchange(t, "GET", "/v1/journeys/"+env["LEERPAD_JOURNEY"]+"/portfolio", access.RoleManager)
	if got := read.request.Get("Leerpad-Min-Position"); got != position {
		t.Errorf("the manager's read sends Leerpad-Min-Position %q, want the experiment's position %q", got, position)
	}
	if read.status != http.StatusOK {
		t.Fatalf("the manager's read: %d %s", read.status, read.body)
	}
	var portfolio map[string]json.RawMessage
	if err := json.Unmarshal(read.body, &portfolio); err != nil {
		t.Fatal(err)
	}
	var parts, sharedSections []string
	_ = json.Unmarshal(portfolio["parts"], &parts)
	_ = json.Unmarshal(portfolio["sharedSections"], &sharedSections)
	if !slices.Equal(sharedSections, shared) {
		t.Errorf("the portfolio shares %v, leerpad seed said %v", sharedSections, shared)
	}
	for _, sec := range journey.Sections() {
		if slices.Contains(shared, sec.String()) != slices.Contains(parts, sec.String()) {
			t.Errorf("the manager sees the parts %v, with the sections %v shared", parts, shared)
			break
		}
	}
	fields := map[journey.Section]string{journey.SectionWhyAndValues: "whyAndValues", journey.SectionBehaviourChoices: "behaviourChoices",
		journey.SectionLearningGoals: "learningGoals", journey.SectionExperiments: "experiments", journey.SectionAssignments: "assignments",
		journey.SectionCoaching: "coaching", journey.SectionEvaluations: "evaluations", journey.SectionMeasurements: "measurements",
		journey.SectionFeedbackResults: "feedbackRounds"}
	unshared := []string{"modules", "intervision"} // parts that are no section: never for the manager
	for _, sec := range journey.Sections() {
		if !slices.Contains(shared, sec.String()) {
			unshared = append(unshared, fields[sec])
		}
	}
	if len(unshared) == 2 {
		t.Errorf("the tour's participant shares every section (%v); the tour should show one that is not shared", shared)
	}
	for _, field := range unshared {
		if _, ok := portfolio[field]; ok {
			t.Errorf("the manager sees %s, which is not shared with them", field)
		}
	}
	if slices.Contains(shared, journey.SectionExperiments.String()) {
		var experiments []struct{ ExperimentID string }
		_ = json.Unmarshal(portfolio["experiments"], &experiments)
		if !slices.ContainsFunc(experiments, func(e struct{ ExperimentID string }) bool { return e.ExperimentID == ref.ID }) {
			t.Errorf("the manager's read after Leerpad-Min-Position %s lacks the new experiment %s", position, ref.ID)
		}
	}

	// The participant's 360 report: the closed pre round, per competency
	// the groups' scores and the self-other gap.
	report := sh.exchange(t, "GET", "/v1/journeys/"+env["LEERPAD_JOURNEY"]+"/portfolio", access.RoleParticipant)
	var own struct {
		FeedbackRounds []struct {
			Kind, ClosedAt string
			GapThreshold   float64
			Competencies   []struct {
				Groups []struct{ Group string }
				Gap    *struct {
					Gap  float64
					Flag string
				}
			}
			Comments []struct{ Group, Text string }
		}
	}
	if err := json.Unmarshal(report.body, &own); err != nil || report.status != http.StatusOK {
		t.Fatalf("the participant's portfolio: %d (%v)", report.status, err)
	}
	if i := slices.IndexFunc(own.FeedbackRounds, func(r struct {
		Kind, ClosedAt string
		GapThreshold   float64
		Competencies   []struct {
			Groups []struct{ Group string }
			Gap    *struct {
				Gap  float64
				Flag string
			}
		}
		Comments []struct{ Group, Text string }
	}) bool {
		return r.ClosedAt != "" && r.GapThreshold > 0 && len(r.Competencies) > 0 && r.Competencies[0].Gap != nil
	}); i < 0 {
		t.Errorf("the participant's portfolio shows no 360 report with self-other gaps: %+v", own.FeedbackRounds)
	}

	// The manager's decisions to take: the peer just nominated, and where
	// to post the decision; the participant's round shows them pending.
	todo := sh.exchange(t, "GET", "/v1/rater-decisions", access.RoleManager)
	var decisions struct {
		Items []struct{ JourneyID, RaterID, Group, DecisionHref string }
	}
	if err := json.Unmarshal(todo.body, &decisions); err != nil || todo.status != http.StatusOK || todo.request.Get("Leerpad-Min-Position") == "" {
		t.Fatalf("the manager's decisions: %d %s (%v)", todo.status, todo.body, err)
	}
	round := env["ROUND"]
	if len(decisions.Items) != 1 || decisions.Items[0].JourneyID != env["LEERPAD_JOURNEY"] || decisions.Items[0].Group != "peer" ||
		!strings.HasPrefix(decisions.Items[0].DecisionHref, round+"/raters/") {
		t.Errorf("the manager's decisions are %+v; want the peer nominated in %s", decisions.Items, round)
	}
	followed := sh.exchange(t, "GET", round, access.RoleParticipant)
	var state struct {
		Raters   []struct{ Approval string }
		Awaiting []struct{ RaterID string }
	}
	if err := json.Unmarshal(followed.body, &state); err != nil || followed.status != http.StatusOK || len(state.Raters) != 1 ||
		state.Raters[0].Approval != "pending" || len(state.Awaiting) != 1 {
		t.Errorf("the participant's round: %d %s", followed.status, followed.body)
	}

	// The programme office reads the dashboard with the cohort's
	// participants, and is refused the named participant's portfolio.
	dash := sh.exchange(t, "GET", "/v1/cohorts/"+env["LEERPAD_COHORT"]+"/dashboard", access.RoleProgrammeOffice)
	var d struct {
		Enrolment    struct{ Enrolled, Active int }
		Participants []struct {
			ParticipantID     string
			ExperimentsLogged int
		}
	}
	if err := json.Unmarshal(dash.body, &d); err != nil || dash.status != http.StatusOK {
		t.Fatalf("the dashboard: %d %s (%v)", dash.status, dash.body, err)
	}
	perCohort, _ := strconv.Atoi(tourScale[3])
	i := slices.IndexFunc(d.Participants, func(p struct {
		ParticipantID     string
		ExperimentsLogged int
	}) bool {
		return p.ParticipantID == env["LEERPAD_PARTICIPANT"]
	})
	if len(d.Participants) != perCohort || d.Enrolment.Enrolled != perCohort || d.Enrolment.Active == 0 || i < 0 || d.Participants[i].ExperimentsLogged < 2 {
		t.Errorf("the dashboard shows %+v; want the %d participants, %s among them with the seeded experiments and the new one", d, perCohort, env["LEERPAD_PARTICIPANT"])
	}
	if ex := sh.exchange(t, "GET", "/v1/cohorts/"+env["LEERPAD_COHORT"]+"/dashboard", access.RoleTrainer); ex.status != http.StatusOK {
		t.Errorf("the trainer's dashboard: %d %s", ex.status, ex.body)
	}
	refused := sh.exchange(t, "GET", "/v1/journeys/"+env["LEERPAD_JOURNEY"]+"/portfolio", access.RoleProgrammeOffice)
	if refused.status != http.StatusForbidden || refused.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("the programme office's portfolio read: %d %s %s, want 403 problem+json", refused.status, refused.header.Get("Content-Type"), refused.body)
	}

	// The programme office reads the programme's impact: released, with
	// the behaviour, reaction and results of its closed cohort, and module
	// 2 of that cohort evaluated worse than module 1 (what the office would
	// act on).
	imp := sh.exchange(t, "GET", "/v1/programmes/"+env["LEERPAD_PROGRAMME"]+"/impact", access.RoleProgrammeOffice)
	var figures struct {
		Definition string
		Released   bool
		Population int
		Reaction   []struct {
			ModuleID string
			Mean     float64
		}
		Behaviour []struct {
			Group string
			N     int
			DZ    *float64 `json:"dz"`
		}
		Results []json.RawMessage
	}
	if err := json.Unmarshal(imp.body, &figures); err != nil || imp.status != http.StatusOK {
		t.Fatalf("the programme's impact: %d %s (%v)", imp.status, imp.body, err)
	}
	others := 0
	for _, c := range figures.Behaviour {
		if c.Group == "others" && c.N >= 5 && c.DZ != nil {
			others++
		}
	}
	if figures.Definition != "leerpad.impact/v2" || !figures.Released || figures.Population < 5 || others == 0 ||
		len(figures.Reaction) == 0 || len(figures.Results) == 0 {
		t.Errorf("the programme's impact: %s; want released figures of the closed cohort (others composite with dz, reaction, results)", imp.body)
	}

	// Every request of the tour is a route of the OpenAPI document.
	paths := openAPIRoutes(t)
	for _, e := range sh.exchanges {
		if !paths.has(e.method, e.path) {
			t.Errorf("the tour requests %s %s, which the OpenAPI document does not describe", e.method, e.path)
		}
	}
}

// TestTourRoutesAreDocumented checks the requests of the README's tour
// against the OpenAPI document without running anything: every curl names a
// method and route the API describes, on the default listen addresses.
func TestTourRoutesAreDocumented(t *testing.T) {
	paths := openAPIRoutes(t)
	defaults, _ := parseServeFlags(nil, io.Discard)

	sh := &tourShell{t: t, lenient: true, env: map[string]string{}}
	curls := 0
	for _, st := range readTour(t) {
		for _, cmd := range sh.commands(st) {
			if len(cmd) == 0 || cmd[0] != "curl" {
				continue
			}
			c := parseCurl(t, cmd)
			u, err := url.Parse(c.url)
			if err != nil {
				t.Fatalf("curl %s: %v", c.url, err)
			}
			if u.Host != defaults.listen && u.Host != defaults.adminListen {
				t.Errorf("the tour requests %s, on neither serve's --listen (%s) nor --admin-listen (%s) default", c.url, defaults.listen, defaults.adminListen)
			}
			if !paths.has(c.method, u.Path) {
				t.Errorf("the tour requests %s %s, which the OpenAPI document does not describe", c.method, u.Path)
			}
			curls++
			// NAME=$(curl -X POST ... | grep -o ...) keeps the href of what
			// the POST created: its collection's path and an id.
			if m := assignSubst.FindStringSubmatch(strings.TrimSpace(st.text)); m != nil && c.method == "POST" {
				sh.env[m[1]] = u.Path + "/00000000-0000-4000-8000-000000000000"
			}
		}
	}
	if curls < 5 {
		t.Errorf("the tour has %d curl commands; want the readiness check, the experiment, the portfolio and the dashboards", curls)
	}
}

type refuseAll struct{}

func (refuseAll) Verify(context.Context, string) (access.Principal, error) {
	return access.Principal{}, errors.New("no tokens here")
}

// routes are the OpenAPI document's operations as method and path pattern.
type routes []struct {
	method string
	path   *regexp.Regexp
}

// openAPIRoutes reads the operations of the API's OpenAPI document, as
// GET /v1/openapi.json serves it.
func openAPIRoutes(t *testing.T) routes {
	t.Helper()
	srv, err := api.NewServer(api.Config{}, api.Deps{Registry: prometheus.NewRegistry(), Verifier: refuseAll{}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	res, err := http.Get(ts.URL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	doc, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/openapi.json: %d %v", res.StatusCode, err)
	}
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil || len(d.Paths) == 0 {
		t.Fatalf("OpenAPI document: %v (%d paths)", err, len(d.Paths))
	}
	var out routes
	for path, item := range d.Paths {
		prefix := "/v1"
		if servers, ok := item["servers"]; ok {
			var ss []struct{ URL string }
			_ = json.Unmarshal(servers, &ss)
			if len(ss) == 1 && ss[0].URL == "/" {
				prefix = ""
			}
		}
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(prefix+path), "[^/]+") + "$")
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "patch":
				out = append(out, struct {
					method string
					path   *regexp.Regexp
				}{strings.ToUpper(method), re})
			}
		}
	}
	return out
}

func (r routes) has(method, path string) bool {
	return slices.ContainsFunc(r, func(o struct {
		method string
		path   *regexp.Regexp
	}) bool {
		return o.method == method && o.path.MatchString(path)
	})
}

// readTour returns the statements of the README's tour block: comment
// lines dropped, continuation lines joined, heredoc bodies attached.
func readTour(t *testing.T) []statement {
	t.Helper()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "<!-- tour:")
	if !ok {
		t.Fatal("README.md has no <!-- tour: ... --> block")
	}
	_, after, _ = strings.Cut(after, "```bash\n")
	block, _, ok := strings.Cut(after, "\n```")
	if !ok {
		t.Fatal("the README's tour block does not end")
	}
	lines := strings.Split(block, "\n")
	heredoc := regexp.MustCompile(`\s*<<(['"]?)(\w+)(['"]?)`)
	var out []statement
	var loop *statement // the for loop whose body is being read
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if trimmed := strings.TrimSpace(line); trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(lines[i])
		}
		st := statement{text: line}
		if m := heredoc.FindStringSubmatchIndex(line); m != nil {
			delim := line[m[4]:m[5]]
			st.text = line[:m[0]] + line[m[1]:]
			st.literal = m[3] > m[2]
			var body []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				body = append(body, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("heredoc %s never ends", delim)
			}
			st.stdin = strings.Join(body, "\n") + "\n"
			st.hasStdin = true
		}
		switch text := strings.TrimSpace(st.text); {
		case forLoop.MatchString(text):
			if loop != nil {
				t.Fatalf("%q: a loop in a loop", text)
			}
			n, _ := strconv.Atoi(forLoop.FindStringSubmatch(text)[1])
			loop = &statement{text: text, times: n}
		case text == "done":
			if loop == nil {
				t.Fatal("done without for")
			}
			out = append(out, *loop)
			loop = nil
		case loop != nil:
			loop.body = append(loop.body, st)
		default:
			out = append(out, st)
		}
	}
	if loop != nil {
		t.Fatalf("%q never ends", loop.text)
	}
	if len(out) == 0 {
		t.Fatal("the README's tour block is empty")
	}
	return out
}

// statement is one shell statement of the tour, with its heredoc.
type statement struct {
	text     string
	stdin    string
	hasStdin bool
	literal  bool // the heredoc's delimiter is quoted: no expansion

	times int         // for a "for NAME in $(seq N); do" loop: N
	body  []statement // and the loop's statements
}

// tourShell runs the tour's statements: the few shell forms it uses, with
// ./bin/leerpad run in-process and curl as an HTTP client.
type tourShell struct {
	t       *testing.T
	ctx     context.Context
	dir     string
	lenient bool // expand unknown variables to a placeholder id (for reading the tour only)
	env     map[string]string
	files   map[string]string // what curl -D wrote
	tokens  map[string]access.Role

	serve    *serveRun
	serveVar string
	serveLog string // the file serve's stderr goes to
	// listen and adminListen replace serve's --listen and --admin-listen,
	// 127.0.0.1:0 unless a test sets them. curl to the README's addresses
	// reaches them, or the addresses serve reports when it listens on :0.
	listen, adminListen string
	// pause stands in for the tour's sleep 1: a second, as in the README, so
	// that the tour waits as long for readiness as it says (a minute), also
	// on a loaded machine under the race detector.
	pause     time.Duration
	exchanges []*exchange
	client    *http.Client
}

type serveRun struct {
	cancel context.CancelFunc
	done   chan error
	log    *serveLog
	exited bool // done has been received from, into err
	err    error
}

// running reports whether serve still runs, as kill -0 would.
func (s *serveRun) running() bool {
	if !s.exited {
		select {
		case s.err = <-s.done:
			s.exited = true
		default:
		}
	}
	return !s.exited
}

// exchange is one HTTP request of the tour and its response.
type exchange struct {
	method  string
	path    string
	role    access.Role // of the bearer token, when there is one
	request http.Header
	status  int
	header  http.Header
	body    []byte
}

func newTourShell(t *testing.T, ctx context.Context, dir string) *tourShell {
	return &tourShell{t: t, ctx: ctx, dir: dir, env: map[string]string{}, files: map[string]string{}, tokens: map[string]access.Role{},
		listen: "127.0.0.1:0", adminListen: "127.0.0.1:0", pause: time.Second, client: &http.Client{Timeout: time.Minute}}
}

var (
	evalSubst   = regexp.MustCompile(`^eval "\$\((.+)\)"\s*(#.*)?$`)
	assignSubst = regexp.MustCompile(`^(\w+)=\$\((.+)\)\s*(#.*)?$`)
	lastPID     = regexp.MustCompile(`^(\w+)=\$!$`)
	forLoop     = regexp.MustCompile(`^for \w+ in \$\(seq (\d+)\); do\s*(#.*)?$`)
	killPID     = regexp.MustCompile(`^kill \$(\w+)$`)
	alive       = regexp.MustCompile(`^kill -0 \$(\w+)(?:\s*\|\|\s*\{\s*tail -n (\d+) (\S+);\s*exit 1;\s*\})?\s*(#.*)?$`)
	breakIf     = regexp.MustCompile(`^(.+) && break\s*(#.*)?$`)
)

// run runs one statement. It returns an error where the tour's shell, with
// set -euo pipefail, would stop, and fails the test on anything that shell
// would not have done.
func (sh *tourShell) run(st statement) error {
	t := sh.t
	t.Helper()
	text := strings.TrimSpace(st.text)
	switch {
	case text == "set -euo pipefail" || strings.HasPrefix(text, "set -euo pipefail "):
		// This shell stops at the first failure anyway.
	case st.body != nil:
		return sh.loop(st)
	case text == "make build":
		// The test runs this binary's code in-process.
	case evalSubst.MatchString(text):
		out, ok := sh.exec(evalSubst.FindStringSubmatch(text)[1], st)
		if !ok {
			return fmt.Errorf("%s failed", text)
		}
		for line := range strings.Lines(out) {
			w := sh.words(line)
			if len(w) != 2 || w[0] != "export" || !strings.Contains(w[1], "=") {
				t.Fatalf("eval of %q: %q is not an export line", text, line)
			}
			name, value, _ := strings.Cut(w[1], "=")
			sh.env[name] = value
		}
	case assignSubst.MatchString(text):
		m := assignSubst.FindStringSubmatch(text)
		out, ok := sh.exec(m[2], st)
		if !ok {
			return fmt.Errorf("%s failed", text)
		}
		sh.env[m[1]] = strings.TrimRight(out, "\n") // as $(...) does
	case lastPID.MatchString(text):
		if sh.serve == nil {
			t.Fatalf("%s: nothing runs in the background", text)
		}
		sh.serveVar = lastPID.FindStringSubmatch(text)[1]
		sh.env[sh.serveVar] = "serve"
	case alive.MatchString(text):
		m := alive.FindStringSubmatch(text)
		if m[1] != sh.serveVar || sh.serve == nil {
			t.Fatalf("%s: $%s is not the leerpad serve started", text, m[1])
		}
		if !sh.serve.running() {
			return fmt.Errorf("%s: leerpad serve has exited (%w)", text, sh.serve.err)
		}
	case text == "sleep 1":
		time.Sleep(sh.pause)
	case killPID.MatchString(text):
		if v := killPID.FindStringSubmatch(text)[1]; v != sh.serveVar || sh.serve == nil {
			t.Fatalf("%s: $%s is not the running leerpad serve", text, v)
		}
		if err := sh.stopServe(); err != nil {
			t.Fatalf("leerpad serve stopped with %v\n%s", err, sh.serveOutput())
		}
	default:
		out, ok := sh.exec(text, st)
		if !ok {
			return fmt.Errorf("%s failed:\n%s", text, truncate(out, 400))
		}
		t.Logf("$ %s\n%s", text, truncate(out, 400))
	}
	return nil
}

// loop runs a for loop's body up to its count of times; a statement
// "A && B && break" ends the loop when A and B succeed.
func (sh *tourShell) loop(st statement) error {
	sh.t.Helper()
	for range st.times {
		for _, b := range st.body {
			m := breakIf.FindStringSubmatch(strings.TrimSpace(b.text))
			if m == nil {
				if err := sh.run(b); err != nil {
					return err
				}
				continue
			}
			ok := true
			for cond := range strings.SplitSeq(m[1], " && ") {
				if _, ok = sh.exec(cond, b); !ok {
					break
				}
			}
			if ok {
				return nil
			}
		}
	}
	return nil // as in bash, the loop just ends; the next statement checks
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// commands splits a statement into its commands' words, for reading the
// tour without running it.
func (sh *tourShell) commands(st statement) [][]string {
	if st.body != nil {
		var out [][]string
		for _, b := range st.body {
			out = append(out, sh.commands(b)...)
		}
		return out
	}
	text := strings.TrimSpace(st.text)
	if strings.HasPrefix(text, "set ") || alive.MatchString(text) || text == "sleep 1" {
		return nil
	}
	if m := breakIf.FindStringSubmatch(text); m != nil {
		var out [][]string
		for cond := range strings.SplitSeq(m[1], " && ") {
			out = append(out, sh.commands(statement{text: cond})...)
		}
		return out
	}
	if m := evalSubst.FindStringSubmatch(text); m != nil {
		text = m[1]
	}
	if m := assignSubst.FindStringSubmatch(text); m != nil {
		text = m[2]
	}
	var out [][]string
	cmd := []string{}
	ws := sh.lex(text)
	for i := 0; i < len(ws); i++ {
		switch ws[i].op {
		case "|":
			out, cmd = append(out, cmd), []string{}
		case ">", "2>":
			i++ // the file
		case "":
			cmd = append(cmd, ws[i].text)
		}
	}
	return append(out, cmd)
}

// exec runs a pipeline; ok is its exit status.
func (sh *tourShell) exec(text string, st statement) (string, bool) {
	t := sh.t
	t.Helper()
	var stages [][]string
	cmd := []string{}
	background, discard, stderrFile := false, false, ""
	ws := sh.lex(text)
	for i := 0; i < len(ws); i++ {
		switch w := ws[i]; w.op {
		case "|":
			stages, cmd = append(stages, cmd), []string{}
		case ">", "2>":
			if i+1 == len(ws) || ws[i+1].op != "" {
				t.Fatalf("%s: redirection without a file", text)
			}
			i++
			if w.op == ">" {
				discard = true
			} else {
				stderrFile = ws[i].text
			}
		case "&":
			if i != len(ws)-1 {
				t.Fatalf("%s: & before the end", text)
			}
			background = true
		default:
			cmd = append(cmd, w.text)
		}
	}
	stages = append(stages, cmd)
	in, ok := st.stdin, true
	if st.hasStdin && !st.literal {
		in = sh.expand(in)
	}
	if background {
		if len(stages) != 1 || len(cmd) < 2 || cmd[0] != "./bin/leerpad" || cmd[1] != "serve" {
			t.Fatalf("%s: only leerpad serve runs in the background", text)
		}
		sh.startServe(cmd[2:])
		sh.serveLog = stderrFile
		return "", true
	}
	for _, c := range stages {
		if len(c) == 0 {
			t.Fatalf("%s: an empty command", text)
		}
		in, ok = sh.command(c, in)
		if !ok {
			return in, false
		}
	}
	if discard {
		in = ""
	}
	return in, ok
}

// command runs one command with stdin in and returns its stdout.
func (sh *tourShell) command(c []string, in string) (string, bool) {
	t := sh.t
	t.Helper()
	switch c[0] {
	case "./bin/leerpad":
		return sh.leerpad(c[1:])
	case "curl":
		return sh.curl(parseCurl(t, c), in)
	case "echo":
		return strings.Join(c[1:], " ") + "\n", true
	case "grep":
		if len(c) == 3 && c[1] == "-o" { // grep -o PATTERN, on stdin: each match on a line
			re := regexp.MustCompile(c[2])
			var out strings.Builder
			for line := range strings.Lines(in) {
				for _, m := range re.FindAllString(line, -1) {
					out.WriteString(m + "\n")
				}
			}
			return out.String(), out.Len() > 0
		}
		if len(c) != 4 || (c[1] != "-i" && c[1] != "-q") {
			t.Fatalf("grep %q: the tour's shell knows grep -i PATTERN FILE, grep -q PATTERN FILE and grep -o PATTERN", c[1:])
		}
		content, ok := sh.files[c[3]]
		if c[3] == sh.serveLog && sh.serve != nil {
			content, ok = sh.serve.log.String(), true
		}
		if !ok {
			t.Fatalf("grep: no file %s", c[3])
		}
		if c[1] == "-q" {
			return "", strings.Contains(content, c[2])
		}
		re := regexp.MustCompile("(?i)" + c[2])
		var out strings.Builder
		for line := range strings.Lines(content) {
			if re.MatchString(strings.TrimRight(line, "\n")) {
				out.WriteString(line)
			}
		}
		return out.String(), out.Len() > 0
	case "tr":
		if len(c) != 3 || c[1] != "-dc" || c[2] != "0-9" {
			t.Fatalf("tr %q: the tour's shell knows tr -dc 0-9", c[1:])
		}
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, in), true
	}
	t.Fatalf("the tour's shell does not know %q", c[0])
	return "", false
}

// leerpad runs a leerpad command in-process on the test's data directory;
// seed gets the test's scale.
func (sh *tourShell) leerpad(args []string) (string, bool) {
	t := sh.t
	t.Helper()
	args = sh.onDataDir(args)
	switch args[0] {
	case "seed":
		args = append(args, tourScale...)
	case "serve":
		t.Fatal("leerpad serve runs in the background in the tour")
	}
	var stdout, stderr bytes.Buffer
	if err := run(sh.ctx, args, &stdout, &stderr); err != nil {
		return fmt.Sprintf("leerpad %s: %v\n%s", strings.Join(args, " "), err, stderr.String()), false
	}
	if args[0] == "token" {
		fs := flag.NewFlagSet("token", flag.ContinueOnError)
		role := fs.String("role", "", "")
		fs.String("subject", "", "")
		fs.String("data", "", "")
		if err := fs.Parse(args[1:]); err != nil {
			t.Fatal(err)
		}
		r, err := access.ParseRole(*role)
		if err != nil {
			t.Fatal(err)
		}
		sh.tokens[strings.TrimSpace(stdout.String())] = r
	}
	return stdout.String(), true
}

// onDataDir points --data ./data at the test's directory.
func (sh *tourShell) onDataDir(args []string) []string {
	args = slices.Clone(args)
	for i, a := range args {
		if a == "./data" && i > 0 && (args[i-1] == "--data" || args[i-1] == "-data") {
			args[i] = sh.dir
		}
	}
	return args
}

// startServe runs leerpad serve in-process in the background, on
// sh.listen and sh.adminListen (free ports unless a test chose others); the
// addresses it listens on are in its "leerpad serving" log line.
func (sh *tourShell) startServe(args []string) {
	t := sh.t
	t.Helper()
	if sh.serve != nil {
		t.Fatal("leerpad serve started twice")
	}
	args = append([]string{"serve"}, sh.onDataDir(args)...)
	args = append(args, "--listen", sh.listen, "--admin-listen", sh.adminListen)
	ctx, cancel := context.WithCancel(sh.ctx)
	s := &serveRun{cancel: cancel, done: make(chan error, 1), log: &serveLog{}}
	go func() { s.done <- run(ctx, args, io.Discard, s.log) }()
	sh.serve = s
}

func (sh *tourShell) stopServe() error {
	if sh.serve == nil {
		return nil
	}
	s := sh.serve
	sh.serve = nil
	s.cancel()
	if s.exited {
		return s.err
	}
	return <-s.done
}

func (sh *tourShell) serveOutput() string {
	if sh.serve == nil {
		return ""
	}
	return sh.serve.log.String()
}

// serveLog keeps serve's log and its listen addresses.
type serveLog struct {
	mu         sync.Mutex
	buf        bytes.Buffer
	seen       int
	api, admin string // from the "leerpad serving" line
}

// addrs returns the addresses serve listens on, once it says so.
func (l *serveLog) addrs() (api, admin string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.api, l.admin, l.api != ""
}

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		rest := l.buf.Bytes()[l.seen:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.seen += i + 1
		var rec struct{ Msg, API, Admin string }
		if json.Unmarshal(rest[:i], &rec) == nil && rec.Msg == "leerpad serving" {
			l.api = strings.TrimSuffix(strings.TrimPrefix(rec.API, "http://"), "/v1")
			l.admin = strings.TrimPrefix(rec.Admin, "http://")
		}
	}
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// curlCall is a curl command line of the tour.
type curlCall struct {
	method  string
	url     string
	headers [][2]string
	data    *string // -d or --data; "@-" reads stdin
	dump    string  // -D file
	fail    bool    // -f or --fail-with-body
	body    bool    // --fail-with-body: the body of a failure still goes to stdout
}

func parseCurl(t *testing.T, c []string) curlCall {
	t.Helper()
	var out curlCall
	for i := 1; i < len(c); i++ {
		arg := func() string {
			if i+1 == len(c) {
				t.Fatalf("curl %s: no value", c[i])
			}
			i++
			return c[i]
		}
		switch a := c[i]; {
		case a == "-s":
		case a == "-sf" || a == "-fs" || a == "-f":
			out.fail = true
		case a == "--fail-with-body":
			out.fail, out.body = true, true
		case a == "-D":
			out.dump = arg()
		case a == "-H":
			name, value, ok := strings.Cut(arg(), ":")
			if !ok {
				t.Fatalf("curl -H %q: not a header", c[i])
			}
			out.headers = append(out.headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
		case a == "-d" || a == "--data":
			d := arg()
			out.data = &d
		case a == "-X":
			out.method = arg()
		case strings.HasPrefix(a, "-"):
			t.Fatalf("curl %s: the tour's shell does not know this option", a)
		default:
			if out.url != "" {
				t.Fatalf("curl with two URLs: %s and %s", out.url, a)
			}
			out.url = a
		}
	}
	if out.method == "" {
		out.method = "GET"
		if out.data != nil {
			out.method = "POST"
		}
	}
	return out
}

// curl sends the request to what listens on the tour's ports: the README's
// addresses are serve's default --listen and --admin-listen, which stand for
// sh.listen and sh.adminListen, or for the addresses serve reports when
// those are :0.
func (sh *tourShell) curl(c curlCall, in string) (string, bool) {
	t := sh.t
	t.Helper()
	u, err := url.Parse(c.url)
	if err != nil {
		t.Fatal(err)
	}
	defaults, _ := parseServeFlags(nil, io.Discard)
	var api, admin string
	if sh.serve != nil {
		api, admin, _ = sh.serve.log.addrs()
	}
	if !strings.HasSuffix(sh.listen, ":0") {
		api = sh.listen
	}
	if !strings.HasSuffix(sh.adminListen, ":0") {
		admin = sh.adminListen
	}
	switch u.Host {
	case defaults.listen:
		u.Host = api
	case defaults.adminListen:
		u.Host = admin
	default:
		t.Fatalf("curl %s: neither serve's --listen nor its --admin-listen", c.url)
	}
	if u.Host == "" { // nothing listens there yet: connection refused
		if c.fail {
			return "", false
		}
		t.Fatalf("curl %s: nothing listens there", c.url)
	}
	var body io.Reader
	if c.data != nil {
		if *c.data == "@-" {
			body = strings.NewReader(in)
		} else {
			body = strings.NewReader(*c.data)
		}
	}
	req, err := http.NewRequestWithContext(sh.ctx, c.method, u.String(), body)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range c.headers {
		if h[1] != "" { // curl sends no header with an empty value
			req.Header.Add(h[0], h[1])
		}
	}
	if c.data != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded") // as curl does
	}
	res, err := sh.client.Do(req)
	if err != nil {
		if c.fail {
			return "", false // connection refused: curl -f fails, the loop goes on
		}
		t.Fatalf("curl %s %s: %v", c.method, c.url, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	e := &exchange{method: c.method, path: u.Path, request: req.Header, status: res.StatusCode, header: res.Header, body: b}
	if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		e.role = sh.tokens[tok]
	}
	sh.exchanges = append(sh.exchanges, e)
	if c.dump != "" {
		var h strings.Builder
		fmt.Fprintf(&h, "%s %s\r\n", res.Proto, res.Status)
		_ = res.Header.Write(&h)
		h.WriteString("\r\n")
		sh.files[c.dump] = h.String()
	}
	if c.fail && res.StatusCode >= 400 {
		if c.body {
			return string(b), false
		}
		return "", false
	}
	return string(b), true
}

// exchange returns the tour's only request of method on path by role.
func (sh *tourShell) exchange(t *testing.T, method, path string, role access.Role) *exchange {
	t.Helper()
	var found []*exchange
	for _, e := range sh.exchanges {
		if e.method == method && e.path == path && e.role == role {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("the tour sends %s %s as %s %d times, want once", method, path, role, len(found))
	}
	return found[0]
}

// word is a word of a command line, or an operator (|, &, >, 2>).
type word struct {
	text string
	op   string
}

// words splits a line into words without operators.
func (sh *tourShell) words(line string) []string {
	var out []string
	for _, w := range sh.lex(line) {
		if w.op != "" {
			sh.t.Fatalf("%q: unexpected %s", line, w.op)
		}
		out = append(out, w.text)
	}
	return out
}

// lex splits a command line as a POSIX shell does for the forms the tour
// uses: single and double quotes, $NAME and ${NAME}, backslash escapes,
// comments, and the operators | & > 2>.
func (sh *tourShell) lex(s string) []word {
	t := sh.t
	t.Helper()
	var (
		out  []word
		cur  strings.Builder
		open bool // a word has begun (an empty quoted word counts)
	)
	flush := func() {
		if open {
			out = append(out, word{text: cur.String()})
		}
		cur.Reset()
		open = false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '#' && !open:
			return out
		case !open && (c == '|' || c == '&' || c == '>' || strings.HasPrefix(s[i:], "2>")):
			op := string(c)
			if c == '2' {
				op, i = "2>", i+1
			}
			out = append(out, word{op: op})
		case c == ';' || c == '<' || c == '`' || c == '(' || c == ')':
			t.Fatalf("%q: the tour's shell does not know %q here", s, c)
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			open = true
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				t.Fatalf("%q: unterminated single quote", s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			open = true
		case c == '"':
			open = true
			for i++; ; i++ {
				if i == len(s) {
					t.Fatalf("%q: unterminated double quote", s)
				}
				if s[i] == '"' {
					break
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`, s[i+1]) >= 0 {
					i++
					cur.WriteByte(s[i])
					continue
				}
				if s[i] == '$' {
					v, n := sh.variable(s[i:])
					cur.WriteString(v)
					i += n - 1
					continue
				}
				cur.WriteByte(s[i])
			}
		case c == '$':
			v, n := sh.variable(s[i:])
			cur.WriteString(v)
			i += n - 1
			open = true
		default:
			cur.WriteByte(c)
			open = true
		}
	}
	flush()
	return out
}

var varRef = regexp.MustCompile(`^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})`)

// variable expands the reference at the start of s and says how long it was.
func (sh *tourShell) variable(s string) (string, int) {
	m := varRef.FindStringSubmatch(s)
	if m == nil {
		if strings.HasPrefix(s, "$(") {
			sh.t.Fatalf("%q: command substitution only in eval \"$(...)\" and NAME=$(...)", s)
		}
		return "$", 1
	}
	name := m[1] + m[2]
	v, ok := sh.env[name]
	if !ok {
		if !sh.lenient {
			sh.t.Fatalf("$%s is not set at this point of the tour", name)
		}
		v = "00000000-0000-4000-8000-000000000000"
	}
	return v, len(m[0])
}

// expand expands the variables of a heredoc body.
func (sh *tourShell) expand(s string) string {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '$' {
			v, n := sh.variable(s[i:])
			out.WriteString(v)
			i += n - 1
			continue
		}
		out.WriteByte(s[i])
	}
	return out.String()
}

// The README's configuration reference is the commands' flag sets, as
// "leerpad <command> -h" prints them.

// readmeCommands are the commands the reference documents, in its order.
var readmeCommands = [][]string{{"serve"}, {"seed"}, {"token"}, {"rebuild"}, {"node"}, {"node", "verify"}, {"node", "scavenge"}}

const flagTablesMarker = "<!-- flag tables: generated by TestReadmeFlagTables from the flag sets; do not edit -->"

// TestReadmeFlagTables fails when the README's configuration reference
// differs from the flag sets; go test -run TestReadmeFlagTables -update
// rewrites it.
func TestReadmeFlagTables(t *testing.T) {
	var want strings.Builder
	want.WriteString(flagTablesMarker + "\n")
	for _, cmd := range readmeCommands {
		fmt.Fprintf(&want, "\n### `leerpad %s`\n\n| flag | default | meaning |\n| --- | --- | --- |\n", strings.Join(cmd, " "))
		for _, f := range flagsOf(t, cmd) {
			def := "`" + f.def + "`"
			if f.def == "" {
				def = "none"
			}
			usage := strings.NewReplacer("<", "&lt;", ">", "&gt;", "|", `\|`).Replace(f.usage)
			fmt.Fprintf(&want, "| `--%s` | %s | %s |\n", f.name, def, usage)
		}
	}
	want.WriteString("\n")

	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, flagTablesMarker)
	if start < 0 {
		if !*updateReadme {
			t.Fatalf("README.md lacks %q; run go test ./cmd/leerpad -run TestReadmeFlagTables -update", flagTablesMarker)
		}
		// The first run puts the tables at the end of the reference's introduction.
		at := strings.Index(readme, "## Configuration reference")
		if at < 0 {
			t.Fatal("README.md has no ## Configuration reference")
		}
		next := strings.Index(readme[at+1:], "\n## ")
		if next < 0 {
			t.Fatal("nothing follows the configuration reference")
		}
		start = at + 1 + next + 1
		readme = readme[:start] + want.String() + readme[start:]
		if err := os.WriteFile(readmePath, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	end := strings.Index(readme[start:], "\n## ")
	if end < 0 {
		end = len(readme) - start
	}
	got := readme[start : start+end+1]
	if got == want.String() {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(readmePath, []byte(readme[:start]+want.String()+readme[start+end+1:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want.String(), "\n")
	i := 0
	for i < min(len(g), len(w)) && g[i] == w[i] {
		i++
	}
	line := func(ls []string) string {
		if i < len(ls) {
			return ls[i]
		}
		return "(the end)"
	}
	t.Errorf("the README's configuration reference differs from the flag sets; run go test ./cmd/leerpad -run TestReadmeFlagTables -update\n"+
		"first difference, line %d of the tables:\n  README:    %s\n  flag sets: %s", i+1, line(g), line(w))
}

// flagDoc is a flag as -h prints it.
type flagDoc struct {
	name, def, usage string
}

// flagsOf runs "leerpad <cmd> -h" and reads the flags from flag.PrintDefaults'
// layout: "  -name type" then "\tusage (default x)", or "  -name\tusage" for
// booleans.
func flagsOf(t *testing.T, cmd []string) []flagDoc {
	t.Helper()
	var stderr bytes.Buffer
	err := run(context.Background(), append(slices.Clone(cmd), "-h"), io.Discard, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("leerpad %s -h: %v", strings.Join(cmd, " "), err)
	}
	var out []flagDoc
	defaultRe := regexp.MustCompile(` \(default (.*)\)$`)
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "  -"):
			head := strings.TrimPrefix(line, "  -")
			name, rest, _ := strings.Cut(head, "\t")
			typ := ""
			if n, ty, ok := strings.Cut(name, " "); ok {
				name, typ = n, ty
			}
			f := flagDoc{name: name, usage: strings.TrimSpace(rest)}
			if typ == "" {
				f.def = "false" // a boolean; -h prints no default for false
			}
			out = append(out, f)
		case strings.HasPrefix(line, "    \t") && len(out) > 0:
			f := &out[len(out)-1]
			f.usage = strings.TrimSpace(f.usage + " " + strings.TrimPrefix(line, "    \t"))
		default:
			continue
		}
		f := &out[len(out)-1]
		if m := defaultRe.FindStringSubmatch(f.usage); m != nil {
			f.usage = strings.TrimSuffix(f.usage, m[0])
			f.def = m[1]
			if s, err := strconv.Unquote(m[1]); err == nil {
				f.def = s
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("leerpad %s -h printed no flags:\n%s", strings.Join(cmd, " "), stderr.String())
	}
	return out
}

// TestTourStopsWhenItsPortIsTaken runs the README's tour while other
// servers hold serve's ports and answer every request with 200: the tour
// must stop at its readiness loop, soon after serve exits, without sending
// them a single request.
func TestTourStopsWhenItsPortIsTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node and runs leerpad serve")
	}
	t.Parallel()
	var hits atomic.Int32
	impostor := func() string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			hits.Add(1)
			_, _ = io.WriteString(w, `{"status":"ready"}`)
		}))
		t.Cleanup(s.Close)
		return s.Listener.Addr().String()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sh := newTourShell(t, ctx, t.TempDir())
	sh.listen, sh.adminListen = impostor(), impostor()
	defer func() { _ = sh.stopServe() }()

	var err error
	var at string
	var waited time.Duration
	for _, st := range readTour(t) {
		started := time.Now()
		if err = sh.run(st); err != nil {
			at, waited = st.text, time.Since(started)
			break
		}
	}
	if err == nil {
		t.Fatal("the tour ran to its end with serve's ports taken")
	}
	if !forLoop.MatchString(at) || !strings.Contains(err.Error(), "has exited") {
		t.Errorf("the tour stopped at %q with %v; want its readiness loop, on serve's exit", at, err)
	}
	_, port, _ := net.SplitHostPort(sh.listen)
	if !strings.Contains(err.Error(), "port "+port+" is already in use") {
		t.Errorf("the tour's error %v does not name the taken port %s", err, port)
	}
	if waited > 30*time.Second {
		t.Errorf("the tour waited %s before it stopped", waited)
	}
	if n := hits.Load(); n > 0 {
		t.Errorf("the tour sent %d requests to the process holding serve's ports", n)
	}
}

// The tour is a bash script as it stands: bash -n parses it.
func TestTourIsBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(b), "<!-- tour:")
	_, after, _ = strings.Cut(after, "```bash\n")
	block, _, _ := strings.Cut(after, "\n```")
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = strings.NewReader(block + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash -n on the tour: %v\n%s", err, out)
	}
	if !strings.HasPrefix(block, "set -euo pipefail") {
		t.Error("the tour does not begin with set -euo pipefail")
	}
}
