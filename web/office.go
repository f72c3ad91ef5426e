package web

import (
	"bytes"
	"encoding/csv"

	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/domain/offer"
	"github.com/leerpad/leerpad/usecase"
)

// The programme office's pages (and, where the use cases let them, the
// trainer's): the programmes and their modules; a cohort's enrolment by
// uploading a CSV file, every bad row shown with its row number, field
// and reason; closing a cohort's measurement; and the impact of a cohort,
// a programme and an ordering entity (within a programme), as charts with
// their tables and as CSV.

// maxUploadRows bounds the rows of one enrolment upload, as the API's.
const maxUploadRows = 1000

// maxUploadBytes bounds the file of one enrolment upload.
const maxUploadBytes = 1 << 20

// handleProgrammes is GET /programmes: Programmes.
func (s *Server) handleProgrammes(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	ps, total, err := s.app.Programmes(ctx, p, nil, usecase.Page{Limit: 500}, pos)
	if err != nil {
		return err
	}
	pg := s.page(c, "programmes.title")
	pg.Data = map[string]any{"Programmes": ps, "Total": total}
	return s.render(c, http.StatusOK, "programmes", pg)
}

// programmePage is a programme with its modules and its cohorts.
type programmePage struct {
	Programme offer.Programme
	Modules   []offer.Module
	Cohorts   []offer.Cohort
	Entities  []string
}

// handleProgramme is GET /programmes/:id: the programme, its modules in
// order, its cohorts and the entities they are for (Programmes, Modules,
// Cohorts).
func (s *Server) handleProgramme(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	id := strings.ToLower(c.Param("id"))
	if _, err := s.app.Programme(ctx, p, id); err != nil {
		return err
	}
	ps, _, err := s.app.Programmes(ctx, p, nil, usecase.Page{Limit: 500}, pos)
	if err != nil {
		return err
	}
	var data programmePage
	for _, x := range ps {
		if x.ProgrammeID == id {
			data.Programme = x
		}
	}
	ms, _, err := s.app.Modules(ctx, p, nil, usecase.Page{Limit: 500}, pos)
	if err != nil {
		return err
	}
	for _, mid := range data.Programme.ModuleIDs {
		for _, m := range ms {
			if m.ModuleID == mid {
				data.Modules = append(data.Modules, m)
			}
		}
	}
	cs, _, err := s.app.Cohorts(ctx, p, usecase.Page{Limit: 500}, pos)
	if err != nil {
		return err
	}
	for _, co := range cs {
		if co.ProgrammeID == id {
			data.Cohorts = append(data.Cohorts, co)
			if co.EntityID != "" && !slices.Contains(data.Entities, co.EntityID) {
				data.Entities = append(data.Entities, co.EntityID)
			}
		}
	}
	pg := s.page(c, "programme.title")
	pg.Data = data
	return s.render(c, http.StatusOK, "programme", pg)
}

// enrolPage is a cohort's enrolment: who is enrolled and the upload form.
type enrolPage struct {
	Cohort   usecase.CohortSummary
	Enrolled int
	// Done is how many the last upload enrolled (after its redirect).
	Done string
	// BadRows are the upload's problems, each by row and field.
	BadRows []badRow
}

// badRow is one problem of an upload: its row (the header is row 1; 0
// for the file as a whole), its column and the reason.
type badRow struct {
	Row    int
	Field  string
	Reason string
}

// handleEnrolment is GET /cohorts/:id/enrolments: the upload form.
func (s *Server) handleEnrolment(c echo.Context) error {
	return s.showEnrolment(c, http.StatusOK, nil, nil)
}

func (s *Server) showEnrolment(c echo.Context, status int, f *form, bad []badRow) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	id := c.Param("id")
	co, err := s.app.Cohort(ctx, p, id)
	if err != nil {
		return err
	}
	_, total, err := s.app.Enrolments(ctx, p, id, usecase.Page{Limit: 1}, pos)
	if err != nil {
		return err
	}
	pg := s.page(c, "enrol.title")
	pg.Data, pg.Form = enrolPage{Cohort: co, Enrolled: total, Done: c.QueryParam("enrolled"), BadRows: bad}, f
	return s.render(c, status, "enrol", pg)
}

var rowField = regexp.MustCompile(`^rows\[(\d+)\](?:\.(\w+))?$`)

