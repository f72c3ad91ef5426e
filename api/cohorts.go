package api

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/behaviourchange"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/domain/offer"
	"github.com/leerpad/leerpad/usecase"
)

// registerCohortRoutes registers cohorts: planning, deliveries, intervision
// groups and enrolment (the programme office), attendance (trainers), and
// the cohort's dashboard, enrolment list, behaviour-change measurement and
// CSV exports.
func (s *Server) registerCohortRoutes(g *echo.Group) {
	g.GET("/cohorts", s.handleCohortList, s.requireUser)
	g.POST("/cohorts", s.handleCohortCreate, s.requireUser, s.idempotent)
	g.GET("/cohorts/:cohortId", s.handleCohortGet, s.requireUser)
	g.POST("/cohorts/:cohortId/deliveries", s.handleDeliveryCreate, s.requireUser, s.idempotent)
	g.GET("/cohorts/:cohortId/deliveries/:deliveryId", s.handleDeliveryGet, s.requireUser)
	g.GET("/cohorts/:cohortId/deliveries/:deliveryId/attendances/:participantId", s.handleAttendanceGet, s.requireUser)
	g.PUT("/cohorts/:cohortId/deliveries/:deliveryId/attendances/:participantId", s.handleAttendancePut, s.requireUser)
	g.POST("/cohorts/:cohortId/intervision-groups", s.handleIntervisionGroupCreate, s.requireUser, s.idempotent)
	g.GET("/cohorts/:cohortId/enrolments", s.handleEnrolmentList, s.requireUser)
	g.POST("/cohorts/:cohortId/enrolments", s.handleEnrolmentCreate, s.requireUser, s.idempotent)
	g.GET("/cohorts/:cohortId/enrolments/:participantId", s.handleEnrolmentGet, s.requireUser)
	g.POST("/cohorts/:cohortId/enrolment-uploads", s.handleEnrolmentUploadCreate, s.requireUser, s.idempotent)
	g.GET("/cohorts/:cohortId/dashboard", s.handleDashboardGet, s.requireUser)
	g.GET("/cohorts/:cohortId/change-measurement", s.handleChangeMeasurementGet, s.requireUser)
	g.GET("/cohorts/:cohortId/exports/participation", s.handleParticipationExportGet, s.requireUser)
	g.GET("/cohorts/:cohortId/exports/behaviour-change", s.handleBehaviourChangeExportGet, s.requireUser)
}

// cohortCommand reads what every command on a cohort starts with: the
// cohort id of the path, the Write of the request (If-Match optional: when
// sent, it is checked against the cohort's revision) and, when body is not
// nil, the body.
func (s *Server) cohortCommand(c echo.Context, body any) (string, usecase.Write, error) {
	id, err := pathID(c, "cohortId")
	if err != nil {
		return "", usecase.Write{}, err
	}
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return "", w, err
	}
	if body != nil {
		err = bindJSON(c, body)
	}
	return id, w, err
}

// atOrZero is the time of an optional date-time of a request, zero when it
// was not sent: the domain names a missing one that it requires.
func atOrZero(d *DateTime) time.Time {
	if d == nil {
		return time.Time{}
	}
	return d.Time
}

func cohortHref(id string) string { return "/v1/cohorts/" + id }

// cohortRequest plans a cohort of a programme for an ordering entity.
type cohortRequest struct {
	ProgrammeID string    `json:"programmeId"`
	EntityID    string    `json:"entityId"`
	Title       string    `json:"title"`
	TrainerIDs  []string  `json:"trainerIds"`
	StartsOn    *DateTime `json:"startsOn,omitempty"`
	EndsOn      *DateTime `json:"endsOn,omitempty"`
}

// validate checks the length of trainerIds before it is read; what the
// fields hold is the domain's to check.
func (r *cohortRequest) validate() error {
	return domain.Validate(listLimit("trainerIds", len(r.TrainerIDs), maxListItems))
}

