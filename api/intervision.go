package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/access"
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
	cohortID, err := s.cohortAccess(c, access.KindIntervisionGroup, access.ActionRead)
	if err != nil {
		return err
	}
	groupID, err := pathID(c, "groupId")
	if err != nil {
		return err
	}
	if s.d.CohortLog == nil {
		return unavailable("cohorts")
	}
	co, err := s.d.CohortLog.Load(c.Request().Context(), cohortID)
	if err != nil {
		return err
	}
	members, ok := co.Group(groupID)
	if !ok {
		return fmt.Errorf("intervision group %s of cohort %s: %w", groupID, cohortID, cohort.ErrGroupNotFound)
	}
	rev, known := revisionOf(co)
	return withETag(c, rev, known, groupResponse{ID: groupID, CohortID: cohortID, MemberIDs: orEmpty(members), Revision: rev})
}

// handleIntervisionGroupPut is PUT /v1/cohorts/{cohortId}/intervision-groups/{groupId}:
// the group's members from now on (4 to 6 active participants of the
// cohort, none in another group); former members are free to join another.
func (s *Server) handleIntervisionGroupPut(c echo.Context) error {
	var req groupRequest
	return s.cohortWrite(c, access.KindIntervisionGroup, &req, http.StatusOK, func(ctx context.Context, cohortID string) (resourceRef, error) {
		groupID, err := pathID(c, "groupId")
		if err != nil {
			return resourceRef{}, err
		}
		err = s.d.Cohorts.ReformIntervisionGroup(ctx, cohort.ReformIntervisionGroup{CohortID: cohortID, GroupID: groupID, MemberIDs: req.MemberIDs, At: s.now()})
		return resourceRef{ID: groupID, Href: groupHref(cohortID, groupID)}, err
	})
}

// handleIntervisionGroupDelete is DELETE /v1/cohorts/{cohortId}/intervision-groups/{groupId}:
// the group no longer meets, and its members are free to join another.
// The intervision sessions recorded on their journeys stay.
func (s *Server) handleIntervisionGroupDelete(c echo.Context) error {
	return s.cohortWrite(c, access.KindIntervisionGroup, nil, http.StatusOK, func(ctx context.Context, cohortID string) (resourceRef, error) {
		groupID, err := pathID(c, "groupId")
		if err != nil {
			return resourceRef{}, err
		}
		err = s.d.Cohorts.DissolveIntervisionGroup(ctx, cohort.DissolveIntervisionGroup{CohortID: cohortID, GroupID: groupID, At: s.now()})
		return resourceRef{ID: groupID, Href: groupHref(cohortID, groupID)}, err
	})
}
