package catalogue

import (
	"time"

	"github.com/leerpad/leerpad/domain"
)

// The categories of the catalogue's streams, "<category>-<uuid>". They are
// stored in every stream name; never change them.
const (
	// ModuleCategory is the category of a module's stream.
	ModuleCategory = "module"
	// ProgrammeCategory is the category of a programme's stream.
	ProgrammeCategory = "programme"
	// EntityCategory is the category of an ordering entity's stream.
	EntityCategory = "entity"
)

// EventTypes returns the type of every event the catalogue records, for the
// event store's codec.
func EventTypes() []domain.EventType {
	return []domain.EventType{
		domain.NewEventType[ModuleAdded](),
		domain.NewEventType[ModuleRevised](),
		domain.NewEventType[ModuleRetired](),
		domain.NewEventType[ProgrammeDesigned](),
		domain.NewEventType[ProgrammeModuleAdded](),
		domain.NewEventType[ProgrammeModuleRemoved](),
		domain.NewEventType[ProgrammeEmphasisSet](),
		domain.NewEventType[ProgrammeRetired](),
		domain.NewEventType[EntityRegistered](),
		domain.NewEventType[OrderPlaced](),
		domain.NewEventType[OrderCancelled](),
		domain.NewEventType[KeyFiguresRecorded](),
	}
}

// LearningGoal is a behaviour a participant should show after a module.
type LearningGoal struct {
	ID        string `json:"id"`
	Behaviour string `json:"behaviour"`
}

// Content is what one version of a module holds.
type Content struct {
	Title         string         `json:"title"`
	Theme         Theme          `json:"theme"`
	Forms         []DidacticForm `json:"forms"`
	Hours         float64        `json:"hours"` // time investment of a participant
	LearningGoals []LearningGoal `json:"learningGoals"`
}

// ModuleAdded records that a module entered the catalogue as version 1.
type ModuleAdded struct {
	ModuleID string    `json:"moduleId"`
	Content  Content   `json:"content"`
	At       time.Time `json:"at"`
}

// EventName returns "module.added".
func (ModuleAdded) EventName() string { return "module.added" }

// ModuleRevised records a new version of a module, usually after a delivery.
type ModuleRevised struct {
	ModuleID string    `json:"moduleId"`
	Version  int       `json:"version"`
	Content  Content   `json:"content"`
	Reason   string    `json:"reason,omitempty"`
	At       time.Time `json:"at"`
}

// EventName returns "module.revised".
func (ModuleRevised) EventName() string { return "module.revised" }

// ModuleRetired records that a module is no longer offered.
type ModuleRetired struct {
	ModuleID string    `json:"moduleId"`
	At       time.Time `json:"at"`
}

// EventName returns "module.retired".
func (ModuleRetired) EventName() string { return "module.retired" }

// ThemeEmphasis is a programme's emphasis on one theme.
type ThemeEmphasis struct {
	Theme    Theme    `json:"theme"`
	Emphasis Emphasis `json:"emphasis"`
}

// ProgrammeDesigned records a new programme: its modules in order and the
// themes it stresses.
type ProgrammeDesigned struct {
	ProgrammeID string          `json:"programmeId"`
	Code        string          `json:"code"` // short name, e.g. "BLG"
	Title       string          `json:"title"`
	ModuleIDs   []string        `json:"moduleIds"`
	Emphasis    []ThemeEmphasis `json:"emphasis,omitempty"`
	// RaterApproval says whether the participant's manager approves the 360
	// raters the participant nominates.
	RaterApproval bool      `json:"raterApproval"`
	At            time.Time `json:"at"`
}

// EventName returns "programme.designed".
func (ProgrammeDesigned) EventName() string { return "programme.designed" }

// ProgrammeModuleAdded records a module put into a programme at Position
// (1 is first); modules at and after it move one place down.
type ProgrammeModuleAdded struct {
	ProgrammeID string    `json:"programmeId"`
	ModuleID    string    `json:"moduleId"`
	Position    int       `json:"position"`
	At          time.Time `json:"at"`
}

// EventName returns "programme.module_added".
func (ProgrammeModuleAdded) EventName() string { return "programme.module_added" }

// ProgrammeModuleRemoved records a module taken out of a programme.
type ProgrammeModuleRemoved struct {
	ProgrammeID string    `json:"programmeId"`
	ModuleID    string    `json:"moduleId"`
	At          time.Time `json:"at"`
}

// EventName returns "programme.module_removed".
func (ProgrammeModuleRemoved) EventName() string { return "programme.module_removed" }

// ProgrammeEmphasisSet records a programme's emphasis on one theme.
type ProgrammeEmphasisSet struct {
	ProgrammeID string    `json:"programmeId"`
	Theme       Theme     `json:"theme"`
	Emphasis    Emphasis  `json:"emphasis"`
	At          time.Time `json:"at"`
}

// EventName returns "programme.emphasis_set".
func (ProgrammeEmphasisSet) EventName() string { return "programme.emphasis_set" }

// ProgrammeRetired records that a programme is no longer offered.
type ProgrammeRetired struct {
	ProgrammeID string    `json:"programmeId"`
	At          time.Time `json:"at"`
}

// EventName returns "programme.retired".
func (ProgrammeRetired) EventName() string { return "programme.retired" }

// EntityRegistered records an ordering entity: a department or agency that
// orders modules or programmes for its people.
type EntityRegistered struct {
	EntityID string    `json:"entityId"`
	Name     string    `json:"name"`
	At       time.Time `json:"at"`
}

// EventName returns "entity.registered".
func (EntityRegistered) EventName() string { return "entity.registered" }

// OrderPlaced records an entity's order of a module or a programme.
type OrderPlaced struct {
	EntityID string    `json:"entityId"`
	OrderID  string    `json:"orderId"`
	Kind     OrderKind `json:"kind"`
	ItemID   string    `json:"itemId"` // the module or programme ordered
	Seats    int       `json:"seats"`
	At       time.Time `json:"at"`
}

// EventName returns "entity.order_placed".
func (OrderPlaced) EventName() string { return "entity.order_placed" }

// OrderCancelled records that an entity cancelled an order.
type OrderCancelled struct {
	EntityID string    `json:"entityId"`
	OrderID  string    `json:"orderId"`
	At       time.Time `json:"at"`
}

// EventName returns "entity.order_cancelled".
func (OrderCancelled) EventName() string { return "entity.order_cancelled" }

// KeyFiguresRecorded records an ordering entity's key figures for one
// quarter (leerpad.impact/v1 §3, level 4), as the programme office received
// them: absenteeism and staff turnover, each a percentage from 0 to 100, at
// least one given. Recording a quarter again replaces its figures.
type KeyFiguresRecorded struct {
	EntityID       string    `json:"entityId"`
	Quarter        string    `json:"quarter"` // "2025-Q3"
	AbsenteeismPct *float64  `json:"absenteeismPct,omitempty"`
	TurnoverPct    *float64  `json:"turnoverPct,omitempty"`
	At             time.Time `json:"at"`
}

// EventName returns "entity.key_figures_recorded".
func (KeyFiguresRecorded) EventName() string { return "entity.key_figures_recorded" }