// handleCohortCreate is POST /v1/cohorts: the programme office plans a
// cohort of a programme.
func (s *Server) handleCohortCreate(c echo.Context) error {
	w, err := writeOf(c, matchOptional)
	if err != nil {
		return err
	}
	var req cohortRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	out, err := s.app.PlanCohort(c.Request().Context(), w, cohort.PlanCohort{ProgrammeID: req.ProgrammeID, EntityID: req.EntityID, Title: req.Title,
		TrainerIDs: req.TrainerIDs, StartsOn: atOrZero(req.StartsOn), EndsOn: atOrZero(req.EndsOn)})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, cohortHref(out.ID))
}

// cohortResponse is a cohort as its stream holds it: what it was planned
// with, its size and its deliveries.
type cohortResponse struct {
	ID             string   `json:"id"`
	ProgrammeID    string   `json:"programmeId"`
	ProgrammeTitle string   `json:"programmeTitle,omitempty"`
	EntityID       string   `json:"entityId"`
	Title          string   `json:"title"`
	ModuleIDs      []string `json:"moduleIds"`
	TrainerIDs     []string `json:"trainerIds"`
	StartsOn       DateTime `json:"startsOn"`
	EndsOn         DateTime `json:"endsOn"`
	// Size counts the participants enrolled and not withdrawn.
	Size       int              `json:"size"`
	Deliveries []cohortDelivery `json:"deliveries"`
	Revision   uint64           `json:"revision"`
}

// cohortDelivery is a delivery of a module version in the cohort; the
// version is read at moduleVersionHref.
type cohortDelivery struct {
	ID                string   `json:"id"`
	ModuleID          string   `json:"moduleId"`
	ModuleVersion     int      `json:"moduleVersion"`
	ModuleVersionHref string   `json:"moduleVersionHref"`
	StartsAt          DateTime `json:"startsAt"`
	EndsAt            DateTime `json:"endsAt"`
}

// handleCohortGet is GET /v1/cohorts/{cohortId}: the cohort, with its
// revision as ETag; for the programme office and the cohort's trainers.
func (s *Server) handleCohortGet(c echo.Context) error {
	id, err := pathID(c, "cohortId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	co, err := s.app.Cohort(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	return withETag(c, co.Revision, true, cohortResponse{ID: id, ProgrammeID: co.ProgrammeID, ProgrammeTitle: co.ProgrammeTitle, EntityID: co.EntityID,
		Title: co.Title, ModuleIDs: orEmpty(co.ModuleIDs), TrainerIDs: orEmpty(co.TrainerIDs), StartsOn: dt(co.StartsOn), EndsOn: dt(co.EndsOn),
		Size: co.Size, Revision: co.Revision, Deliveries: mapAll(co.Deliveries, func(d cohort.Delivery) cohortDelivery {
			return cohortDelivery{ID: d.DeliveryID, ModuleID: d.ModuleID, ModuleVersion: d.ModuleVersion,
				ModuleVersionHref: moduleVersionHref(d.ModuleID, d.ModuleVersion), StartsAt: dt(d.StartsAt), EndsAt: dt(d.EndsAt)}
		})})
}

// cohortSummary is a cohort as the list of cohorts shows it.
type cohortSummary struct {
	ID             string   `json:"id"`
	Href           string   `json:"href"`
	ProgrammeID    string   `json:"programmeId"`
	ProgrammeTitle string   `json:"programmeTitle,omitempty"`
	EntityID       string   `json:"entityId"`
	Title          string   `json:"title"`
	TrainerIDs     []string `json:"trainerIds"`
	StartsOn       DateTime `json:"startsOn"`
	EndsOn         DateTime `json:"endsOn"`
	Size           int      `json:"size"`
	PlannedAt      DateTime `json:"plannedAt"`
}

// cohortList is a page of the cohorts the caller may read.
type cohortList struct {
	Items      []cohortSummary `json:"items"`
	NextCursor string          `json:"nextCursor,omitempty"`
}

