package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/usecase"
)

// registerCatalogueRoutes registers the catalogue: modules and their
// versions, programmes of modules and 360 instruments. The programme office
// writes it; everyone in a programme reads it.
func (s *Server) registerCatalogueRoutes(g *echo.Group) {
	g.POST("/modules", s.handleModuleCreate, s.requireUser, s.idempotent)
	g.GET("/modules/:moduleId", s.handleModuleGet, s.requireUser)
	g.GET("/modules/:moduleId/versions", s.handleModuleVersionList, s.requireUser)
	g.POST("/modules/:moduleId/versions", s.handleModuleVersionCreate, s.requireUser, s.idempotent)
	g.GET("/modules/:moduleId/versions/:version", s.handleModuleVersionGet, s.requireUser)
	g.POST("/programmes", s.handleProgrammeCreate, s.requireUser, s.idempotent)
	g.GET("/programmes/:programmeId", s.handleProgrammeGet, s.requireUser)
	g.POST("/programmes/:programmeId/modules", s.handleProgrammeModuleCreate, s.requireUser, s.idempotent)
	g.POST("/instruments", s.handleInstrumentCreate, s.requireUser, s.idempotent)
}

// moduleContent is what one version of a module holds.
type moduleContent struct {
	Title         string              `json:"title"`
	Theme         string              `json:"theme"`
	Forms         []string            `json:"forms"`
	Hours         float64             `json:"hours"`
	LearningGoals []moduleGoalContent `json:"learningGoals"`
}

// moduleGoalContent is a behaviour a participant should show after the module.
type moduleGoalContent struct {
	ID        string `json:"id"`
	Behaviour string `json:"behaviour"`
}

// toDomain parses the content's closed sets, naming every unknown theme or
// form. What the fields hold is the domain's to check.
func (m moduleContent) toDomain() (catalogue.Content, []*domain.FieldError) {
	var ps []*domain.FieldError
	t, err := catalogue.ParseTheme(m.Theme)
	if err != nil {
		ps = append(ps, domain.Invalid("content.theme", "%s", reasonOf(err)))
	}
	forms := make([]catalogue.DidacticForm, len(m.Forms))
	for i, f := range m.Forms {
		if forms[i], err = catalogue.ParseDidacticForm(f); err != nil {
			ps = append(ps, domain.Invalid(fmt.Sprintf("content.forms[%d]", i), "%s", reasonOf(err)))
		}
	}
	return catalogue.Content{Title: m.Title, Theme: t, Forms: forms, Hours: m.Hours, LearningGoals: mapAll(m.LearningGoals, func(g moduleGoalContent) catalogue.LearningGoal {
		return catalogue.LearningGoal{ID: g.ID, Behaviour: g.Behaviour}
	})}, ps
}

func contentOf(c catalogue.Content) moduleContent {
	return moduleContent{Title: c.Title, Theme: c.Theme.String(), Forms: names(c.Forms), Hours: c.Hours,
		LearningGoals: mapAll(c.LearningGoals, func(g catalogue.LearningGoal) moduleGoalContent {
			return moduleGoalContent{ID: g.ID, Behaviour: g.Behaviour}
		})}
}

// moduleRequest adds a module, or makes its next version (with a reason).
type moduleRequest struct {
	Content moduleContent `json:"content"`
	Reason  string        `json:"reason,omitempty"`
}

// validate checks the length of the content's lists before they are parsed.
func (r *moduleRequest) validate() error {
	return domain.Validate(listLimit("content.forms", len(r.Content.Forms), maxListItems),
		listLimit("content.learningGoals", len(r.Content.LearningGoals), maxListItems))
}

// content parses the request's content; reasonAllowed says whether the
// request may give a reason (only a new version has one).
func (r *moduleRequest) content(reasonAllowed bool) (catalogue.Content, error) {
	content, ps := r.Content.toDomain()
	if r.Reason != "" && !reasonAllowed {
		ps = append(ps, domain.Invalid("reason", "is given only for a new version"))
	}
	return content, domain.Validate(ps...)
}

