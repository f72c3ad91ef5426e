package cohort

// Invariants of a cohort:
//   - a cohort is planned once, from a programme that is not retired, with a
//     title, an ordering entity, at least one trainer and a start before its end;
//   - a participant is enrolled once, with a name and an e-mail address, and
//     withdrawn at most once; a withdrawn participant joins no group and gets
//     no attendance;
//   - an intervision group has 4 to 6 members, all enrolled in this cohort and
//     not withdrawn, and a participant is in at most one group at a time; the
//     rule is checked whenever a group is formed or re-formed (a withdrawal may
//     leave a group smaller until the trainer re-forms it);
//   - only an existing group is re-formed or dissolved;
//   - a delivery delivers one of the cohort's modules, in a version the module
//     has, starts before it ends, and falls within the cohort's run: from the
//     day the cohort starts to the day it ends, both whole days;
//   - attendance is recorded for a scheduled delivery, an enrolled participant,
//     and not before the delivery starts; recording it again must change it;
//   - nobody is enrolled once the impact measurement is closed (measurement.go).

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
)

// Errors of cohorts.
var (
	ErrCohortExists         = fmt.Errorf("cohort already planned: %w", domain.ErrConflict)
	ErrCohortNotFound       = fmt.Errorf("cohort not planned: %w", domain.ErrNotFound)
	ErrAlreadyEnrolled      = fmt.Errorf("participant already enrolled: %w", domain.ErrConflict)
	ErrParticipantNotFound  = fmt.Errorf("participant not enrolled in the cohort: %w", domain.ErrNotFound)
	ErrParticipantWithdrawn = fmt.Errorf("participant withdrawn from the cohort: %w", domain.ErrConflict)
	ErrGroupSize            = fmt.Errorf("an intervision group has 4 to 6 members: %w", domain.ErrInvalid)
	ErrGroupExists          = fmt.Errorf("intervision group already formed: %w", domain.ErrConflict)
	ErrGroupNotFound        = fmt.Errorf("intervision group not formed: %w", domain.ErrNotFound)
	ErrInOtherGroup         = fmt.Errorf("participant already in another intervision group: %w", domain.ErrConflict)
	ErrModuleNotInCohort    = fmt.Errorf("module not in the cohort's programme: %w", domain.ErrConflict)
	ErrDeliveryExists       = fmt.Errorf("delivery already scheduled: %w", domain.ErrConflict)
	ErrDeliveryNotFound     = fmt.Errorf("delivery not scheduled in the cohort: %w", domain.ErrNotFound)
	ErrDeliveryNotStarted   = fmt.Errorf("delivery has not started yet: %w", domain.ErrConflict)
	ErrAttendanceUnchanged  = fmt.Errorf("attendance already recorded so: %w", domain.ErrConflict)
	ErrProgrammeRetired     = fmt.Errorf("programme is retired: %w", domain.ErrConflict)
)

// Group sizes of intervision.
const (
	MinGroupSize = 4
	MaxGroupSize = 6
)

// PlanCohort plans a run of a programme for an ordering entity.
type PlanCohort struct {
	CohortID    string
	ProgrammeID string
	EntityID    string
	Title       string
	TrainerIDs  []string
	StartsOn    time.Time
	EndsOn      time.Time
	At          time.Time
	domain.Envelope
}

// EnrolParticipant enrols a participant in a cohort.
type EnrolParticipant struct {
	CohortID      string
	ParticipantID string
	Name          string
	Email         string
	At            time.Time
	domain.Envelope
}

// WithdrawParticipant takes a participant out of a cohort.
type WithdrawParticipant struct {
	CohortID      string
	ParticipantID string
	At            time.Time
	domain.Envelope
}

// FormIntervisionGroup forms an intervision group of participants.
type FormIntervisionGroup struct {
	CohortID  string
	GroupID   string
	MemberIDs []string
	At        time.Time
	domain.Envelope
}

// ReformIntervisionGroup gives an intervision group new members.
type ReformIntervisionGroup struct {
	CohortID  string
	GroupID   string
	MemberIDs []string
	At        time.Time
	domain.Envelope
}

