package journey

import "github.com/leerpad/leerpad/domain"

// Role is a participant's role, which decides the programme that fits them.
type Role struct{ name string }

// The values of Role.
var (
	RoleBeginningManager = Role{"beginning-manager"} // a beginning manager (BLG)
	RoleCoordinator      = Role{"coordinator"}       // a coordinator without staff responsibility (SMEC)
	RoleSeniorManager    = Role{"senior-manager"}    // a senior manager (masterclass)
)

// Roles returns every Role.
func Roles() []Role { return []Role{RoleBeginningManager, RoleCoordinator, RoleSeniorManager} }

// ParseRole returns the Role named s, or an ErrInvalid naming the allowed values.
func ParseRole(s string) (Role, error) { return domain.ParseOneOf("role", s, Roles()) }

// String returns the stored name.
func (r Role) String() string { return r.name }

// IsZero reports whether r is unset.
func (r Role) IsZero() bool { return r == Role{} }

// MarshalText stores the value by name.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.name), nil }

// UnmarshalText reads a stored name.
func (r *Role) UnmarshalText(b []byte) error { return domain.UnmarshalOneOf(r, "role", b, Roles()) }

// Status is where a journey stands; only an active journey takes new entries.
type Status struct{ name string }

// The values of Status.
var (
	StatusActive    = Status{"active"}
	StatusCompleted = Status{"completed"}
	StatusWithdrawn = Status{"withdrawn"}
)

// Statuses returns every Status.
func Statuses() []Status { return []Status{StatusActive, StatusCompleted, StatusWithdrawn} }

// ParseStatus returns the Status named s, or an ErrInvalid naming the allowed values.
func ParseStatus(s string) (Status, error) { return domain.ParseOneOf("status", s, Statuses()) }

// String returns the stored name.
func (s Status) String() string { return s.name }

// IsZero reports whether s is unset.
func (s Status) IsZero() bool { return s == Status{} }

// MarshalText stores the value by name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.name), nil }

// UnmarshalText reads a stored name.
func (s *Status) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(s, "status", b, Statuses())
}

// Section is a part of the portfolio the participant can share with their manager. Intervision content and raw 360 answers are never a section: they are not shareable.
type Section struct{ name string }

// The values of Section.
var (
	SectionWhyAndValues     = Section{"why-and-values"}
	SectionBehaviourChoices = Section{"behaviour-choices"}
	SectionLearningGoals    = Section{"learning-goals"}
	SectionExperiments      = Section{"experiments"}
	SectionAssignments      = Section{"assignments"}
	SectionCoaching         = Section{"coaching"}
	SectionEvaluations      = Section{"evaluations"}
	SectionMeasurements     = Section{"measurements"}
	SectionFeedbackResults  = Section{"feedback-results"} // aggregated 360 results, never single answers
)

// Sections returns every Section.
func Sections() []Section {
	return []Section{SectionWhyAndValues, SectionBehaviourChoices, SectionLearningGoals, SectionExperiments, SectionAssignments, SectionCoaching, SectionEvaluations, SectionMeasurements, SectionFeedbackResults}
}

// ParseSection returns the Section named s, or an ErrInvalid naming the allowed values.
func ParseSection(s string) (Section, error) { return domain.ParseOneOf("section", s, Sections()) }

// String returns the stored name.
func (s Section) String() string { return s.name }

// IsZero reports whether s is unset.
func (s Section) IsZero() bool { return s == Section{} }

// MarshalText stores the value by name.
func (s Section) MarshalText() ([]byte, error) { return []byte(s.name), nil }

// UnmarshalText reads a stored name.
func (s *Section) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(s, "section", b, Sections())
}

// Choice is what the participant chooses to do with a behaviour (voortzetten, ontwikkelen, doseren, loslaten).
type Choice struct{ name string }

// The values of Choice.
var (
	ChoiceContinue = Choice{"continue"}
	ChoiceDevelop  = Choice{"develop"}
	ChoiceDose     = Choice{"dose"} // temper it
	ChoiceLetGo    = Choice{"let-go"}
)

