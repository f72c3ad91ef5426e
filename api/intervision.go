package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/cohort"
)

// registerIntervisionGroupRoutes registers one intervision group of a
// cohort: who is in it (never what is said in it), a new set of members,
// and dissolving it. The programme office and the cohort's trainers, who
// run the intervision, do this; forming a group is
// POST /cohorts/{cohortId}/intervision-groups (cohorts.go).
func (s *Server) registerIntervisionGroupRoutes(g *echo.Group) {
	g.GET("/cohorts/:cohortId/intervision-groups/:groupId", s.handleIntervisionGroupGet, s.requireUser)
	g.PUT("/cohorts/:cohortId/intervision-groups/:groupId", s.handleIntervisionGroupPut, s.requireUser)
	g.DELETE("/cohorts/:cohortId/intervision-groups/:groupId", s.handleIntervisionGroupDelete, s.requireUser)
}

func groupHref(cohortID, groupID string) string {
	return cohortHref(cohortID) + "/intervision-groups/" + groupID
}

// groupResponse is an intervision group: its members (participant ids),
// with the revision of the cohort's stream as ETag.
type groupResponse struct {
	ID        string   `json:"id"`
	CohortID  string   `json:"cohortId"`
	MemberIDs []string `json:"memberIds"`
	Revision  uint64   `json:"revision"`
}

// handleIntervisionGroupGet is GET /v1/cohorts/{cohortId}/intervision-groups/{groupId}:
// the members of an intervision group; for the programme office and the
// cohort's trainers.
func (s *Server) handleIntervisionGroupGet(c echo.Context) error {
	ids, err := pathIDs(c, "cohortId", "groupId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	g, err := s.app.IntervisionGroup(c.Request().Context(), p, ids[0], ids[1])
	if err != nil {
		return err
	}
	return withETag(c, g.Revision, true, groupResponse{ID: g.ID, CohortID: g.CohortID, MemberIDs: orEmpty(g.MemberIDs), Revision: g.Revision})
}

// handleIntervisionGroupPut is PUT /v1/cohorts/{cohortId}/intervision-groups/{groupId}:
// the group's members from now on (4 to 6 active participants of the
// cohort, none in another group); former members are free to join another.
func (s *Server) handleIntervisionGroupPut(c echo.Context) error {
	var req groupRequest
	id, w, err := s.cohortCommand(c, &req)
	if err != nil {
		return err
	}
	groupID, err := pathID(c, "groupId")
	if err != nil {
		return err
	}
	out, err := s.app.ReformIntervisionGroup(c.Request().Context(), w, cohort.ReformIntervisionGroup{CohortID: id, GroupID: groupID, MemberIDs: req.MemberIDs})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, groupHref(id, groupID))
}

// handleIntervisionGroupDelete is DELETE /v1/cohorts/{cohortId}/intervision-groups/{groupId}:
// the group no longer meets, and its members are free to join another.
// The intervision sessions recorded on their journeys stay.
func (s *Server) handleIntervisionGroupDelete(c echo.Context) error {
	id, w, err := s.cohortCommand(c, nil)
	if err != nil {
		return err
	}
	groupID, err := pathID(c, "groupId")
	if err != nil {
		return err
	}
	out, err := s.app.DissolveIntervisionGroup(c.Request().Context(), w, cohort.DissolveIntervisionGroup{CohortID: id, GroupID: groupID})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, groupHref(id, groupID))
}
