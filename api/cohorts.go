package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/domain/journey"
)

// registerCohortRoutes registers cohorts: planning, deliveries, intervision
// groups and enrolment (the programme office), attendance (trainers), and
// the cohort's dashboard, enrolment list, behaviour-change measurement and
// CSV exports.
func (s *Server) registerCohortRoutes(g *echo.Group) {
	g.POST("/cohorts", s.handleCohortCreate, s.requireUser, s.idempotent)
	g.GET("/cohorts/:cohortId", s.handleCohortGet, s.requireUser)
	g.POST("/cohorts/:cohortId/deliveries", s.handleDeliveryCreate, s.requireUser, s.idempotent)
	g.PUT("/cohorts/:cohortId/deliveries/:deliveryId/attendances/:participantId", s.handleAttendancePut, s.requireUser)
	g.POST("/cohorts/:cohortId/intervision-groups", s.handleIntervisionGroupCreate, s.requireUser, s.idempotent)
	g.GET("/cohorts/:cohortId/enrolments", s.handleEnrolmentList, s.requireUser)
	g.POST("/cohorts/:cohortId/enrolments", s.handleEnrolmentCreate, s.requireUser, s.idempotent)
	g.POST("/cohorts/:cohortId/enrolment-uploads", s.handleEnrolmentUploadCreate, s.requireUser, s.idempotent)
	g.GET("/cohorts/:cohortId/dashboard", s.handleDashboardGet, s.requireUser)
	g.GET("/cohorts/:cohortId/change-measurement", s.handleChangeMeasurementGet, s.requireUser)
	g.GET("/cohorts/:cohortId/exports/participation", s.handleParticipationExportGet, s.requireUser)
	g.GET("/cohorts/:cohortId/exports/behaviour-change", s.handleBehaviourChangeExportGet, s.requireUser)
}

// cohortAccess reads the cohort id of the path and authorises a on kind
// of that cohort. The trainers are looked up only when the caller is one.
func (s *Server) cohortAccess(c echo.Context, kind access.Kind, a access.Action) (string, error) {
	id, err := pathID(c, "cohortId")
	if err != nil {
		return "", err
	}
	r := access.Resource{Kind: kind, CohortID: id}
	if p, _ := principalOf(c); p.Has(access.RoleTrainer) {
		ts, err := s.cohortTrainers(c.Request().Context(), id)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return "", err
		}
		r.CohortTrainerIDs = ts
	}
	return id, s.authorize(c, a, r)
}

