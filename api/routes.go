package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// registerRoutes is the one list of the API's routes; openapi.go describes
// each of them (TestOpenAPIDescribesEveryRoute holds the two together).
func (s *Server) registerRoutes() {
	// Probes live at the root, outside the versioned API.
	s.echo.GET("/healthz", s.handleHealth)
	s.echo.GET("/readyz", s.handleReady)

	v1 := s.echo.Group("/v1")
	s.registerPlatformRoutes(v1)
	s.registerJourneyRoutes(v1)
	s.registerPortfolioRoutes(v1)
	s.registerLearningPlanRoutes(v1)
	s.registerConversationRoutes(v1)
	s.registerJourneyCourseRoutes(v1)
	s.registerFeedbackRoutes(v1)
	s.registerTrainerRoutes(v1)
	s.registerCohortRoutes(v1)
	s.registerCatalogueRoutes(v1)
	s.registerOfferRoutes(v1)
	s.registerEntityRoutes(v1)
	s.registerIntervisionGroupRoutes(v1)
	s.registerImpactRoutes(v1)
	s.registerPrivacyRoutes(v1)
}

// platformRoutes are the routes that every server answers, also one
// without use cases (no event store): the probes, the API's description and
// who the caller is.
var platformRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/v1/openapi.json": true, "/v1/me": true}

// registerPlatformRoutes registers what every API version has: its
// description and who the caller is.
func (s *Server) registerPlatformRoutes(g *echo.Group) {
	g.GET("/openapi.json", s.handleOpenAPI)
	g.GET("/me", s.handleMe, s.requireUser)
}

// status is the body of the probes.
type status struct {
	Status string `json:"status"`
}

// handleHealth is GET /healthz: the process answers.
func (s *Server) handleHealth(c echo.Context) error {
	return c.JSON(http.StatusOK, status{Status: "ok"})
}

// handleReady is GET /readyz: the read models have caught up with the event
// store, so reads are current. 503 until then.
func (s *Server) handleReady(c echo.Context) error {
	if err := s.checkReady(c.Request().Context()); err != nil {
		s.log.InfoContext(c.Request().Context(), "not ready", "err", err)
		return problemf(errNotReady, "Not ready: the read models are catching up with the event store.")
	}
	return c.JSON(http.StatusOK, status{Status: "ready"})
}

// handleOpenAPI is GET /v1/openapi.json: the OpenAPI 3 document of this API.
func (s *Server) handleOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Access-Control-Allow-Origin", "*") // design rules: the document is public
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, s.openapi)
}

// principalResponse describes the caller.
type principalResponse struct {
	Subject string   `json:"subject"`
	Roles   []string `json:"roles"`
}

// handleMe is GET /v1/me: the subject and roles of the bearer token, so a
// user can check a token before using it.
func (s *Server) handleMe(c echo.Context) error {
	p, _ := principalOf(c)
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = r.String()
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, principalResponse{Subject: p.Subject, Roles: roles})
}
