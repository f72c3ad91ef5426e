// Package access holds every access rule of Leerpad in one place: who may do
// what to which resource. Decide is a pure function over a table (policy); the
// API asks it before each command or query and turns a denial into 403.
//
// The rules come from shared/DOMAIN.md ("Rules that protect people"):
//
//   - participants act on their own journeys only;
//   - a journey ends by completion (the programme office) or withdrawal (the
//     participant, or the programme office for them); the programme office
//     records a participant's new manager, and a manager sees a summary of
//     the journeys they manage now: which sections are shared, not more;
//   - managers read only the sections their own participants share with them
//     (access ends the moment sharing is revoked or the manager changes), and
//     record and confirm development conversations with their own participants;
//   - trainers record attendance, assignments, intervision and coaching, run
//     the intervision groups, and read the dashboards, of their own cohorts;
//     they read back what they record on a participant's journey (an
//     assignment without the participant's reflection, a coaching session,
//     an instrument's result), never the rest of the portfolio;
//   - the programme office manages the catalogue, programmes, ordering
//     entities and their orders, cohorts and enrolment and reads dashboards,
//     change measurements and CSV exports, but never a named participant's
//     reflections or any individual 360 answer;
//   - a participant follows their own 360 rounds (raters, approvals,
//     responses counted per group); their manager sees only the raters
//     awaiting the manager's decision;
//   - the members of an intervision group record and read its sessions;
//     what was said in them (the case) is confidential to the group: its
//     members read it, nobody else, not even the trainers;
//   - a 360 rater reaches the answer form of one round through a personal,
//     expiring link, and nothing else;
//   - individual 360 answers are shown to nobody;
//   - impact figures of released cohorts are the programme office's; a
//     trainer sees the reaction and behaviour figures of their own cohorts;
//     an individual reliable-change value is its participant's alone.
//   - a person (participant or manager) has themselves erased and gets all
//     their data; the programme office does both on their request, and sets
//     each programme's retention; only the participant reads who read their
//     portfolio.
//
// Decide knows only facts: the caller looks them up (from read models) and
// passes them in a Resource. Missing facts never grant access.
package access

import (
	"fmt"
	"slices"
	"time"
)

// Role is what a principal acts as. It is a closed set: nobody can invent a
// role, and ParseRole accepts only the roles a bearer token may carry.
type Role struct{ name string }

// The roles.
var (
	RoleParticipant     = Role{"participant"}
	RoleManager         = Role{"manager"}
	RoleTrainer         = Role{"trainer"}
	RoleProgrammeOffice = Role{"programme-office"}
	// RoleRater is held only by a principal made from a rater link
	// (RaterLink.Principal); no token can carry it.
	RoleRater = Role{"rater"}
)

// Roles returns every role, raters last.
func Roles() []Role {
	return []Role{RoleParticipant, RoleManager, RoleTrainer, RoleProgrammeOffice, RoleRater}
}

// TokenRoles returns the roles a bearer token may carry: every role but the rater's.
func TokenRoles() []Role {
	return []Role{RoleParticipant, RoleManager, RoleTrainer, RoleProgrammeOffice}
}

// ParseRole returns the token role named s. The rater role is not a token
// role: raters come in through links.
func ParseRole(s string) (Role, error) {
	for _, r := range TokenRoles() {
		if r.name == s {
			return r, nil
		}
	}
	return Role{}, fmt.Errorf("unknown role %q (one of participant, manager, trainer, programme-office)", s)
}

// String returns the role's name.
func (r Role) String() string { return r.name }

// IsZero reports whether r is unset.
func (r Role) IsZero() bool { return r == Role{} }

// Action is what a principal wants to do with a resource. A closed set.
type Action struct{ name string }

// The actions.
var (
	// ActionRead reads a resource or a list of them.
	ActionRead = Action{"read"}
	// ActionWrite records, changes or removes: every command but a confirmation.
	ActionWrite = Action{"write"}
	// ActionConfirm confirms what another party recorded: a development
	// conversation, or a rater nominated by the participant.
	ActionConfirm = Action{"confirm"}
)