// DissolveIntervisionGroup ends an intervision group.
type DissolveIntervisionGroup struct {
	CohortID string
	GroupID  string
	At       time.Time
	domain.Envelope
}

// ScheduleDelivery schedules a module version for the cohort.
type ScheduleDelivery struct {
	CohortID      string
	DeliveryID    string
	ModuleID      string
	ModuleVersion int
	StartsAt      time.Time
	EndsAt        time.Time
	At            time.Time
	domain.Envelope
}

// RecordAttendance records whether a participant was at a delivery.
type RecordAttendance struct {
	CohortID      string
	DeliveryID    string
	ParticipantID string
	Status        AttendanceStatus
	At            time.Time
	domain.Envelope
}

// Cohort is one run of a programme.
type Cohort struct {
	id            string
	programmeID   string
	entityID      string
	title         string
	modules       []string
	raterApproval bool
	trainerIDs    []string
	startsOn      time.Time
	endsOn        time.Time
	participants  map[string]*participant
	groups        map[string][]string
	deliveries    map[string]*delivery
	sessions      map[string]*IntervisionSession
	sessionOrder  []*IntervisionSession // as recorded
	measurement   *MeasurementClosed    // nil while the impact measurement is open
	figuresFrozen bool                  // FiguresFrozen recorded

	loaded  int
	changes []domain.Event
}

type participant struct {
	// name and email are as enrolled: personal data, kept for the
	// participant's own export (Contact) and never shown to others.
	name, email string
	withdrawn   bool
	group       string
	enrolledAt  time.Time
	withdrawnAt time.Time
}

type delivery struct {
	moduleID   string
	version    int
	startsAt   time.Time
	endsAt     time.Time
	attendance map[string]AttendanceStatus
}

// Replay rebuilds a cohort from its stream. With no events it returns a
// cohort that is yet to be planned.
func Replay(events ...domain.Event) *Cohort {
	c := &Cohort{participants: map[string]*participant{}, groups: map[string][]string{}, deliveries: map[string]*delivery{},
		sessions: map[string]*IntervisionSession{}}
	for _, e := range events {
		c.apply(e)
	}
	c.loaded = len(events)
	return c
}

// TrainerIDs returns the trainers the cohort was planned with; the caller
// must not change the slice.
func (c *Cohort) TrainerIDs() []string { return c.trainerIDs }

// ID returns the cohort's id.
func (c *Cohort) ID() string { return c.id }

// Version returns the number of events loaded from the stream.
func (c *Cohort) Version() int { return c.loaded }

// Uncommitted returns the events recorded since the cohort was loaded.
func (c *Cohort) Uncommitted() []domain.Event { return c.changes }

// CatchUp applies events stored after the ones the cohort was loaded from
// (another writer's), as Replay would have; nothing may be recorded yet.
func (c *Cohort) CatchUp(events ...domain.Event) {
	for _, e := range events {
		c.apply(e)
	}
	c.loaded += len(events)
}

// Committed marks the events recorded since the load as stored: the
// repository calls it after their append, so that the cohort can decide the
// next command without being loaded again.
func (c *Cohort) Committed() {
	c.loaded += len(c.changes)
	c.changes = nil
}

// Group returns the members of an intervision group, sorted, and whether the group exists.
func (c *Cohort) Group(id string) ([]string, bool) {
	m, ok := c.groups[id]
	return slices.Clone(m), ok
}

// Details are what a cohort holds for those who run it: what it was
// planned with, how many participants it has, and its deliveries with the
// module version each delivers. No participant is named.
type Details struct {
	CohortID    string
	ProgrammeID string
	EntityID    string
	Title       string
	// ModuleIDs are the programme's modules when the cohort was planned.
	ModuleIDs  []string
	TrainerIDs []string
	StartsOn   time.Time
	EndsOn     time.Time
	// Size counts the participants enrolled and not withdrawn.
	Size int
	// Deliveries are in the order they start (by id when two start together).
	Deliveries []Delivery
	// MeasurementClosedAt is when the impact measurement was closed; zero
	// while it is open.
	MeasurementClosedAt time.Time
}

// Delivery is one scheduled delivery of a module version.
type Delivery struct {
	DeliveryID    string
	ModuleID      string
	ModuleVersion int
	StartsAt      time.Time
	EndsAt        time.Time
}

