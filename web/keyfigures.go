package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/usecase"
)

// An ordering entity's key figures (level 4 of the impact measurement):
// the programme office reads them per quarter and records a quarter.

// handleKeyFigures is GET /entities/:id/key-figures: KeyFigures.
func (s *Server) handleKeyFigures(c echo.Context) error {
	return s.showKeyFigures(c, http.StatusOK, nil)
}

func (s *Server) showKeyFigures(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	k, err := s.app.KeyFigures(c.Request().Context(), p, strings.ToLower(c.Param("id")))
	if err != nil {
		return err
	}
	pg := s.page(c, "keyfigures.title")
	pg.Data, pg.Form = map[string]any{"Figures": k, "ID": c.Param("id")}, f
	return s.render(c, status, "keyfigures", pg)
}

// percent reads a percentage as typed, with a decimal comma or point; nil
// when empty.
func percent(field, v string) (*float64, *domain.FieldError) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%"))
	if v == "" {
		return nil, nil
	}
	x, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
	if err != nil {
		return nil, domain.Invalid(field, "must be a percentage such as 4,2")
	}
	return &x, nil
}

// handleRecordKeyFigures is POST /entities/:id/key-figures: RecordKeyFigures.
func (s *Server) handleRecordKeyFigures(c echo.Context) error {
	p, _ := principalOf(c)
	id := strings.ToLower(c.Param("id"))
	vals := formValues(c, "quarter", "absenteeismPct", "turnoverPct")
	abs, pa := percent("absenteeismPct", vals["absenteeismPct"])
	turn, pt := percent("turnoverPct", vals["turnoverPct"])
	err := domain.Validate(pa, pt)
	var w usecase.Written
	if err == nil {
		w, err = s.app.RecordKeyFigures(c.Request().Context(), writeOf(c, p), catalogue.RecordKeyFigures{EntityID: id,
			Quarter: strings.ToUpper(strings.TrimSpace(vals["quarter"])), AbsenteeismPct: abs, TurnoverPct: turn})
	}
	if err != nil {
		if f, ok := refused(err, "keyfigures", vals); ok {
			return s.showKeyFigures(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/entities/"+id+"/key-figures", w)
}
