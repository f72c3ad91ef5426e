package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/offer"
)

// Cohorts: the programme office plans them, schedules their deliveries and
// enrols their participants; trainers keep the attendance; both run the
// intervision groups.

// CohortSummary is a cohort as its stream holds it now: what it was planned
// with, its size and its deliveries (cohort.Details), and the title of its
// programme.
type CohortSummary struct {
	cohort.Details
	// ProgrammeTitle is the title of the cohort's programme.
	ProgrammeTitle string
	Revision       uint64
}

// IntervisionGroup is an intervision group of a cohort as the cohort's
// stream holds it now: its members (never what is said in it).
type IntervisionGroup struct {
	ID        string
	CohortID  string
	MemberIDs []string
	Revision  uint64
}

// cohortAccess reads the facts of kind on cohort id (see, when not nil,
// reads more of the cohort in the same view) and lets the policy decide
// whether p may do act on it. Of a cohort that does not exist, whoever the
// policy refuses on a cohort without trainers (a trainer, a participant)
// learns only that (ErrForbidden); the others that it does not exist.
func (a *App) cohortAccess(ctx context.Context, p access.Principal, id string, kind access.Kind, act access.Action, see func(*cohort.Cohort)) (cohortFacts, error) {
	f, err := a.cohortFacts(ctx, id, kind, see)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return f, err
	}
	if derr := a.authorize(ctx, p, act, f.resource); derr != nil {
		return f, derr
	}
	return f, err
}

// onCohort runs a command of operation o on cohort o.target, as onJourney
// does on a journey: it reads the cohort's facts, lets the policy decide
// whether the actor may write kind, and runs the command expecting the
// revision the facts were read at, again on fresh facts when another writer
// appended first (ErrBusy after the last attempt).
func (a *App) onCohort(ctx context.Context, o op, kind access.Kind, run func(env domain.Envelope, at time.Time) (domain.Written, error)) (domain.Written, error) {
	return o.decided(ctx, func() (domain.Written, error) {
		f, err := a.cohortAccess(ctx, o.w.Actor, o.target, kind, access.ActionWrite, nil)
		if err != nil {
			return domain.Written{}, err
		}
		rev, err := o.expect(f.revision)
		if err != nil {
			return domain.Written{}, err
		}
		return run(o.envelope("", rev), a.now())
	})
}

// cohortWrite runs a command on cohort id and answers with what it wrote
// about resource.
func (a *App) cohortWrite(ctx context.Context, w Write, name, id, resource string, kind access.Kind, run func(env domain.Envelope, at time.Time) (domain.Written, error)) (Written, error) {
	dw, err := a.onCohort(ctx, op{w: w, name: name, target: id}, kind, run)
	return written(resource, dw), err
}

// PlanCohort plans a cohort of a programme (the programme office); it
// creates the cohort's id.
func (a *App) PlanCohort(ctx context.Context, w Write, c cohort.PlanCohort) (Written, error) {
	if err := a.authorize(ctx, w.Actor, access.ActionWrite, access.Resource{Kind: access.KindCohort}); err != nil {
		return Written{}, err
	}
	o := op{w: w, name: "plan-cohort"}
	c.CohortID = o.newID(a.ids, "cohort")
	c.Envelope, c.At = o.envelope("", domain.Revision{}), a.now()
	dw, err := a.deps.Cohorts.PlanCohort(ctx, c)
	return written(c.CohortID, dw), err
}

// Cohort is a cohort as its stream holds it now (the programme office and
// the cohort's trainers): what it was planned with, its size, and its
// deliveries with the module version each delivers. The programme's title
// is read from the programme's stream; a programme's title never changes.
func (a *App) Cohort(ctx context.Context, p access.Principal, id string) (CohortSummary, error) {
	var s CohortSummary
	f, err := a.cohortAccess(ctx, p, id, access.KindCohort, access.ActionRead, func(c *cohort.Cohort) { s.Details = c.Details() })
	if err != nil {
		return CohortSummary{}, err
	}
	s.Revision = f.revision
	if a.deps.ProgrammeView != nil {
		_, err := a.deps.ProgrammeView.View(ctx, s.ProgrammeID, func(pr *catalogue.Programme) { s.ProgrammeTitle = pr.Title() })
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return CohortSummary{}, err
		}
	}
	return s, nil
}