// Actions returns every action.
func Actions() []Action { return []Action{ActionRead, ActionWrite, ActionConfirm} }

// String returns the action's name.
func (a Action) String() string { return a.name }

// Kind is the kind of resource an action is on. A closed set; every route of
// the API maps to exactly one kind.
type Kind struct{ name string }

// The resource kinds.
var (
	// KindJourney is a participant's journey and what they record on it:
	// learning goals, behaviour choices, why and values, experiments, hand-ins,
	// module evaluations, sharing with the manager.
	KindJourney = Kind{"journey"}
	// KindPortfolio is a participant's whole portfolio, reflections included,
	// also "as of" a past date.
	KindPortfolio = Kind{"portfolio"}
	// KindPortfolioSection is one shareable section of a portfolio.
	KindPortfolioSection = Kind{"portfolio-section"}
	// KindReflection is a reflection on an experiment or an assignment.
	KindReflection = Kind{"reflection"}
	// KindDevelopmentConversation is a development conversation between a
	// participant and their manager, with its agreements.
	KindDevelopmentConversation = Kind{"development-conversation"}
	// KindFeedbackRound is a participant's 360 round: opening it, nominating
	// raters (participant) and approving them (manager, as "confirm").
	// Reading it shows its state, the raters nominated with their approval
	// and the responses counted per group: the participant's alone.
	KindFeedbackRound = Kind{"feedback-round"}
	// KindRaterDecision is what a manager reads of a 360 round: the raters
	// awaiting their decision (id, group, when nominated), nothing of the
	// responses.
	KindRaterDecision = Kind{"rater-decision"}
	// KindSelfAssessment is the participant's own answers in a 360 round.
	KindSelfAssessment = Kind{"self-assessment"}
	// KindFeedbackAnswers is one rater's individual 360 answers. Nobody reads
	// them; results appear only aggregated per rater group.
	KindFeedbackAnswers = Kind{"feedback-answers"}
	// KindRaterForm is the answer form of a 360 round, reached through a rater link.
	KindRaterForm = Kind{"rater-form"}
	// KindAttendance is the attendance of a cohort's module deliveries.
	KindAttendance = Kind{"attendance"}
	// KindAssignment is a practice assignment given to a cohort's participants.
	KindAssignment = Kind{"assignment"}
	// KindIntervisionSession is an intervision session of a cohort's group:
	// when, who attended, who brought in a case, the method.
	KindIntervisionSession = Kind{"intervision-session"}
	// KindIntervisionCase is what was said in an intervision session: the
	// summary of the case brought in. Confidential to the group.
	KindIntervisionCase = Kind{"intervision-case"}
	// KindCoachingSession is a coaching session with a cohort's participant.
	KindCoachingSession = Kind{"coaching-session"}
	// KindCohortDashboard is the dashboard of one cohort.
	KindCohortDashboard = Kind{"cohort-dashboard"}
	// KindChangeMeasurement is a behaviour-change measurement (aggregates only).
	KindChangeMeasurement = Kind{"change-measurement"}
	// KindExport is a CSV export of aggregates.
	KindExport = Kind{"export"}
	// KindCatalogue is the module catalogue and its 360 instruments.
	KindCatalogue = Kind{"catalogue"}
	// KindProgramme is a programme (trajectory) of modules.
	KindProgramme = Kind{"programme"}
	// KindCohort is a cohort: dates, trainers, intervision groups, deliveries.
	KindCohort = Kind{"cohort"}
	// KindCohortList is the list of cohorts. Who may list them is decided
	// on this kind; which cohorts the list shows them, on KindCohort, one
	// by one: the programme office every cohort, a trainer their own.
	KindCohortList = Kind{"cohort-list"}
	// KindEnrolment is the enrolment of participants in a cohort: who is
	// enrolled, their journey's id, role, manager and status, never what
	// they record. The programme office follows there what it writes on a
	// journey, for it reads no journey.
	KindEnrolment = Kind{"enrolment"}
	// KindIntervisionGroup is an intervision group of a cohort: who meets
	// with whom. Its members, never what is said in it.
	KindIntervisionGroup = Kind{"intervision-group"}
	// KindEntity is an ordering entity (a department or agency), its orders
	// and its key figures per quarter (absenteeism, staff turnover).
	KindEntity = Kind{"entity"}
)

