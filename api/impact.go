package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/usecase"
)

// The impact measurement (leerpad.impact/v2): a cohort's, a programme's and
// an ordering entity's figures of the four levels, as of a log position,
// as JSON and as CSV. Aggregates of released cohorts only.

// registerImpactRoutes registers the impact routes.
func (s *Server) registerImpactRoutes(g *echo.Group) {
	g.GET("/cohorts/:cohortId/impact", s.handleCohortImpactGet, s.requireUser)
	g.GET("/programmes/:programmeId/impact", s.handleProgrammeImpactGet, s.requireUser)
	g.GET("/entities/:entityId/impact", s.handleEntityImpactGet, s.requireUser)
	g.GET("/cohorts/:cohortId/exports/impact", s.handleCohortImpactExport, s.requireUser)
	g.GET("/programmes/:programmeId/exports/impact", s.handleProgrammeImpactExport, s.requireUser)
	g.GET("/entities/:entityId/exports/impact", s.handleEntityImpactExport, s.requireUser)
	g.GET("/modules/:moduleId/impact", s.handleModuleImpactGet, s.requireUser)
	g.GET("/modules/:moduleId/exports/impact", s.handleModuleImpactExport, s.requireUser)
}

// impactResponse is a population's impact (leerpad.impact/v2).
type impactResponse struct {
	Definition  string `json:"definition"`
	Kind        string `json:"kind"`
	CohortID    string `json:"cohortId,omitempty"`
	ProgrammeID string `json:"programmeId,omitempty"`
	EntityID    string `json:"entityId,omitempty"`
	ModuleID    string `json:"moduleId,omitempty"`
	// Position: every event up to and including it is counted; ask again
	// with ?asOf= it for the same figures.
	Position        uint64             `json:"position"`
	Released        bool               `json:"released"`
	Levels          []string           `json:"levels"`
	Cohorts         []string           `json:"cohorts"`
	Population      int                `json:"population"`
	K               int                `json:"k"`
	SuppressedCells int                `json:"suppressedCells"`
	Notes           impactNotes        `json:"notes"`
	Reaction        []reactionCellDTO  `json:"reaction"`
	Learning        []learningCellDTO  `json:"learning"`
	Behaviour       []behaviourCellDTO `json:"behaviour"`
	Practice        []practiceCellDTO  `json:"practice"`
	Results         []entityResultsDTO `json:"results"`
}

type impactNotes struct {
	Learning  string `json:"learning"`
	Behaviour string `json:"behaviour"`
	Results   string `json:"results"`
}

type intervalDTO struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

type reactionCellDTO struct {
	ModuleID      string       `json:"moduleId"`
	ModuleVersion int          `json:"moduleVersion"`
	QuestionID    string       `json:"questionId"`
	N             int          `json:"n"`
	Mean          float64      `json:"mean"`
	SD            float64      `json:"sd"`
	MeanCI        *intervalDTO `json:"meanCi" nullable:"true"`
	ResponseRate  *float64     `json:"responseRate" nullable:"true"`
}

type learningCellDTO struct {
	ModuleID       string       `json:"moduleId"`
	ModuleVersion  int          `json:"moduleVersion"`
	LearningGoalID string       `json:"learningGoalId"`
	Measure        string       `json:"measure"` // always "retrospective"
	N              int          `json:"n"`
	MeanBefore     float64      `json:"meanBefore"`
	MeanNow        float64      `json:"meanNow"`
	MeanChange     float64      `json:"meanChange"`
	MeanChangeCI   *intervalDTO `json:"meanChangeCi" nullable:"true"`
	DZ             *float64     `json:"dz" nullable:"true"`
	DZCI           *intervalDTO `json:"dzCi" nullable:"true"`
}

// behaviourCellDTO has exactly the field names of IMPACT.md §2.
type behaviourCellDTO struct {
	CompetencyID         string       `json:"competencyId"`
	Name                 string       `json:"name"`
	Group                string       `json:"group"`
	N                    int          `json:"n"`
	MeanPre              float64      `json:"meanPre"`
	MeanPost             float64      `json:"meanPost"`
	MeanChange           float64      `json:"meanChange"`
	SDPre                float64      `json:"sdPre"`
	SDPost               float64      `json:"sdPost"`
	SDChange             float64      `json:"sdChange"`
	R                    *float64     `json:"r" nullable:"true"`
	MeanChangeCI         *intervalDTO `json:"meanChangeCi" nullable:"true"`
	T                    *float64     `json:"t" nullable:"true"`
	P                    *float64     `json:"p" nullable:"true"`
	DZ                   *float64     `json:"dz" nullable:"true"`
	DZCI                 *intervalDTO `json:"dzCi" nullable:"true"`
	DAV                  *float64     `json:"dav" nullable:"true"`
	DAVCI                *intervalDTO `json:"davCi" nullable:"true"`
	GAV                  *float64     `json:"gav" nullable:"true"`
	Reliability          *float64     `json:"reliability" nullable:"true"`
	SDiff                *float64     `json:"sdiff" nullable:"true"`
	ReliablyImproved     *int         `json:"reliablyImproved" nullable:"true"`
	ReliablyDeteriorated *int         `json:"reliablyDeteriorated" nullable:"true"`
	NoReliableChange     *int         `json:"noReliableChange" nullable:"true"`
}