// handleCohortList is GET /v1/cohorts: the cohorts in the order planned, a
// page at a time; every cohort for the programme office, their own for a
// trainer.
func (s *Server) handleCohortList(c echo.Context) error {
	p, _ := principalOf(c)
	list := "cohorts:" + p.Subject // a trainer's list is theirs: a cursor belongs to it
	page, err := pageOfRequest(c, list)
	if err != nil {
		return err
	}
	min, err := minPosition(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	cs, total, err := s.app.Cohorts(ctx, p, page, min)
	if err != nil {
		return err
	}
	return listed(c, cohortList{NextCursor: nextCursor(list, page, total), Items: mapAll(cs, func(co offer.Cohort) cohortSummary {
		return cohortSummary{ID: co.CohortID, Href: cohortHref(co.CohortID), ProgrammeID: co.ProgrammeID, ProgrammeTitle: co.ProgrammeTitle,
			EntityID: co.EntityID, Title: co.Title, TrainerIDs: orEmpty(co.TrainerIDs), StartsOn: dt(co.StartsOn), EndsOn: dt(co.EndsOn),
			Size: co.Size, PlannedAt: dt(co.PlannedAt)}
	})})
}

// deliveryRequest schedules a version of a module for the cohort.
type deliveryRequest struct {
	ModuleID      string    `json:"moduleId"`
	ModuleVersion int       `json:"moduleVersion"`
	StartsAt      *DateTime `json:"startsAt,omitempty"`
	EndsAt        *DateTime `json:"endsAt,omitempty"`
}

// handleDeliveryCreate is POST /v1/cohorts/{cohortId}/deliveries: the
// programme office schedules a delivery of a module version.
func (s *Server) handleDeliveryCreate(c echo.Context) error {
	var req deliveryRequest
	id, w, err := s.cohortCommand(c, &req)
	if err != nil {
		return err
	}
	out, err := s.app.ScheduleDelivery(c.Request().Context(), w, cohort.ScheduleDelivery{CohortID: id, ModuleID: req.ModuleID, ModuleVersion: req.ModuleVersion,
		StartsAt: atOrZero(req.StartsAt), EndsAt: atOrZero(req.EndsAt)})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, deliveryHref(id, out.ID))
}

func deliveryHref(cohortID, deliveryID string) string {
	return cohortHref(cohortID) + "/deliveries/" + deliveryID
}

func attendanceHref(cohortID, deliveryID, participantID string) string {
	return deliveryHref(cohortID, deliveryID) + "/attendances/" + participantID
}

// deliveryResponse is a delivery of a module version in a cohort.
type deliveryResponse struct {
	ID                string   `json:"id"`
	CohortID          string   `json:"cohortId"`
	ModuleID          string   `json:"moduleId"`
	ModuleVersion     int      `json:"moduleVersion"`
	ModuleVersionHref string   `json:"moduleVersionHref"`
	StartsAt          DateTime `json:"startsAt"`
	EndsAt            DateTime `json:"endsAt"`
	Revision          uint64   `json:"revision"`
}