// The kinds of impact measurement (leerpad.impact/v1): aggregates of
// released cohorts, and the one individual figure, which only its
// participant sees.
var (
	// KindImpact is every impact figure of a population (a cohort, a
	// programme, an ordering entity, an entity within a programme): all
	// four levels.
	KindImpact = Kind{"impact"}
	// KindCohortImpact is a cohort's reaction (level 1) and behaviour
	// (level 3) figures: what a trainer of the cohort may see of it.
	KindCohortImpact = Kind{"cohort-impact"}
	// KindReliableChange is a participant's own change with their
	// reliable-change index.
	KindReliableChange = Kind{"reliable-change"}
	// KindMeasurementClosure is the closure of a cohort's impact
	// measurement: it releases the cohort's figures and freezes the
	// participants it contributes.
	KindMeasurementClosure = Kind{"measurement-closure"}
	// KindLearningRating is a participant's level 2 rating of what they
	// learnt at a delivery: per learning goal, before and now. Theirs to
	// give; others see it only aggregated.
	KindLearningRating = Kind{"learning-rating"}
)

// The kinds of a journey's course: how it ends, who manages it, the results
// of instruments on it, and what a manager sees of it without its content.
var (
	// KindCompletion is the completion of a journey.
	KindCompletion = Kind{"completion"}
	// KindWithdrawal is a participant's withdrawal from a journey and from
	// its cohort.
	KindWithdrawal = Kind{"withdrawal"}
	// KindManagerChange is the change of a participant's manager on a journey.
	KindManagerChange = Kind{"manager-change"}
	// KindMeasurement is the result of an instrument (leadership style,
	// team role, skills) recorded on a journey.
	KindMeasurement = Kind{"measurement"}
	// KindJourneySummary is a journey's summary: participant, cohort,
	// programme, status and the names of the sections shared with the
	// manager; none of their content.
	KindJourneySummary = Kind{"journey-summary"}
)

// The kinds of people's control of their data (GDPR).
var (
	// KindErasure is the erasure of a person (Resource.PersonID).
	KindErasure = Kind{"erasure"}
	// KindPersonalData is everything Leerpad holds of a person, exported.
	KindPersonalData = Kind{"personal-data"}
	// KindReadAudit is who read a participant's portfolio, when, which parts.
	KindReadAudit = Kind{"read-audit"}
	// KindRetention is how long a programme keeps journeys and read audits.
	KindRetention = Kind{"retention"}
)

// Kinds returns every resource kind.
func Kinds() []Kind {
	return []Kind{
		KindJourney, KindPortfolio, KindPortfolioSection, KindReflection, KindDevelopmentConversation,
		KindCompletion, KindWithdrawal, KindManagerChange, KindMeasurement, KindJourneySummary,
		KindFeedbackRound, KindRaterDecision, KindSelfAssessment, KindFeedbackAnswers, KindRaterForm,
		KindAttendance, KindAssignment, KindIntervisionSession, KindIntervisionCase, KindCoachingSession,
		KindCohortDashboard, KindChangeMeasurement, KindExport,
		KindCatalogue, KindProgramme, KindCohort, KindCohortList, KindEnrolment,
		KindIntervisionGroup, KindEntity,
		KindImpact, KindCohortImpact, KindReliableChange,
		KindMeasurementClosure, KindLearningRating,
		KindErasure, KindPersonalData, KindReadAudit, KindRetention,
	}
}

// String returns the kind's name.
func (k Kind) String() string { return k.name }