type practiceCellDTO struct {
	LearningGoalID string  `json:"learningGoalId"`
	N              int     `json:"n"`
	Share          float64 `json:"share"`
}

type entityResultsDTO struct {
	EntityID string       `json:"entityId"`
	Quarters []quarterDTO `json:"quarters"`
}

type quarterDTO struct {
	Quarter        string   `json:"quarter"`
	AbsenteeismPct *float64 `json:"absenteeismPct" nullable:"true"`
	TurnoverPct    *float64 `json:"turnoverPct" nullable:"true"`
	CohortIDs      []string `json:"cohortIds"`
}

// ownChangeDTO is the participant's own change with their reliable-change
// index: in their own portfolio only.
type ownChangeDTO struct {
	CompetencyID string   `json:"competencyId"`
	Name         string   `json:"name"`
	Group        string   `json:"group"`
	Pre          float64  `json:"pre"`
	Post         float64  `json:"post"`
	Change       float64  `json:"change"`
	RC           *float64 `json:"rc" nullable:"true"`
	Reliable     *bool    `json:"reliable" nullable:"true"`
}

func ownChangeOf(o impact.OwnChange) ownChangeDTO {
	return ownChangeDTO{CompetencyID: o.CompetencyID, Name: o.Name, Group: o.Group, Pre: o.Pre, Post: o.Post, Change: o.Change, RC: o.RC, Reliable: o.Reliable}
}

func intervalOf(i *impact.Interval) *intervalDTO {
	if i == nil {
		return nil
	}
	return &intervalDTO{Lo: i.Lo, Hi: i.Hi}
}

// impactOf maps a population's impact to the response.
func impactOf(v usecase.Impact) impactResponse {
	p := v.Population
	return impactResponse{Definition: p.Definition, Kind: string(p.Kind), CohortID: p.CohortID, ProgrammeID: p.ProgrammeID, EntityID: p.EntityID, ModuleID: p.ModuleID,
		Position: p.Position, Released: p.Released, Levels: v.Levels, Cohorts: p.Cohorts, Population: p.Journeys, K: impact.K,
		SuppressedCells: p.SuppressedCells, Notes: impactNotes{Learning: usecase.ImpactNotes.Learning, Behaviour: usecase.ImpactNotes.Behaviour, Results: usecase.ImpactNotes.Results},
		Reaction: mapAll(p.Reaction, func(c impact.ReactionCell) reactionCellDTO {
			return reactionCellDTO{ModuleID: c.ModuleID, ModuleVersion: c.ModuleVersion, QuestionID: c.QuestionID, N: c.N, Mean: c.Mean, SD: c.SD,
				MeanCI: intervalOf(c.MeanCI), ResponseRate: c.ResponseRate}
		}),
		Learning: mapAll(p.Learning, func(c impact.LearningCell) learningCellDTO {
			return learningCellDTO{ModuleID: c.ModuleID, ModuleVersion: c.ModuleVersion, LearningGoalID: c.LearningGoalID, Measure: "retrospective", N: c.N,
				MeanBefore: c.MeanBefore, MeanNow: c.MeanNow, MeanChange: c.MeanChange, MeanChangeCI: intervalOf(c.MeanChangeCI), DZ: c.DZ, DZCI: intervalOf(c.DZCI)}
		}),
		Behaviour: mapAll(p.Behaviour, func(c impact.BehaviourCell) behaviourCellDTO {
			return behaviourCellDTO{CompetencyID: c.CompetencyID, Name: c.Name, Group: c.Group, N: c.N, MeanPre: c.MeanPre, MeanPost: c.MeanPost,
				MeanChange: c.MeanChange, SDPre: c.SDPre, SDPost: c.SDPost, SDChange: c.SDChange, R: c.R, MeanChangeCI: intervalOf(c.MeanChangeCI),
				T: c.T, P: c.P, DZ: c.DZ, DZCI: intervalOf(c.DZCI), DAV: c.DAV, DAVCI: intervalOf(c.DAVCI), GAV: c.GAV, Reliability: c.Reliability,
				SDiff: c.SDiff, ReliablyImproved: c.ReliablyImproved, ReliablyDeteriorated: c.ReliablyDeteriorated, NoReliableChange: c.NoReliableChange}
		}),
		Practice: mapAll(p.Practice, func(c impact.PracticeCell) practiceCellDTO {
			return practiceCellDTO{LearningGoalID: c.LearningGoalID, N: c.N, Share: c.Share}
		}),
		Results: mapAll(p.Results, func(r impact.EntityResults) entityResultsDTO {
			return entityResultsDTO{EntityID: r.EntityID, Quarters: mapAll(r.Quarters, func(q impact.Quarter) quarterDTO {
				return quarterDTO{Quarter: q.Quarter, AbsenteeismPct: q.AbsenteeismPct, TurnoverPct: q.TurnoverPct, CohortIDs: q.CohortIDs}
			})}
		}),
	}
}

