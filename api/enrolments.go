package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/usecase"
)

// Enrolment: the programme office enrols participants in a cohort, one at a
// time or by uploading a CSV file, and reads who is enrolled.

// enrolmentRequest enrols a participant and starts their journey.
type enrolmentRequest struct {
	ParticipantID string `json:"participantId"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	Role          string `json:"role"`
	ManagerID     string `json:"managerId"`
}

// enrolee is the request as a row of an enrolment, its fields named as
// field+"participantId" and so on.
func (r enrolmentRequest) enrolee(field string) usecase.Enrolee {
	return usecase.Enrolee{Field: field, ParticipantID: r.ParticipantID, Name: r.Name, Email: r.Email, Role: r.Role, ManagerID: r.ManagerID}
}

// enrolmentResult is an enrolled participant and their journey; Href is
// their enrolment, which the programme office that enrolled them reads (it
// reads no journey).
type enrolmentResult struct {
	ParticipantID string `json:"participantId"`
	JourneyID     string `json:"journeyId"`
	Href          string `json:"href"`
}

// enrolmentResultOf is the answer for participant e enrolled in cohort cohortID.
func enrolmentResultOf(cohortID string) func(e usecase.Enrolled) enrolmentResult {
	return func(e usecase.Enrolled) enrolmentResult {
		return enrolmentResult{ParticipantID: e.ParticipantID, JourneyID: e.JourneyID, Href: enrolmentHref(cohortID, e.ParticipantID)}
	}
}

// enrolmentHref is a participant's enrolment in a cohort.
func enrolmentHref(cohortID, participantID string) string {
	return cohortHref(cohortID) + "/enrolments/" + participantID
}

// enrolmentUploadResult is the answer to an upload: every row enrolled.
type enrolmentUploadResult struct {
	Enrolled []enrolmentResult `json:"enrolled"`
}

// enrolled answers an enrolment that succeeded: 201 with body at location,
// the global position of its last write (Leerpad-Position) and the ETag of
// the journey it started last.
func enrolled(c echo.Context, w usecase.Written, location string, body any) error {
	h := c.Response().Header()
	if w.Position > 0 {
		h.Set(headerPosition, strconv.FormatUint(w.Position, 10))
	}
	h.Set(headerETag, etag(w.Revision))
	h.Set("Cache-Control", "no-store")
	return created(c, location, body)
}

// handleEnrolmentCreate is POST /v1/cohorts/{cohortId}/enrolments: the
// programme office enrols one participant, which starts their journey (see
// usecase.App.Enrol).
func (s *Server) handleEnrolmentCreate(c echo.Context) error {
	var req enrolmentRequest
	id, w, err := s.cohortCommand(c, &req)
	if err != nil {
		return err
	}
	out, err := s.app.Enrol(c.Request().Context(), w, id, []usecase.Enrolee{req.enrolee("")})
	if err != nil {
		return err
	}
	res := enrolmentResultOf(id)(out.Enrolled[0])
	return enrolled(c, out.Written, res.Href, res)
}

// handleEnrolmentUploadCreate is POST /v1/cohorts/{cohortId}/enrolment-uploads:
// the programme office enrols many participants from a CSV file (text/csv,
// UTF-8, an optional byte-order mark, comma or semicolon separated, a header
// row naming the columns participantId, name, email, role, managerId).
// All or nothing: every bad row is reported, each field by row number (the
// header is row 1) as rows[<n>].<column>, and then nothing is enrolled.
func (s *Server) handleEnrolmentUploadCreate(c echo.Context) error {
	id, w, err := s.cohortCommand(c, nil)
	if err != nil {
		return err
	}
	rows, err := readEnrolmentCSV(c)
	if err != nil {
		return err
	}
	out, err := s.app.Enrol(c.Request().Context(), w, id, rows)
	if err != nil {
		return err
	}
	return enrolled(c, out.Written, cohortHref(c.Param("cohortId"))+"/enrolments", enrolmentUploadResult{Enrolled: mapAll(out.Enrolled, enrolmentResultOf(id))})
}

// readEnrolmentCSV reads the upload into its rows, each naming its fields
// by its row number (rows[<n>].<column>). It checks the file's structure
// only: the rows are the use case's to check.
func readEnrolmentCSV(c echo.Context) ([]usecase.Enrolee, error) {
	mt, params, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != "text/csv" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return nil, problemf(errUnsupportedMediaType, "Send the enrolments as text/csv (UTF-8).")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(mbe.Limit)
		}
		return nil, err
	}
	return usecase.ReadEnrolmentCSV(body, maxCSVRows)
}

// enrolmentEntry is a participant of a cohort: ids, status and dates, no names.
type enrolmentEntry struct {
	ParticipantID string    `json:"participantId"`
	JourneyID     string    `json:"journeyId,omitempty"`
	Status        string    `json:"status"`
	EnrolledAt    DateTime  `json:"enrolledAt"`
	ClosedAt      *DateTime `json:"closedAt,omitempty"`
}

// enrolmentResponse is a participant's enrolment in a cohort: ids, role,
// manager, how their journey stands and dates; no names, nothing the
// participant recorded.
type enrolmentResponse struct {
	CohortID      string `json:"cohortId"`
	ParticipantID string `json:"participantId"`
	// JourneyID is absent while the journey is not started (an enrolment
	// stopped half-way) or after it was erased, and then so are Role and
	// ManagerID.
	JourneyID   string    `json:"journeyId,omitempty"`
	Role        string    `json:"role,omitempty"`
	ManagerID   string    `json:"managerId,omitempty"`
	Status      string    `json:"status"`
	EnrolledAt  DateTime  `json:"enrolledAt"`
	WithdrawnAt *DateTime `json:"withdrawnAt,omitempty"`
}

// handleEnrolmentGet is GET /v1/cohorts/{cohortId}/enrolments/{participantId}:
// a participant's enrolment in the cohort and how their journey stands, for
// the programme office and the cohort's trainers; where the programme office
// follows an enrolment, a completion, a change of manager or a withdrawal it
// wrote. Read from the log: no ETag, for it joins two streams.
func (s *Server) handleEnrolmentGet(c echo.Context) error {
	ids, err := pathIDs(c, "cohortId", "participantId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	e, err := s.app.ParticipantEnrolment(c.Request().Context(), p, ids[0], ids[1])
	if err != nil {
		return err
	}
	out := enrolmentResponse{CohortID: ids[0], ParticipantID: e.ParticipantID, JourneyID: e.JourneyID, ManagerID: e.ManagerID,
		Status: e.Status.String(), EnrolledAt: dt(e.EnrolledAt)}
	if e.JourneyID != "" {
		out.Role = e.Role.String()
	}
	if e.Withdrawn {
		out.WithdrawnAt = dtp(&e.WithdrawnAt)
	}
	return withETag(c, 0, false, out)
}

// enrolmentList is a page of a cohort's participants.
type enrolmentList struct {
	Items      []enrolmentEntry `json:"items"`
	NextCursor string           `json:"nextCursor,omitempty"`
}

// cohortRead reads what every read of a cohort's read models starts with:
// the cohort id of the path, the caller, and Leerpad-Min-Position.
func cohortRead(c echo.Context) (string, access.Principal, uint64, error) {
	p, _ := principalOf(c)
	id, err := pathID(c, "cohortId")
	if err != nil {
		return "", p, 0, err
	}
	min, err := minPosition(c)
	return id, p, min, err
}

// handleEnrolmentList is GET /v1/cohorts/{cohortId}/enrolments: the
// cohort's participants in the order enrolled, a page at a time.
func (s *Server) handleEnrolmentList(c echo.Context) error {
	list := "enrolments:" + c.Param("cohortId")
	pg, err := pageOfRequest(c, list)
	if err != nil {
		return err
	}
	id, p, min, err := cohortRead(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	ps, total, err := s.app.Enrolments(ctx, p, id, pg, min)
	if err != nil {
		return err
	}
	out := enrolmentList{Items: mapAll(ps, func(p cohortdashboard.Participant) enrolmentEntry {
		return enrolmentEntry{ParticipantID: p.ParticipantID, JourneyID: p.JourneyID, Status: p.Status.String(), EnrolledAt: dt(p.EnrolledAt), ClosedAt: dtp(p.ClosedAt)}
	}), NextCursor: nextCursor(list, pg, total)}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}