// Principal is who is asking: the subject of a verified bearer token with its
// roles, or a rater holding a link.
type Principal struct {
	// Subject is the pseudonymous id of the person: the participant, manager,
	// trainer or programme-office id, or the rater id for a rater.
	Subject string
	// Roles are the roles the token grants; a rater has exactly RoleRater.
	Roles []Role
	// RoundID is the 360 round a rater link opens; empty for tokens.
	RoundID string
	// LinkExpiresAt is when a rater link stops working; zero for tokens.
	LinkExpiresAt time.Time
}

// Has reports whether p holds role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// Resource is what Decide needs to know about the resource acted on. The
// caller fills in the facts it knows; an empty fact never grants access.
type Resource struct {
	Kind Kind
	// ParticipantID is the participant whose journey, portfolio, reflection,
	// conversation or 360 round this is.
	ParticipantID string
	// ManagerID is that participant's current manager.
	ManagerID string
	// Shared reports whether the portfolio section is shared with ManagerID
	// right now (false after a revoke or a change of manager).
	Shared bool
	// CohortID is the cohort the resource belongs to.
	CohortID string
	// CohortTrainerIDs are the trainers of CohortID.
	CohortTrainerIDs []string
	// RoundID is the 360 round of a rater form.
	RoundID string
	// GroupMemberIDs are the members, now, of the intervision group the
	// resource belongs to.
	GroupMemberIDs []string
	// PersonID is the person an erasure or an export is about.
	PersonID string
}

// Decision is Decide's answer. Reason says which rule allowed or denied; it
// names no person and may be shown to the caller.
type Decision struct {
	Allowed bool
	Reason  string
}

// relation is a condition between a principal and a resource. It returns
// whether it holds and, when it does not, why.
type relation func(p Principal, r Resource, at time.Time) (bool, string)

// rule grants role the action on kind when the relation holds.
type rule struct {
	kind   Kind
	action Action
	role   Role
	when   relation
	why    string // the reason given when the rule allows
}

// never records that a role is refused a kind outright, with the reason.
type never struct {
	kind   Kind
	role   Role
	reason string
}

// anyone holds for every principal with the rule's role.
func anyone(Principal, Resource, time.Time) (bool, string) { return true, "" }

// self holds when the principal is the participant the resource belongs to.
func self(p Principal, r Resource, _ time.Time) (bool, string) {
	if r.ParticipantID != "" && p.Subject == r.ParticipantID {
		return true, ""
	}
	return false, "participants act on their own journeys only"
}

// person holds when the principal is the person the resource is about.
func person(p Principal, r Resource, _ time.Time) (bool, string) {
	if r.PersonID != "" && p.Subject == r.PersonID {
		return true, ""
	}
	return false, "a person erases and exports their own data only"
}

// managerOf holds when the principal is the participant's current manager.
func managerOf(p Principal, r Resource, _ time.Time) (bool, string) {
	if r.ManagerID != "" && p.Subject == r.ManagerID && r.ParticipantID != "" {
		return true, ""
	}
	return false, "managers act only for their own participants"
}

// managerShared holds when the principal is the participant's current
// manager and the section is shared with them now.
func managerShared(p Principal, r Resource, at time.Time) (bool, string) {
	if ok, why := managerOf(p, r, at); !ok {
		return false, why
	}
	if !r.Shared {
		return false, "the participant does not share this section with their manager (never shared, or sharing revoked)"
	}
	return true, ""
}

// trainerOf holds when the principal trains the resource's cohort.
func trainerOf(p Principal, r Resource, _ time.Time) (bool, string) {
	if r.CohortID != "" && p.Subject != "" && slices.Contains(r.CohortTrainerIDs, p.Subject) {
		return true, ""
	}
	return false, "trainers act only for their own cohorts"
}