// Cohorts are the cohorts the principal may read, in the order planned:
// every cohort for the programme office, the cohorts they train for a
// trainer; the window page of them and how many there are. min, when not
// 0, is a log position the list must include.
//
// Whether p may list cohorts at all is decided once (KindCohortList), and
// each cohort is then shown only if p may read it (KindCohort). The
// trainers of a cohort come from the read model here, not from the log
// (decision record 0008): they are set when the cohort is planned and no
// event changes them, so the read model's are the log's.
func (a *App) Cohorts(ctx context.Context, p access.Principal, page Page, min uint64) ([]offer.Cohort, int, error) {
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindCohortList}); err != nil {
		return nil, 0, err
	}
	if a.deps.Offer == nil {
		return nil, 0, unavailable("the offer read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Offer.Name()); err != nil {
		return nil, 0, err
	}
	all := a.deps.Offer.Cohorts()
	mine := all[:0]
	for _, c := range all {
		if a.allowed(p, access.ActionRead, access.Resource{Kind: access.KindCohort, CohortID: c.CohortID, CohortTrainerIDs: c.TrainerIDs}) {
			mine = append(mine, c)
		}
	}
	out, total := window(mine, page)
	return out, total, nil
}

// ScheduleDelivery schedules a delivery of a module version for a cohort
// (the programme office); it creates the delivery's id.
func (a *App) ScheduleDelivery(ctx context.Context, w Write, c cohort.ScheduleDelivery) (Written, error) {
	o := op{w: w, name: "schedule-delivery", target: c.CohortID}
	c.DeliveryID = o.newID(a.ids, "delivery")
	return a.cohortWrite(ctx, w, o.name, c.CohortID, c.DeliveryID, access.KindCohort, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Cohorts.ScheduleDelivery(ctx, c)
	})
}

// CloseMeasurement closes a cohort's impact measurement (the programme
// office): its figures are released and the participants it contributes
// frozen (cohort.CloseMeasurement). A second closure is refused
// (cohort.ErrMeasurementClosed), as is one before the cohort starts.
func (a *App) CloseMeasurement(ctx context.Context, w Write, cohortID string) (Written, error) {
	return a.cohortWrite(ctx, w, "close-measurement", cohortID, cohortID, access.KindMeasurementClosure, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		return a.deps.Cohorts.CloseMeasurement(ctx, cohort.CloseMeasurement{CohortID: cohortID, At: at, Envelope: env})
	})
}

// Delivery is a delivery of the cohort, as the cohort's stream holds it
// now, with the cohort's revision (the programme office and the cohort's
// trainers, who read the cohort).
func (a *App) Delivery(ctx context.Context, p access.Principal, cohortID, deliveryID string) (cohort.Delivery, uint64, error) {
	var d cohort.Delivery
	var derr error
	f, err := a.cohortAccess(ctx, p, cohortID, access.KindCohort, access.ActionRead, func(c *cohort.Cohort) { d, derr = c.Delivery(deliveryID) })
	if err == nil {
		err = derr
	}
	return d, f.revision, err
}

// Attendance is a participant's attendance at a delivery as recorded, with
// the cohort's revision (the cohort's trainers, who keep it);
// ErrNotFound while it is not recorded.
func (a *App) Attendance(ctx context.Context, p access.Principal, cohortID, deliveryID, participantID string) (cohort.Attendance, uint64, error) {
	var at cohort.Attendance
	var aerr error
	f, err := a.cohortAccess(ctx, p, cohortID, access.KindAttendance, access.ActionRead, func(c *cohort.Cohort) {
		at, aerr = c.Attendance(deliveryID, participantID)
	})
	switch {
	case err != nil:
		return at, 0, err
	case aerr != nil:
		return at, 0, aerr
	case at.Status.IsZero():
		return at, 0, fmt.Errorf("attendance of %s at delivery %s not recorded: %w", participantID, deliveryID, domain.ErrNotFound)
	}
	return at, f.revision, nil
}

