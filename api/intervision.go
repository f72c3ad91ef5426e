package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
)

// registerIntervisionGroupRoutes registers one intervision group of a
// cohort: who is in it (never what is said in it), a new set of members,
// and dissolving it. The programme office and the cohort's trainers, who
// run the intervision, do this; forming a group is
// POST /cohorts/{cohortId}/intervision-groups (cohorts.go). And the group's
// sessions, one record per meeting: recorded and read by the cohort's
// trainers and the group's members, the case summary by the members only.
func (s *Server) registerIntervisionGroupRoutes(g *echo.Group) {
	g.GET("/cohorts/:cohortId/intervision-groups/:groupId", s.handleIntervisionGroupGet, s.requireUser)
	g.PUT("/cohorts/:cohortId/intervision-groups/:groupId", s.handleIntervisionGroupPut, s.requireUser)
	g.DELETE("/cohorts/:cohortId/intervision-groups/:groupId", s.handleIntervisionGroupDelete, s.requireUser)
	g.POST("/cohorts/:cohortId/intervision-groups/:groupId/sessions", s.handleIntervisionGroupSessionCreate, s.requireUser, s.idempotent)
	g.GET("/cohorts/:cohortId/intervision-groups/:groupId/sessions", s.handleIntervisionGroupSessionList, s.requireUser)
	g.GET("/cohorts/:cohortId/intervision-groups/:groupId/sessions/:sessionId", s.handleIntervisionGroupSessionGet, s.requireUser)
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

func sessionHref(cohortID, groupID, sessionID string) string {
	return groupHref(cohortID, groupID) + "/sessions/" + sessionID
}

// sessionRequest records one meeting of an intervision group.
type sessionRequest struct {
	HeldOn      *DateTime `json:"heldOn"`
	AttendeeIDs []string  `json:"attendeeIds"`
	// CaseBroughtBy is the attendee who brought in a case, if anyone did.
	CaseBroughtBy string `json:"caseBroughtBy,omitempty"`
	Method        string `json:"method,omitempty"`
	// CaseSummary is the case in a few lines; only with caseBroughtBy.
	CaseSummary string `json:"caseSummary,omitempty"`
}

// maxSessionAttendees bounds attendeeIds before the domain reads it: no
// group has more members.
const maxSessionAttendees = cohort.MaxGroupSize

// handleIntervisionGroupSessionCreate is POST
// /v1/cohorts/{cohortId}/intervision-groups/{groupId}/sessions: a trainer
// of the cohort or a member of the group records one meeting of the group:
// when, the members who attended, the method and who brought in a case.
func (s *Server) handleIntervisionGroupSessionCreate(c echo.Context) error {
	var req sessionRequest
	id, w, err := s.cohortCommand(c, &req)
	if err != nil {
		return err
	}
	groupID, err := pathID(c, "groupId")
	if err != nil {
		return err
	}
	if err := domain.Validate(listLimit("attendeeIds", len(req.AttendeeIDs), maxSessionAttendees)); err != nil {
		return err
	}
	out, err := s.app.RecordIntervisionSession(c.Request().Context(), w, cohort.RecordIntervisionSession{CohortID: id, GroupID: groupID,
		HeldOn: atOrZero(req.HeldOn), AttendeeIDs: req.AttendeeIDs, CaseBroughtBy: req.CaseBroughtBy, Method: req.Method, CaseSummary: req.CaseSummary})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, sessionHref(id, groupID, out.ID))
}

// sessionResponse is one meeting of an intervision group. caseSummary is
// there for the group's members only: intervision content is confidential
// to the group.
type sessionResponse struct {
	ID            string   `json:"id"`
	CohortID      string   `json:"cohortId"`
	GroupID       string   `json:"groupId"`
	HeldOn        DateTime `json:"heldOn"`
	AttendeeIDs   []string `json:"attendeeIds"`
	CaseBroughtBy string   `json:"caseBroughtBy,omitempty"`
	Method        string   `json:"method,omitempty"`
	CaseSummary   string   `json:"caseSummary,omitempty"`
	RecordedAt    DateTime `json:"recordedAt"`
}

// sessionList is the sessions of an intervision group, by the day held.
// caseSummaryShown says whether the reader may read the case summaries
// (the group's members) or not (the trainers).
type sessionList struct {
	Items            []sessionResponse `json:"items"`
	CaseSummaryShown bool              `json:"caseSummaryShown"`
}

func sessionOf(cohortID string, x cohort.IntervisionSession) sessionResponse {
	return sessionResponse{ID: x.ID, CohortID: cohortID, GroupID: x.GroupID, HeldOn: dt(x.HeldOn), AttendeeIDs: orEmpty(x.AttendeeIDs),
		CaseBroughtBy: x.CaseBroughtBy, Method: x.Method, CaseSummary: x.CaseSummary, RecordedAt: dt(x.RecordedAt)}
}

// handleIntervisionGroupSessionList is GET
// /v1/cohorts/{cohortId}/intervision-groups/{groupId}/sessions: the group's
// sessions, for the cohort's trainers and the group's members; the case
// summaries for the members only.
func (s *Server) handleIntervisionGroupSessionList(c echo.Context) error {
	ids, err := pathIDs(c, "cohortId", "groupId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ss, err := s.app.IntervisionSessions(c.Request().Context(), p, ids[0], ids[1])
	if err != nil {
		return err
	}
	out := sessionList{CaseSummaryShown: ss.CaseShown, Items: mapAll(ss.Sessions, func(x cohort.IntervisionSession) sessionResponse { return sessionOf(ss.CohortID, x) })}
	return withETag(c, ss.Revision, true, out)
}

// handleIntervisionGroupSessionGet is GET
// /v1/cohorts/{cohortId}/intervision-groups/{groupId}/sessions/{sessionId}:
// one session of the group, as the list shows it.
func (s *Server) handleIntervisionGroupSessionGet(c echo.Context) error {
	ids, err := pathIDs(c, "cohortId", "groupId", "sessionId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	ss, err := s.app.IntervisionSession(c.Request().Context(), p, ids[0], ids[1], ids[2])
	if err != nil {
		return err
	}
	return withETag(c, ss.Revision, true, sessionOf(ss.CohortID, ss.Sessions[0]))
}
