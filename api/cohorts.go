package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
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
	g.POST("/cohorts/:cohortId/measurement-closures", s.handleMeasurementClosureCreate, s.requireUser, s.idempotent)
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
	// MeasurementClosedAt is when the programme office closed the cohort's
	// impact measurement; absent while it is open.
	MeasurementClosedAt *DateTime `json:"measurementClosedAt,omitempty"`
	Revision            uint64    `json:"revision"`
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
	var closed *DateTime
	if !co.MeasurementClosedAt.IsZero() {
		closed = &DateTime{co.MeasurementClosedAt}
	}
	return withETag(c, co.Revision, true, cohortResponse{ID: id, MeasurementClosedAt: closed, ProgrammeID: co.ProgrammeID, ProgrammeTitle: co.ProgrammeTitle, EntityID: co.EntityID,
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

// measurementClosure closes a cohort's impact measurement; it has no fields.
type measurementClosure struct{}

// handleMeasurementClosureCreate is POST /v1/cohorts/{cohortId}/measurement-closures:
// the programme office closes the cohort's impact measurement, once: the
// cohort's figures are released, and the participants it contributes are
// those enrolled and not withdrawn now. Location is the cohort, which shows
// when its measurement was closed.
func (s *Server) handleMeasurementClosureCreate(c echo.Context) error {
	id, w, err := s.cohortCommand(c, &measurementClosure{})
	if err != nil {
		return err
	}
	out, err := s.app.CloseMeasurement(c.Request().Context(), w, id)
	if err != nil {
		return err
	}
	return wrote(c, http.StatusCreated, out, cohortHref(id))
}
