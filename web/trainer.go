package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/usecase"
)

// The trainer's pages of a cohort, beside its dashboard (manager.go):
// attendance per delivery, the intervision sessions of a group, and the
// practice assignments given to the cohort's participants with their
// hand-ins. The use cases decide who may read and write each.

// attendanceRow is a participant's attendance at the delivery.
type attendanceRow struct {
	ParticipantID string
	Status        string // "" while not recorded
}

// attendancePage is a delivery with every participant's attendance.
type attendancePage struct {
	CohortID string
	Title    string
	Delivery cohort.Delivery
	Rows     []attendanceRow
}

// handleDelivery is GET /cohorts/:id/deliveries/:did: Delivery, the
// cohort's participants (Dashboard) and each one's Attendance, with a
// form per participant to record it.
func (s *Server) handleDelivery(c echo.Context) error {
	return s.showDelivery(c, http.StatusOK, nil)
}

func (s *Server) showDelivery(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	id, did := c.Param("id"), c.Param("did")
	d, _, err := s.app.Delivery(ctx, p, id, did)
	if err != nil {
		return err
	}
	v, err := s.app.Dashboard(ctx, p, id, usecase.DashboardQuery{}, pos)
	if err != nil {
		return err
	}
	data := attendancePage{CohortID: id, Title: v.Title, Delivery: d}
	for _, pt := range v.Participants {
		if pt.Status == journey.StatusWithdrawn {
			continue
		}
		row := attendanceRow{ParticipantID: pt.ParticipantID}
		at, _, err := s.app.Attendance(ctx, p, id, did, pt.ParticipantID)
		switch {
		case err == nil:
			if !at.Status.IsZero() {
				row.Status = at.Status.String()
			}
		case errors.Is(err, domain.ErrNotFound):
		default:
			return err
		}
		data.Rows = append(data.Rows, row)
	}
	pg := s.page(c, "delivery.title")
	pg.Data, pg.Form = data, f
	return s.render(c, status, "delivery", pg)
}