func moduleHref(id string) string { return "/v1/modules/" + id }

// handleModuleCreate is POST /v1/modules: the programme office adds a
// module to the catalogue, as version 1.
func (s *Server) handleModuleCreate(c echo.Context) error {
	var req moduleRequest
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return err
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	content, err := req.content(false)
	if err != nil {
		return err
	}
	out, err := s.app.AddModule(c.Request().Context(), w, catalogue.AddModule{Content: content})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, moduleHref(out.ID))
}

// moduleResponse is a module's current version.
type moduleResponse struct {
	ID       string        `json:"id"`
	Version  int           `json:"version"`
	Retired  bool          `json:"retired"`
	Content  moduleContent `json:"content"`
	Revision uint64        `json:"revision"`
}

// handleModuleGet is GET /v1/modules/{moduleId}: a module's current
// version, with its stream revision as ETag.
func (s *Server) handleModuleGet(c echo.Context) error {
	id, err := pathID(c, "moduleId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	m, err := s.app.Module(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	return withETag(c, m.Revision, true, moduleResponse{ID: m.ID, Version: m.Version, Retired: m.Retired, Content: contentOf(m.Content), Revision: m.Revision})
}

func moduleVersionHref(id string, version int) string {
	return moduleHref(id) + "/versions/" + strconv.Itoa(version)
}

// moduleVersionEntry is one version of a module as it was made.
type moduleVersionEntry struct {
	Version int           `json:"version"`
	Href    string        `json:"href"`
	Content moduleContent `json:"content"`
	// Reason is why the version was made; none for version 1.
	Reason string   `json:"reason,omitempty"`
	MadeAt DateTime `json:"madeAt"`
}

func versionEntryOf(id string, v catalogue.ModuleVersion) moduleVersionEntry {
	return moduleVersionEntry{Version: v.Version, Href: moduleVersionHref(id, v.Version), Content: contentOf(v.Content), Reason: v.Reason, MadeAt: dt(v.At)}
}

// moduleVersionList is every version of a module, from version 1 to the
// current one. A module has a version per revision, a handful: the list is
// not paged.
type moduleVersionList struct {
	ModuleID string               `json:"moduleId"`
	Retired  bool                 `json:"retired"`
	Items    []moduleVersionEntry `json:"items"`
	Revision uint64               `json:"revision"`
}

// handleModuleVersionList is GET /v1/modules/{moduleId}/versions: every
// version of a module as it was made, with the module's revision as ETag;
// for whoever may read the module.
func (s *Server) handleModuleVersionList(c echo.Context) error {
	id, err := pathID(c, "moduleId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	vs, err := s.app.ModuleVersions(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	return withETag(c, vs.Revision, true, moduleVersionList{ModuleID: id, Retired: vs.Retired, Revision: vs.Revision,
		Items: mapAll(vs.Versions, func(v catalogue.ModuleVersion) moduleVersionEntry { return versionEntryOf(id, v) })})
}

// moduleVersionResponse is one version of a module as it was made.
type moduleVersionResponse struct {
	ModuleID string        `json:"moduleId"`
	Version  int           `json:"version"`
	Content  moduleContent `json:"content"`
	Reason   string        `json:"reason,omitempty"`
	MadeAt   DateTime      `json:"madeAt"`
	Revision uint64        `json:"revision"`
}

// handleModuleVersionGet is GET /v1/modules/{moduleId}/versions/{version}:
// one version of a module as it was made (an earlier one as it was then),
// with the module's revision as ETag; for whoever may read the module.
func (s *Server) handleModuleVersionGet(c echo.Context) error {
	id, err := pathID(c, "moduleId")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("version"))
	if err != nil || n < 1 {
		return domain.Validate(domain.Invalid("version", "must be a version number, 1 or more, not %q", c.Param("version")))
	}
	p, _ := principalOf(c)
	v, rev, err := s.app.ModuleVersion(c.Request().Context(), p, id, n)
	if err != nil {
		return err
	}
	return withETag(c, rev, true, moduleVersionResponse{ModuleID: id, Version: v.Version, Content: contentOf(v.Content), Reason: v.Reason,
		MadeAt: dt(v.At), Revision: rev})
}

