package api

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/feedback"
)

// registerCatalogueRoutes registers the catalogue: modules and their
// versions, programmes of modules and 360 instruments. The programme office
// writes it; everyone in a programme reads it.
func (s *Server) registerCatalogueRoutes(g *echo.Group) {
	g.POST("/modules", s.handleModuleCreate, s.requireUser, s.idempotent)
	g.GET("/modules/:moduleId", s.handleModuleGet, s.requireUser)
	g.POST("/modules/:moduleId/versions", s.handleModuleVersionCreate, s.requireUser, s.idempotent)
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

// toDomain maps the content, naming every unknown theme or form.
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
	ps = append(ps, listLimit("content.forms", len(m.Forms), maxListItems), listLimit("content.learningGoals", len(m.LearningGoals), maxListItems))
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

func (r *moduleRequest) validate() error {
	_, ps := r.Content.toDomain()
	return domain.Validate(append(ps, domain.OptionalText("reason", r.Reason, domain.MaxText))...)
}

func moduleHref(id string) string { return "/v1/modules/" + id }

// catalogueWrite authorises a catalogue or programme write and binds body.
func (s *Server) catalogueWrite(c echo.Context, kind access.Kind, body shaped, m ifMatch) (*write, error) {
	if err := s.authorize(c, access.ActionWrite, access.Resource{Kind: kind}); err != nil {
		return nil, err
	}
	if err := bindJSON(c, body); err != nil {
		return nil, err
	}
	return s.beginWrite(c, m)
}

// handleModuleCreate is POST /v1/modules: the programme office adds a
// module to the catalogue, as version 1.
func (s *Server) handleModuleCreate(c echo.Context) error {
	if s.d.Modules == nil {
		return unavailable("the catalogue")
	}
	var req moduleRequest
	w, err := s.catalogueWrite(c, access.KindCatalogue, &req, matchOptional)
	if err != nil {
		return err
	}
	if req.Reason != "" {
		return domain.Validate(domain.Invalid("reason", "is given only for a new version"))
	}
	content, _ := req.Content.toDomain()
	id := s.newID(c, "module")
	if err := s.d.Modules.AddModule(w.ctx, catalogue.AddModule{ModuleID: id, Content: content, At: s.now(), IdempotencyKey: s.commandKey(c, "")}); err != nil {
		return err
	}
	w.finish(c)
	return created(c, moduleHref(id), resourceRef{ID: id, Href: moduleHref(id)})
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
	if err := s.authorize(c, access.ActionRead, access.Resource{Kind: access.KindCatalogue}); err != nil {
		return err
	}
	if s.d.ModuleLog == nil {
		return unavailable("the catalogue")
	}
	m, err := s.d.ModuleLog.Load(c.Request().Context(), id)
	if err != nil {
		return err
	}
	rev, ok := revisionOf(m)
	return withETag(c, rev, ok, moduleResponse{ID: id, Version: m.CurrentVersion(), Retired: m.Retired(), Content: contentOf(m.Content()), Revision: rev})
}

// handleModuleVersionCreate is POST /v1/modules/{moduleId}/versions: the
// programme office makes the next version of a module, after a delivery.
// If-Match is required: a version replaces the content the office read.
func (s *Server) handleModuleVersionCreate(c echo.Context) error {
	id, err := pathID(c, "moduleId")
	if err != nil {
		return err
	}
	if s.d.Modules == nil {
		return unavailable("the catalogue")
	}
	var req moduleRequest
	w, err := s.catalogueWrite(c, access.KindCatalogue, &req, matchRequired)
	if err != nil {
		return err
	}
	content, _ := req.Content.toDomain()
	if err := s.d.Modules.ReviseModule(w.ctx, catalogue.ReviseModule{ModuleID: id, Content: content, Reason: req.Reason, At: s.now(), IdempotencyKey: s.commandKey(c, "")}); err != nil {
		return err
	}
	w.finish(c)
	return created(c, moduleHref(id), resourceRef{ID: id, Href: moduleHref(id)})
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

func (r *programmeRequest) emphasis() ([]catalogue.ThemeEmphasis, []*domain.FieldError) {
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
	return out, ps
}

func (r *programmeRequest) validate() error {
	_, ps := r.emphasis()
	return domain.Validate(append(ps, listLimit("moduleIds", len(r.ModuleIDs), maxListItems), listLimit("emphasis", len(r.Emphasis), maxListItems))...)
}

func programmeHref(id string) string { return "/v1/programmes/" + id }

// handleProgrammeCreate is POST /v1/programmes: the programme office
// designs a programme (trajectory) of offered modules.
func (s *Server) handleProgrammeCreate(c echo.Context) error {
	if s.d.Programmes == nil {
		return unavailable("programmes")
	}
	var req programmeRequest
	w, err := s.catalogueWrite(c, access.KindProgramme, &req, matchOptional)
	if err != nil {
		return err
	}
	em, _ := req.emphasis()
	id := s.newID(c, "programme")
	if err := s.d.Programmes.DesignProgramme(w.ctx, catalogue.DesignProgramme{ProgrammeID: id, Code: req.Code, Title: req.Title, ModuleIDs: req.ModuleIDs,
		Emphasis: em, RaterApproval: req.RaterApproval, At: s.now(), IdempotencyKey: s.commandKey(c, "")}); err != nil {
		return err
	}
	w.finish(c)
	return created(c, programmeHref(id), resourceRef{ID: id, Href: programmeHref(id)})
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
	if err := s.authorize(c, access.ActionRead, access.Resource{Kind: access.KindProgramme}); err != nil {
		return err
	}
	if s.d.ProgrammeLog == nil {
		return unavailable("programmes")
	}
	p, err := s.d.ProgrammeLog.Load(c.Request().Context(), id)
	if err != nil {
		return err
	}
	rev, ok := revisionOf(p)
	return withETag(c, rev, ok, programmeResponse{ID: id, Code: p.Code(), ModuleIDs: orEmpty(p.ModuleIDs()), RaterApproval: p.RaterApproval(), Retired: p.Retired(), Revision: rev})
}

// programmeModuleRequest puts a module into a programme at a position (1 is first).
type programmeModuleRequest struct {
	ModuleID string `json:"moduleId"`
	Position int    `json:"position"`
}

func (r *programmeModuleRequest) validate() error {
	return domain.Validate(domain.RequireID("moduleId", r.ModuleID))
}

// handleProgrammeModuleCreate is POST /v1/programmes/{programmeId}/modules:
// the programme office puts an offered module into a programme.
func (s *Server) handleProgrammeModuleCreate(c echo.Context) error {
	id, err := pathID(c, "programmeId")
	if err != nil {
		return err
	}
	if s.d.Programmes == nil {
		return unavailable("programmes")
	}
	var req programmeModuleRequest
	w, err := s.catalogueWrite(c, access.KindProgramme, &req, matchOptional)
	if err != nil {
		return err
	}
	if err := s.d.Programmes.AddProgrammeModule(w.ctx, catalogue.AddProgrammeModule{ProgrammeID: id, ModuleID: req.ModuleID, Position: req.Position,
		At: s.now(), IdempotencyKey: s.commandKey(c, "")}); err != nil {
		return err
	}
	w.finish(c)
	return created(c, programmeHref(id), resourceRef{ID: id, Href: programmeHref(id)})
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
	if s.d.Instruments == nil {
		return unavailable("360 instruments")
	}
	var req instrumentRequest
	w, err := s.catalogueWrite(c, access.KindCatalogue, &req, matchOptional)
	if err != nil {
		return err
	}
	id := s.newID(c, "instrument")
	comps := mapAll(req.Competencies, func(c competencyInput) feedback.Competency {
		return feedback.Competency{ID: c.ID, Name: c.Name, Items: mapAll(c.Items, func(it itemInput) feedback.Item { return feedback.Item{ID: it.ID, Text: it.Text} })}
	})
	if err := s.d.Instruments.PublishInstrument(w.ctx, feedback.PublishInstrument{InstrumentID: id, Title: req.Title, Scale: feedback.Scale{Points: req.Scale.Points, Labels: req.Scale.Labels},
		Competencies: comps, At: s.now(), IdempotencyKey: s.commandKey(c, "")}); err != nil {
		return err
	}
	w.finish(c)
	return created(c, "/v1/instruments/"+id, resourceRef{ID: id, Href: "/v1/instruments/" + id})
}