// cohortWrite runs one command on a cohort of the path and answers status.
func (s *Server) cohortWrite(c echo.Context, kind access.Kind, body any, status int, run func(ctx context.Context, cohortID string) (resourceRef, error)) error {
	id, err := s.cohortAccess(c, kind, access.ActionWrite)
	if err != nil {
		return err
	}
	if s.d.Cohorts == nil {
		return unavailable("cohorts")
	}
	if body != nil {
		if err := bindJSON(c, body); err != nil {
			return err
		}
	}
	w, err := s.beginWrite(c, matchOptional)
	if err != nil {
		return err
	}
	out, err := run(w.ctx, id)
	if err != nil {
		return err
	}
	w.finish(c)
	switch {
	case status < 0:
		return nil // the handler answers itself
	case status == http.StatusCreated:
		return created(c, out.Href, out)
	}
	return c.JSON(status, out)
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

func (r *cohortRequest) validate() error {
	ps := []*domain.FieldError{domain.RequireID("programmeId", r.ProgrammeID), domain.RequireID("entityId", r.EntityID),
		domain.RequireText("title", r.Title, domain.MaxTitle), domain.RequireIDs("trainerIds", r.TrainerIDs, 1), listLimit("trainerIds", len(r.TrainerIDs), maxListItems)}
	if r.StartsOn == nil {
		ps = append(ps, domain.Required("startsOn"))
	}
	if r.EndsOn == nil {
		ps = append(ps, domain.Required("endsOn"))
	}
	return domain.Validate(ps...)
}

// handleCohortCreate is POST /v1/cohorts: the programme office plans a
// cohort of a programme.
func (s *Server) handleCohortCreate(c echo.Context) error {
	if err := s.authorize(c, access.ActionWrite, access.Resource{Kind: access.KindCohort}); err != nil {
		return err
	}
	if s.d.Cohorts == nil {
		return unavailable("cohorts")
	}
	var req cohortRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	w, err := s.beginWrite(c, matchOptional)
	if err != nil {
		return err
	}
	id := s.newID(c, "cohort")
	if err := s.d.Cohorts.PlanCohort(w.ctx, cohort.PlanCohort{CohortID: id, ProgrammeID: req.ProgrammeID, EntityID: req.EntityID, Title: req.Title,
		TrainerIDs: req.TrainerIDs, StartsOn: req.StartsOn.Time, EndsOn: req.EndsOn.Time, At: s.now(), IdempotencyKey: s.commandKey(c, "")}); err != nil {
		return err
	}
	w.finish(c)
	return created(c, cohortHref(id), resourceRef{ID: id, Href: cohortHref(id)})
}

// cohortResponse is a cohort as its stream holds it.
type cohortResponse struct {
	ID         string   `json:"id"`
	TrainerIDs []string `json:"trainerIds"`
	Revision   uint64   `json:"revision"`
}

// handleCohortGet is GET /v1/cohorts/{cohortId}: the cohort, with its
// revision as ETag; for the programme office and the cohort's trainers.
func (s *Server) handleCohortGet(c echo.Context) error {
	id, err := s.cohortAccess(c, access.KindCohort, access.ActionRead)
	if err != nil {
		return err
	}
	if s.d.CohortLog == nil {
		return unavailable("cohorts")
	}
	co, err := s.d.CohortLog.Load(c.Request().Context(), id)
	if err != nil {
		return err
	}
	ts, err := s.cohortTrainers(c.Request().Context(), id)
	if err != nil {
		return err
	}
	rev, ok := revisionOf(co)
	return withETag(c, rev, ok, cohortResponse{ID: id, TrainerIDs: orEmpty(ts), Revision: rev})
}

// deliveryRequest schedules a version of a module for the cohort.
type deliveryRequest struct {
	ModuleID      string    `json:"moduleId"`
	ModuleVersion int       `json:"moduleVersion"`
	StartsAt      *DateTime `json:"startsAt,omitempty"`
	EndsAt        *DateTime `json:"endsAt,omitempty"`
}

func (r *deliveryRequest) validate() error {
	ps := []*domain.FieldError{domain.RequireID("moduleId", r.ModuleID)}
	if r.ModuleVersion < 1 {
		ps = append(ps, domain.Invalid("moduleVersion", "must be 1 or more"))
	}
	if r.StartsAt == nil {
		ps = append(ps, domain.Required("startsAt"))
	}
	if r.EndsAt == nil {
		ps = append(ps, domain.Required("endsAt"))
	}
	return domain.Validate(ps...)
}

// handleDeliveryCreate is POST /v1/cohorts/{cohortId}/deliveries: the
// programme office schedules a delivery of a module version.
func (s *Server) handleDeliveryCreate(c echo.Context) error {
	var req deliveryRequest
	return s.cohortWrite(c, access.KindCohort, &req, http.StatusCreated, func(ctx context.Context, cohortID string) (resourceRef, error) {
		id := s.newID(c, "delivery")
		err := s.d.Cohorts.ScheduleDelivery(ctx, cohort.ScheduleDelivery{CohortID: cohortID, DeliveryID: id, ModuleID: req.ModuleID, ModuleVersion: req.ModuleVersion,
			StartsAt: req.StartsAt.Time, EndsAt: req.EndsAt.Time, At: s.now(), IdempotencyKey: s.commandKey(c, "")})
		return resourceRef{ID: id, Href: cohortHref(cohortID) + "/deliveries/" + id}, err
	})
}

// attendanceRequest records whether a participant was at a delivery.
type attendanceRequest struct {
	Status string `json:"status"`
}

func (r *attendanceRequest) validate() error {
	_, err := cohort.ParseAttendanceStatus(r.Status)
	return domain.Validate(fieldOf(err))
}

// handleAttendancePut is PUT /v1/cohorts/{cohortId}/deliveries/{deliveryId}/attendances/{participantId}:
// a trainer of the cohort records a participant's attendance at a delivery.
func (s *Server) handleAttendancePut(c echo.Context) error {
	var req attendanceRequest
	return s.cohortWrite(c, access.KindAttendance, &req, http.StatusOK, func(ctx context.Context, cohortID string) (resourceRef, error) {
		ids, err := pathIDs(c, "deliveryId", "participantId")
		if err != nil {
			return resourceRef{}, err
		}
		st, _ := cohort.ParseAttendanceStatus(req.Status)
		err = s.d.Cohorts.RecordAttendance(ctx, cohort.RecordAttendance{CohortID: cohortID, DeliveryID: ids[0], ParticipantID: ids[1], Status: st, At: s.now()})
		return resourceRef{ID: ids[1], Href: cohortHref(cohortID) + "/deliveries/" + ids[0] + "/attendances/" + ids[1]}, err
	})
}

// groupRequest forms an intervision group of 4 to 6 participants.
type groupRequest struct {
	MemberIDs []string `json:"memberIds"`
}

func (r *groupRequest) validate() error {
	return domain.Validate(domain.RequireIDs("memberIds", r.MemberIDs, cohort.MinGroupSize), listLimit("memberIds", len(r.MemberIDs), cohort.MaxGroupSize))
}

// handleIntervisionGroupCreate is POST /v1/cohorts/{cohortId}/intervision-groups:
// the programme office or a trainer of the cohort forms an intervision group.
func (s *Server) handleIntervisionGroupCreate(c echo.Context) error {
	var req groupRequest
	return s.cohortWrite(c, access.KindIntervisionGroup, &req, http.StatusCreated, func(ctx context.Context, cohortID string) (resourceRef, error) {
		id := s.newID(c, "group")
		err := s.d.Cohorts.FormIntervisionGroup(ctx, cohort.FormIntervisionGroup{CohortID: cohortID, GroupID: id, MemberIDs: req.MemberIDs, At: s.now(), IdempotencyKey: s.commandKey(c, "")})
		return resourceRef{ID: id, Href: cohortHref(cohortID) + "/intervision-groups/" + id}, err
	})
}

// enrolmentRequest enrols a participant and starts their journey.
type enrolmentRequest struct {
	ParticipantID string `json:"participantId"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	Role          string `json:"role"`
	ManagerID     string `json:"managerId"`
}

// problems checks a row of an enrolment with its fields named as prefix+field.
func (r enrolmentRequest) problems(prefix string) []*domain.FieldError {
	ps := []*domain.FieldError{
		domain.RequireID(prefix+"participantId", r.ParticipantID), domain.RequireText(prefix+"name", r.Name, domain.MaxTitle),
		domain.RequireEmail(prefix+"email", r.Email), domain.RequireID(prefix+"managerId", r.ManagerID),
	}
	if _, err := journey.ParseRole(r.Role); err != nil {
		ps = append(ps, domain.Invalid(prefix+"role", "%s", reasonOf(err)))
	}
	if r.ManagerID != "" && strings.EqualFold(r.ManagerID, r.ParticipantID) {
		ps = append(ps, domain.Invalid(prefix+"managerId", "must not be the participant"))
	}
	return ps
}

func (r *enrolmentRequest) validate() error { return domain.Validate(r.problems("")...) }

// enrolmentResult is an enrolled participant and their journey.
type enrolmentResult struct {
	ParticipantID string `json:"participantId"`
	JourneyID     string `json:"journeyId"`
	Href          string `json:"href"`
}

// enrolmentUploadResult is the answer to an upload: every row enrolled.
type enrolmentUploadResult struct {
	Enrolled []enrolmentResult `json:"enrolled"`
}

// journeyOf is the id of a participant's journey in a cohort: derived from
// both, so that an enrolment retried or resumed never starts a second one.
func journeyOf(cohortID, participantID string) string {
	return uuid.NewSHA1(idNamespace, []byte("journey/"+cohortID+"/"+participantID)).String()
}

// enrol checks every row against the shape rules and the cohort as it
// stands, reporting every bad row; only when all are good does it write,
// row by row, the cohort's enrolment and then the journey. Each write's
// idempotency key derives from the cohort and the participant, so that an
// upload interrupted half-way (a crash, a lost connection) is completed by
// sending it again, and nothing is ever recorded twice.
func (s *Server) enrol(c echo.Context, ctx context.Context, cohortID string, rows []enrolmentRequest, field func(i int) string) ([]enrolmentResult, error) {
	if s.d.Journeys == nil || s.d.CohortLog == nil {
		return nil, unavailable("journeys")
	}
	co, err := s.d.CohortLog.Load(ctx, cohortID)
	if err != nil {
		return nil, err
	}
	var ps []*domain.FieldError
	seen := map[string]string{}
	for i := range rows {
		r := &rows[i]
		r.ParticipantID, r.ManagerID = strings.ToLower(r.ParticipantID), strings.ToLower(r.ManagerID)
		prefix := field(i)
		var rowErr *domain.ValidationError
		if errors.As(domain.Validate(r.problems(prefix)...), &rowErr) {
			ps = append(ps, rowErr.Fields...)
			continue
		}
		if first, dup := seen[r.ParticipantID]; dup {
			ps = append(ps, domain.Invalid(prefix+"participantId", "is enrolled twice in this request (also %s)", first))
			continue
		}
		seen[r.ParticipantID] = strings.TrimSuffix(prefix, ".")
		if e, err := co.Enrolment(r.ParticipantID); err == nil {
			_, jerr := s.loadJourney(ctx, journeyOf(cohortID, r.ParticipantID))
			switch {
			case e.Withdrawn:
				ps = append(ps, domain.Invalid(prefix+"participantId", "withdrew from this cohort"))
			case jerr == nil:
				ps = append(ps, domain.Invalid(prefix+"participantId", "is already enrolled in this cohort"))
			case !errors.Is(jerr, domain.ErrNotFound):
				return nil, jerr
			}
			// Enrolled in the cohort without a journey: an earlier upload
			// stopped half-way, and this one completes it.
		}
	}
	if err := domain.Validate(ps...); err != nil {
		return nil, err
	}
	out := make([]enrolmentResult, 0, len(rows))
	for _, r := range rows {
		jid := journeyOf(cohortID, r.ParticipantID)
		key := "enrol/" + cohortID + "/" + r.ParticipantID
		err := s.d.Cohorts.EnrolParticipant(ctx, cohort.EnrolParticipant{CohortID: cohortID, ParticipantID: r.ParticipantID, Name: r.Name, Email: r.Email,
			At: s.now(), IdempotencyKey: key})
		if err != nil && !errors.Is(err, cohort.ErrAlreadyEnrolled) {
			return nil, fmt.Errorf("enrol participant %s: %w", r.ParticipantID, err)
		}
		role, _ := journey.ParseRole(r.Role)
		if err := s.d.Journeys.Enrol(ctx, journey.Enrol{JourneyID: jid, ParticipantID: r.ParticipantID, CohortID: cohortID, Role: role,
			ManagerID: r.ManagerID, At: s.now(), IdempotencyKey: key}); err != nil {
			return nil, fmt.Errorf("start journey of participant %s: %w", r.ParticipantID, err)
		}
		out = append(out, enrolmentResult{ParticipantID: r.ParticipantID, JourneyID: jid, Href: journeyHref(jid)})
	}
	return out, nil
}

// handleEnrolmentCreate is POST /v1/cohorts/{cohortId}/enrolments: the
// programme office enrols one participant, which starts their journey.
func (s *Server) handleEnrolmentCreate(c echo.Context) error {
	var req enrolmentRequest
	var res []enrolmentResult
	err := s.cohortWrite(c, access.KindEnrolment, &req, -1, func(ctx context.Context, cohortID string) (resourceRef, error) {
		var err error
		res, err = s.enrol(c, ctx, cohortID, []enrolmentRequest{req}, func(int) string { return "" })
		return resourceRef{}, err
	})
	if err != nil {
		return err
	}
	return created(c, res[0].Href, res[0])
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
	var res []enrolmentResult
	err := s.cohortWrite(c, access.KindEnrolment, nil, -1, func(ctx context.Context, cohortID string) (resourceRef, error) {
		rows, lines, err := readEnrolmentCSV(c)
		if err != nil {
			return resourceRef{}, err
		}
		res, err = s.enrol(c, ctx, cohortID, rows, func(i int) string { return fmt.Sprintf("rows[%d].", lines[i]) })
		return resourceRef{}, err
	})
	if err != nil {
		return err
	}
	return created(c, cohortHref(c.Param("cohortId"))+"/enrolments", enrolmentUploadResult{Enrolled: res})
}

// readEnrolmentCSV reads the upload into rows and their row numbers.
func readEnrolmentCSV(c echo.Context) ([]enrolmentRequest, []int, error) {
	mt, params, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != "text/csv" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return nil, nil, problemf(errUnsupportedMediaType, "Send the enrolments as text/csv (UTF-8).")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, tooLarge(mbe.Limit)
		}
		return nil, nil, err
	}
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	if !utf8.Valid(body) {
		return nil, nil, domain.Validate(domain.Invalid("body", "is not UTF-8: save the file as CSV UTF-8"))
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
			return nil, nil, domain.Validate(domain.Invalid(fmt.Sprintf("rows[%d]", pe.StartLine), "is not valid CSV: %v", pe.Err))
		}
		return nil, nil, domain.Validate(domain.Invalid("body", "is not valid CSV"))
	}
	if len(records) == 0 {
		return nil, nil, domain.Validate(domain.Invalid("body", "is empty: a header row and at least one row are required"))
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
		return nil, nil, err
	}
	get := func(rec []string, name string) string {
		if i := col[name]; i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	rows := make([]enrolmentRequest, 0, len(records)-1)
	lines := make([]int, 0, len(records)-1)
	for i, rec := range records[1:] {
		rows = append(rows, enrolmentRequest{ParticipantID: get(rec, "participantId"), Name: get(rec, "name"), Email: get(rec, "email"),
			Role: get(rec, "role"), ManagerID: get(rec, "managerId")})
		lines = append(lines, i+2)
	}
	return rows, lines, nil
}

// enrolmentEntry is a participant of a cohort: ids, status and dates, no names.
type enrolmentEntry struct {
	ParticipantID string    `json:"participantId"`
	JourneyID     string    `json:"journeyId,omitempty"`
	Status        string    `json:"status"`
	EnrolledAt    DateTime  `json:"enrolledAt"`
	ClosedAt      *DateTime `json:"closedAt,omitempty"`
}

// enrolmentList is a page of a cohort's participants.
type enrolmentList struct {
	Items      []enrolmentEntry `json:"items"`
	NextCursor string           `json:"nextCursor,omitempty"`
}

// dashboardOf reads the cohort's dashboard after authorizing kind.
func (s *Server) dashboardOf(c echo.Context, kind access.Kind) (cohortdashboard.View, error) {
	id, err := s.cohortAccess(c, kind, access.ActionRead)
	if err != nil {
		return cohortdashboard.View{}, err
	}
	if s.d.Dashboards == nil {
		return cohortdashboard.View{}, unavailable("the cohort dashboard read model")
	}
	if err := s.caughtUp(c, s.d.Dashboards.Name()); err != nil {
		return cohortdashboard.View{}, err
	}
	return s.d.Dashboards.Dashboard(id, s.now())
}

// handleEnrolmentList is GET /v1/cohorts/{cohortId}/enrolments: the
// cohort's participants in the order enrolled, a page at a time.
func (s *Server) handleEnrolmentList(c echo.Context) error {
	list := "enrolments:" + c.Param("cohortId")
	offset, limit, err := page(c, list)
	if err != nil {
		return err
	}
	v, err := s.dashboardOf(c, access.KindEnrolment)
	if err != nil {
		return err
	}
	items, next := pageOf(v.Participants, list, offset, limit)
	out := enrolmentList{Items: mapAll(items, func(p cohortdashboard.Participant) enrolmentEntry {
		return enrolmentEntry{ParticipantID: p.ParticipantID, JourneyID: p.JourneyID, Status: p.Status.String(), EnrolledAt: dt(p.EnrolledAt), ClosedAt: dtp(p.ClosedAt)}
	}), NextCursor: next}
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
}

type groupRhythm struct {
	GroupID         string  `json:"groupId"`
	Members         int     `json:"members"`
	Sessions        int     `json:"sessions"`
	MeanDaysBetween float64 `json:"meanDaysBetween"`
	MaxDaysBetween  float64 `json:"maxDaysBetween"`
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

// handleDashboardGet is GET /v1/cohorts/{cohortId}/dashboard: enrolment,
// attendance, assignments, experiments per participant, intervision rhythm,
// evaluations per module version and participants at risk; for the
// programme office and the cohort's trainers.
func (s *Server) handleDashboardGet(c echo.Context) error {
	v, err := s.dashboardOf(c, access.KindCohortDashboard)
	if err != nil {
		return err
	}
	e := v.Enrolment
	out := dashboardResponse{CohortID: v.CohortID, ProgrammeID: v.ProgrammeID, Title: v.Title, StartsOn: dt(v.StartsOn), EndsOn: dt(v.EndsOn), Now: dt(v.Now),
		Enrolment:   enrolmentCounts{Enrolled: e.Enrolled, Active: e.Active, Completed: e.Completed, Withdrawn: e.Withdrawn, CompletionRate: e.CompletionRate},
		Assignments: assignmentCounts{Given: v.Assignments.Given, HandedIn: v.Assignments.HandedIn, OnTime: v.Assignments.OnTime},
		Deliveries: mapAll(v.Deliveries, func(d cohortdashboard.DeliveryAttendance) deliveryAttendance {
			return deliveryAttendance{DeliveryID: d.DeliveryID, ModuleID: d.ModuleID, ModuleVersion: d.ModuleVersion, StartsAt: dt(d.StartsAt), Present: d.Present,
				Absent: d.Absent, Excused: d.Excused, NotRecorded: d.NotRecorded, AttendanceRate: d.AttendanceRate}
		}),
		Participants: mapAll(v.Participants, func(p cohortdashboard.Participant) participantActivity {
			return participantActivity{ParticipantID: p.ParticipantID, Status: p.Status.String(), LastActivity: dt(p.LastActivity), AtRisk: p.AtRisk, Present: p.Present,
				AssignmentsGiven: p.AssignmentsGiven, AssignmentsHandedIn: p.AssignmentsHandedIn, ExperimentsLogged: p.ExperimentsLogged,
				ExperimentsTried: p.ExperimentsTried, Intervision: p.Intervision, Coaching: p.Coaching, Evaluations: p.Evaluations}
		}),
		Intervision: mapAll(v.Intervision, func(g cohortdashboard.GroupRhythm) groupRhythm {
			return groupRhythm{GroupID: g.GroupID, Members: g.Members, Sessions: len(g.Sessions), MeanDaysBetween: g.MeanDaysBetween, MaxDaysBetween: g.MaxDaysBetween}
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

func (s *Server) changeOf(c echo.Context) (changeMeasurement, error) {
	id, err := s.cohortAccess(c, access.KindChangeMeasurement, access.ActionRead)
	if err != nil {
		return changeMeasurement{}, err
	}
	if s.d.ChangeMeasurements == nil {
		return changeMeasurement{}, unavailable("the behaviour-change read model")
	}
	if err := s.caughtUp(c, s.d.ChangeMeasurements.Name()); err != nil {
		return changeMeasurement{}, err
	}
	v, err := s.d.ChangeMeasurements.Cohort(id)
	if err != nil {
		return changeMeasurement{}, err
	}
	out := changeMeasurement{CohortID: v.CohortID, Participants: v.Participants, MinParticipants: v.MinParticipants, Competencies: []competencyChange{}}
	for _, cc := range v.Competencies {
		if cc.Participants < v.MinParticipants {
			continue // the read model leaves them out; never show one that slipped through
		}
		out.Competencies = append(out.Competencies, competencyChange{CompetencyID: cc.CompetencyID, Name: cc.Name, Group: cc.Group.String(),
			Participants: cc.Participants, MeanPre: cc.MeanPre, MeanPost: cc.MeanPost, MeanChange: cc.MeanChange, SDChange: cc.SDChange})
	}
	return out, nil
}

// handleChangeMeasurementGet is GET /v1/cohorts/{cohortId}/change-measurement:
// the cohort's behaviour change, aggregates only; for the programme office.
func (s *Server) handleChangeMeasurementGet(c echo.Context) error {
	v, err := s.changeOf(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, v)
}

// handleParticipationExportGet is GET /v1/cohorts/{cohortId}/exports/participation:
// the dashboard's participant rows as CSV (?bom=true adds a UTF-8 byte-order
// mark for spreadsheets); for the programme office.
func (s *Server) handleParticipationExportGet(c echo.Context) error {
	bom, err := boolParam(c, "bom")
	if err != nil {
		return err
	}
	v, err := s.dashboardOf(c, access.KindExport)
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
	if _, err := s.cohortAccess(c, access.KindExport, access.ActionRead); err != nil {
		return err
	}
	v, err := s.changeOf(c)
	if err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	rows := [][]string{{"cohortId", "competencyId", "competency", "raterGroup", "participants", "meanPre", "meanPost", "meanChange", "sdChange"}}
	for _, cc := range v.Competencies {
		rows = append(rows, []string{v.CohortID, cc.CompetencyID, cc.Name, cc.Group, strconv.Itoa(cc.Participants), f(cc.MeanPre), f(cc.MeanPost), f(cc.MeanChange), f(cc.SDChange)})
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
