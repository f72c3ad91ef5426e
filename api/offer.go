package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/offer"
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

// offerList is the shape of a list endpoint over the offer read model: read
// the page and the retired filter (for items that retire: retired is not
// nil), authorize kind, wait for the read model
// when asked, and page through the items the filter keeps.
func offerList[T, R any](s *Server, c echo.Context, kind access.Kind, list string, items func(Offer) []T, retired func(T) bool, view func(T) R) ([]R, string, error) {
	var filter *bool
	if retired != nil {
		var err error
		if filter, err = retiredParam(c); err != nil {
			return nil, "", err
		}
	}
	if filter != nil {
		list += "?retired=" + strconv.FormatBool(*filter)
	}
	offset, limit, err := page(c, list)
	if err != nil {
		return nil, "", err
	}
	if err := s.authorize(c, access.ActionRead, access.Resource{Kind: kind}); err != nil {
		return nil, "", err
	}
	if s.d.Offer == nil {
		return nil, "", unavailable("the offer read model")
	}
	if err := s.caughtUp(c, s.d.Offer.Name()); err != nil {
		return nil, "", err
	}
	all := items(s.d.Offer)
	kept := all[:0:0]
	for _, it := range all {
		if filter == nil || retired(it) == *filter {
			kept = append(kept, it)
		}
	}
	pg, next := pageOf(kept, list, offset, limit)
	c.Response().Header().Set("Cache-Control", "no-store")
	return mapAll(pg, view), next, nil
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
	items, next, err := offerList(s, c, access.KindCatalogue, "modules", Offer.Modules, func(m offer.Module) bool { return m.Retired },
		func(m offer.Module) moduleSummary {
			return moduleSummary{ID: m.ModuleID, Href: moduleHref(m.ModuleID), Version: m.Version, Retired: m.Retired, Content: contentOf(m.Content),
				AddedAt: dt(m.AddedAt), ChangedAt: dt(m.ChangedAt)}
		})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, moduleList{Items: items, NextCursor: next})
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
	items, next, err := offerList(s, c, access.KindProgramme, "programmes", Offer.Programmes, func(p offer.Programme) bool { return p.Retired },
		func(p offer.Programme) programmeSummary {
			return programmeSummary{ID: p.ProgrammeID, Href: programmeHref(p.ProgrammeID), Code: p.Code, Title: p.Title, ModuleIDs: orEmpty(p.ModuleIDs),
				Emphasis: mapAll(p.Emphasis, func(te catalogue.ThemeEmphasis) themeEmphasis {
					return themeEmphasis{Theme: te.Theme.String(), Emphasis: te.Emphasis.String()}
				}),
				RaterApproval: p.RaterApproval, Retired: p.Retired, DesignedAt: dt(p.DesignedAt), ChangedAt: dt(p.ChangedAt)}
		})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, programmeList{Items: items, NextCursor: next})
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
	items, next, err := offerList(s, c, access.KindCatalogue, "instruments", Offer.Instruments, func(in offer.Instrument) bool { return in.Retired },
		func(in offer.Instrument) instrumentSummary {
			return instrumentSummary{ID: in.InstrumentID, Href: instrumentHref(in.InstrumentID), Title: in.Title, Points: in.Points,
				Competencies: in.Competencies, Items: in.Items, Retired: in.Retired, PublishedAt: dt(in.PublishedAt)}
		})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, instrumentList{Items: items, NextCursor: next})
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
	if err := s.authorize(c, access.ActionRead, access.Resource{Kind: access.KindCatalogue}); err != nil {
		return err
	}
	if s.d.InstrumentLog == nil {
		return unavailable("the instruments")
	}
	in, err := s.d.InstrumentLog.Load(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := instrumentResponse{ID: id, Title: in.Title(), Scale: formScale{Points: in.Scale().Points, Labels: orEmpty(in.Scale().Labels)},
		Competencies: mapAll(in.Competencies(), func(c feedback.Competency) formCompetency {
			return formCompetency{ID: c.ID, Name: c.Name, Items: mapAll(c.Items, func(it feedback.Item) formItem { return formItem{ID: it.ID, Text: it.Text} })}
		}), Retired: in.Retired()}
	rev, ok := revisionOf(in)
	out.Revision = rev
	return withETag(c, rev, ok, out)
}

// refTo makes the reference to the resource id of the path.
func refTo(href func(id string) string) func(id string) resourceRef {
	return func(id string) resourceRef { return resourceRef{ID: id, Href: href(id)} }
}

// retirement retires a module, programme or instrument; it has no fields.
type retirement struct{}

func (retirement) validate() error { return nil }

