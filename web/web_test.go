package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/access"
)

// TestCataloguesHoldTheSameKeysAndEveryKeyTheTemplatesUse: no page shows a
// message key instead of a text, in either language.
func TestCataloguesHoldTheSameKeysAndEveryKeyTheTemplatesUse(t *testing.T) {
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages() {
		for _, other := range Languages() {
			for k := range cats[lang] {
				if _, ok := cats[other][k]; !ok {
					t.Errorf("%q is in the %s catalogue, not in the %s one", k, lang, other)
				}
			}
		}
	}
	// The same formatting verbs in both languages, in the same order.
	verbs := regexp.MustCompile(`%[+.0-9]*[sdfv]`)
	for k, nl := range cats["nl"] {
		if a, b := verbs.FindAllString(nl, -1), verbs.FindAllString(cats["en"][k], -1); !slices.Equal(a, b) {
			t.Errorf("%q takes %v in Dutch, %v in English", k, a, b)
		}
	}
	literal := regexp.MustCompile(`\.T "([^"]+)"`)
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(templateFiles, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			if _, ok := cats["nl"][m[1]]; !ok && m[1] != "" {
				t.Errorf("%s uses %q, which the catalogues lack", f, m[1])
			}
		}
	}
	// Keys made from closed sets.
	for _, prefix := range []string{"role.", "status.", "part.", "step.", "group.", "roundkind.", "choice.", "goalkind.", "month."} {
		n := 0
		for k := range cats["nl"] {
			if strings.HasPrefix(k, prefix) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no messages %s*", prefix)
		}
	}
}

func testServer(t *testing.T, cfg Config, now *time.Time) *Server {
	t.Helper()
	clock := func() time.Time { return *now }
	s := &Server{cfg: cfg.withDefaults(), now: clock, crossOrigin: http.NewCrossOriginProtection()}
	ss, err := newSessions(SessionKeys{Hash: make([]byte, 32), Block: make([]byte, 32)}, s.cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	s.sessions = ss
	return s
}

// TestSessionEndsWhenIdleOrTooOld: a session not used for the idle
// time-out, or older than its maximum age, is no session any more.
func TestSessionEndsWhenIdleOrTooOld(t *testing.T) {
	start := time.Date(2026, 4, 15, 9, 0, 0, 0, time.UTC)
	now := start
	s := testServer(t, Config{IdleTimeout: 30 * time.Minute, MaxAge: 2 * time.Hour}, &now)
	p := access.Principal{Subject: "p1", Roles: []access.Role{access.RoleParticipant}}
	cookie := func() *http.Cookie {
		rec := httptest.NewRecorder()
		if err := s.sessions.write(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), s.sessions.fresh(p)); err != nil {
			t.Fatal(err)
		}
		return rec.Result().Cookies()[0]
	}
	read := func(c *http.Cookie) *session {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(c)
		return s.sessions.read(r)
	}
	c := cookie()
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
		t.Fatalf("cookie %+v", c)
	}
	now = start.Add(29 * time.Minute)
	if ss := read(c); ss == nil || ss.Subject != "p1" {
		t.Fatalf("session within the idle time-out: %+v", ss)
	}
	now = start.Add(31 * time.Minute)
	if ss := read(c); ss != nil {
		t.Fatalf("idle session still valid: %+v", ss)
	}
	// Used every 20 minutes, it still ends at the maximum age.
	now = start
	c = cookie()
	for now.Before(start.Add(2*time.Hour + 10*time.Minute)) {
		ss := read(c)
		if now.Sub(start) > 2*time.Hour {
			if ss != nil {
				t.Fatalf("session older than its maximum age still valid at %s", now.Sub(start))
			}
			break
		}
		if ss == nil {
			t.Fatalf("session in use refused at %s", now.Sub(start))
		}
		ss.Seen = now.Unix()
		rec := httptest.NewRecorder()
		if err := s.sessions.write(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), ss); err != nil {
			t.Fatal(err)
		}
		c = rec.Result().Cookies()[0]
		now = now.Add(20 * time.Minute)
	}
	// A rater's session ends when their link does.
	now = start
	rater := s.sessions.fresh(access.Principal{Subject: "r1"})
	rater.Round, rater.LinkExpires = "round-1", start.Add(10*time.Minute).Unix()
	rec := httptest.NewRecorder()
	if err := s.sessions.write(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), rater); err != nil {
		t.Fatal(err)
	}
	rc := rec.Result().Cookies()[0]
	now = start.Add(9 * time.Minute)
	if ss := read(rc); ss == nil {
		t.Fatal("rater session refused before the link expires")
	} else if p, ok := ss.principal(); !ok || !p.Has(access.RoleRater) || p.RoundID != "round-1" {
		t.Fatalf("rater principal %+v", p)
	}
	now = start.Add(10 * time.Minute)
	if ss := read(rc); ss != nil {
		t.Fatal("rater session valid after the link expired")
	}
	// A cookie that was tampered with is no session.
	c.Value = c.Value[:len(c.Value)-2] + "xx"
	now = start
	if ss := read(c); ss != nil {
		t.Fatalf("tampered cookie accepted")
	}
}