// Details returns the cohort's details; the result is a copy. A cohort not
// yet planned has none (zero Details).
func (c *Cohort) Details() Details {
	if c.id == "" {
		return Details{}
	}
	d := Details{
		CohortID: c.id, ProgrammeID: c.programmeID, EntityID: c.entityID, Title: c.title,
		ModuleIDs: slices.Clone(c.modules), TrainerIDs: slices.Clone(c.trainerIDs), StartsOn: c.startsOn, EndsOn: c.endsOn,
		Deliveries: make([]Delivery, 0, len(c.deliveries)),
	}
	if c.measurement != nil {
		d.MeasurementClosedAt = c.measurement.At
	}
	for _, p := range c.participants {
		if !p.withdrawn {
			d.Size++
		}
	}
	for id := range c.deliveries {
		dl, _ := c.Delivery(id)
		d.Deliveries = append(d.Deliveries, dl)
	}
	slices.SortFunc(d.Deliveries, func(a, b Delivery) int {
		if n := a.StartsAt.Compare(b.StartsAt); n != 0 {
			return n
		}
		return strings.Compare(a.DeliveryID, b.DeliveryID)
	})
	return d
}

// Delivery returns a scheduled delivery, or ErrDeliveryNotFound.
func (c *Cohort) Delivery(id string) (Delivery, error) {
	d, ok := c.deliveries[id]
	if !ok {
		return Delivery{}, fmt.Errorf("cohort %s: delivery %s: %w", c.id, id, ErrDeliveryNotFound)
	}
	return Delivery{DeliveryID: id, ModuleID: d.moduleID, ModuleVersion: d.version, StartsAt: d.startsAt, EndsAt: d.endsAt}, nil
}

// Enrolment is what a cohort knows of one participant's place in it.
type Enrolment struct {
	CohortID      string
	ProgrammeID   string
	EntityID      string
	ParticipantID string
	Withdrawn     bool
	// EnrolledAt is when the participant was enrolled; WithdrawnAt when
	// they withdrew (zero while they have not).
	EnrolledAt, WithdrawnAt time.Time
	// RaterApproval says whether the participant's manager approves 360 raters
	// in this cohort's programme.
	RaterApproval bool
}

// Enrolment returns the participant's enrolment, or ErrParticipantNotFound.
func (c *Cohort) Enrolment(participantID string) (Enrolment, error) {
	p, ok := c.participants[participantID]
	if !ok {
		return Enrolment{}, fmt.Errorf("cohort %s: participant %s: %w", c.id, participantID, ErrParticipantNotFound)
	}
	return Enrolment{
		CohortID: c.id, ProgrammeID: c.programmeID, EntityID: c.entityID, ParticipantID: participantID,
		Withdrawn: p.withdrawn, EnrolledAt: p.enrolledAt, WithdrawnAt: p.withdrawnAt, RaterApproval: c.raterApproval,
	}, nil
}

// Contact returns the name and e-mail address the participant was enrolled
// with, for their own export; ok is false for a participant not enrolled.
func (c *Cohort) Contact(participantID string) (name, email string, ok bool) {
	p, ok := c.participants[participantID]
	if !ok {
		return "", "", false
	}
	return p.name, p.email, true
}

// Attendance is what a cohort knows of one participant at one delivery:
// which module version was delivered and whether they were there.
type Attendance struct {
	CohortID      string
	DeliveryID    string
	ParticipantID string
	ModuleID      string
	ModuleVersion int
	StartsAt      time.Time
	Status        AttendanceStatus // zero while not recorded
}

// Attended reports whether the participant was present.
func (a Attendance) Attended() bool { return a.Status == Present }

// Attendance returns a participant's attendance at a delivery, or
// ErrDeliveryNotFound or ErrParticipantNotFound.
func (c *Cohort) Attendance(deliveryID, participantID string) (Attendance, error) {
	d, ok := c.deliveries[deliveryID]
	if !ok {
		return Attendance{}, fmt.Errorf("cohort %s: delivery %s: %w", c.id, deliveryID, ErrDeliveryNotFound)
	}
	if _, ok := c.participants[participantID]; !ok {
		return Attendance{}, fmt.Errorf("cohort %s: participant %s: %w", c.id, participantID, ErrParticipantNotFound)
	}
	return Attendance{
		CohortID: c.id, DeliveryID: deliveryID, ParticipantID: participantID, ModuleID: d.moduleID,
		ModuleVersion: d.version, StartsAt: d.startsAt, Status: d.attendance[participantID],
	}, nil
}

