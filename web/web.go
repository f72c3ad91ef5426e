package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/usecase"
)

// Themes are the looks Config.Theme chooses from: each is a file of design
// tokens, static/themes/<name>.css.
func Themes() []string { return []string{"rijk", "vlaanderen"} }

// Defaults of Config.
const (
	DefaultTheme       = "rijk"
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxAge      = 12 * time.Hour
	// readYourWrites bounds how long a page after a write waits for the
	// read models to include it.
	readYourWrites = 2 * time.Second
)

// Config shapes the pages. The zero value is valid: every empty field takes
// its default.
type Config struct {
	// Theme is the look: one of Themes. Default "rijk".
	Theme string
	// Secure marks the cookies Secure: set it when the pages are served
	// over https (directly or behind a proxy that terminates TLS).
	Secure bool
	// IdleTimeout ends a session not used for this long; MaxAge ends any
	// session this long after sign-in. Defaults 30 minutes and 12 hours.
	IdleTimeout time.Duration
	MaxAge      time.Duration
}

func (c Config) withDefaults() Config {
	if c.Theme == "" {
		c.Theme = DefaultTheme
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.MaxAge == 0 {
		c.MaxAge = DefaultMaxAge
	}
	return c
}

// Validate reports every field of c (with defaults applied) that cannot work.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if !validTheme(c.Theme) {
		errs = append(errs, fmt.Errorf("web: theme %q is not one of %v", c.Theme, Themes()))
	}
	if c.IdleTimeout < 0 || c.MaxAge < 0 {
		errs = append(errs, errors.New("web: session time-outs must not be negative"))
	}
	return errors.Join(errs...)
}

func validTheme(t string) bool {
	for _, x := range Themes() {
		if x == t {
			return true
		}
	}
	return false
}

// Deps are what the pages use and do not own.
type Deps struct {
	// App holds the use cases. Required.
	App *usecase.App
	// SignIn signs people in. Required: DemoSignIn on the embedded default,
	// an OIDC flow in a deployment.
	SignIn Authenticator
	// Keys sign and encrypt the session cookie. Required
	// (LoadOrCreateSessionKeys).
	Keys SessionKeys
	// Logger receives what goes wrong (never a person). Default: discarded.
	Logger *slog.Logger
	// Now is the clock of sessions. Default time.Now.
	Now func() time.Time
	// ExportJSON writes a person's data as the download of "Mijn gegevens"
	// hands it over: cmd gives the API's format (api.MarshalPersonalData),
	// so that both ways in hand over the same document. Default: the use
	// case's structure as JSON.
	ExportJSON func(usecase.PersonalData) ([]byte, error)
}

// Server serves the pages.
type Server struct {
	cfg      Config
	app      *usecase.App
	signIn   Authenticator
	log      *slog.Logger
	now      func() time.Time
	sessions *sessions
	pages    *pages
	assets   *assets
	echo     *echo.Echo
	// crossOrigin refuses unsafe requests from other origins (checkCSRF).
	crossOrigin *http.CrossOriginProtection
	// csp is the pages' Content-Security-Policy (policyFor).
	csp string
	// exportJSON is Deps.ExportJSON.
	exportJSON func(usecase.PersonalData) ([]byte, error)
}

// New builds the pages on cfg and deps.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	switch {
	case deps.App == nil:
		return nil, errors.New("web: the use cases are required")
	case deps.SignIn == nil:
		return nil, errors.New("web: an authenticator is required")
	}
	s := &Server{cfg: cfg, app: deps.App, signIn: deps.SignIn, log: deps.Logger, now: deps.Now, crossOrigin: http.NewCrossOriginProtection()}
	if s.log == nil {
		s.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.exportJSON = deps.ExportJSON; s.exportJSON == nil {
		s.exportJSON = func(d usecase.PersonalData) ([]byte, error) { return json.MarshalIndent(d, "", "  ") }
	}
	var err error
	if s.sessions, err = newSessions(deps.Keys, cfg, s.now); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.assets, err = newAssets(cfg.Theme); err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	e.HTTPErrorHandler = s.writeError
	s.csp = policyFor(s.signIn)
	e.Use(s.securityHeaders, s.withServer, s.session, s.language, s.checkCSRF)
	s.echo = e
	s.routes()
	return s, nil
}

// Handler returns the pages' handler. It answers every path but the API's
// (the API's server mounts it at /).
func (s *Server) Handler() http.Handler { return s.echo }

