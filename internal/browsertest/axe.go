package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// WCAG21AA are the axe-core tags of WCAG 2.0 and 2.1, levels A and AA.
var WCAG21AA = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one axe-core rule a page breaks, with the elements that break it.
type Violation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target         []any  `json:"target"`
		HTML           string `json:"html"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// String names the rule, its help URL and each offending element.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n  %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n  - %v %s\n    %s", n.Target, n.HTML, strings.ReplaceAll(n.FailureSummary, "\n", "\n    "))
	}
	return b.String()
}

// axeSource is axe.min.js of the pinned axe-core, read once.
var axeSource struct {
	once sync.Once
	js   string
	err  error
}

// AxeScript returns axe.min.js from the module's node_modules, installing
// the pinned packages with npm ci when it is missing.
func AxeScript(tb testing.TB) string {
	tb.Helper()
	axeSource.once.Do(func() { axeSource.js, axeSource.err = loadAxe() })
	if axeSource.err != nil {
		tb.Fatal(axeSource.err)
	}
	return axeSource.js
}

func loadAxe() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	file := filepath.Join(root, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(file); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return "", fmt.Errorf("axe-core is not installed and npm is missing: install Node.js and npm (%w)", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error") //nolint:gosec // npm from PATH, fixed arguments
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("npm ci in %s: %w\n%s", root, err, out)
		}
	}
	b, err := os.ReadFile(file) //nolint:gosec // the module's own node_modules
	if err != nil {
		return "", fmt.Errorf("axe-core: %w", err)
	}
	return string(b), nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// Axe runs axe-core with the WCAG 2.1 A and AA rules on the page in ctx and
// returns its violations.
func Axe(tb testing.TB, ctx context.Context) ([]Violation, error) {
	tb.Helper()
	src := AxeScript(tb)
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](src+";typeof axe === 'object'"))
	if err != nil {
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	if !loaded {
		return nil, fmt.Errorf("axe-core did not load")
	}
	tags := `["` + strings.Join(WCAG21AA, `","`) + `"]`
	type result struct {
		Violations []Violation `json:"violations"`
	}
	run := `axe.run(document, {runOnly: {type: "tag", values: ` + tags + `}, resultTypes: ["violations"]})`
	res, err := chromedp.Run(ctx, chromedp.Evaluate[result](run, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	return res.Violations, nil
}

// CheckA11y fails the test for each WCAG 2.1 A/AA violation on the page in
// ctx, printing the rule, the elements and the help URL; name says which
// page it was.
func CheckA11y(tb testing.TB, ctx context.Context, name string) int {
	tb.Helper()
	vs, err := Axe(tb, ctx)
	if err != nil {
		tb.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range vs {
		tb.Errorf("axe on %s: %s", name, v)
	}
	return len(vs)
}
