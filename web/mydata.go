package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/usecase"
)

// The participant's control of their data ("Mijn gegevens"): everything
// Leerpad holds of them as a download (ExportPersonalData), who read each
// of their portfolios (PortfolioReads), and the request to erase them
// (Erase, for themselves), after which their session ends. The use cases
// decide who may; these handlers only ask for the signed-in person.

// myDataPage is the page's data: each of the person's journeys with the
// reads of its portfolio by others.
type myDataPage struct {
	Journeys []journeyReads
}

type journeyReads struct {
	Journey usecase.JourneySummary
	Reads   []privacy.PortfolioRead
}

// exportFilename is the name the download is saved under.
const exportFilename = "leerpad-mijn-gegevens.json"

// handleMyData is GET /my-data: the download, who read my portfolio, and
// the erasure form.
func (s *Server) handleMyData(c echo.Context) error {
	return s.showMyData(c, http.StatusOK, nil)
}

func (s *Server) showMyData(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	js, _, err := s.app.Journeys(ctx, p, usecase.Page{Limit: 100}, pos)
	if err != nil {
		return err
	}
	var data myDataPage
	for _, j := range js {
		rs, err := s.app.PortfolioReads(ctx, p, j.ID)
		if err != nil {
			return err
		}
		data.Journeys = append(data.Journeys, journeyReads{Journey: j, Reads: rs})
	}
	pg := s.page(c, "mydata.title")
	pg.Data, pg.Form = data, f
	return s.render(c, status, "mydata", pg)
}

// handleMyDataDownload is GET /my-data/download: ExportPersonalData of the
// signed-in person, as a JSON attachment.
func (s *Server) handleMyDataDownload(c echo.Context) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	d, err := s.app.ExportPersonalData(ctx, p, p.Subject, pos)
	if err != nil {
		return err
	}
	b, err := s.exportJSON(d)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="`+exportFilename+`"`)
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// confirmField is the erasure form's checkbox, which must be ticked.
const confirmField = "confirm"

// handleEraseMe is POST /my-data/erasure: Erase of the signed-in person,
// once they ticked that they understand it cannot be undone; then their
// session ends and the page says their data was erased.
func (s *Server) handleEraseMe(c echo.Context) error {
	p, _ := principalOf(c)
	vals := formValues(c, confirmField)
	if vals[confirmField] != "yes" {
		f := &form{ID: "erase", Values: vals, Errors: []fieldError{{Field: confirmField, Reason: "is required"}}}
		return s.showMyData(c, http.StatusBadRequest, f)
	}
	if _, err := s.app.Erase(c.Request().Context(), writeOf(c, p), usecase.EraseRequest{PersonID: p.Subject}); err != nil {
		if f, ok := refused(err, "erase", vals); ok {
			return s.showMyData(c, formStatus(f), f)
		}
		return err
	}
	if err := s.sessions.write(c, s.sessions.fresh(access.Principal{})); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/erased")
}

// handleErased is GET /erased: the page after an erasure, signed out.
func (s *Server) handleErased(c echo.Context) error {
	return s.render(c, http.StatusOK, "erased", s.page(c, "erased.title"))
}