// groupMember holds when the principal is a member of the resource's
// intervision group now: a withdrawn or re-formed-out member is not.
func groupMember(p Principal, r Resource, _ time.Time) (bool, string) {
	if p.Subject != "" && slices.Contains(r.GroupMemberIDs, p.Subject) {
		return true, ""
	}
	return false, "intervision is for the members of the group"
}

// raterLink holds when the principal's link opens the resource's round and
// has not expired.
func raterLink(p Principal, r Resource, at time.Time) (bool, string) {
	switch {
	case p.RoundID == "" || r.RoundID == "" || p.RoundID != r.RoundID:
		return false, "a rater link opens the answer form of its own round only"
	case p.LinkExpiresAt.IsZero() || !at.Before(p.LinkExpiresAt):
		return false, "the rater link has expired"
	}
	return true, ""
}

// policy is the access table: every allowed (kind, action, role) with its
// condition. What is not here is denied.
var policy = [...]rule{
	// A participant's own journey.
	{KindJourney, ActionRead, RoleParticipant, self, "participants read their own journey"},
	{KindJourney, ActionWrite, RoleParticipant, self, "participants record on their own journey"},
	{KindPortfolio, ActionRead, RoleParticipant, self, "participants read their own portfolio"},
	{KindPortfolioSection, ActionRead, RoleParticipant, self, "participants read their own portfolio"},
	{KindPortfolioSection, ActionRead, RoleManager, managerShared, "the participant shares this section with their manager"},
	{KindReflection, ActionRead, RoleParticipant, self, "reflections belong to the participant"},
	{KindReflection, ActionWrite, RoleParticipant, self, "reflections belong to the participant"},
	{KindSelfAssessment, ActionRead, RoleParticipant, self, "participants read their own self-assessment"},
	{KindSelfAssessment, ActionWrite, RoleParticipant, self, "participants fill in their own self-assessment"},

	// Development conversations: held by the manager, confirmed by both.
	{KindDevelopmentConversation, ActionRead, RoleParticipant, self, "participants read their own development conversations"},
	{KindDevelopmentConversation, ActionConfirm, RoleParticipant, self, "participants confirm their own development conversations"},
	{KindDevelopmentConversation, ActionRead, RoleManager, managerOf, "managers read the conversations they hold with their own participants"},
	{KindDevelopmentConversation, ActionWrite, RoleManager, managerOf, "managers record conversations with their own participants"},
	{KindDevelopmentConversation, ActionConfirm, RoleManager, managerOf, "managers confirm conversations with their own participants"},

	// A journey's course. The programme office completes journeys and
	// records a new manager (the former manager's access ends with the
	// change: managerOf and managerShared hold for the current manager only,
	// and sharing starts afresh); a participant may withdraw, as may the
	// programme office for them. Instrument results are recorded by the
	// participant or by a trainer of the cohort who administered the
	// instrument. A manager sees a summary of each journey they manage now:
	// which sections are shared, none of their content.
	{KindCompletion, ActionWrite, RoleProgrammeOffice, anyone, "the programme office completes journeys"},
	{KindWithdrawal, ActionWrite, RoleParticipant, self, "participants may withdraw from their own journey"},
	{KindWithdrawal, ActionWrite, RoleProgrammeOffice, anyone, "the programme office records withdrawals"},
	{KindManagerChange, ActionWrite, RoleProgrammeOffice, anyone, "the programme office records a participant's new manager"},
	{KindMeasurement, ActionWrite, RoleParticipant, self, "participants record the results of their own instruments"},
	{KindMeasurement, ActionWrite, RoleTrainer, trainerOf, "trainers record the instruments they administer in their cohorts"},
	{KindMeasurement, ActionRead, RoleTrainer, trainerOf, "trainers read the results of the instruments taken in their cohorts"},
	{KindJourneySummary, ActionRead, RoleParticipant, self, "participants read their own journeys"},
	{KindJourneySummary, ActionRead, RoleManager, managerOf, "managers see which sections their own participants share, never what is not shared"},

	// 360 rounds: the participant opens and nominates, the manager approves raters.
	{KindFeedbackRound, ActionRead, RoleParticipant, self, "participants follow their own 360 rounds"},
	{KindFeedbackRound, ActionWrite, RoleParticipant, self, "participants open their own 360 rounds and nominate raters"},
	{KindFeedbackRound, ActionConfirm, RoleManager, managerOf, "managers approve the raters of their own participants"},
	{KindRaterDecision, ActionRead, RoleManager, managerOf, "managers see the raters of their own participants awaiting their decision"},
	{KindRaterForm, ActionRead, RoleRater, raterLink, "the rater link opens this round's answer form"},
	{KindRaterForm, ActionWrite, RoleRater, raterLink, "the rater link opens this round's answer form"},

	// Trainers, for their own cohorts.
	{KindAttendance, ActionRead, RoleTrainer, trainerOf, "trainers keep the attendance of their cohorts"},
	{KindAttendance, ActionWrite, RoleTrainer, trainerOf, "trainers keep the attendance of their cohorts"},
	{KindAssignment, ActionRead, RoleTrainer, trainerOf, "trainers give the assignments of their cohorts"},
	{KindAssignment, ActionWrite, RoleTrainer, trainerOf, "trainers give the assignments of their cohorts"},
	{KindIntervisionSession, ActionRead, RoleTrainer, trainerOf, "trainers record the intervision of their cohorts"},
	{KindIntervisionSession, ActionWrite, RoleTrainer, trainerOf, "trainers record the intervision of their cohorts"},
	{KindIntervisionSession, ActionRead, RoleParticipant, groupMember, "members read the sessions of their intervision group"},
	{KindIntervisionSession, ActionWrite, RoleParticipant, groupMember, "members record the sessions of their intervision group"},
	{KindIntervisionCase, ActionRead, RoleParticipant, groupMember, "intervision content is confidential to the group"},
	{KindCoachingSession, ActionRead, RoleTrainer, trainerOf, "trainers record the coaching in their cohorts"},
	{KindCoachingSession, ActionWrite, RoleTrainer, trainerOf, "trainers record the coaching in their cohorts"},
	{KindCohortDashboard, ActionRead, RoleTrainer, trainerOf, "trainers read the dashboards of their cohorts"},
	{KindCohort, ActionRead, RoleTrainer, trainerOf, "trainers read their own cohorts"},
	{KindCohortList, ActionRead, RoleTrainer, anyone, "trainers list the cohorts they train"},
	{KindEnrolment, ActionRead, RoleTrainer, trainerOf, "trainers read the enrolment of their cohorts"},

	// The programme office: the offer, the cohorts, and aggregates.
	{KindCohortDashboard, ActionRead, RoleProgrammeOffice, anyone, "the programme office reads every cohort dashboard"},
	{KindChangeMeasurement, ActionRead, RoleProgrammeOffice, anyone, "the programme office reads behaviour-change measurements"},
	{KindExport, ActionRead, RoleProgrammeOffice, anyone, "the programme office exports aggregates"},
	{KindCatalogue, ActionWrite, RoleProgrammeOffice, anyone, "the programme office manages the catalogue"},
	{KindProgramme, ActionWrite, RoleProgrammeOffice, anyone, "the programme office designs programmes"},
	{KindCohort, ActionRead, RoleProgrammeOffice, anyone, "the programme office runs the cohorts"},
	{KindCohort, ActionWrite, RoleProgrammeOffice, anyone, "the programme office runs the cohorts"},
	{KindCohortList, ActionRead, RoleProgrammeOffice, anyone, "the programme office runs the cohorts"},
	{KindEnrolment, ActionRead, RoleProgrammeOffice, anyone, "the programme office enrols participants"},
	{KindEnrolment, ActionWrite, RoleProgrammeOffice, anyone, "the programme office enrols participants"},

	// The offer is visible to everyone who works with it.
	{KindCatalogue, ActionRead, RoleParticipant, anyone, "the catalogue is open to everyone in a programme"},
	{KindCatalogue, ActionRead, RoleManager, anyone, "the catalogue is open to everyone in a programme"},
	{KindCatalogue, ActionRead, RoleTrainer, anyone, "the catalogue is open to everyone in a programme"},
	{KindCatalogue, ActionRead, RoleProgrammeOffice, anyone, "the catalogue is open to everyone in a programme"},
	{KindProgramme, ActionRead, RoleParticipant, anyone, "programmes are open to everyone in a programme"},
	{KindProgramme, ActionRead, RoleManager, anyone, "programmes are open to everyone in a programme"},
	{KindProgramme, ActionRead, RoleTrainer, anyone, "programmes are open to everyone in a programme"},
	{KindProgramme, ActionRead, RoleProgrammeOffice, anyone, "programmes are open to everyone in a programme"},

	// Intervision groups: the programme office and the cohort's trainers,
	// who run the intervision, form and change them. Ordering entities and
	// their orders are the programme office's business.
	{KindIntervisionGroup, ActionRead, RoleTrainer, trainerOf, "trainers run the intervision of their cohorts"},
	{KindIntervisionGroup, ActionWrite, RoleTrainer, trainerOf, "trainers run the intervision of their cohorts"},
	{KindIntervisionGroup, ActionRead, RoleProgrammeOffice, anyone, "the programme office runs the cohorts"},
	{KindIntervisionGroup, ActionWrite, RoleProgrammeOffice, anyone, "the programme office runs the cohorts"},
	{KindEntity, ActionRead, RoleProgrammeOffice, anyone, "the programme office serves the ordering entities"},
	{KindEntity, ActionWrite, RoleProgrammeOffice, anyone, "the programme office serves the ordering entities"},

	// Impact measurement: the programme office every population and level;
	// a trainer the reaction and behaviour figures of their own cohorts; a
	// participant their own reliable change, nobody else ever.
	{KindImpact, ActionRead, RoleProgrammeOffice, anyone, "the programme office reads the impact of released cohorts"},
	{KindCohortImpact, ActionRead, RoleProgrammeOffice, anyone, "the programme office reads the impact of released cohorts"},
	{KindCohortImpact, ActionRead, RoleTrainer, trainerOf, "trainers read the reaction and behaviour figures of their own cohorts"},
	{KindReliableChange, ActionRead, RoleParticipant, self, "a participant's reliable change is theirs alone"},
	// Impact measurement: the programme office releases a cohort's figures
	// by closing its measurement; the participant alone rates what they
	// learnt (level 2), as they evaluate a module.
	{KindMeasurementClosure, ActionWrite, RoleProgrammeOffice, anyone, "the programme office closes the impact measurement of cohorts"},
	{KindLearningRating, ActionRead, RoleParticipant, self, "participants read what they rated on their own journey"},
	{KindLearningRating, ActionWrite, RoleParticipant, self, "participants rate what they learnt on their own journey"},

	// People's control of their data: a participant or manager erases and
	// exports their own; the programme office does so on a person's request
	// (an erasure with a recorded reason) and sets retention. Who read a
	// portfolio is the participant's to see.
	{KindErasure, ActionWrite, RoleParticipant, person, "a person may have themselves erased"},
	{KindErasure, ActionWrite, RoleManager, person, "a person may have themselves erased"},
	{KindErasure, ActionWrite, RoleProgrammeOffice, anyone, "the programme office erases a person on their request, with a reason"},
	{KindErasure, ActionRead, RoleParticipant, person, "a person reads their own erasure"},
	{KindErasure, ActionRead, RoleManager, person, "a person reads their own erasure"},
	{KindErasure, ActionRead, RoleProgrammeOffice, anyone, "the programme office keeps the record of erasures"},
	{KindPersonalData, ActionRead, RoleParticipant, person, "a person gets all their own data"},
	{KindPersonalData, ActionRead, RoleManager, person, "a person gets all their own data"},
	{KindPersonalData, ActionRead, RoleProgrammeOffice, anyone, "the programme office hands a person their data on their request"},
	{KindReadAudit, ActionRead, RoleParticipant, self, "participants see who read their portfolio"},
	{KindRetention, ActionRead, RoleProgrammeOffice, anyone, "the programme office sets how long a programme keeps data"},
	{KindRetention, ActionWrite, RoleProgrammeOffice, anyone, "the programme office sets how long a programme keeps data"},
}

