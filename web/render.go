package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/feedback"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed messages/*.json
var messageFiles embed.FS

// Languages are the languages of the pages, the default first.
func Languages() []string { return []string{"nl", "en"} }

// catalogues holds every message of every language: key → text.
type catalogues map[string]map[string]string

func loadCatalogues() (catalogues, error) {
	out := catalogues{}
	for _, lang := range Languages() {
		b, err := fs.ReadFile(messageFiles, "messages/"+lang+".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("messages/%s.json: %w", lang, err)
		}
		out[lang] = m
	}
	return out, nil
}

// pages are the parsed templates, one set per page, and the catalogues.
type pages struct {
	byName   map[string]*template.Template
	messages catalogues
}

func parsePages() (*pages, error) {
	msgs, err := loadCatalogues()
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}, messages: msgs}
	for _, f := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.New(name).Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", "templates/_*.html", f)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

var templateFuncs = template.FuncMap{
	// dict builds a map for a sub-template: dict "Key" value ...
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	// short is the first block of an id, for where a person has no name here.
	"short": func(id string) string {
		if i := strings.IndexByte(id, '-'); i > 0 {
			return id[:i]
		}
		return id
	},
	"isoDate": func(t time.Time) string { return t.Format(time.DateOnly) },
	"add":     func(a, b int) int { return a + b },
	"sub":     func(a, b int) int { return a - b },
	// list is its arguments as a slice, to range over.
	"list": func(v ...string) []string { return v },
}

// navItem is one link of the role's navigation.
type navItem struct {
	Href, Key string
	Current   bool
}

// page is what every template gets: the request's language and messages,
// the session's principal and CSRF token, and the page's own Data.
type page struct {
	Lang       string
	OtherLang  string
	TitleKey   string
	Stylesheet string
	CSRF       string
	Principal  access.Principal
	SignedIn   bool
	Nav        []navItem
	Path       string
	Demo       bool
	Data       any
	// Form is the form shown again with its errors, when one was wrong.
	Form *form

	messages map[string]string
	fallback map[string]string
}

// T is the message key in the page's language, formatted with args.
func (p *page) T(key string, args ...any) string {
	m, ok := p.messages[key]
	if !ok {
		if m, ok = p.fallback[key]; !ok {
			m = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// Date is t as a date in the page's language: "15 april 2026", "15 April 2026".
func (p *page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %s %d", t.Day(), p.T(fmt.Sprintf("month.%d", int(t.Month()))), t.Year())
}

// DatePtr is Date of *t, or "" for nil.
func (p *page) DatePtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return p.Date(*t)
}

// Has reports whether the principal holds role name.
func (p *page) Has(name string) bool {
	r, err := access.ParseRole(name)
	return err == nil && p.Principal.Has(r)
}

// page is the base page of a request, titled by the message key title.
func (s *Server) page(c echo.Context, title string) *page {
	lang := languageOf(c)
	p := &page{Lang: lang, OtherLang: otherLanguage(lang), TitleKey: title, Stylesheet: s.assets.stylesheetURL,
		Path: c.Request().URL.Path, Demo: isDemo(s.signIn),
		messages: s.pages.messages[lang], fallback: s.pages.messages[Languages()[0]]}
	if ss := sessionOf(c); ss != nil {
		p.CSRF = ss.CSRF
		p.Principal, p.SignedIn = ss.principal()
	}
	p.Nav = navFor(p.Principal, p.Path)
	return p
}

// navFor is the navigation of the principal's roles.
func navFor(pr access.Principal, path string) []navItem {
	var items []navItem
	if pr.Has(access.RoleParticipant) {
		items = append(items, navItem{Href: "/journey", Key: "nav.journey"}, navItem{Href: "/my-data", Key: "nav.mydata"})
	}
	if pr.Has(access.RoleManager) {
		items = append(items, navItem{Href: "/people", Key: "nav.people"}, navItem{Href: "/raters", Key: "nav.raters"})
	}
	if pr.Has(access.RoleTrainer) || pr.Has(access.RoleProgrammeOffice) {
		items = append(items, navItem{Href: "/cohorts", Key: "nav.cohorts"})
	}
	if pr.Has(access.RoleProgrammeOffice) {
		items = append(items, navItem{Href: "/programmes", Key: "nav.programmes"})
	}
	for i := range items {
		items[i].Current = items[i].Href == path
	}
	return items
}

// render writes page name with p.
func (s *Server) render(c echo.Context, status int, name string, p *page) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	h.Add("Vary", "Cookie")
	return c.HTMLBlob(status, buf.Bytes())
}

// langCookie keeps the chosen language.
const langCookie = "leerpad_lang"

// langKey is where the request's language is kept in echo's context.
const langKey = "leerpad.web.lang"

// language middleware: ?lang= chooses the language and keeps it in a
// cookie; else the cookie's; else Dutch.
func (s *Server) language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang := Languages()[0]
		if ck, err := c.Cookie(langCookie); err == nil && knownLanguage(ck.Value) {
			lang = ck.Value
		}
		if q := c.QueryParam("lang"); knownLanguage(q) {
			lang = q
			//nolint:gosec // G124: Secure follows Config.Secure (serve --https), as the session cookie's
			c.SetCookie(&http.Cookie{Name: langCookie, Value: q, Path: "/", HttpOnly: true, Secure: s.cfg.Secure,
				SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
		}
		c.Set(langKey, lang)
		return next(c)
	}
}

func languageOf(c echo.Context) string {
	if l, ok := c.Get(langKey).(string); ok {
		return l
	}
	return Languages()[0]
}

func knownLanguage(l string) bool {
	for _, x := range Languages() {
		if x == l {
			return true
		}
	}
	return false
}

func otherLanguage(l string) string {
	if l == "nl" {
		return "en"
	}
	return "nl"
}

// EventLabel names a timeline entry: its event's message, else its part's.
func (p *page) EventLabel(event string, part any) string {
	key := "event." + event
	if t := p.T(key); t != key {
		return t
	}
	return p.T(fmt.Sprintf("part.%s", part))
}

// Current reports whether href is the page's path, for aria-current.
func (p *page) Current(href string) bool { return p.Path == href }

// ScaleLabel is point n of scale with its label where the instrument gives one.
func (p *page) ScaleLabel(scale feedback.Scale, n int) string {
	if n >= 1 && n <= len(scale.Labels) {
		return fmt.Sprintf("%d: %s", n, scale.Labels[n-1])
	}
	return fmt.Sprint(n)
}