// routes is the one list of the pages.
func (s *Server) routes() {
	e := s.echo
	e.GET("/static/*", s.assets.serve)
	e.GET("/", s.handleHome)
	e.GET("/signin", s.handleSignIn)
	e.GET("/signin/callback", s.handleSignInCallback)
	e.POST("/signin/callback", s.handleSignInCallback)
	e.POST("/signout", s.handleSignOut)

	// Participant (and, where the use case lets them, their manager).
	e.GET("/journey", s.handleMyJourney, s.signedIn)
	e.GET("/journeys/:id", s.handleTimeline, s.signedIn)
	e.GET("/journeys/:id/plan", s.handlePlan, s.signedIn)
	e.POST("/journeys/:id/goals", s.handleFormulateGoal, s.signedIn)
	e.POST("/journeys/:id/experiments", s.handleLogExperiment, s.signedIn)
	e.POST("/journeys/:id/experiments/:eid/step", s.handleExperimentStep, s.signedIn)
	e.POST("/journeys/:id/assignments/:aid/hand-in", s.handleHandIn, s.signedIn)
	e.GET("/journeys/:id/feedback", s.handleFeedback, s.signedIn)
	e.POST("/journeys/:id/feedback/rounds", s.handleOpenRound, s.signedIn)
	e.POST("/journeys/:id/feedback/rounds/:rid/raters", s.handleNominate, s.signedIn)
	e.GET("/journeys/:id/feedback/rounds/:rid/self", s.handleSelfAssessment, s.signedIn)
	e.POST("/journeys/:id/feedback/rounds/:rid/self", s.handleSubmitSelfAssessment, s.signedIn)
	e.GET("/journeys/:id/sharing", s.handleSharing, s.signedIn)
	e.POST("/journeys/:id/sharing", s.handleShare, s.signedIn)
	e.GET("/journeys/:id/portfolio", s.handlePortfolio, s.signedIn)
	e.GET("/journeys/:id/conversations", s.handleConversations, s.signedIn)
	e.POST("/journeys/:id/conversations", s.handleRecordConversation, s.signedIn)
	e.GET("/journeys/:id/conversations/:cid", s.handleConversation, s.signedIn)
	e.GET("/my-data", s.handleMyData, s.signedIn)
	e.GET("/my-data/download", s.handleMyDataDownload, s.signedIn)
	e.POST("/my-data/erasure", s.handleEraseMe, s.signedIn)
	e.GET("/erased", s.handleErased)
	e.POST("/journeys/:id/conversations/:cid/confirm", s.handleConfirmConversation, s.signedIn)

	// Manager.
	e.GET("/people", s.handlePeople, s.signedIn)
	e.GET("/raters", s.handleRaters, s.signedIn)
	e.POST("/raters", s.handleDecideRater, s.signedIn)

	// Rater, with the key of their link.
	e.GET("/rate", s.handleRaterStart)
	e.POST("/rate", s.handleRaterKey)
	e.GET("/rate/form", s.handleRaterForm, s.signedIn)
	e.POST("/rate/form", s.handleRaterSubmit, s.signedIn)

	// Trainer and programme office.
	e.GET("/cohorts", s.handleCohorts, s.signedIn)
	e.GET("/cohorts/:id", s.handleCohort, s.signedIn)
	e.GET("/cohorts/:id/enrolments", s.handleEnrolment, s.signedIn)
	e.POST("/cohorts/:id/enrolments", s.handleEnrol, s.signedIn)
	e.POST("/cohorts/:id/measurement-closure", s.handleCloseMeasurement, s.signedIn)
	e.GET("/cohorts/:id/impact", s.handleCohortImpact, s.signedIn)
	e.GET("/cohorts/:id/impact.csv", s.impactCSV("cohort"), s.signedIn)
	e.GET("/cohorts/:id/participation.csv", s.handleParticipationCSV, s.signedIn)
	e.GET("/cohorts/:id/deliveries/:did", s.handleDelivery, s.signedIn)
	e.POST("/cohorts/:id/deliveries/:did/attendance", s.handleRecordAttendance, s.signedIn)
	e.GET("/cohorts/:id/groups/:gid", s.handleGroup, s.signedIn)
	e.POST("/cohorts/:id/groups/:gid/sessions", s.handleRecordSession, s.signedIn)
	e.GET("/cohorts/:id/assignments", s.handleAssignments, s.signedIn)
	e.POST("/cohorts/:id/assignments", s.handleGiveAssignment, s.signedIn)
	e.GET("/programmes", s.handleProgrammes, s.signedIn)
	e.GET("/programmes/:id", s.handleProgramme, s.signedIn)
	e.GET("/programmes/:id/impact", s.handleProgrammeImpact, s.signedIn)
	e.GET("/programmes/:id/impact.csv", s.impactCSV("programme"), s.signedIn)
	e.GET("/entities/:id/impact", s.handleEntityImpact, s.signedIn)
	e.GET("/entities/:id/impact.csv", s.impactCSV("entity"), s.signedIn)
	e.GET("/modules/:id/impact", s.handleModuleImpact, s.signedIn)
	e.GET("/modules/:id/impact.csv", s.impactCSV("module"), s.signedIn)
	e.GET("/entities/:id/key-figures", s.handleKeyFigures, s.signedIn)
	e.POST("/entities/:id/key-figures", s.handleRecordKeyFigures, s.signedIn)
}

// withServer keeps the server in echo's context, for RenderPage.
func (s *Server) withServer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(serverKey, s)
		return next(c)
	}
}