// Plan records the cohort, planned from programme p.
func (c *Cohort) Plan(cmd PlanCohort, p *catalogue.Programme) error {
	ps := []*domain.FieldError{
		domain.RequireID("cohortId", cmd.CohortID),
		domain.RequireID("programmeId", cmd.ProgrammeID),
		domain.RequireID("entityId", cmd.EntityID),
		domain.RequireLine("title", cmd.Title, domain.MaxTitle),
		domain.RequireIDs("trainerIds", cmd.TrainerIDs, 1),
		domain.RequireTime("startsOn", cmd.StartsOn),
		domain.RequireTime("endsOn", cmd.EndsOn),
		domain.RequireTime("at", cmd.At),
	}
	if !cmd.StartsOn.IsZero() && !cmd.EndsOn.After(cmd.StartsOn) {
		ps = append(ps, domain.Invalid("endsOn", "must be after startsOn"))
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("plan cohort: %w", err)
	}
	if c.id != "" {
		return fmt.Errorf("plan cohort %s: %w", cmd.CohortID, ErrCohortExists)
	}
	if p == nil || p.ID() != cmd.ProgrammeID {
		return fmt.Errorf("plan cohort %s: programme %s: %w", cmd.CohortID, cmd.ProgrammeID, domain.ErrNotFound)
	}
	if p.Retired() {
		return fmt.Errorf("plan cohort %s: programme %s: %w", cmd.CohortID, cmd.ProgrammeID, ErrProgrammeRetired)
	}
	c.record(Planned{
		CohortID: cmd.CohortID, ProgrammeID: cmd.ProgrammeID, EntityID: cmd.EntityID, Title: cmd.Title,
		ModuleIDs: p.ModuleIDs(), RaterApproval: p.RaterApproval(), TrainerIDs: cmd.TrainerIDs,
		StartsOn: cmd.StartsOn, EndsOn: cmd.EndsOn, At: cmd.At,
	})
	return nil
}

// Enrol enrols a participant.
func (c *Cohort) Enrol(cmd EnrolParticipant) error {
	if err := domain.Validate(
		domain.RequireID("cohortId", cmd.CohortID),
		domain.RequireID("participantId", cmd.ParticipantID),
		domain.RequireLine("name", cmd.Name, domain.MaxTitle),
		domain.RequireEmail("email", cmd.Email),
		domain.RequireTime("at", cmd.At),
	); err != nil {
		return fmt.Errorf("enrol participant: %w", err)
	}
	if err := c.planned(cmd.CohortID); err != nil {
		return fmt.Errorf("enrol participant: %w", err)
	}
	if _, ok := c.participants[cmd.ParticipantID]; ok {
		return fmt.Errorf("enrol participant %s: %w", cmd.ParticipantID, ErrAlreadyEnrolled)
	}
	if c.measurement != nil {
		return fmt.Errorf("enrol participant %s: %w", cmd.ParticipantID, ErrMeasurementClosed)
	}
	c.record(ParticipantEnrolled{CohortID: c.id, ParticipantID: cmd.ParticipantID, Name: cmd.Name, Email: cmd.Email, At: cmd.At})
	return nil
}

// Withdraw takes a participant out of the cohort and out of their group.
func (c *Cohort) Withdraw(cmd WithdrawParticipant) error {
	if err := domain.Validate(
		domain.RequireID("cohortId", cmd.CohortID),
		domain.RequireID("participantId", cmd.ParticipantID),
		domain.RequireTime("at", cmd.At),
	); err != nil {
		return fmt.Errorf("withdraw participant: %w", err)
	}
	if err := c.planned(cmd.CohortID); err != nil {
		return fmt.Errorf("withdraw participant: %w", err)
	}
	if err := c.active(cmd.ParticipantID); err != nil {
		return fmt.Errorf("withdraw participant: %w", err)
	}
	c.record(ParticipantWithdrawn{CohortID: c.id, ParticipantID: cmd.ParticipantID, At: cmd.At})
	return nil
}

