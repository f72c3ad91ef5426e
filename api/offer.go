package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/offer"
	"github.com/leerpad/leerpad/usecase"
)

// registerOfferRoutes registers what the programme office does with the
// catalogue beyond adding to it (catalogue.go): the lists of modules,
// programmes and 360 instruments (from the offer read model), one
// instrument, retiring a module, programme or instrument, taking a module
// out of a programme and setting a programme's emphasis on a theme.
// Retiring follows the pattern of a round's closures: a retirement is a
// sub-resource created once; the thing retired stays readable.
func (s *Server) registerOfferRoutes(g *echo.Group) {
	g.GET("/modules", s.handleModuleList, s.requireUser)
	g.POST("/modules/:moduleId/retirements", s.handleModuleRetirementCreate, s.requireUser, s.idempotent)
	g.GET("/programmes", s.handleProgrammeList, s.requireUser)
	g.DELETE("/programmes/:programmeId/modules/:moduleId", s.handleProgrammeModuleDelete, s.requireUser)
	g.PUT("/programmes/:programmeId/emphases/:theme", s.handleProgrammeEmphasisPut, s.requireUser)
	g.POST("/programmes/:programmeId/retirements", s.handleProgrammeRetirementCreate, s.requireUser, s.idempotent)
	g.GET("/instruments", s.handleInstrumentList, s.requireUser)
	g.GET("/instruments/:instrumentId", s.handleInstrumentGet, s.requireUser)
	g.POST("/instruments/:instrumentId/retirements", s.handleInstrumentRetirementCreate, s.requireUser, s.idempotent)
}

// retiredParam reads the optional query parameter retired: nil lists
// everything, false only what is offered, true only what was retired.
func retiredParam(c echo.Context) (*bool, error) {
	v := c.QueryParam("retired")
	if v == "" {
		return nil, nil
	}
	b, err := boolParam(c, "retired")
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// listRequest is what a list over the offer read model reads from the
// request: the retired filter (for items that retire), the page, and the
// log position the list must include (Leerpad-Min-Position).
type listRequest struct {
	list    string // what is listed, with its filter: a cursor belongs to it
	page    usecase.Page
	retired *bool
	min     uint64
}

// offerListRequest reads the list request of list; filtered says whether
// its items retire, so that it takes the retired filter.
func offerListRequest(c echo.Context, list string, filtered bool) (listRequest, error) {
	r := listRequest{list: list}
	var err error
	if filtered {
		if r.retired, err = retiredParam(c); err != nil {
			return r, err
		}
	}
	if r.retired != nil {
		r.list += "?retired=" + strconv.FormatBool(*r.retired)
	}
	if r.page, err = pageOfRequest(c, r.list); err != nil {
		return r, err
	}
	r.min, err = minPosition(c)
	return r, err
}

// listed answers a page of a list, not to be cached.
func listed(c echo.Context, body any) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, body)
}

// moduleSummary is a module of the list, at its current version.
type moduleSummary struct {
	ID        string        `json:"id"`
	Href      string        `json:"href"`
	Version   int           `json:"version"`
	Retired   bool          `json:"retired"`
	Content   moduleContent `json:"content"`
	AddedAt   DateTime      `json:"addedAt"`
	ChangedAt DateTime      `json:"changedAt"`
}

// moduleList is a page of the catalogue's modules.
type moduleList struct {
	Items      []moduleSummary `json:"items"`
	NextCursor string          `json:"nextCursor,omitempty"`
}

// handleModuleList is GET /v1/modules: the catalogue's modules at their
// current version, in the order added, a page at a time; ?retired=false
// lists only the modules on offer.
func (s *Server) handleModuleList(c echo.Context) error {
	r, err := offerListRequest(c, "modules", true)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	defer cancel()
	ms, total, err := s.app.Modules(ctx, p, r.retired, r.page, r.min)
	if err != nil {
		return err
	}
	return listed(c, moduleList{NextCursor: nextCursor(r.list, r.page, total), Items: mapAll(ms, func(m offer.Module) moduleSummary {
		return moduleSummary{ID: m.ModuleID, Href: moduleHref(m.ModuleID), Version: m.Version, Retired: m.Retired, Content: contentOf(m.Content),
			AddedAt: dt(m.AddedAt), ChangedAt: dt(m.ChangedAt)}
	})})
}

