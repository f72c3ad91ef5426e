package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/access"
)

// DemoPerson is someone to sign in as on a demo: their subject id, a name
// for the list and the one role they act in.
type DemoPerson struct {
	Subject string
	Name    string
	Role    access.Role
}

// DemoSignIn is the Authenticator of a demo: a page lists the demo data
// set's people by role, clearly marked as a demo, and choosing one signs
// in as them, without a password. It must never run beside a real
// identity provider (serve refuses --demo-signin with the OIDC flags).
type DemoSignIn struct {
	people []DemoPerson
}

// NewDemoSignIn returns the demo sign-in over people (cmd takes them from
// the demo package, for the data set it seeds).
func NewDemoSignIn(people []DemoPerson) *DemoSignIn {
	return &DemoSignIn{people: append([]DemoPerson(nil), people...)}
}

// demoRole is a role with the people to sign in as in it.
type demoRole struct {
	Role   string
	People []DemoPerson
}

// Start renders the list of demo people, each a form that posts to the
// callback.
func (d *DemoSignIn) Start(c echo.Context, next string) error {
	var roles []demoRole
	for _, r := range access.TokenRoles() {
		dr := demoRole{Role: r.String()}
		for _, p := range d.people {
			if p.Role == r {
				dr.People = append(dr.People, p)
			}
		}
		if len(dr.People) > 0 {
			roles = append(roles, dr)
		}
	}
	return RenderPage(c, http.StatusOK, "demo-signin", "demo.title", map[string]any{"Roles": roles, "Next": next})
}

// Callback signs in as the person and role the form names, when they are
// one of the demo's people.
func (d *DemoSignIn) Callback(c echo.Context) (SignedIn, error) {
	if c.Request().Method != http.MethodPost {
		return SignedIn{}, fmt.Errorf("the demo sign-in is a form: %w", ErrSignInFailed)
	}
	subject, role := c.FormValue("subject"), c.FormValue("role")
	for _, p := range d.people {
		if p.Subject == subject && p.Role.String() == role {
			return SignedIn{Principal: access.Principal{Subject: p.Subject, Roles: []access.Role{p.Role}}, Next: c.FormValue("next")}, nil
		}
	}
	return SignedIn{}, fmt.Errorf("not one of the demo's people: %w", ErrSignInFailed)
}

func isDemo(a Authenticator) bool {
	_, ok := a.(*DemoSignIn)
	return ok
}

// serverKey is where the pages' server is kept in echo's context, for
// RenderPage.
const serverKey = "leerpad.web.server"

// RenderPage renders the page template name (templates/<name>.html) in the
// layout, titled by the message key title, with data as the page's Data:
// for authenticators, whose pages (a list of people, a failed sign-in) look
// like every other page.
func RenderPage(c echo.Context, status int, name, title string, data any) error {
	s, ok := c.Get(serverKey).(*Server)
	if !ok {
		return fmt.Errorf("web: RenderPage outside the pages' server")
	}
	p := s.page(c, title)
	p.Data = data
	return s.render(c, status, name, p)
}
