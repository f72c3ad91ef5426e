package offer

import (
	"time"

	"github.com/leerpad/leerpad/domain/catalogue"
)

// Module is a catalogue module at its current version.
type Module struct {
	ModuleID string
	// Version is the current version: 1 when added, one more per revision.
	Version int
	Content catalogue.Content
	Retired bool
	// AddedAt is when the module was added; ChangedAt when it was last
	// revised or retired (AddedAt until then).
	AddedAt   time.Time
	ChangedAt time.Time
}

// Programme is a programme (trajectory) of modules.
type Programme struct {
	ProgrammeID string
	Code        string
	Title       string
	// ModuleIDs are the programme's modules in the order they are delivered.
	ModuleIDs []string
	// Emphasis is the programme's emphasis on every theme, in the order of
	// catalogue.Themes(); a theme never set has catalogue.EmphasisNormal.
	Emphasis      []catalogue.ThemeEmphasis
	RaterApproval bool
	Retired       bool
	DesignedAt    time.Time
	ChangedAt     time.Time
}

// Instrument is a published 360 instrument, summarised.
type Instrument struct {
	InstrumentID string
	Title        string
	Points       int // of its frequency scale
	Competencies int
	Items        int
	Retired      bool
	PublishedAt  time.Time
}

// Entity is an ordering entity with its orders, in the order placed.
type Entity struct {
	EntityID     string
	Name         string
	RegisteredAt time.Time
	Orders       []Order
}

// Order is one order of an entity.
type Order struct {
	OrderID     string
	Kind        catalogue.OrderKind
	ItemID      string // the module or programme ordered
	Seats       int
	PlacedAt    time.Time
	Cancelled   bool
	CancelledAt time.Time // zero unless cancelled
}

// Cohort is a run of a programme for an ordering entity, as the list of
// cohorts shows it: what it was planned with and how many take part. It
// names its trainers (by id) and no participant.
type Cohort struct {
	CohortID    string
	ProgrammeID string
	// ProgrammeTitle is the programme's title; empty when the read model has
	// not seen the programme designed.
	ProgrammeTitle string
	EntityID       string
	Title          string
	TrainerIDs     []string
	StartsOn       time.Time
	EndsOn         time.Time
	// Size counts the participants enrolled and not withdrawn.
	Size      int
	PlannedAt time.Time
}