// handleRecordAttendance is POST /cohorts/:id/deliveries/:did/attendance:
// RecordAttendance of one participant.
func (s *Server) handleRecordAttendance(c echo.Context) error {
	p, _ := principalOf(c)
	id, did := c.Param("id"), c.Param("did")
	vals := formValues(c, "participantId", "status")
	st, err := cohort.ParseAttendanceStatus(vals["status"])
	var w usecase.Written
	if err == nil {
		w, err = s.app.RecordAttendance(c.Request().Context(), writeOf(c, p), cohort.RecordAttendance{CohortID: id, DeliveryID: did,
			ParticipantID: vals["participantId"], Status: st})
	}
	if err != nil {
		if f, ok := refused(err, "attendance-"+vals["participantId"], vals); ok {
			return s.showDelivery(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/cohorts/"+id+"/deliveries/"+did, w)
}

// groupPage is an intervision group's sessions and the form to record one.
type groupPage struct {
	CohortID string
	Group    usecase.IntervisionGroup
	Sessions usecase.IntervisionSessions
	Today    string
}

// handleGroup is GET /cohorts/:id/groups/:gid: IntervisionGroup and its
// IntervisionSessions.
func (s *Server) handleGroup(c echo.Context) error { return s.showGroup(c, http.StatusOK, nil) }

func (s *Server) showGroup(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	ctx, cancel, _ := readContext(c)
	defer cancel()
	id, gid := c.Param("id"), c.Param("gid")
	g, err := s.app.IntervisionGroup(ctx, p, id, gid)
	if err != nil {
		return err
	}
	ss, err := s.app.IntervisionSessions(ctx, p, id, gid)
	if err != nil {
		return err
	}
	pg := s.page(c, "group.title")
	pg.Data, pg.Form = groupPage{CohortID: id, Group: g, Sessions: ss, Today: s.now().Format(time.DateOnly)}, f
	return s.render(c, status, "group", pg)
}

// handleRecordSession is POST /cohorts/:id/groups/:gid/sessions:
// RecordIntervisionSession.
func (s *Server) handleRecordSession(c echo.Context) error {
	p, _ := principalOf(c)
	id, gid := c.Param("id"), c.Param("gid")
	vals := formValues(c, "heldOn", "method", "caseBroughtBy", "caseSummary")
	held, perr := parseDate("heldOn", vals["heldOn"])
	err := error(perr)
	var w usecase.Written
	if perr == nil {
		form, _ := c.FormParams()
		w, err = s.app.RecordIntervisionSession(c.Request().Context(), writeOf(c, p), cohort.RecordIntervisionSession{CohortID: id, GroupID: gid,
			HeldOn: held, AttendeeIDs: form["attendeeIds"], CaseBroughtBy: vals["caseBroughtBy"], Method: vals["method"], CaseSummary: vals["caseSummary"]})
	}
	if err != nil {
		if f, ok := refused(err, "session", vals); ok {
			return s.showGroup(c, formStatus(f), f)
		}
		return err
	}
	return afterWrite(c, "/cohorts/"+id+"/groups/"+gid, w)
}

// assignmentsPage is the cohort's assignments: counts per module and per
// participant (Dashboard), and the form to give one to every participant.
type assignmentsPage struct {
	View  cohortdashboard.View
	Given string
}

// handleAssignments is GET /cohorts/:id/assignments.
func (s *Server) handleAssignments(c echo.Context) error {
	return s.showAssignments(c, http.StatusOK, nil)
}

func (s *Server) showAssignments(c echo.Context, status int, f *form) error {
	p, _ := principalOf(c)
	ctx, cancel, pos := readContext(c)
	defer cancel()
	v, err := s.app.Dashboard(ctx, p, c.Param("id"), usecase.DashboardQuery{}, pos)
	if err != nil {
		return err
	}
	pg := s.page(c, "assignments.title")
	pg.Data, pg.Form = assignmentsPage{View: v, Given: c.QueryParam("given")}, f
	return s.render(c, status, "assignments", pg)
}

// handleGiveAssignment is POST /cohorts/:id/assignments: GiveAssignment to
// every participant of the cohort still in it, one journey at a time (each
// with its own idempotency key, derived from the form's, so that a form
// sent twice gives nobody the assignment twice).
func (s *Server) handleGiveAssignment(c echo.Context) error {
	p, _ := principalOf(c)
	ctx := c.Request().Context()
	id := c.Param("id")
	vals := formValues(c, "moduleId", "title", "dueOn")
	due, perr := parseDate("dueOn", vals["dueOn"])
	if perr != nil {
		f, _ := refused(domain.Validate(perr), "assignment", vals)
		return s.showAssignments(c, formStatus(f), f)
	}
	v, err := s.app.Dashboard(ctx, p, id, usecase.DashboardQuery{}, 0)
	if err != nil {
		return err
	}
	w, given := usecase.Written{}, 0
	base := writeOf(c, p)
	for _, pt := range v.Participants {
		if pt.JourneyID == "" || pt.Status != journey.StatusActive {
			continue
		}
		wr := base
		if wr.IdempotencyKey != "" {
			wr.IdempotencyKey += "/" + pt.JourneyID
		}
		out, err := s.app.GiveAssignment(ctx, wr, journey.GiveAssignment{JourneyID: pt.JourneyID, ModuleID: vals["moduleId"], Title: vals["title"], DueOn: due})
		if err != nil {
			if f, ok := refused(err, "assignment", vals); ok && given == 0 {
				return s.showAssignments(c, formStatus(f), f)
			}
			return err
		}
		w.Position = max(w.Position, out.Position)
		given++
	}
	return c.Redirect(http.StatusSeeOther, "/cohorts/"+id+"/assignments?pos="+itoa(w.Position)+"&saved=1&given="+itoa(uint64(given)))
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