// TestSecureCookiesBehindHTTPS: with Secure set, the session cookie says so.
func TestSecureCookiesBehindHTTPS(t *testing.T) {
	now := time.Now()
	s := testServer(t, Config{Secure: true}, &now)
	rec := httptest.NewRecorder()
	if err := s.sessions.write(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), s.sessions.fresh(access.Principal{})); err != nil {
		t.Fatal(err)
	}
	if c := rec.Result().Cookies()[0]; !c.Secure {
		t.Fatalf("cookie not Secure: %+v", c)
	}
	// Without the flag, a request over TLS gets a Secure cookie too.
	s = testServer(t, Config{}, &now)
	rec = httptest.NewRecorder()
	if err := s.sessions.write(echo.New().NewContext(httptest.NewRequest(http.MethodGet, "https://leerpad.example/", nil), rec), s.sessions.fresh(access.Principal{})); err != nil {
		t.Fatal(err)
	}
	if c := rec.Result().Cookies()[0]; !c.Secure {
		t.Fatalf("cookie over TLS not Secure: %+v", c)
	}
}

// TestConfigRefusesUnknownThemes and takes rijk by default.
func TestConfigRefusesUnknownThemes(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Config{Theme: "utrecht"}).Validate(); err == nil {
		t.Fatal("unknown theme accepted")
	}
}

// TestThemesDifferOnlyInTokens: each theme's stylesheet is the same
// components with the theme's brand tokens, and the themes differ.
func TestThemesDifferOnlyInTokens(t *testing.T) {
	var sheets [][]byte
	for _, th := range Themes() {
		a, err := newAssets(th)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a.stylesheetURL, th) || !strings.Contains(string(a.css), ".utrecht-button") && !strings.Contains(string(a.css), ".utrecht-html button") {
			t.Fatalf("theme %s: %s lacks the components", th, a.stylesheetURL)
		}
		sheets = append(sheets, a.css)
	}
	if slices.Equal(sheets[0], sheets[1]) {
		t.Fatal("the themes give the same stylesheet")
	}
	b, err := fs.ReadFile(static, "static/themes/vlaanderen.css")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "#ffe615") {
		t.Fatal("the Flemish theme is not yellow")
	}
}

// TestLocalPathKeepsSignInOnThisSite: the page to go on to after signing
// in is never another site.
func TestLocalPathKeepsSignInOnThisSite(t *testing.T) {
	for in, want := range map[string]string{
		"/journey": "/journey", "/journeys/x/plan?pos=3": "/journeys/x/plan?pos=3", "": "/",
		"//evil.example": "/", "https://evil.example/": "/", `/\evil.example`: "/", "journey": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReasonsInDutch: the domain's reasons for refusing a field are told
// in the page's language, numbers kept; an unknown one as it came.
func TestReasonsInDutch(t *testing.T) {
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	p := &page{messages: cats["nl"], fallback: cats["nl"]}
	for in, want := range map[string]string{
		"is required": "is verplicht",
		"holds 10001 characters, at most 10000 are allowed": "bevat 10001 tekens; er mogen er ten hoogste 10000 zijn",
		"something new": "something new",
	} {
		if got := p.reason(fieldError{Field: "x", Reason: in}); got != want {
			t.Errorf("reason(%q) = %q, want %q", in, got, want)
		}
	}
}