// Choices returns every Choice.
func Choices() []Choice { return []Choice{ChoiceContinue, ChoiceDevelop, ChoiceDose, ChoiceLetGo} }

// ParseChoice returns the Choice named s, or an ErrInvalid naming the allowed values.
func ParseChoice(s string) (Choice, error) { return domain.ParseOneOf("choice", s, Choices()) }

// String returns the stored name.
func (c Choice) String() string { return c.name }

// IsZero reports whether c is unset.
func (c Choice) IsZero() bool { return c == Choice{} }

// MarshalText stores the value by name.
func (c Choice) MarshalText() ([]byte, error) { return []byte(c.name), nil }

// UnmarshalText reads a stored name.
func (c *Choice) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(c, "choice", b, Choices())
}

// GoalKind is whether a learning goal is phrased as a goal (leeropgave) or a question (leervraag).
type GoalKind struct{ name string }

// The values of GoalKind.
var (
	KindGoal     = GoalKind{"goal"}
	KindQuestion = GoalKind{"question"}
)

// GoalKinds returns every GoalKind.
func GoalKinds() []GoalKind { return []GoalKind{KindGoal, KindQuestion} }

// ParseGoalKind returns the GoalKind named s, or an ErrInvalid naming the allowed values.
func ParseGoalKind(s string) (GoalKind, error) { return domain.ParseOneOf("kind", s, GoalKinds()) }

// String returns the stored name.
func (g GoalKind) String() string { return g.name }

// IsZero reports whether g is unset.
func (g GoalKind) IsZero() bool { return g == GoalKind{} }

// MarshalText stores the value by name.
func (g GoalKind) MarshalText() ([]byte, error) { return []byte(g.name), nil }

// UnmarshalText reads a stored name.
func (g *GoalKind) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(g, "kind", b, GoalKinds())
}

// GoalOutcome is how a learning goal was closed: achieved, or dropped.
type GoalOutcome struct{ name string }

// The values of GoalOutcome.
var (
	OutcomeAchieved = GoalOutcome{"achieved"}
	OutcomeDropped  = GoalOutcome{"dropped"}
)

// GoalOutcomes returns every GoalOutcome.
func GoalOutcomes() []GoalOutcome { return []GoalOutcome{OutcomeAchieved, OutcomeDropped} }

// ParseGoalOutcome returns the GoalOutcome named s, or an ErrInvalid naming the allowed values.
func ParseGoalOutcome(s string) (GoalOutcome, error) {
	return domain.ParseOneOf("outcome", s, GoalOutcomes())
}

// String returns the stored name.
func (o GoalOutcome) String() string { return o.name }

// IsZero reports whether o is unset.
func (o GoalOutcome) IsZero() bool { return o == GoalOutcome{} }

// MarshalText stores the value by name.
func (o GoalOutcome) MarshalText() ([]byte, error) { return []byte(o.name), nil }

// UnmarshalText reads a stored name.
func (o *GoalOutcome) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(o, "outcome", b, GoalOutcomes())
}

// Step is how far an experiment has come; the steps follow in this order.
type Step struct{ name string }

// The values of Step.
var (
	StepPlanned   = Step{"planned"}   // intention logged
	StepTried     = Step{"tried"}     // tried at work
	StepReflected = Step{"reflected"} // outcome and reflection recorded
	StepConcluded = Step{"concluded"} // next step set
)

// Steps returns every Step.
func Steps() []Step { return []Step{StepPlanned, StepTried, StepReflected, StepConcluded} }

// ParseStep returns the Step named s, or an ErrInvalid naming the allowed values.
func ParseStep(s string) (Step, error) { return domain.ParseOneOf("step", s, Steps()) }

// String returns the stored name.
func (s Step) String() string { return s.name }

// IsZero reports whether s is unset.
func (s Step) IsZero() bool { return s == Step{} }