// RecordAttendance records whether a participant was at a delivery (a
// trainer of the cohort).
func (a *App) RecordAttendance(ctx context.Context, w Write, c cohort.RecordAttendance) (Written, error) {
	return a.cohortWrite(ctx, w, "attendance:"+c.DeliveryID+":"+c.ParticipantID, c.CohortID, c.ParticipantID, access.KindAttendance, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Cohorts.RecordAttendance(ctx, c)
	})
}

// FormIntervisionGroup forms an intervision group (the programme office or
// a trainer of the cohort); it creates the group's id.
func (a *App) FormIntervisionGroup(ctx context.Context, w Write, c cohort.FormIntervisionGroup) (Written, error) {
	o := op{w: w, name: "form-intervision-group", target: c.CohortID}
	c.GroupID = o.newID(a.ids, "group")
	return a.cohortWrite(ctx, w, o.name, c.CohortID, c.GroupID, access.KindIntervisionGroup, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Cohorts.FormIntervisionGroup(ctx, c)
	})
}

// IntervisionGroup is the members of an intervision group, as the cohort's
// stream holds them now (the programme office and the cohort's trainers).
func (a *App) IntervisionGroup(ctx context.Context, p access.Principal, cohortID, groupID string) (IntervisionGroup, error) {
	g := IntervisionGroup{ID: groupID, CohortID: cohortID}
	var formed bool
	f, err := a.cohortAccess(ctx, p, cohortID, access.KindIntervisionGroup, access.ActionRead, func(c *cohort.Cohort) {
		g.MemberIDs, formed = c.Group(groupID)
	})
	if err != nil {
		return g, err
	}
	if !formed {
		return g, fmt.Errorf("intervision group %s of cohort %s: %w", groupID, cohortID, cohort.ErrGroupNotFound)
	}
	g.Revision = f.revision
	return g, nil
}

// ReformIntervisionGroup gives an intervision group its members from now
// on; former members are free to join another.
func (a *App) ReformIntervisionGroup(ctx context.Context, w Write, c cohort.ReformIntervisionGroup) (Written, error) {
	return a.cohortWrite(ctx, w, "reform-intervision-group:"+c.GroupID, c.CohortID, c.GroupID, access.KindIntervisionGroup, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Cohorts.ReformIntervisionGroup(ctx, c)
	})
}

// DissolveIntervisionGroup ends an intervision group; its members are free
// to join another, and the sessions recorded on their journeys stay.
func (a *App) DissolveIntervisionGroup(ctx context.Context, w Write, c cohort.DissolveIntervisionGroup) (Written, error) {
	return a.cohortWrite(ctx, w, "dissolve-intervision-group:"+c.GroupID, c.CohortID, c.GroupID, access.KindIntervisionGroup, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Cohorts.DissolveIntervisionGroup(ctx, c)
	})
}

// Enrolee is a participant to enrol in a cohort, as one row of an
// enrolment gives them.
type Enrolee struct {
	// Field is the prefix of the names of the row's fields in errors:
	// "rows[3]." for a row of an upload, "" for a single enrolment.
	Field         string
	ParticipantID string
	Name          string
	Email         string
	// Role is the name of the participant's role (journey.ParseRole), as
	// given: a row that names no role is reported with the batch's other
	// problems.
	Role      string
	ManagerID string
}

// Enrolled is a participant enrolled in a cohort and their journey.
type Enrolled struct {
	ParticipantID string
	JourneyID     string
}

// Enrolment is what an enrolment wrote: every participant enrolled, in the
// order given; and the journey started last (ID and Revision) with the
// global position of the enrolment's last write.
type Enrolment struct {
	Enrolled []Enrolled
	Written  Written
}

// journeyOf is the id of a participant's journey in a cohort: derived from
// both, so that an enrolment retried or resumed never starts a second one.
func journeyOf(cohortID, participantID string) string {
	return uuid.NewSHA1(idNamespace, []byte("journey/"+cohortID+"/"+participantID)).String()
}

// enrolmentKey is the idempotency key of both commands of a participant's
// enrolment: it derives from the cohort and the participant alone, not from
// the request, so that every attempt writes the same event ids.
func enrolmentKey(cohortID, participantID string) string {
	return "enrol/" + cohortID + "/" + participantID
}

