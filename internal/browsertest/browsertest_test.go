package browsertest_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leerpad/leerpad/internal/browsertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.CloseShared()
	os.Exit(code)
}

const clean = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Schoon</title></head>
<body><main><h1>Schoon</h1><p>Niets aan de hand.</p></main></body></html>`

// broken breaks three WCAG 2.1 A/AA rules: an image without alternative
// text, a form field without a label, and text without enough contrast.
const broken = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Kapot</title></head>
<body><main><h1>Kapot</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text"><p style="color:#bbb;background:#fff">grijs op wit</p></main></body></html>` //nolint:misspell // CSS

// TestAxeFindsWhatIsBrokenAndOnlyThat is the canary of the accessibility
// checks: in the shared Chromium, axe-core finds the planted violations of
// a broken page, with the rule, the element and the help URL, and none on
// a clean page, under a CSP that allows no script at all: the tests check
// the pages under their own policy, as served.
func TestAxeFindsWhatIsBrokenAndOnlyThat(t *testing.T) {
	b := browsertest.Shared(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/broken" {
			_, _ = w.Write([]byte(broken))
			return
		}
		_, _ = w.Write([]byte(clean))
	}))
	defer srv.Close()
	ctx := b.NewTab(t, time.Minute)

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/clean")); err != nil {
		t.Fatal(err)
	}
	if vs, err := browsertest.Axe(t, ctx); err != nil || len(vs) != 0 {
		t.Errorf("axe on a clean page: %v %v", vs, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/broken")); err != nil {
		t.Fatal(err)
	}
	vs, err := browsertest.Axe(t, ctx)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, v := range vs {
		rules = append(rules, v.ID)
		if v.HelpURL == "" || len(v.Nodes) == 0 || v.Nodes[0].HTML == "" {
			t.Errorf("violation %s lacks its help URL or element:\n%s", v.ID, v)
		}
	}
	slices.Sort(rules)
	if want := []string{"color-contrast", "image-alt", "label"}; !slices.Equal(rules, want) { //nolint:misspell // axe-core's rule id
		t.Errorf("axe found %v on the broken page, want %v", rules, want)
	}
}