// offerWrite is the shape of a command on one module, programme or
// instrument (or entity) of the path: read its id, authorize kind, bind
// body (when not nil), and run the command with the write's context; then
// answer status with ref's reference to what was written.
func (s *Server) offerWrite(c echo.Context, param string, kind access.Kind, dep any, what string, body shaped, status int,
	ref func(id string) resourceRef, run func(w *write, id string) error) error {
	id, err := pathID(c, param)
	if err != nil {
		return err
	}
	if dep == nil {
		return unavailable(what)
	}
	if err := s.authorize(c, access.ActionWrite, access.Resource{Kind: kind}); err != nil {
		return err
	}
	if body != nil {
		if err := bindJSON(c, body); err != nil {
			return err
		}
	}
	w, err := s.beginWrite(c, matchOptional)
	if err != nil {
		return err
	}
	if err := run(w, id); err != nil {
		return err
	}
	w.finish(c)
	out := ref(id)
	if status == http.StatusCreated {
		return created(c, out.Href, out)
	}
	return c.JSON(status, out)
}

// handleModuleRetirementCreate is POST /v1/modules/{moduleId}/retirements:
// the programme office takes a module out of the catalogue. It stays
// readable, with its versions, for the evaluations that refer to them; no
// programme takes it any more and it is not revised again.
func (s *Server) handleModuleRetirementCreate(c echo.Context) error {
	return s.offerWrite(c, "moduleId", access.KindCatalogue, s.d.Modules, "the catalogue", &retirement{}, http.StatusCreated, refTo(moduleHref),
		func(w *write, id string) error {
			return s.d.Modules.RetireModule(w.ctx, catalogue.RetireModule{ModuleID: id, At: s.now(), IdempotencyKey: s.commandKey(c, "")})
		})
}

// handleProgrammeRetirementCreate is POST /v1/programmes/{programmeId}/retirements:
// the programme office stops offering a programme. Cohorts planned from it
// run on; no new cohort or order takes it.
func (s *Server) handleProgrammeRetirementCreate(c echo.Context) error {
	return s.offerWrite(c, "programmeId", access.KindProgramme, s.d.Programmes, "programmes", &retirement{}, http.StatusCreated, refTo(programmeHref),
		func(w *write, id string) error {
			return s.d.Programmes.RetireProgramme(w.ctx, catalogue.RetireProgramme{ProgrammeID: id, At: s.now(), IdempotencyKey: s.commandKey(c, "")})
		})
}

// handleInstrumentRetirementCreate is POST /v1/instruments/{instrumentId}/retirements:
// the programme office retires a 360 instrument: it opens no new rounds;
// the rounds open with it run on.
func (s *Server) handleInstrumentRetirementCreate(c echo.Context) error {
	return s.offerWrite(c, "instrumentId", access.KindCatalogue, s.d.Instruments, "360 instruments", &retirement{}, http.StatusCreated, refTo(instrumentHref),
		func(w *write, id string) error {
			return s.d.Instruments.RetireInstrument(w.ctx, feedback.RetireInstrument{InstrumentID: id, At: s.now(), IdempotencyKey: s.commandKey(c, "")})
		})
}

// handleProgrammeModuleDelete is DELETE /v1/programmes/{programmeId}/modules/{moduleId}:
// the programme office takes a module out of a programme; a programme keeps
// at least one module (409 for the last).
func (s *Server) handleProgrammeModuleDelete(c echo.Context) error {
	return s.offerWrite(c, "programmeId", access.KindProgramme, s.d.Programmes, "programmes", nil, http.StatusOK, refTo(programmeHref),
		func(w *write, id string) error {
			moduleID, err := pathID(c, "moduleId")
			if err != nil {
				return err
			}
			return s.d.Programmes.RemoveProgrammeModule(w.ctx, catalogue.RemoveProgrammeModule{ProgrammeID: id, ModuleID: moduleID, At: s.now()})
		})
}

// emphasisRequest sets how strongly a programme stresses the theme of the path.
type emphasisRequest struct {
	Emphasis string `json:"emphasis"`
	theme    string // the path's, checked with the body so both are named
}

func (r *emphasisRequest) validate() error {
	_, terr := catalogue.ParseTheme(r.theme)
	_, eerr := catalogue.ParseEmphasis(r.Emphasis)
	return domain.Validate(fieldOf(terr), fieldOf(eerr))
}

// handleProgrammeEmphasisPut is PUT /v1/programmes/{programmeId}/emphases/{theme}:
// the programme office sets a programme's emphasis on a theme (light,
// normal or strong). Setting the emphasis it already has records nothing
// and answers 200, as a PUT repeated does.
func (s *Server) handleProgrammeEmphasisPut(c echo.Context) error {
	req := emphasisRequest{theme: c.Param("theme")}
	return s.offerWrite(c, "programmeId", access.KindProgramme, s.d.Programmes, "programmes", &req, http.StatusOK, refTo(programmeHref),
		func(w *write, id string) error {
			theme, _ := catalogue.ParseTheme(req.theme)
			em, _ := catalogue.ParseEmphasis(req.Emphasis)
			err := s.d.Programmes.SetEmphasis(w.ctx, catalogue.SetEmphasis{ProgrammeID: id, Theme: theme, Emphasis: em, At: s.now()})
			if errors.Is(err, catalogue.ErrEmphasisAlreadySet) {
				return nil
			}
			return err
		})
}