// handleModuleVersionCreate is POST /v1/modules/{moduleId}/versions: the
// programme office makes the next version of a module, after a delivery.
// If-Match is required: a version replaces the content the office read.
func (s *Server) handleModuleVersionCreate(c echo.Context) error {
	var req moduleRequest
	id, w, err := s.catalogueCommand(c, "moduleId", matchRequired, &req)
	if err != nil {
		return err
	}
	content, err := req.content(true)
	if err != nil {
		return err
	}
	out, err := s.app.ReviseModule(c.Request().Context(), w, catalogue.ReviseModule{ModuleID: id, Content: content, Reason: req.Reason})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, moduleHref(id))
}

// catalogueCommand reads what every command on one module, programme,
// instrument or entity of the path starts with: its id (path parameter
// param), the Write of the request (If-Match as m says) and, when body is
// not nil, the body.
func (s *Server) catalogueCommand(c echo.Context, param string, m ifMatch, body any) (string, usecase.Write, error) {
	id, err := pathID(c, param)
	if err != nil {
		return "", usecase.Write{}, err
	}
	w, err := writeOf(c, m)
	if err != nil {
		return "", w, err
	}
	if body != nil {
		err = bindJSON(c, body)
	}
	return id, w, err
}

// programmeRequest designs a programme of catalogue modules.
type programmeRequest struct {
	Code          string          `json:"code"`
	Title         string          `json:"title"`
	ModuleIDs     []string        `json:"moduleIds"`
	Emphasis      []themeEmphasis `json:"emphasis,omitempty"`
	RaterApproval bool            `json:"raterApproval"`
}

// themeEmphasis is how strongly a programme stresses a theme.
type themeEmphasis struct {
	Theme    string `json:"theme"`
	Emphasis string `json:"emphasis"`
}

// emphasis parses the emphasis of the request, naming every unknown theme
// or emphasis.
func (r *programmeRequest) emphasis() ([]catalogue.ThemeEmphasis, error) {
	var ps []*domain.FieldError
	out := make([]catalogue.ThemeEmphasis, len(r.Emphasis))
	for i, e := range r.Emphasis {
		t, err := catalogue.ParseTheme(e.Theme)
		if err != nil {
			ps = append(ps, domain.Invalid(fmt.Sprintf("emphasis[%d].theme", i), "%s", reasonOf(err)))
		}
		em, err := catalogue.ParseEmphasis(e.Emphasis)
		if err != nil {
			ps = append(ps, domain.Invalid(fmt.Sprintf("emphasis[%d].emphasis", i), "%s", reasonOf(err)))
		}
		out[i] = catalogue.ThemeEmphasis{Theme: t, Emphasis: em}
	}
	return out, domain.Validate(ps...)
}

// validate checks the length of the request's lists before they are parsed.
func (r *programmeRequest) validate() error {
	return domain.Validate(listLimit("moduleIds", len(r.ModuleIDs), maxListItems), listLimit("emphasis", len(r.Emphasis), maxListItems))
}

func programmeHref(id string) string { return "/v1/programmes/" + id }

// handleProgrammeCreate is POST /v1/programmes: the programme office
// designs a programme (trajectory) of offered modules.
func (s *Server) handleProgrammeCreate(c echo.Context) error {
	var req programmeRequest
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return err
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	em, err := req.emphasis()
	if err != nil {
		return err
	}
	out, err := s.app.DesignProgramme(c.Request().Context(), w, catalogue.DesignProgramme{Code: req.Code, Title: req.Title, ModuleIDs: req.ModuleIDs,
		Emphasis: em, RaterApproval: req.RaterApproval})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, programmeHref(out.ID))
}