// problems checks the fields of a row, named with its Field prefix.
func (r Enrolee) problems() []*domain.FieldError {
	ps := []*domain.FieldError{
		domain.RequireID(r.Field+"participantId", r.ParticipantID), domain.RequireText(r.Field+"name", r.Name, domain.MaxTitle),
		domain.RequireEmail(r.Field+"email", r.Email), domain.RequireID(r.Field+"managerId", r.ManagerID),
	}
	if _, err := journey.ParseRole(r.Role); err != nil {
		reason := err.Error()
		var fe *domain.FieldError
		if errors.As(err, &fe) {
			reason = fe.Reason
		}
		ps = append(ps, domain.Invalid(r.Field+"role", "%s", reason))
	}
	if r.ManagerID != "" && r.ManagerID == r.ParticipantID {
		ps = append(ps, domain.Invalid(r.Field+"managerId", "must not be the participant"))
	}
	return ps
}

// standing is what the cohort knows of a row's participant.
type standing struct {
	enrolled, withdrawn bool
}

// Enrol enrols participants in a cohort and starts their journeys (the
// programme office): one participant, or the rows of an upload.
//
// All or nothing: every row is checked, against the rules of its fields and
// against the cohort as it stands (a participant is enrolled once, and not
// twice in one request; one who withdrew is not enrolled again), and every
// bad row is reported; only when all are good is anything written, row by
// row: the cohort's enrolment, then the journey. The cohort and the journeys
// are different streams, so the batch is many commands; each carries
// enrolmentKey, so that an enrolment interrupted half-way (a crash, a lost
// connection) is completed by sending it again, and nothing is ever
// recorded twice: a participant enrolled in the cohort without a journey is
// what an earlier attempt left, and this one completes it.
//
// Only the programme office enrols, whoever the cohort's trainers are, so
// the access decision cannot go stale between the check and the writes; a
// write is decided by the cohort on its state at the write (a participant
// is enrolled once), and If-Match is checked against the cohort the rows
// were checked on.
func (a *App) Enrol(ctx context.Context, w Write, cohortID string, rows []Enrolee) (Enrolment, error) {
	o := op{w: w, name: "enrol", target: cohortID}
	rows = slices.Clone(rows)
	for i := range rows {
		rows[i].ParticipantID, rows[i].ManagerID = strings.ToLower(rows[i].ParticipantID), strings.ToLower(rows[i].ManagerID)
	}
	st := make([]standing, len(rows))
	f, err := a.cohortAccess(ctx, w.Actor, cohortID, access.KindEnrolment, access.ActionWrite, func(c *cohort.Cohort) {
		for i, r := range rows {
			if e, err := c.Enrolment(r.ParticipantID); err == nil {
				st[i] = standing{enrolled: true, withdrawn: e.Withdrawn}
			}
		}
	})
	if err != nil {
		return Enrolment{}, err
	}
	if err := o.check(f.revision); err != nil {
		return Enrolment{}, err
	}
	if err := a.checkEnrolees(ctx, cohortID, rows, st); err != nil {
		return Enrolment{}, err
	}
	// The writes go to the cohort and the journeys, not to the revision the
	// client read: If-Match was for the check.
	bo := o
	bo.w.IfMatch = domain.Revision{}
	out := Enrolment{Enrolled: make([]Enrolled, 0, len(rows))}
	for _, r := range rows {
		jid := journeyOf(cohortID, r.ParticipantID)
		env := bo.envelope("", domain.Revision{})
		env.IdempotencyKey = enrolmentKey(cohortID, r.ParticipantID)
		cw, err := bo.decided(ctx, func() (domain.Written, error) {
			return a.deps.Cohorts.EnrolParticipant(ctx, cohort.EnrolParticipant{CohortID: cohortID, ParticipantID: r.ParticipantID, Name: r.Name,
				Email: r.Email, At: a.now(), Envelope: env})
		})
		if err != nil && !errors.Is(err, cohort.ErrAlreadyEnrolled) {
			return out, fmt.Errorf("enrol participant %s: %w", r.ParticipantID, err)
		}
		role, _ := journey.ParseRole(r.Role) // checked with the rows
		jw, err := a.deps.Journeys.Enrol(ctx, journey.Enrol{JourneyID: jid, ParticipantID: r.ParticipantID, CohortID: cohortID, Role: role,
			ManagerID: r.ManagerID, At: a.now(), Envelope: env})
		if err != nil {
			return out, fmt.Errorf("start journey of participant %s: %w", r.ParticipantID, err)
		}
		out.Enrolled = append(out.Enrolled, Enrolled{ParticipantID: r.ParticipantID, JourneyID: jid})
		pos := max(out.Written.Position, cw.Position, jw.Position)
		out.Written = written(jid, jw)
		out.Written.Position = pos
	}
	return out, nil
}

