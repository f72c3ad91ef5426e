package api

import (
	"bytes"
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/behaviourchange"
	"github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/usecase"
)

// The cohort dashboard, the change measurement and the CSV exports: counts,
// rates and dates of a cohort, never a named participant's content.

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
	rows := usecase.ParticipationRows(v)
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