// programmeSummary is a programme of the list: its modules in order and its
// emphasis on every theme.
type programmeSummary struct {
	ID            string          `json:"id"`
	Href          string          `json:"href"`
	Code          string          `json:"code"`
	Title         string          `json:"title"`
	ModuleIDs     []string        `json:"moduleIds"`
	Emphasis      []themeEmphasis `json:"emphasis"`
	RaterApproval bool            `json:"raterApproval"`
	Retired       bool            `json:"retired"`
	DesignedAt    DateTime        `json:"designedAt"`
	ChangedAt     DateTime        `json:"changedAt"`
}

// programmeList is a page of programmes.
type programmeList struct {
	Items      []programmeSummary `json:"items"`
	NextCursor string             `json:"nextCursor,omitempty"`
}

// handleProgrammeList is GET /v1/programmes: the programmes in the order
// designed, a page at a time; ?retired=false lists only those on offer.
func (s *Server) handleProgrammeList(c echo.Context) error {
	r, err := offerListRequest(c, "programmes", true)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	defer cancel()
	ps, total, err := s.app.Programmes(ctx, p, r.retired, r.page, r.min)
	if err != nil {
		return err
	}
	return listed(c, programmeList{NextCursor: nextCursor(r.list, r.page, total), Items: mapAll(ps, func(p offer.Programme) programmeSummary {
		return programmeSummary{ID: p.ProgrammeID, Href: programmeHref(p.ProgrammeID), Code: p.Code, Title: p.Title, ModuleIDs: orEmpty(p.ModuleIDs),
			Emphasis: mapAll(p.Emphasis, func(te catalogue.ThemeEmphasis) themeEmphasis {
				return themeEmphasis{Theme: te.Theme.String(), Emphasis: te.Emphasis.String()}
			}),
			RaterApproval: p.RaterApproval, Retired: p.Retired, DesignedAt: dt(p.DesignedAt), ChangedAt: dt(p.ChangedAt)}
	})})
}

func instrumentHref(id string) string { return "/v1/instruments/" + id }

// instrumentSummary is a 360 instrument of the list: its size, not its items.
type instrumentSummary struct {
	ID           string   `json:"id"`
	Href         string   `json:"href"`
	Title        string   `json:"title"`
	Points       int      `json:"points"`
	Competencies int      `json:"competencies"`
	Items        int      `json:"items"`
	Retired      bool     `json:"retired"`
	PublishedAt  DateTime `json:"publishedAt"`
}

// instrumentList is a page of 360 instruments.
type instrumentList struct {
	Items      []instrumentSummary `json:"items"`
	NextCursor string              `json:"nextCursor,omitempty"`
}

// handleInstrumentList is GET /v1/instruments: the 360 instruments in the
// order published, a page at a time; ?retired=false lists only those that
// open new rounds.
func (s *Server) handleInstrumentList(c echo.Context) error {
	r, err := offerListRequest(c, "instruments", true)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	defer cancel()
	ins, total, err := s.app.Instruments(ctx, p, r.retired, r.page, r.min)
	if err != nil {
		return err
	}
	return listed(c, instrumentList{NextCursor: nextCursor(r.list, r.page, total), Items: mapAll(ins, func(in offer.Instrument) instrumentSummary {
		return instrumentSummary{ID: in.InstrumentID, Href: instrumentHref(in.InstrumentID), Title: in.Title, Points: in.Points,
			Competencies: in.Competencies, Items: in.Items, Retired: in.Retired, PublishedAt: dt(in.PublishedAt)}
	})})
}

// instrumentResponse is a 360 instrument as published: its scale and its
// competencies with their items.
type instrumentResponse struct {
	ID           string           `json:"id"`
	Title        string           `json:"title"`
	Scale        formScale        `json:"scale"`
	Competencies []formCompetency `json:"competencies"`
	Retired      bool             `json:"retired"`
	Revision     uint64           `json:"revision"`
}