// handleDeliveryGet is GET /v1/cohorts/{cohortId}/deliveries/{deliveryId}:
// a delivery of the cohort, with the cohort's revision as ETag; for the
// programme office and the cohort's trainers.
func (s *Server) handleDeliveryGet(c echo.Context) error {
	ids, err := pathIDs(c, "cohortId", "deliveryId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	d, rev, err := s.app.Delivery(c.Request().Context(), p, ids[0], ids[1])
	if err != nil {
		return err
	}
	return withETag(c, rev, true, deliveryResponse{ID: d.DeliveryID, CohortID: ids[0], ModuleID: d.ModuleID, ModuleVersion: d.ModuleVersion,
		ModuleVersionHref: moduleVersionHref(d.ModuleID, d.ModuleVersion), StartsAt: dt(d.StartsAt), EndsAt: dt(d.EndsAt), Revision: rev})
}

// attendanceResponse is a participant's attendance at a delivery, as recorded.
type attendanceResponse struct {
	CohortID      string `json:"cohortId"`
	DeliveryID    string `json:"deliveryId"`
	ParticipantID string `json:"participantId"`
	Status        string `json:"status"`
	Revision      uint64 `json:"revision"`
}

// handleAttendanceGet is GET /v1/cohorts/{cohortId}/deliveries/{deliveryId}/attendances/{participantId}:
// a participant's attendance at a delivery as recorded, with the cohort's
// revision as ETag; for the cohort's trainers, who keep it.
func (s *Server) handleAttendanceGet(c echo.Context) error {
	ids, err := pathIDs(c, "cohortId", "deliveryId", "participantId")
	if err != nil {
		return err
	}
	p, _ := principalOf(c)
	a, rev, err := s.app.Attendance(c.Request().Context(), p, ids[0], ids[1], ids[2])
	if err != nil {
		return err
	}
	return withETag(c, rev, true, attendanceResponse{CohortID: ids[0], DeliveryID: ids[1], ParticipantID: ids[2], Status: a.Status.String(), Revision: rev})
}

// attendanceRequest records whether a participant was at a delivery.
type attendanceRequest struct {
	Status string `json:"status"`
}

// handleAttendancePut is PUT /v1/cohorts/{cohortId}/deliveries/{deliveryId}/attendances/{participantId}:
// a trainer of the cohort records a participant's attendance at a delivery.
func (s *Server) handleAttendancePut(c echo.Context) error {
	var req attendanceRequest
	id, w, err := s.cohortCommand(c, &req)
	if err != nil {
		return err
	}
	ids, err := pathIDs(c, "deliveryId", "participantId")
	if err != nil {
		return err
	}
	st, err := cohort.ParseAttendanceStatus(req.Status)
	if err != nil {
		return validationOf(err)
	}
	out, err := s.app.RecordAttendance(c.Request().Context(), w, cohort.RecordAttendance{CohortID: id, DeliveryID: ids[0], ParticipantID: ids[1], Status: st})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusOK, out, attendanceHref(id, ids[0], ids[1]))
}

// groupRequest forms an intervision group of 4 to 6 participants.
type groupRequest struct {
	MemberIDs []string `json:"memberIds"`
}

// validate checks the length of memberIds before it is read: the domain
// refuses a group of another size without naming the field.
func (r *groupRequest) validate() error {
	return domain.Validate(domain.RequireIDs("memberIds", r.MemberIDs, cohort.MinGroupSize), listLimit("memberIds", len(r.MemberIDs), cohort.MaxGroupSize))
}

// handleIntervisionGroupCreate is POST /v1/cohorts/{cohortId}/intervision-groups:
// the programme office or a trainer of the cohort forms an intervision group.
func (s *Server) handleIntervisionGroupCreate(c echo.Context) error {
	var req groupRequest
	id, w, err := s.cohortCommand(c, &req)
	if err != nil {
		return err
	}
	out, err := s.app.FormIntervisionGroup(c.Request().Context(), w, cohort.FormIntervisionGroup{CohortID: id, MemberIDs: req.MemberIDs})
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, groupHref(id, out.ID))
}

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