// FormGroup forms an intervision group.
func (c *Cohort) FormGroup(cmd FormIntervisionGroup) error {
	if err := c.checkGroup("form intervision group", cmd.CohortID, cmd.GroupID, cmd.MemberIDs, cmd.At); err != nil {
		return err
	}
	if _, ok := c.groups[cmd.GroupID]; ok {
		return fmt.Errorf("form intervision group %s: %w", cmd.GroupID, ErrGroupExists)
	}
	if err := c.free(cmd.GroupID, cmd.MemberIDs); err != nil {
		return fmt.Errorf("form intervision group %s: %w", cmd.GroupID, err)
	}
	c.record(IntervisionGroupFormed{CohortID: c.id, GroupID: cmd.GroupID, MemberIDs: sorted(cmd.MemberIDs), At: cmd.At})
	return nil
}

// ReformGroup gives an intervision group new members.
func (c *Cohort) ReformGroup(cmd ReformIntervisionGroup) error {
	if err := c.checkGroup("re-form intervision group", cmd.CohortID, cmd.GroupID, cmd.MemberIDs, cmd.At); err != nil {
		return err
	}
	if _, ok := c.groups[cmd.GroupID]; !ok {
		return fmt.Errorf("re-form intervision group %s: %w", cmd.GroupID, ErrGroupNotFound)
	}
	if err := c.free(cmd.GroupID, cmd.MemberIDs); err != nil {
		return fmt.Errorf("re-form intervision group %s: %w", cmd.GroupID, err)
	}
	c.record(IntervisionGroupReformed{CohortID: c.id, GroupID: cmd.GroupID, MemberIDs: sorted(cmd.MemberIDs), At: cmd.At})
	return nil
}

// DissolveGroup ends an intervision group.
func (c *Cohort) DissolveGroup(cmd DissolveIntervisionGroup) error {
	if err := domain.Validate(
		domain.RequireID("cohortId", cmd.CohortID),
		domain.RequireID("groupId", cmd.GroupID),
		domain.RequireTime("at", cmd.At),
	); err != nil {
		return fmt.Errorf("dissolve intervision group: %w", err)
	}
	if err := c.planned(cmd.CohortID); err != nil {
		return fmt.Errorf("dissolve intervision group: %w", err)
	}
	if _, ok := c.groups[cmd.GroupID]; !ok {
		return fmt.Errorf("dissolve intervision group %s: %w", cmd.GroupID, ErrGroupNotFound)
	}
	c.record(IntervisionGroupDissolved{CohortID: c.id, GroupID: cmd.GroupID, At: cmd.At})
	return nil
}

// ScheduleDelivery schedules a delivery of version cmd.ModuleVersion of module m.
func (c *Cohort) ScheduleDelivery(cmd ScheduleDelivery, m *catalogue.Module) error {
	ps := []*domain.FieldError{
		domain.RequireID("cohortId", cmd.CohortID),
		domain.RequireID("deliveryId", cmd.DeliveryID),
		domain.RequireID("moduleId", cmd.ModuleID),
		domain.RequireTime("startsAt", cmd.StartsAt),
		domain.RequireTime("endsAt", cmd.EndsAt),
		domain.RequireTime("at", cmd.At),
	}
	if cmd.ModuleVersion < 1 {
		ps = append(ps, domain.Invalid("moduleVersion", "must be 1 or more"))
	}
	if !cmd.StartsAt.IsZero() && !cmd.EndsAt.After(cmd.StartsAt) {
		ps = append(ps, domain.Invalid("endsAt", "must be after startsAt"))
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("schedule delivery: %w", err)
	}
	if err := c.planned(cmd.CohortID); err != nil {
		return fmt.Errorf("schedule delivery: %w", err)
	}
	if _, ok := c.deliveries[cmd.DeliveryID]; ok {
		return fmt.Errorf("schedule delivery %s: %w", cmd.DeliveryID, ErrDeliveryExists)
	}
	if !slices.Contains(c.modules, cmd.ModuleID) {
		return fmt.Errorf("schedule delivery of module %s: %w", cmd.ModuleID, ErrModuleNotInCohort)
	}
	if err := c.withinRun(cmd.StartsAt, cmd.EndsAt); err != nil {
		return fmt.Errorf("schedule delivery %s: %w", cmd.DeliveryID, err)
	}
	if m == nil || m.ID() != cmd.ModuleID {
		return fmt.Errorf("schedule delivery of module %s: %w", cmd.ModuleID, domain.ErrNotFound)
	}
	if cmd.ModuleVersion > m.CurrentVersion() {
		return fmt.Errorf("schedule delivery: %w", domain.Invalid("moduleVersion",
			"module %s has versions 1 to %d", cmd.ModuleID, m.CurrentVersion()))
	}
	c.record(DeliveryScheduled{
		CohortID: c.id, DeliveryID: cmd.DeliveryID, ModuleID: cmd.ModuleID, ModuleVersion: cmd.ModuleVersion,
		StartsAt: cmd.StartsAt, EndsAt: cmd.EndsAt, At: cmd.At,
	})
	return nil
}