// MarshalText stores the value by name.
func (s Step) MarshalText() ([]byte, error) { return []byte(s.name), nil }

// UnmarshalText reads a stored name.
func (s *Step) UnmarshalText(b []byte) error { return domain.UnmarshalOneOf(s, "step", b, Steps()) }

// Party is who confirms a development conversation.
type Party struct{ name string }

// The values of Party.
var (
	PartyParticipant = Party{"participant"}
	PartyManager     = Party{"manager"}
)

// Parties returns every Party.
func Parties() []Party { return []Party{PartyParticipant, PartyManager} }

// ParseParty returns the Party named s, or an ErrInvalid naming the allowed values.
func ParseParty(s string) (Party, error) { return domain.ParseOneOf("party", s, Parties()) }

// String returns the stored name.
func (p Party) String() string { return p.name }

// IsZero reports whether p is unset.
func (p Party) IsZero() bool { return p == Party{} }

// MarshalText stores the value by name.
func (p Party) MarshalText() ([]byte, error) { return []byte(p.name), nil }

// UnmarshalText reads a stored name.
func (p *Party) UnmarshalText(b []byte) error { return domain.UnmarshalOneOf(p, "party", b, Parties()) }

// MeasurementKind is the kind of instrument a measurement used.
type MeasurementKind struct{ name string }

// The values of MeasurementKind.
var (
	MeasurementLeadershipStyle = MeasurementKind{"leadership-style"}
	MeasurementTeamRole        = MeasurementKind{"team-role"} // e.g. a Belbin profile
	MeasurementSkills          = MeasurementKind{"skills"}
	MeasurementOther           = MeasurementKind{"other"}
)

// MeasurementKinds returns every MeasurementKind.
func MeasurementKinds() []MeasurementKind {
	return []MeasurementKind{MeasurementLeadershipStyle, MeasurementTeamRole, MeasurementSkills, MeasurementOther}
}

// ParseMeasurementKind returns the MeasurementKind named s, or an ErrInvalid naming the allowed values.
func ParseMeasurementKind(s string) (MeasurementKind, error) {
	return domain.ParseOneOf("kind", s, MeasurementKinds())
}

// String returns the stored name.
func (m MeasurementKind) String() string { return m.name }

// IsZero reports whether m is unset.
func (m MeasurementKind) IsZero() bool { return m == MeasurementKind{} }

// MarshalText stores the value by name.
func (m MeasurementKind) MarshalText() ([]byte, error) { return []byte(m.name), nil }

// UnmarshalText reads a stored name.
func (m *MeasurementKind) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(m, "kind", b, MeasurementKinds())
}

// Question is a question of the module evaluation, each scored 1 to 5.
type Question struct{ name string }

// The values of Question.
var (
	QuestionRelevance     = Question{"relevance"}     // relevance to my work
	QuestionContent       = Question{"content"}       // quality of the content
	QuestionTrainer       = Question{"trainer"}       // the trainer or coach
	QuestionMethod        = Question{"method"}        // the didactic approach
	QuestionApplicability = Question{"applicability"} // what I can apply at work
	QuestionOverall       = Question{"overall"}
)

// Questions returns every Question.
func Questions() []Question {
	return []Question{QuestionRelevance, QuestionContent, QuestionTrainer, QuestionMethod, QuestionApplicability, QuestionOverall}
}

// ParseQuestion returns the Question named s, or an ErrInvalid naming the allowed values.
func ParseQuestion(s string) (Question, error) {
	return domain.ParseOneOf("questionId", s, Questions())
}

// String returns the stored name.
func (q Question) String() string { return q.name }

// IsZero reports whether q is unset.
func (q Question) IsZero() bool { return q == Question{} }

// MarshalText stores the value by name.
func (q Question) MarshalText() ([]byte, error) { return []byte(q.name), nil }

// UnmarshalText reads a stored name.
func (q *Question) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(q, "questionId", b, Questions())
}
