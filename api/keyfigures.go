package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
)

// Level 4 of impact measurement (leerpad.impact/v1 §3, results): an
// ordering entity's key figures per quarter, which the programme office
// records as it receives them. The routes are registered with the entity's
// (registerEntityRoutes).

func keyFiguresHref(entityID string) string { return entityHref(entityID) + "/key-figures" }

func quarterHref(entityID, quarter string) string { return keyFiguresHref(entityID) + "/" + quarter }

// keyFiguresRequest is an entity's key figures of a quarter: absenteeism
// and staff turnover, percentages from 0 to 100, at least one.
type keyFiguresRequest struct {
	AbsenteeismPct *float64 `json:"absenteeismPct,omitempty"`
	TurnoverPct    *float64 `json:"turnoverPct,omitempty"`
}

// quarterParam reads the {quarter} path parameter: "YYYY-Qn".
func quarterParam(c echo.Context) (string, error) {
	q := c.Param("quarter")
	if _, p := catalogue.QuarterStart("quarter", q); p != nil {
		return "", domain.Validate(p)
	}
	return q, nil
}

// handleKeyFiguresPut is PUT /v1/entities/{entityId}/key-figures/{quarter}:
// the programme office records an entity's key figures of a quarter,
// replacing what was recorded for it. The same figures again record nothing.
func (s *Server) handleKeyFiguresPut(c echo.Context) error {
	var req keyFiguresRequest
	id, w, err := s.catalogueCommand(c, "entityId", matchOptional, &req)
	if err != nil {
		return err
	}
	q, err := quarterParam(c)
	if err != nil {
		return err
	}
	out, err := s.app.RecordKeyFigures(c.Request().Context(), w, catalogue.RecordKeyFigures{EntityID: id, Quarter: q,
		AbsenteeismPct: req.AbsenteeismPct, TurnoverPct: req.TurnoverPct})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, quarterHref(id, q))
}

// quarterFigures is an entity's key figures of one quarter; a figure not
// given is absent.
type quarterFigures struct {
	Quarter        string   `json:"quarter"`
	Href           string   `json:"href"`
	AbsenteeismPct *float64 `json:"absenteeismPct,omitempty"`
	TurnoverPct    *float64 `json:"turnoverPct,omitempty"`
	RecordedAt     DateTime `json:"recordedAt"`
}

// keyFiguresSeries is an entity's key figures, a quarter each, in the order
// of the quarters.
type keyFiguresSeries struct {
	EntityID string           `json:"entityId"`
	Items    []quarterFigures `json:"items"`
	Revision uint64           `json:"revision"`
}

func quarterFiguresOf(entityID string, k catalogue.KeyFigures) quarterFigures {
	return quarterFigures{Quarter: k.Quarter, Href: quarterHref(entityID, k.Quarter), AbsenteeismPct: k.AbsenteeismPct,
		TurnoverPct: k.TurnoverPct, RecordedAt: dt(k.RecordedAt)}
}

// handleKeyFiguresList is GET /v1/entities/{entityId}/key-figures: the
// entity's key figures, a quarter each, in the order of the quarters, with
// the entity's revision as ETag; for the programme office.
func (s *Server) handleKeyFiguresList(c echo.Context) error {
	id, err := pathID(c, "entityId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	k, err := s.app.KeyFigures(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	items := make([]quarterFigures, len(k.Figures))
	for i, f := range k.Figures {
		items[i] = quarterFiguresOf(id, f)
	}
	return withETag(c, k.Revision, true, keyFiguresSeries{EntityID: id, Items: items, Revision: k.Revision})
}

// handleKeyFiguresGet is GET /v1/entities/{entityId}/key-figures/{quarter}:
// the entity's key figures of one quarter, with the entity's revision as
// ETag; 404 while none are recorded for it.
func (s *Server) handleKeyFiguresGet(c echo.Context) error {
	id, err := pathID(c, "entityId")
	if err != nil {
		return err
	}
	q, err := quarterParam(c)
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	k, err := s.app.KeyFigures(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	for _, f := range k.Figures {
		if f.Quarter == q {
			return withETag(c, k.Revision, true, quarterFiguresOf(id, f))
		}
	}
	return problemf(domain.ErrNotFound, "No key figures of %s are recorded for entity %s.", q, id)
}
