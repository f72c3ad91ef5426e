// Package browsertest drives Debian's headless Chromium from Go tests with
// github.com/chromedp/chromedp, one browser process per test binary shared
// by its tests (each test gets its own incognito browser context, so cookies
// never cross tests), and checks pages with axe-core, pinned in the module's
// package.json, for WCAG 2.1 A and AA.
//
// `make test` installs chromium (`make browser`) and axe-core (`npm ci`)
// first. A test without chromium skips, saying why, except under CI (the
// environment variable CI set), where it fails: the browser tests must run
// there. See docs/decisions/0018-browser-tests-and-test-oidc-provider.md.
package browsertest

import (
	"context"
	"errors"
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

// Candidates are where Chromium is looked for, in order; LEERPAD_CHROMIUM
// names another.
var candidates = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}

// ExecPath returns the Chromium to drive, or why there is none.
func ExecPath() (string, error) {
	if p := os.Getenv("LEERPAD_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", errors.New("no Chromium at " + strings.Join(candidates, ", ") + " nor on PATH (make browser installs Debian's chromium as root or with sudo)")
}

// Browser is a running headless Chromium.
type Browser struct {
	ctx    context.Context // the browser's first tab, which keeps it running
	cancel context.CancelFunc
}

// shared is the one browser of this test binary (see Shared and CloseShared).
var shared struct {
	once sync.Once
	b    *Browser
	err  error
}

// Shared returns the test binary's one browser, starting it on first use.
// Without Chromium the test is skipped with the reason, or fails under CI.
// The test binary's TestMain calls CloseShared after m.Run.
func Shared(tb testing.TB) *Browser {
	tb.Helper()
	if testing.Short() {
		tb.Skip("browser tests start Chromium and the whole service")
	}
	shared.once.Do(func() { shared.b, shared.err = Start() })
	if shared.err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("the browser tests must run in CI: %v", shared.err)
		}
		tb.Skipf("skipped: %v", shared.err)
	}
	return shared.b
}

// CloseShared ends the shared browser, if one was started.
func CloseShared() {
	if shared.b != nil {
		shared.b.Close()
	}
}

// Start starts a headless Chromium.
func Start() (*Browser, error) {
	path, err := ExecPath()
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "nl-NL"),
		// Chromium refuses to run as root with its sandbox; CI runs as root.
		chromedp.Flag("no-sandbox", os.Geteuid() == 0),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	// The first Do starts the browser for the lifetime of the context it is
	// given, so it gets ctx itself, not one with a deadline.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	return &Browser{ctx: ctx, cancel: func() { cancelCtx(); cancelAlloc() }}, nil
}

// Close ends the browser process.
func (b *Browser) Close() { b.cancel() }

// NewTab opens a tab in a fresh incognito context of the browser (its own
// cookies), closed when the test ends. Pages keep their Content-Security-
// Policy: axe-core is evaluated through the DevTools protocol, which the
// policy does not govern. Actions on the tab time out after timeout.
func (b *Browser) NewTab(tb testing.TB, timeout time.Duration) context.Context {
	tb.Helper()
	tab, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	// The first Do opens the tab for the lifetime of the context it is given.
	if err := chromedp.Do(tab); err != nil {
		cancel()
		tb.Fatalf("open a tab: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(tab, timeout)
	tb.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}

// Screenshot writes a PNG of the browser's window (1280 by 900 pixels) to path.
func Screenshot(ctx context.Context, path string) error {
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644) //nolint:gosec // a picture for the documentation
}
