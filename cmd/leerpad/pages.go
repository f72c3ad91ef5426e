package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/leerpad/leerpad/api"
	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/demo"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/usecase"
	"github.com/leerpad/leerpad/web"
)

// pagesFlags are serve's flags of the web pages.
type pagesFlags struct {
	theme      string
	demoSignIn bool
	https      bool
}

func (f *pagesFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.theme, "theme", web.DefaultTheme, "`look` of the web pages: rijk (Dutch central government) or vlaanderen (Flemish government)")
	fs.BoolVar(&f.demoSignIn, "demo-signin", false, "let anyone sign in to the web pages as one of the demo data set's people, without a password (a demo only; refused with an identity provider)")
	fs.BoolVar(&f.https, "https", false, "the pages are served over https (here or behind a proxy): mark their cookies Secure")
}

// check refuses the demo sign-in beside a real identity provider: a
// deployment that verifies tokens of an identity provider must not let
// anyone in without one.
func (f pagesFlags) check(s serveFlags) error {
	if !f.demoSignIn {
		return nil
	}
	if s.jwksURL != "" || s.issuer != auth.DefaultIssuer {
		return &usageError{msg: "-demo-signin lets anyone in without a password: it is refused with -oidc-jwks-url or -oidc-issuer"}
	}
	if !loopback(s.listen) {
		return &usageError{msg: "-demo-signin lets anyone in without a password: it is refused unless -listen is a loopback address (127.0.0.1, ::1, localhost), not " + s.listen}
	}
	return nil
}

// loopback reports whether a listen address reaches this machine alone.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newPages builds the web pages over app: the demo sign-in over the people
// of the default demo data set (what make run seeds) when asked for, else
// none yet.
func newPages(f serveFlags, app *usecase.App, log *slog.Logger, clock func() time.Time) (http.Handler, error) {
	keys, err := web.LoadOrCreateSessionKeys(web.SessionKeyPath(f.store.data))
	if err != nil {
		return nil, err
	}
	var signIn web.Authenticator = web.NoSignIn{}
	if f.pages.demoSignIn {
		people, err := demoPeople(demo.Options{Seed: 1})
		if err != nil {
			return nil, err
		}
		signIn = web.NewDemoSignIn(people)
	} else if f.oidcSignIn.set() {
		if signIn, err = newOIDCSignIn(f.oidcSignIn, f.authConfig()); err != nil {
			return nil, err
		}
	}
	pages, err := web.New(web.Config{Theme: f.pages.theme, Secure: f.pages.https}, web.Deps{App: app, SignIn: signIn, Keys: keys, Logger: log, Now: clock,
		ExportJSON: api.MarshalPersonalData})
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	return pages.Handler(), nil
}

// demoPeople are the people of the demo data set of o, each in their role.
func demoPeople(o demo.Options) ([]web.DemoPerson, error) {
	ps, err := demo.PeopleOf(o)
	if err != nil {
		return nil, fmt.Errorf("demo people: %w", err)
	}
	var out []web.DemoPerson
	for _, g := range []struct {
		people []demo.Person
		role   access.Role
	}{{ps.Participants, access.RoleParticipant}, {ps.Managers, access.RoleManager}, {ps.Trainers, access.RoleTrainer}, {ps.ProgrammeOffice, access.RoleProgrammeOffice}} {
		for _, p := range g.people {
			out = append(out, web.DemoPerson{Subject: p.Subject, Name: p.Name, Role: g.role})
		}
	}
	return out, nil
}