// handleInstrumentGet is GET /v1/instruments/{instrumentId}: a 360
// instrument as published, with its stream revision as ETag.
func (s *Server) handleInstrumentGet(c echo.Context) error {
	id, err := pathID(c, "instrumentId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	in, err := s.app.Instrument(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	return withETag(c, in.Revision, true, instrumentResponse{ID: in.ID, Title: in.Title, Scale: formScale{Points: in.Scale.Points, Labels: orEmpty(in.Scale.Labels)},
		Competencies: mapAll(in.Competencies, func(c feedback.Competency) formCompetency {
			return formCompetency{ID: c.ID, Name: c.Name, Items: mapAll(c.Items, func(it feedback.Item) formItem { return formItem{ID: it.ID, Text: it.Text} })}
		}), Retired: in.Retired, Revision: in.Revision})
}

// retirement retires a module, programme or instrument; it has no fields.
type retirement struct{}

// handleModuleRetirementCreate is POST /v1/modules/{moduleId}/retirements:
// the programme office takes a module out of the catalogue. It stays
// readable, with its versions, for the evaluations that refer to them; no
// programme takes it any more and it is not revised again.
func (s *Server) handleModuleRetirementCreate(c echo.Context) error {
	id, w, err := s.catalogueCommand(c, "moduleId", matchOptional, &retirement{})
	if err != nil {
		return err
	}
	out, err := s.app.RetireModule(c.Request().Context(), w, id)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, moduleHref(id))
}

// handleProgrammeRetirementCreate is POST /v1/programmes/{programmeId}/retirements:
// the programme office stops offering a programme. Cohorts planned from it
// run on; no new cohort or order takes it.
func (s *Server) handleProgrammeRetirementCreate(c echo.Context) error {
	id, w, err := s.catalogueCommand(c, "programmeId", matchOptional, &retirement{})
	if err != nil {
		return err
	}
	out, err := s.app.RetireProgramme(c.Request().Context(), w, id)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, programmeHref(id))
}

// handleInstrumentRetirementCreate is POST /v1/instruments/{instrumentId}/retirements:
// the programme office retires a 360 instrument: it opens no new rounds;
// the rounds open with it run on.
func (s *Server) handleInstrumentRetirementCreate(c echo.Context) error {
	id, w, err := s.catalogueCommand(c, "instrumentId", matchOptional, &retirement{})
	if err != nil {
		return err
	}
	out, err := s.app.RetireInstrument(c.Request().Context(), w, id)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, instrumentHref(id))
}

// handleProgrammeModuleDelete is DELETE /v1/programmes/{programmeId}/modules/{moduleId}:
// the programme office takes a module out of a programme; a programme keeps
// at least one module (409 for the last).
func (s *Server) handleProgrammeModuleDelete(c echo.Context) error {
	id, w, err := s.catalogueCommand(c, "programmeId", matchOptional, nil)
	if err != nil {
		return err
	}
	moduleID, err := pathID(c, "moduleId")
	if err != nil {
		return err
	}
	out, err := s.app.RemoveProgrammeModule(c.Request().Context(), w, catalogue.RemoveProgrammeModule{ProgrammeID: id, ModuleID: moduleID})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, programmeHref(id))
}

// emphasisRequest sets how strongly a programme stresses the theme of the path.
type emphasisRequest struct {
	Emphasis string `json:"emphasis"`
}

// handleProgrammeEmphasisPut is PUT /v1/programmes/{programmeId}/emphases/{theme}:
// the programme office sets a programme's emphasis on a theme (light,
// normal or strong). Setting the emphasis it already has records nothing
// and answers 200, as a PUT repeated does.
func (s *Server) handleProgrammeEmphasisPut(c echo.Context) error {
	var req emphasisRequest
	id, w, err := s.catalogueCommand(c, "programmeId", matchOptional, &req)
	if err != nil {
		return err
	}
	// The theme of the path and the emphasis of the body are named together.
	theme, terr := catalogue.ParseTheme(c.Param("theme"))
	em, eerr := catalogue.ParseEmphasis(req.Emphasis)
	if err := domain.Validate(fieldOf(terr), fieldOf(eerr)); err != nil {
		return err
	}
	out, err := s.app.SetEmphasis(c.Request().Context(), w, catalogue.SetEmphasis{ProgrammeID: id, Theme: theme, Emphasis: em})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, programmeHref(id))
}