// RecordAttendance records whether a participant was at a delivery.
func (c *Cohort) RecordAttendance(cmd RecordAttendance) error {
	ps := []*domain.FieldError{
		domain.RequireID("cohortId", cmd.CohortID),
		domain.RequireID("deliveryId", cmd.DeliveryID),
		domain.RequireID("participantId", cmd.ParticipantID),
		domain.RequireTime("at", cmd.At),
	}
	if cmd.Status.IsZero() {
		ps = append(ps, domain.Required("status"))
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("record attendance: %w", err)
	}
	if err := c.planned(cmd.CohortID); err != nil {
		return fmt.Errorf("record attendance: %w", err)
	}
	d, ok := c.deliveries[cmd.DeliveryID]
	if !ok {
		return fmt.Errorf("record attendance at %s: %w", cmd.DeliveryID, ErrDeliveryNotFound)
	}
	if err := c.active(cmd.ParticipantID); err != nil {
		return fmt.Errorf("record attendance at %s: %w", cmd.DeliveryID, err)
	}
	if cmd.At.Before(d.startsAt) {
		return fmt.Errorf("record attendance at %s: %w", cmd.DeliveryID, ErrDeliveryNotStarted)
	}
	if d.attendance[cmd.ParticipantID] == cmd.Status {
		return fmt.Errorf("record attendance at %s as %s: %w", cmd.DeliveryID, cmd.Status, ErrAttendanceUnchanged)
	}
	c.record(AttendanceRecorded{CohortID: c.id, DeliveryID: cmd.DeliveryID, ParticipantID: cmd.ParticipantID, Status: cmd.Status, At: cmd.At})
	return nil
}

// withinRun returns a *domain.FieldError unless a delivery from startsAt to
// endsAt falls within the cohort's run. StartsOn and EndsOn name days: the
// run starts at the beginning of the first and ends at the end of the last,
// each in the time zone it was given in, so that a delivery on the last day
// fits whether EndsOn was given as midnight or as the hour the cohort ends.
func (c *Cohort) withinRun(startsAt, endsAt time.Time) *domain.FieldError {
	y, m, d := c.startsOn.Date()
	first := time.Date(y, m, d, 0, 0, 0, 0, c.startsOn.Location())
	y, m, d = c.endsOn.Date()
	afterLast := time.Date(y, m, d+1, 0, 0, 0, 0, c.endsOn.Location())
	switch {
	case startsAt.Before(first):
		return domain.Invalid("startsAt", "must not be before the cohort starts on %s", c.startsOn.Format(time.DateOnly))
	case endsAt.After(afterLast):
		return domain.Invalid("endsAt", "must not be after the cohort ends on %s", c.endsOn.Format(time.DateOnly))
	}
	return nil
}

func (c *Cohort) planned(id string) error {
	if c.id == "" {
		return fmt.Errorf("cohort %s: %w", id, ErrCohortNotFound)
	}
	return nil
}