// ParticipantEnrolment is a participant's enrolment in a cohort as the
// cohort's stream holds it now, with their journey as its stream holds it:
// the role they take part in, their manager and how the journey stands.
// What the programme office and the cohort's trainers see of one
// participant; none of what the participant records.
type ParticipantEnrolment struct {
	cohort.Enrolment
	// JourneyID is the participant's journey in the cohort; empty while it
	// is not started (an enrolment stopped half-way, which sending it again
	// completes) or after it was erased, and then Role and ManagerID are
	// unknown.
	JourneyID string
	Role      journey.Role
	ManagerID string
	// Status is the journey's; without a journey, withdrawn if the cohort
	// says so and else active.
	Status journey.Status
}

// ParticipantEnrolment is a participant's enrolment in a cohort (the
// programme office and the cohort's trainers): where the programme office
// follows what it writes on a journey it may not read. Read from the log,
// so it shows every write that answered before.
func (a *App) ParticipantEnrolment(ctx context.Context, p access.Principal, cohortID, participantID string) (ParticipantEnrolment, error) {
	participantID = strings.ToLower(participantID)
	var e ParticipantEnrolment
	var eerr error
	_, err := a.cohortAccess(ctx, p, cohortID, access.KindEnrolment, access.ActionRead, func(c *cohort.Cohort) {
		e.Enrolment, eerr = c.Enrolment(participantID)
	})
	switch {
	case err != nil:
		return e, err
	case eerr != nil:
		return e, eerr
	}
	e.Status = journey.StatusActive
	if e.Withdrawn {
		e.Status = journey.StatusWithdrawn
	}
	id := journeyOf(cohortID, participantID)
	f, err := a.journeyFacts(ctx, id, access.KindEnrolment, func(j *journey.Journey) { e.Role = j.Role() })
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return e, nil
	case err != nil:
		return e, err
	}
	e.JourneyID, e.ManagerID, e.Status = id, f.resource.ManagerID, f.status
	return e, nil
}

// checkEnrolees checks every row of an enrolment, st being what the cohort
// knows of each row's participant, and reports every bad row.
func (a *App) checkEnrolees(ctx context.Context, cohortID string, rows []Enrolee, st []standing) error {
	var ps []*domain.FieldError
	seen := map[string]string{}
	for i, r := range rows {
		var rowErr *domain.ValidationError
		if errors.As(domain.Validate(r.problems()...), &rowErr) {
			ps = append(ps, rowErr.Fields...)
			continue
		}
		if first, dup := seen[r.ParticipantID]; dup {
			ps = append(ps, domain.Invalid(r.Field+"participantId", "is enrolled twice in this request (also %s)", first))
			continue
		}
		seen[r.ParticipantID] = strings.TrimSuffix(r.Field, ".")
		if !st[i].enrolled {
			continue
		}
		if st[i].withdrawn {
			ps = append(ps, domain.Invalid(r.Field+"participantId", "withdrew from this cohort"))
			continue
		}
		_, err := a.journeys.View(ctx, journeyOf(cohortID, r.ParticipantID), func(*journey.Journey) {})
		switch {
		case err == nil:
			ps = append(ps, domain.Invalid(r.Field+"participantId", "is already enrolled in this cohort"))
		case !errors.Is(err, domain.ErrNotFound):
			return err
		}
		// Enrolled in the cohort without a journey: an earlier attempt
		// stopped half-way, and this one completes it.
	}
	return domain.Validate(ps...)
}