// refusals give the reason for denials that protect people, so that the
// caller (and the log) learns which rule applied.
var refusals = [...]never{
	{KindFeedbackAnswers, Role{}, "individual 360 answers are never shown; results appear only per rater group with enough raters"},
	{KindReflection, RoleProgrammeOffice, "the programme office sees aggregates, never a named participant's reflections"},
	{KindReflection, RoleManager, "reflections belong to the participant; managers read only shared portfolio sections"},
	{KindReflection, RoleTrainer, "reflections belong to the participant"},
	{KindPortfolio, RoleProgrammeOffice, "the programme office sees aggregates, never a named participant's portfolio"},
	{KindPortfolioSection, RoleProgrammeOffice, "the programme office sees aggregates, never a named participant's portfolio"},
	{KindPortfolio, RoleManager, "managers read only the sections their participant shares with them"},
	{KindIntervisionSession, RoleManager, "intervision content is confidential to the group"},
	{KindFeedbackRound, RoleManager, "a manager sees of a 360 round only the raters awaiting their decision, never the responses"},
	{KindIntervisionCase, Role{}, "intervision content is confidential to the group"},
	{KindReliableChange, Role{}, "individual reliable-change values are shown to nobody but the participant"},
	{KindLearningRating, RoleProgrammeOffice, "the programme office sees level 2 ratings only aggregated, never a named participant's"},
	{KindLearningRating, RoleManager, "level 2 ratings are the participant's own"},
	{KindLearningRating, RoleTrainer, "level 2 ratings are the participant's own; trainers see them only aggregated"},
	{KindReadAudit, RoleManager, "who read a portfolio is the participant's to see"},
	{KindReadAudit, RoleProgrammeOffice, "who read a portfolio is the participant's to see"},
}