// asOfParam reads ?asOf=, a log position (a Leerpad-Position or an impact
// response's position); 0 when absent.
func asOfParam(c echo.Context) (uint64, error) {
	v := c.QueryParam("asOf")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, domain.Validate(domain.Invalid("asOf", "must be a log position: a whole number from 1, as a response's position or a Leerpad-Position header gives it"))
	}
	return n, nil
}

// impactRequest reads what every impact request carries besides its path:
// ?asOf=, Leerpad-Min-Position, and for an entity ?programmeId=.
type impactRequest struct {
	id, programmeID string
	asOf, min       uint64
}

func readImpactRequest(c echo.Context, idParam string) (impactRequest, error) {
	var r impactRequest
	var ps []*domain.FieldError
	var err error
	if r.id, err = pathID(c, idParam); err != nil {
		return r, err
	}
	if r.asOf, err = asOfParam(c); err != nil {
		return r, err
	}
	if idParam == "entityId" {
		if v := c.QueryParam("programmeId"); v != "" {
			ps = append(ps, domain.RequireID("programmeId", v))
			r.programmeID = strings.ToLower(v)
		}
	}
	if err := domain.Validate(ps...); err != nil {
		return r, err
	}
	r.min, err = minPosition(c)
	return r, err
}

// impactFor answers the impact a request of route idParam asks.
func (s *Server) impactFor(c echo.Context, idParam string) (usecase.Impact, error) {
	r, err := readImpactRequest(c, idParam)
	if err != nil {
		return usecase.Impact{}, err
	}
	p, _ := principalOf(c)
	ctx, cancel := s.readContext(c)
	defer cancel()
	switch idParam {
	case "cohortId":
		return s.app.CohortImpact(ctx, p, r.id, r.asOf, r.min)
	case "programmeId":
		return s.app.ProgrammeImpact(ctx, p, r.id, r.asOf, r.min)
	case "moduleId":
		return s.app.ModuleImpact(ctx, p, r.id, r.asOf, r.min)
	}
	return s.app.EntityImpact(ctx, p, r.id, r.programmeID, r.asOf, r.min)
}

func (s *Server) impactJSON(c echo.Context, idParam string) error {
	v, err := s.impactFor(c, idParam)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, impactOf(v))
}

// handleCohortImpactGet is GET /v1/cohorts/{cohortId}/impact: a released
// cohort's impact; every level for the programme office, reaction and
// behaviour for the cohort's trainers.
func (s *Server) handleCohortImpactGet(c echo.Context) error { return s.impactJSON(c, "cohortId") }

// handleProgrammeImpactGet is GET /v1/programmes/{programmeId}/impact: the
// impact of the programme's released cohorts; for the programme office.
func (s *Server) handleProgrammeImpactGet(c echo.Context) error {
	return s.impactJSON(c, "programmeId")
}

// handleEntityImpactGet is GET /v1/entities/{entityId}/impact: the impact
// of the entity's released cohorts (?programmeId=: of one programme); for
// the programme office.
func (s *Server) handleEntityImpactGet(c echo.Context) error { return s.impactJSON(c, "entityId") }

func (s *Server) impactCSV(c echo.Context, idParam string) error {
	bom, err := boolParam(c, "bom")
	if err != nil {
		return err
	}
	v, err := s.impactFor(c, idParam)
	if err != nil {
		return err
	}
	name := "impact-" + string(v.Kind) + "-" + c.Param(idParam) + "-" + strconv.FormatUint(v.Position, 10) + ".csv"
	return writeCSV(c, name, usecase.ImpactRows(v, usecase.ImpactNotes), bom)
}

// handleCohortImpactExport is GET /v1/cohorts/{cohortId}/exports/impact:
// the cohort's impact as CSV, to the same readers.
func (s *Server) handleCohortImpactExport(c echo.Context) error { return s.impactCSV(c, "cohortId") }

// handleProgrammeImpactExport is GET /v1/programmes/{programmeId}/exports/impact.
func (s *Server) handleProgrammeImpactExport(c echo.Context) error {
	return s.impactCSV(c, "programmeId")
}

// handleModuleImpactGet is GET /v1/modules/{moduleId}/impact: a module's
// reaction and learning per version across every released cohort that
// delivered it; for the programme office.
func (s *Server) handleModuleImpactGet(c echo.Context) error { return s.impactJSON(c, "moduleId") }

// handleModuleImpactExport is GET /v1/modules/{moduleId}/exports/impact.
func (s *Server) handleModuleImpactExport(c echo.Context) error { return s.impactCSV(c, "moduleId") }

// handleEntityImpactExport is GET /v1/entities/{entityId}/exports/impact.
func (s *Server) handleEntityImpactExport(c echo.Context) error { return s.impactCSV(c, "entityId") }