// programmeResponse is a programme as its stream holds it.
type programmeResponse struct {
	ID            string   `json:"id"`
	Code          string   `json:"code"`
	ModuleIDs     []string `json:"moduleIds"`
	RaterApproval bool     `json:"raterApproval"`
	Retired       bool     `json:"retired"`
	Revision      uint64   `json:"revision"`
}

// handleProgrammeGet is GET /v1/programmes/{programmeId}: a programme, with
// its stream revision as ETag.
func (s *Server) handleProgrammeGet(c echo.Context) error {
	id, err := pathID(c, "programmeId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	pr, err := s.app.Programme(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	return withETag(c, pr.Revision, true, programmeResponse{ID: pr.ID, Code: pr.Code, ModuleIDs: orEmpty(pr.ModuleIDs), RaterApproval: pr.RaterApproval,
		Retired: pr.Retired, Revision: pr.Revision})
}

// programmeModuleRequest puts a module into a programme at a position (1 is first).
type programmeModuleRequest struct {
	ModuleID string `json:"moduleId"`
	Position int    `json:"position"`
}

// handleProgrammeModuleCreate is POST /v1/programmes/{programmeId}/modules:
// the programme office puts an offered module into a programme.
func (s *Server) handleProgrammeModuleCreate(c echo.Context) error {
	var req programmeModuleRequest
	id, w, err := s.catalogueCommand(c, "programmeId", matchOptional, &req)
	if err != nil {
		return err
	}
	out, err := s.app.AddProgrammeModule(c.Request().Context(), w, catalogue.AddProgrammeModule{ProgrammeID: id, ModuleID: req.ModuleID,
		Position: req.Position})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, programmeHref(id))
}

// instrumentRequest publishes a 360 instrument: competencies with
// behaviour items on a frequency scale.
type instrumentRequest struct {
	Title        string            `json:"title"`
	Scale        scaleInput        `json:"scale"`
	Competencies []competencyInput `json:"competencies"`
}

// scaleInput is an instrument's frequency scale: 2 to 10 points, with a
// label per point or none.
type scaleInput struct {
	Points int      `json:"points"`
	Labels []string `json:"labels,omitempty"`
}

// competencyInput is a competency of an instrument with its items.
type competencyInput struct {
	ID    string      `json:"id"`
	Name  string      `json:"name"`
	Items []itemInput `json:"items"`
}

// itemInput is one behaviour item of a competency.
type itemInput struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// validate checks the length of the request's lists; what they hold is the
// domain's to check.
func (r *instrumentRequest) validate() error {
	ps := []*domain.FieldError{listLimit("competencies", len(r.Competencies), maxListItems), listLimit("scale.labels", len(r.Scale.Labels), 10)}
	for i, c := range r.Competencies {
		ps = append(ps, listLimit(fmt.Sprintf("competencies[%d].items", i), len(c.Items), maxListItems))
	}
	return domain.Validate(ps...)
}

// handleInstrumentCreate is POST /v1/instruments: the programme office
// publishes a 360 instrument.
func (s *Server) handleInstrumentCreate(c echo.Context) error {
	var req instrumentRequest
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return err
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	comps := mapAll(req.Competencies, func(c competencyInput) feedback.Competency {
		return feedback.Competency{ID: c.ID, Name: c.Name, Items: mapAll(c.Items, func(it itemInput) feedback.Item { return feedback.Item{ID: it.ID, Text: it.Text} })}
	})
	out, err := s.app.PublishInstrument(c.Request().Context(), w, feedback.PublishInstrument{Title: req.Title,
		Scale: feedback.Scale{Points: req.Scale.Points, Labels: req.Scale.Labels}, Competencies: comps})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, instrumentHref(out.ID))
}