// Decide reports whether p may do a on r at time at (the time matters for
// expiring rater links). It is the only place where access is decided.
func Decide(p Principal, a Action, r Resource, at time.Time) Decision {
	switch {
	case !slices.Contains(Kinds(), r.Kind):
		return Decision{Reason: "unknown resource kind"}
	case !slices.Contains(Actions(), a):
		return Decision{Reason: "unknown action"}
	case len(p.Roles) == 0:
		return Decision{Reason: "no role"}
	case p.Subject == "":
		return Decision{Reason: "no subject"}
	}
	// A rater holds no other role: a link must never add to a token's rights
	// or the other way round.
	if p.Has(RoleRater) && len(p.Roles) != 1 {
		return Decision{Reason: "a rater link carries no other role"}
	}
	var denied string
	for _, g := range policy {
		if g.kind != r.Kind || g.action != a || !p.Has(g.role) {
			continue
		}
		ok, why := g.when(p, r, at)
		if ok {
			return Decision{Allowed: true, Reason: g.why}
		}
		if denied == "" {
			denied = why
		}
	}
	if denied != "" {
		return Decision{Reason: denied}
	}
	for _, n := range refusals {
		if n.kind == r.Kind && (n.role.IsZero() || p.Has(n.role)) {
			return Decision{Reason: n.reason}
		}
	}
	if p.Has(RoleRater) {
		return Decision{Reason: "a rater link opens its round's answer form and nothing else"}
	}
	return Decision{Reason: fmt.Sprintf("no rule lets %s %s a %s", rolesOf(p), a, r.Kind)}
}

func rolesOf(p Principal) string {
	if len(p.Roles) == 1 {
		return "a " + p.Roles[0].name
	}
	s := "any of"
	for _, r := range p.Roles {
		s += " " + r.name
	}
	return s
}