// active returns nil when the participant is enrolled and not withdrawn.
func (c *Cohort) active(participantID string) error {
	p, ok := c.participants[participantID]
	switch {
	case !ok:
		return fmt.Errorf("participant %s: %w", participantID, ErrParticipantNotFound)
	case p.withdrawn:
		return fmt.Errorf("participant %s: %w", participantID, ErrParticipantWithdrawn)
	}
	return nil
}

func (c *Cohort) checkGroup(doing, cohortID, groupID string, members []string, at time.Time) error {
	if err := domain.Validate(
		domain.RequireID("cohortId", cohortID),
		domain.RequireID("groupId", groupID),
		domain.RequireIDs("memberIds", members, 0),
		domain.RequireTime("at", at),
	); err != nil {
		return fmt.Errorf("%s: %w", doing, err)
	}
	if len(members) < MinGroupSize || len(members) > MaxGroupSize {
		return fmt.Errorf("%s %s of %d: %w", doing, groupID, len(members), ErrGroupSize)
	}
	if err := c.planned(cohortID); err != nil {
		return fmt.Errorf("%s: %w", doing, err)
	}
	for _, m := range members {
		if err := c.active(m); err != nil {
			return fmt.Errorf("%s %s: %w", doing, groupID, err)
		}
	}
	return nil
}

// free returns nil when none of members is in a group other than groupID.
func (c *Cohort) free(groupID string, members []string) error {
	for _, m := range members {
		if g := c.participants[m].group; g != "" && g != groupID {
			return fmt.Errorf("participant %s in group %s: %w", m, g, ErrInOtherGroup)
		}
	}
	return nil
}

func sorted(ids []string) []string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return s
}

func (c *Cohort) record(e domain.Event) {
	c.changes = append(c.changes, e)
	c.apply(e)
}

func (c *Cohort) apply(e domain.Event) {
	switch e := e.(type) {
	case Planned:
		c.id, c.programmeID, c.entityID, c.title = e.CohortID, e.ProgrammeID, e.EntityID, e.Title
		c.modules, c.raterApproval = slices.Clone(e.ModuleIDs), e.RaterApproval
		c.trainerIDs = slices.Clone(e.TrainerIDs)
		c.startsOn, c.endsOn = e.StartsOn, e.EndsOn
	case ParticipantEnrolled:
		c.participants[e.ParticipantID] = &participant{enrolledAt: e.At, name: e.Name, email: e.Email}
	case ParticipantWithdrawn:
		if p, ok := c.participants[e.ParticipantID]; ok {
			p.withdrawn, p.withdrawnAt = true, e.At
			if g := p.group; g != "" {
				p.group = ""
				c.groups[g] = slices.DeleteFunc(slices.Clone(c.groups[g]), func(m string) bool { return m == e.ParticipantID })
			}
		}
	case IntervisionGroupFormed:
		c.setGroup(e.GroupID, e.MemberIDs)
	case IntervisionGroupReformed:
		c.setGroup(e.GroupID, e.MemberIDs)
	case IntervisionGroupDissolved:
		c.setGroup(e.GroupID, nil)
		delete(c.groups, e.GroupID)
	case DeliveryScheduled:
		c.deliveries[e.DeliveryID] = &delivery{moduleID: e.ModuleID, version: e.ModuleVersion, startsAt: e.StartsAt, endsAt: e.EndsAt,
			attendance: map[string]AttendanceStatus{}}
	case AttendanceRecorded:
		if d, ok := c.deliveries[e.DeliveryID]; ok {
			d.attendance[e.ParticipantID] = e.Status
		}
	case IntervisionSessionHeld:
		c.applySession(e)
	case MeasurementClosed:
		closed := e
		closed.ParticipantIDs = slices.Clone(e.ParticipantIDs)
		c.measurement = &closed
	case FiguresFrozen:
		c.figuresFrozen = true
	}
}

// setGroup makes members the members of group, releasing former members.
func (c *Cohort) setGroup(group string, members []string) {
	if group == "" {
		return
	}
	for _, m := range c.groups[group] {
		if p, ok := c.participants[m]; ok && p.group == group {
			p.group = ""
		}
	}
	c.groups[group] = slices.Clone(members)
	for _, m := range members {
		if p, ok := c.participants[m]; ok {
			p.group = group
		}
	}
}