// enrolmentColumns are the columns of an enrolment upload, in this order,
// named in its header row.
var enrolmentColumns = []string{"participantId", "name", "email", "role", "managerId"}

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
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	if !utf8.Valid(body) {
		return nil, domain.Validate(domain.Invalid("body", "is not UTF-8: save the file as CSV UTF-8"))
	}
	first, _, _ := bytes.Cut(body, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(body))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';' // spreadsheets in Dutch locales write semicolons
	}
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, domain.Validate(domain.Invalid(fmt.Sprintf("rows[%d]", pe.StartLine), "is not valid CSV: %v", pe.Err))
		}
		return nil, domain.Validate(domain.Invalid("body", "is not valid CSV"))
	}
	if len(records) == 0 {
		return nil, domain.Validate(domain.Invalid("body", "is empty: a header row and at least one row are required"))
	}
	col := map[string]int{}
	var ps []*domain.FieldError
	for i, h := range records[0] {
		col[strings.TrimSpace(h)] = i
	}
	for _, name := range enrolmentColumns {
		if _, ok := col[name]; !ok {
			ps = append(ps, domain.Invalid("rows[1]."+name, "the header row lacks the column %q", name))
		}
	}
	switch n := len(records) - 1; {
	case n == 0:
		ps = append(ps, domain.Invalid("body", "holds no rows after the header"))
	case n > maxCSVRows:
		ps = append(ps, domain.Invalid("body", "holds %d rows, at most %d are allowed", n, maxCSVRows))
	}
	if err := domain.Validate(ps...); err != nil {
		return nil, err
	}
	get := func(rec []string, name string) string {
		if i := col[name]; i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	rows := make([]usecase.Enrolee, 0, len(records)-1)
	for i, rec := range records[1:] {
		rows = append(rows, usecase.Enrolee{Field: fmt.Sprintf("rows[%d].", i+2), ParticipantID: get(rec, "participantId"), Name: get(rec, "name"),
			Email: get(rec, "email"), Role: get(rec, "role"), ManagerID: get(rec, "managerId")})
	}
	return rows, nil
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

// dashboardResponse is a cohort's dashboard: counts, rates and dates only.
type dashboardResponse struct {
	CohortID     string                 `json:"cohortId"`
	ProgrammeID  string                 `json:"programmeId"`
	Title        string                 `json:"title"`
	StartsOn     DateTime               `json:"startsOn"`
	EndsOn       DateTime               `json:"endsOn"`
	Now          DateTime               `json:"now"`
	AtRiskWeeks  int                    `json:"atRiskWeeks"`
	Enrolment    enrolmentCounts        `json:"enrolment"`
	Deliveries   []deliveryAttendance   `json:"deliveries"`
	Assignments  assignmentCounts       `json:"assignments"`
	Participants []participantActivity  `json:"participants"`
	Intervision  []groupRhythm          `json:"intervision"`
	Evaluations  []moduleEvaluationMean `json:"evaluations"`
	AtRisk       []atRiskEntry          `json:"atRisk"`
}

type enrolmentCounts struct {
	Enrolled       int     `json:"enrolled"`
	Active         int     `json:"active"`
	Completed      int     `json:"completed"`
	Withdrawn      int     `json:"withdrawn"`
	CompletionRate float64 `json:"completionRate"`
}

type deliveryAttendance struct {
	DeliveryID     string   `json:"deliveryId"`
	ModuleID       string   `json:"moduleId"`
	ModuleVersion  int      `json:"moduleVersion"`
	StartsAt       DateTime `json:"startsAt"`
	Present        int      `json:"present"`
	Absent         int      `json:"absent"`
	Excused        int      `json:"excused"`
	NotRecorded    int      `json:"notRecorded"`
	AttendanceRate float64  `json:"attendanceRate"`
}

type assignmentCounts struct {
	Given    int `json:"given"`
	HandedIn int `json:"handedIn"`
	OnTime   int `json:"onTime"`
}

type participantActivity struct {
	ParticipantID       string   `json:"participantId"`
	Status              string   `json:"status"`
	LastActivity        DateTime `json:"lastActivity"`
	AtRisk              bool     `json:"atRisk"`
	Present             int      `json:"present"`
	AssignmentsGiven    int      `json:"assignmentsGiven"`
	AssignmentsHandedIn int      `json:"assignmentsHandedIn"`
	ExperimentsLogged   int      `json:"experimentsLogged"`
	ExperimentsTried    int      `json:"experimentsTried"`
	Intervision         int      `json:"intervision"`
	Coaching            int      `json:"coaching"`
	Evaluations         int      `json:"evaluations"`
	// Weeks are the participant's experiments per ISO week (Europe/Amsterdam),
	// oldest first; only weeks with an experiment appear.
	Weeks []experimentWeek `json:"weeks"`
}

// experimentWeek counts a participant's experiments in one ISO week: logged
// that week, and tried that week.
type experimentWeek struct {
	Week   string `json:"week"` // "2025-W07"
	Logged int    `json:"logged"`
	Tried  int    `json:"tried"`
}

type groupRhythm struct {
	GroupID         string   `json:"groupId"`
	Members         int      `json:"members"`
	Sessions        int      `json:"sessions"`
	MeanDaysBetween float64  `json:"meanDaysBetween"`
	MaxDaysBetween  float64  `json:"maxDaysBetween"`
	DaysSinceLast   *float64 `json:"daysSinceLast,omitempty"`
}

type moduleEvaluationMean struct {
	ModuleID      string         `json:"moduleId"`
	ModuleVersion int            `json:"moduleVersion"`
	Evaluations   int            `json:"evaluations"`
	Questions     []questionMean `json:"questions"`
}

type questionMean struct {
	QuestionID string  `json:"questionId"`
	N          int     `json:"n"`
	Mean       float64 `json:"mean"`
}

type atRiskEntry struct {
	ParticipantID string   `json:"participantId"`
	LastActivity  DateTime `json:"lastActivity"`
	DaysInactive  float64  `json:"daysInactive"`
}

// dashboardQuery reads ?asOf= (an RFC 3339 date-time) and ?atRiskWeeks=
// (a whole number of weeks) of a dashboard request.
func dashboardQuery(c echo.Context) (usecase.DashboardQuery, error) {
	var q usecase.DashboardQuery
	var ps []*domain.FieldError
	if v := c.QueryParam("asOf"); v != "" {
		t, err := dateTimeParam("asOf", v)
		var fe *domain.FieldError
		if errors.As(err, &fe) {
			ps = append(ps, fe)
		}
		q.AsOf = t
	}
	if v := c.QueryParam("atRiskWeeks"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > usecase.MaxAtRiskWeeks {
			ps = append(ps, domain.Invalid("atRiskWeeks", "must be a whole number from 1 to %d", usecase.MaxAtRiskWeeks))
		}
		q.AtRiskWeeks = n
	}
	return q, domain.Validate(ps...)
}

// handleDashboardGet is GET /v1/cohorts/{cohortId}/dashboard: enrolment,
// attendance, assignments, experiments per participant and ISO week,
// intervision rhythm, evaluations per module version and participants at
// risk; for the programme office and the cohort's trainers. ?asOf= judges
// inactivity and intervision recency at that time instead of now;
// ?atRiskWeeks= sets the weeks without activity that put a participant at risk.
func (s *Server) handleDashboardGet(c echo.Context) error {
	id, p, min, err := cohortRead(c)
	if err != nil {
		return err
	}
	q, err := dashboardQuery(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	v, err := s.app.Dashboard(ctx, p, id, q, min)
	if err != nil {
		return err
	}
	e := v.Enrolment
	out := dashboardResponse{CohortID: v.CohortID, ProgrammeID: v.ProgrammeID, Title: v.Title, StartsOn: dt(v.StartsOn), EndsOn: dt(v.EndsOn), Now: dt(v.Now), AtRiskWeeks: v.AtRiskWeeks,
		Enrolment:   enrolmentCounts{Enrolled: e.Enrolled, Active: e.Active, Completed: e.Completed, Withdrawn: e.Withdrawn, CompletionRate: e.CompletionRate},
		Assignments: assignmentCounts{Given: v.Assignments.Given, HandedIn: v.Assignments.HandedIn, OnTime: v.Assignments.OnTime},
		Deliveries: mapAll(v.Deliveries, func(d cohortdashboard.DeliveryAttendance) deliveryAttendance {
			return deliveryAttendance{DeliveryID: d.DeliveryID, ModuleID: d.ModuleID, ModuleVersion: d.ModuleVersion, StartsAt: dt(d.StartsAt), Present: d.Present,
				Absent: d.Absent, Excused: d.Excused, NotRecorded: d.NotRecorded, AttendanceRate: d.AttendanceRate}
		}),
		Participants: mapAll(v.Participants, func(p cohortdashboard.Participant) participantActivity {
			return participantActivity{ParticipantID: p.ParticipantID, Status: p.Status.String(), LastActivity: dt(p.LastActivity), AtRisk: p.AtRisk, Present: p.Present,
				AssignmentsGiven: p.AssignmentsGiven, AssignmentsHandedIn: p.AssignmentsHandedIn, ExperimentsLogged: p.ExperimentsLogged,
				ExperimentsTried: p.ExperimentsTried, Intervision: p.Intervision, Coaching: p.Coaching, Evaluations: p.Evaluations,
				Weeks: mapAll(p.Weeks, func(w cohortdashboard.WeekCount) experimentWeek {
					return experimentWeek{Week: w.Week.String(), Logged: w.Logged, Tried: w.Tried}
				})}
		}),
		Intervision: mapAll(v.Intervision, func(g cohortdashboard.GroupRhythm) groupRhythm {
			return groupRhythm{GroupID: g.GroupID, Members: g.Members, Sessions: len(g.Sessions), MeanDaysBetween: g.MeanDaysBetween, MaxDaysBetween: g.MaxDaysBetween,
				DaysSinceLast: g.DaysSinceLast}
		}),
		Evaluations: mapAll(v.Evaluations, func(m cohortdashboard.ModuleEvaluation) moduleEvaluationMean {
			return moduleEvaluationMean{ModuleID: m.ModuleID, ModuleVersion: m.ModuleVersion, Evaluations: m.Evaluations,
				Questions: mapAll(m.Questions, func(q cohortdashboard.QuestionScore) questionMean {
					return questionMean{QuestionID: q.Question.String(), N: q.N, Mean: q.Mean}
				})}
		}),
		AtRisk: mapAll(v.AtRisk, func(a cohortdashboard.AtRisk) atRiskEntry {
			return atRiskEntry{ParticipantID: a.ParticipantID, LastActivity: dt(a.LastActivity), DaysInactive: a.DaysInactive}
		}),
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

// changeMeasurement is a cohort's behaviour change: per competency and
// rater group, only where at least minParticipants participants have a
// score before and after; smaller groups are not shown at all.
type changeMeasurement struct {
	CohortID        string             `json:"cohortId"`
	Participants    int                `json:"participants"`
	MinParticipants int                `json:"minParticipants"`
	Competencies    []competencyChange `json:"competencies"`
}

type competencyChange struct {
	CompetencyID string  `json:"competencyId"`
	Name         string  `json:"name"`
	Group        string  `json:"group"`
	Participants int     `json:"participants"`
	MeanPre      float64 `json:"meanPre"`
	MeanPost     float64 `json:"meanPost"`
	MeanChange   float64 `json:"meanChange"`
	SDChange     float64 `json:"sdChange"`
}

// changeOf maps a cohort's behaviour change to the response.
func changeOf(v behaviourchange.Cohort) changeMeasurement {
	return changeMeasurement{CohortID: v.CohortID, Participants: v.Participants, MinParticipants: v.MinParticipants,
		Competencies: mapAll(v.Competencies, func(cc behaviourchange.CompetencyChange) competencyChange {
			return competencyChange{CompetencyID: cc.CompetencyID, Name: cc.Name, Group: cc.Group.String(), Participants: cc.Participants,
				MeanPre: cc.MeanPre, MeanPost: cc.MeanPost, MeanChange: cc.MeanChange, SDChange: cc.SDChange}
		})}
}

// handleChangeMeasurementGet is GET /v1/cohorts/{cohortId}/change-measurement:
// the cohort's behaviour change, aggregates only; for the programme office.
func (s *Server) handleChangeMeasurementGet(c echo.Context) error {
	id, p, min, err := cohortRead(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	v, err := s.app.ChangeMeasurement(ctx, p, id, min)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, changeOf(v))
}

// handleParticipationExportGet is GET /v1/cohorts/{cohortId}/exports/participation:
// the dashboard's participant rows as CSV (?bom=true adds a UTF-8 byte-order
// mark for spreadsheets); for the programme office.
func (s *Server) handleParticipationExportGet(c echo.Context) error {
	bom, err := boolParam(c, "bom")
	if err != nil {
		return err
	}
	id, p, min, err := cohortRead(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	v, err := s.app.ParticipationExport(ctx, p, id, min)
	if err != nil {
		return err
	}
	rows := [][]string{{"cohortId", "cohortTitle", "participantId", "status", "lastActivity", "atRisk", "present", "assignmentsGiven",
		"assignmentsHandedIn", "experimentsLogged", "experimentsTried", "intervision", "coaching", "evaluations"}}
	for _, p := range v.Participants {
		rows = append(rows, []string{v.CohortID, v.Title, p.ParticipantID, p.Status.String(), dt(p.LastActivity).Format(timeFormat), strconv.FormatBool(p.AtRisk),
			strconv.Itoa(p.Present), strconv.Itoa(p.AssignmentsGiven), strconv.Itoa(p.AssignmentsHandedIn), strconv.Itoa(p.ExperimentsLogged),
			strconv.Itoa(p.ExperimentsTried), strconv.Itoa(p.Intervision), strconv.Itoa(p.Coaching), strconv.Itoa(p.Evaluations)})
	}
	return writeCSV(c, "participation-"+v.CohortID+".csv", rows, bom)
}

// handleBehaviourChangeExportGet is GET /v1/cohorts/{cohortId}/exports/behaviour-change:
// the cohort's behaviour change as CSV, aggregates only; for the programme office.
func (s *Server) handleBehaviourChangeExportGet(c echo.Context) error {
	bom, err := boolParam(c, "bom")
	if err != nil {
		return err
	}
	id, p, min, err := cohortRead(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.readContext(c)
	defer cancel()
	v, err := s.app.BehaviourChangeExport(ctx, p, id, min)
	if err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	rows := [][]string{{"cohortId", "competencyId", "competency", "raterGroup", "participants", "meanPre", "meanPost", "meanChange", "sdChange"}}
	for _, cc := range v.Competencies {
		rows = append(rows, []string{v.CohortID, cc.CompetencyID, cc.Name, cc.Group.String(), strconv.Itoa(cc.Participants), f(cc.MeanPre), f(cc.MeanPost),
			f(cc.MeanChange), f(cc.SDChange)})
	}
	return writeCSV(c, "behaviour-change-"+v.CohortID+".csv", rows, bom)
}

const timeFormat = "2006-01-02T15:04:05Z07:00"

// writeCSV answers text/csv in UTF-8, optionally with a byte-order mark,
// every cell made safe against spreadsheet formula injection.
func writeCSV(c echo.Context, filename string, rows [][]string, bom bool) error {
	var b bytes.Buffer
	if bom {
		b.WriteString("\uFEFF")
	}
	w := csv.NewWriter(&b)
	for _, r := range rows {
		if err := w.Write(mapAll(r, safeCell)); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

// safeCell defuses a cell that a spreadsheet would run as a formula (OWASP
// CSV injection): one that starts with = + - @, a tab or a carriage return
// gets a leading single quote, so it is shown as text. A plain number (a
// negative mean change) is left as it is: it is no formula.
func safeCell(s string) string {
	if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "\t\r") {
		return s
	}
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