// handleEnrol is POST /cohorts/:id/enrolments (multipart, the file in
// "file"): ReadEnrolmentCSV and Enrol, all or nothing as the use case
// decides; every bad row is shown with the form.
func (s *Server) handleEnrol(c echo.Context) error {
	p, _ := principalOf(c)
	id := c.Param("id")
	rows, err := readUpload(c)
	var out usecase.Enrolment
	if err == nil {
		out, err = s.app.Enrol(c.Request().Context(), writeOf(c, p), id, rows)
	}
	if err != nil {
		f, ok := refused(err, "enrol", nil)
		if !ok {
			return err
		}
		bad := make([]badRow, 0, len(f.Errors))
		for _, e := range f.Errors {
			b := badRow{Field: e.Field, Reason: e.Reason}
			if m := rowField.FindStringSubmatch(e.Field); m != nil {
				b.Row, _ = strconv.Atoi(m[1])
				b.Field = m[2]
			}
			bad = append(bad, b)
		}
		// The file field carries the one error that names the table of rows.
		if len(bad) > 0 {
			f.Errors = []fieldError{{Field: "file", Reason: "upload"}}
		}
		return s.showEnrolment(c, formStatus(f), f, bad)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/cohorts/%s/enrolments?pos=%d&saved=1&enrolled=%d", id, out.Written.Position, len(out.Enrolled)))
}

// readUpload reads the upload's file into its rows.
func readUpload(c echo.Context) ([]usecase.Enrolee, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, domain.Validate(domain.Invalid("file", "is required"))
	}
	if fh.Size > maxUploadBytes {
		return nil, domain.Validate(domain.Invalid("file", "is too large"))
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	body, err := io.ReadAll(io.LimitReader(f, maxUploadBytes+1))
	if err != nil {
		return nil, err
	}
	return usecase.ReadEnrolmentCSV(body, maxUploadRows)
}

// handleCloseMeasurement is POST /cohorts/:id/measurement-closure:
// CloseMeasurement, then the cohort's impact.
func (s *Server) handleCloseMeasurement(c echo.Context) error {
	p, _ := principalOf(c)
	id := c.Param("id")
	w, err := s.app.CloseMeasurement(c.Request().Context(), writeOf(c, p), id)
	if err != nil {
		if f, ok := refused(err, "close", nil); ok {
			return s.showImpact(c, "cohort", formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/cohorts/"+id+"/impact", w)
}

// impactPage is a population's impact with its charts.
type impactPage struct {
	Impact   usecase.Impact
	Kind     string // cohort, programme, entity
	ID       string
	Heading  string
	Levels   map[string]bool
	CSV      string
	K        int
	Forest   dotChart
	PrePost  dotChart
	Reaction dotChart
	Series   []seriesChart
	// CanClose shows the cohort's close-measurement form.
	CanClose bool
	// Modules are the titles of the catalogue's modules by id, where the
	// reader may read them.
	Modules map[string]string
}

// ModuleName is a module's title where it is known, else its id's first block.
func (d impactPage) ModuleName(id string) string { return moduleName(d.Modules, id) }

// impactOf reads the impact of the request's population.
func (s *Server) impactOf(c echo.Context, kind string) (usecase.Impact, error) {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	id := strings.ToLower(c.Param("id"))
	switch kind {
	case "cohort":
		return s.app.CohortImpact(ctx, p, id, 0, pos)
	case "programme":
		return s.app.ProgrammeImpact(ctx, p, id, 0, pos)
	case "module":
		return s.app.ModuleImpact(ctx, p, id, 0, pos)
	}
	return s.app.EntityImpact(ctx, p, id, strings.ToLower(c.QueryParam("programmeId")), 0, pos)
}

func (s *Server) showImpact(c echo.Context, kind string, status int, f *form) error {
	v, err := s.impactOf(c, kind)
	if err != nil {
		return err
	}
	pg := s.page(c, "impact.title")
	id := c.Param("id")
	data := impactPage{Impact: v, Kind: kind, ID: id, K: impact.K, Levels: map[string]bool{}}
	for _, l := range v.Levels {
		data.Levels[l] = true
	}
	data.CSV = c.Request().URL.Path + ".csv"
	if q := c.QueryParam("programmeId"); q != "" && kind == "entity" {
		data.CSV += "?programmeId=" + q
	}
	p, _ := principalOf(c)
	data.Heading = pg.T("impact.heading."+kind, shortID(id))
	if kind == "entity" && c.QueryParam("programmeId") != "" {
		data.Heading = pg.T("impact.heading.entityinprogramme", shortID(id), shortID(c.QueryParam("programmeId")))
	}
	if kind == "cohort" {
		if co, err := s.app.Cohort(c.Request().Context(), p, id); err == nil {
			data.Heading = pg.T("impact.heading.cohort", co.Title)
			data.CanClose = pg.Has("programme-office") && co.MeasurementClosedAt.IsZero()
		}
	}
	data.Forest = newForestChart(pg, v.Behaviour)
	data.PrePost = newPrePostChart(pg, v.Behaviour)
	data.Modules = map[string]string{}
	if ms, _, err := s.app.Modules(c.Request().Context(), p, nil, usecase.Page{Limit: 500}, 0); err == nil {
		for _, m := range ms {
			data.Modules[m.ModuleID] = m.Content.Title
		}
	}
	if kind == "programme" {
		if ps, _, err := s.app.Programmes(c.Request().Context(), p, nil, usecase.Page{Limit: 500}, 0); err == nil {
			for _, x := range ps {
				if x.ProgrammeID == strings.ToLower(id) {
					data.Heading = pg.T("impact.heading.programme", x.Title)
				}
			}
		}
	}
	if kind == "module" {
		data.Heading = pg.T("impact.heading.module", data.ModuleName(strings.ToLower(id)))
	}
	data.Reaction = newReactionChart(pg, v.Reaction, data.Modules)
	for _, r := range v.Results {
		data.Series = append(data.Series, newSeriesChart(pg, r))
	}
	pg.Data, pg.Form = data, f
	return s.render(c, status, "impact", pg)
}

// handleCohortImpact is GET /cohorts/:id/impact: CohortImpact (the
// programme office every level, the cohort's trainers reaction and
// behaviour).
func (s *Server) handleCohortImpact(c echo.Context) error {
	return s.showImpact(c, "cohort", http.StatusOK, nil)
}

// handleProgrammeImpact is GET /programmes/:id/impact: ProgrammeImpact.
func (s *Server) handleProgrammeImpact(c echo.Context) error {
	return s.showImpact(c, "programme", http.StatusOK, nil)
}

// handleModuleImpact is GET /modules/:id/impact: ModuleImpact, a module's
// reaction and learning per version across every released cohort.
func (s *Server) handleModuleImpact(c echo.Context) error {
	return s.showImpact(c, "module", http.StatusOK, nil)
}

// handleEntityImpact is GET /entities/:id/impact[?programmeId=]: EntityImpact.
func (s *Server) handleEntityImpact(c echo.Context) error {
	return s.showImpact(c, "entity", http.StatusOK, nil)
}

// impactCSV answers the population's impact as CSV, one section per level:
// the same use case and the same rows as the API's export
// (usecase.ImpactRows), through the pages' session.
func (s *Server) impactCSV(kind string) echo.HandlerFunc {
	return func(c echo.Context) error {
		v, err := s.impactOf(c, kind)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("impact-%s-%s-%d.csv", v.Kind, shortID(c.Param("id")), v.Position)
		return sendCSV(c, name, usecase.ImpactRows(v, usecase.ImpactNotes))
	}
}

// handleParticipationCSV is GET /cohorts/:id/participation.csv: the
// cohort's participation per participant as CSV, as the API's
// exportParticipation answers it (the programme office and the cohort's
// trainers).
func (s *Server) handleParticipationCSV(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	v, err := s.app.ParticipationExport(ctx, p, strings.ToLower(c.Param("id")), pos)
	if err != nil {
		return err
	}
	return sendCSV(c, "participation-"+shortID(v.CohortID)+".csv", usecase.ParticipationRows(v))
}

// sendCSV answers rows as a CSV attachment named name, every cell a
// spreadsheet would run as a formula defused.
func sendCSV(c echo.Context, name string, rows [][]string) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range rows {
		for i := range r {
			r[i] = safeCell(r[i])
		}
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

// safeCell defuses a cell a spreadsheet would run as a formula (as the
// API's exports do); a plain number is left as it is.
func safeCell(v string) string {
	if v == "" || !strings.ContainsAny(v[:1], "=+-@\t\r") {
		return v
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	return "'" + v
}

// Num is x with two decimals, for the tables.
func (p *page) Num(x float64) string { return num(x) }

// NumPtr is *x with two decimals, or a dash for none.
func (p *page) NumPtr(x *float64) string {
	if x == nil {
		return "–"
	}
	return num(*x)
}

// IntPtr is *x, or a dash for none.
func (p *page) IntPtr(x *int) string {
	if x == nil {
		return "–"
	}
	return strconv.Itoa(*x)
}

// CI is an interval as "lo – hi", or a dash for none.
func (p *page) CI(x *impact.Interval) string {
	if x == nil {
		return "–"
	}
	return num(x.Lo) + " – " + num(x.Hi)
}

// Pct is a share as a percentage.
func (p *page) Pct(x float64) string { return strconv.FormatFloat(x*100, 'f', 0, 64) + "%" }

// Reason is a use case's reason in the page's language where the
// catalogue knows it, else as the use case gave it.
func (p *page) Reason(r string) string { return p.reason(fieldError{Reason: r}) }
