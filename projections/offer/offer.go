// Package offer is the read model of what the programme office offers and
// who orders it: the catalogue's modules (their current version), the
// programmes of modules with their emphasis per theme, the 360 instruments,
// the ordering entities with their orders, and the cohorts run of the
// programmes for the entities. Each of these lives in a stream of its own
// (module-, programme-, instrument-, entity-, cohort-<uuid>); this read
// model is the index over all of them that the API's list endpoints page
// through.
//
// Lists are in the order things entered the log (a module where it was
// added, an entity where it was registered), and nothing ever leaves them: a
// retired module or programme stays, marked retired, and a cancelled order
// stays, marked cancelled. That keeps the order stable, so an offset into a
// list stays a valid cursor while the list grows at its end.
//
// It holds catalogue content, entity names, ids (a cohort's trainers among
// them) and counts only: no participant, no person's name. A cohort counts
// its participants (enrolled and not withdrawn) without keeping who they are.
package offer

import (
	"context"
	"slices"
	"sync"

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	view "github.com/leerpad/leerpad/domain/offer"
	"github.com/leerpad/leerpad/projections"
)

// Name is the read model's stable name; it keys its checkpoint.
const Name = "offer"

// programme is a programme as the read model keeps it.
type programme struct {
	view.Programme
	emphasis map[catalogue.Theme]catalogue.Emphasis
}

// ReadModel is the offer read model. It is safe for concurrent use: the
// lists are read concurrently with each other and with Handle.
type ReadModel struct {
	projections.Frame

	// mu guards the fields below and the Frame's checkpoint together.
	mu sync.RWMutex

	modules     map[string]*view.Module
	moduleIDs   []string
	programmes  map[string]*programme
	programIDs  []string
	instruments map[string]*view.Instrument
	instIDs     []string
	entities    map[string]*view.Entity
	entityIDs   []string
	cohorts     map[string]*view.Cohort
	cohortIDs   []string
}

var _ projections.Projection = (*ReadModel)(nil)

// New returns an empty read model.
func New() *ReadModel {
	m := &ReadModel{
		modules:     map[string]*view.Module{},
		programmes:  map[string]*programme{},
		instruments: map[string]*view.Instrument{},
		entities:    map[string]*view.Entity{},
		cohorts:     map[string]*view.Cohort{},
	}
	m.Frame = projections.NewFrame(Name, &m.mu)
	return m
}

// Handle applies e once; see projections.Projection.
func (m *ReadModel) Handle(ctx context.Context, ev projections.Event) error {
	return projections.Apply(&m.Frame, ev, func() bool {
		switch e := ev.Data.(type) {
		case catalogue.ModuleAdded:
			m.onModuleAdded(ctx, e)
		case catalogue.ModuleRevised:
			m.onModuleRevised(ctx, e)
		case catalogue.ModuleRetired:
			m.onModuleRetired(ctx, e)
		case catalogue.ProgrammeDesigned:
			m.onProgrammeDesigned(ctx, e)
		case catalogue.ProgrammeModuleAdded:
			m.onProgrammeModuleAdded(ctx, e)
		case catalogue.ProgrammeModuleRemoved:
			m.onProgrammeModuleRemoved(ctx, e)
		case catalogue.ProgrammeEmphasisSet:
			m.onProgrammeEmphasisSet(ctx, e)
		case catalogue.ProgrammeRetired:
			m.onProgrammeRetired(ctx, e)
		case catalogue.EntityRegistered:
			m.onEntityRegistered(ctx, e)
		case catalogue.OrderPlaced:
			m.onOrderPlaced(ctx, e)
		case catalogue.OrderCancelled:
			m.onOrderCancelled(ctx, e)
		case feedback.InstrumentPublished:
			m.onInstrumentPublished(ctx, e)
		case feedback.InstrumentRetired:
			m.onInstrumentRetired(ctx, e)
		case cohort.Planned:
			m.onCohortPlanned(ctx, e)
		case cohort.ParticipantEnrolled:
			m.onParticipantEnrolled(ctx, e)
		case cohort.ParticipantWithdrawn:
			m.onParticipantWithdrawn(ctx, e)
		default:
			return false
		}
		return true
	})
}

// The handlers below ignore an event about something the read model has not
// seen created: the creating event is the first of every stream, so that
// happens only with a log that lost it, and then there is nothing to show.

func (m *ReadModel) onModuleAdded(_ context.Context, e catalogue.ModuleAdded) {
	if _, ok := m.modules[e.ModuleID]; ok {
		return
	}
	m.modules[e.ModuleID] = &view.Module{ModuleID: e.ModuleID, Version: 1, Content: cloneContent(e.Content), AddedAt: e.At, ChangedAt: e.At}
	m.moduleIDs = append(m.moduleIDs, e.ModuleID)
}

func (m *ReadModel) onModuleRevised(_ context.Context, e catalogue.ModuleRevised) {
	if mod, ok := m.modules[e.ModuleID]; ok {
		mod.Version, mod.Content, mod.ChangedAt = e.Version, cloneContent(e.Content), e.At
	}
}

func (m *ReadModel) onModuleRetired(_ context.Context, e catalogue.ModuleRetired) {
	if mod, ok := m.modules[e.ModuleID]; ok {
		mod.Retired, mod.ChangedAt = true, e.At
	}
}

func (m *ReadModel) onProgrammeDesigned(_ context.Context, e catalogue.ProgrammeDesigned) {
	if _, ok := m.programmes[e.ProgrammeID]; ok {
		return
	}
	p := &programme{Programme: view.Programme{ProgrammeID: e.ProgrammeID, Code: e.Code, Title: e.Title, ModuleIDs: slices.Clone(e.ModuleIDs),
		RaterApproval: e.RaterApproval, DesignedAt: e.At, ChangedAt: e.At}, emphasis: map[catalogue.Theme]catalogue.Emphasis{}}
	for _, te := range e.Emphasis {
		p.emphasis[te.Theme] = te.Emphasis
	}
	m.programmes[e.ProgrammeID] = p
	m.programIDs = append(m.programIDs, e.ProgrammeID)
}

func (m *ReadModel) onProgrammeModuleAdded(_ context.Context, e catalogue.ProgrammeModuleAdded) {
	p, ok := m.programmes[e.ProgrammeID]
	if !ok || slices.Contains(p.ModuleIDs, e.ModuleID) {
		return
	}
	pos := min(max(e.Position-1, 0), len(p.ModuleIDs))
	p.ModuleIDs = slices.Insert(p.ModuleIDs, pos, e.ModuleID)
	p.ChangedAt = e.At
}

func (m *ReadModel) onProgrammeModuleRemoved(_ context.Context, e catalogue.ProgrammeModuleRemoved) {
	if p, ok := m.programmes[e.ProgrammeID]; ok {
		p.ModuleIDs = slices.DeleteFunc(p.ModuleIDs, func(id string) bool { return id == e.ModuleID })
		p.ChangedAt = e.At
	}
}

func (m *ReadModel) onProgrammeEmphasisSet(_ context.Context, e catalogue.ProgrammeEmphasisSet) {
	if p, ok := m.programmes[e.ProgrammeID]; ok {
		p.emphasis[e.Theme] = e.Emphasis
		p.ChangedAt = e.At
	}
}

func (m *ReadModel) onProgrammeRetired(_ context.Context, e catalogue.ProgrammeRetired) {
	if p, ok := m.programmes[e.ProgrammeID]; ok {
		p.Retired, p.ChangedAt = true, e.At
	}
}

func (m *ReadModel) onEntityRegistered(_ context.Context, e catalogue.EntityRegistered) {
	if _, ok := m.entities[e.EntityID]; ok {
		return
	}
	m.entities[e.EntityID] = &view.Entity{EntityID: e.EntityID, Name: e.Name, RegisteredAt: e.At}
	m.entityIDs = append(m.entityIDs, e.EntityID)
}

func (m *ReadModel) onOrderPlaced(_ context.Context, e catalogue.OrderPlaced) {
	en, ok := m.entities[e.EntityID]
	if !ok || slices.ContainsFunc(en.Orders, func(o view.Order) bool { return o.OrderID == e.OrderID }) {
		return
	}
	en.Orders = append(en.Orders, view.Order{OrderID: e.OrderID, Kind: e.Kind, ItemID: e.ItemID, Seats: e.Seats, PlacedAt: e.At})
}

func (m *ReadModel) onOrderCancelled(_ context.Context, e catalogue.OrderCancelled) {
	en, ok := m.entities[e.EntityID]
	if !ok {
		return
	}
	if i := slices.IndexFunc(en.Orders, func(o view.Order) bool { return o.OrderID == e.OrderID }); i >= 0 && !en.Orders[i].Cancelled {
		en.Orders[i].Cancelled, en.Orders[i].CancelledAt = true, e.At
	}
}

func (m *ReadModel) onInstrumentPublished(_ context.Context, e feedback.InstrumentPublished) {
	if _, ok := m.instruments[e.InstrumentID]; ok {
		return
	}
	in := &view.Instrument{InstrumentID: e.InstrumentID, Title: e.Title, Points: e.Scale.Points, Competencies: len(e.Competencies), PublishedAt: e.At}
	for _, c := range e.Competencies {
		in.Items += len(c.Items)
	}
	m.instruments[e.InstrumentID] = in
	m.instIDs = append(m.instIDs, e.InstrumentID)
}

func (m *ReadModel) onInstrumentRetired(_ context.Context, e feedback.InstrumentRetired) {
	if in, ok := m.instruments[e.InstrumentID]; ok {
		in.Retired = true
	}
}

func (m *ReadModel) onCohortPlanned(_ context.Context, e cohort.Planned) {
	if _, ok := m.cohorts[e.CohortID]; ok {
		return
	}
	m.cohorts[e.CohortID] = &view.Cohort{CohortID: e.CohortID, ProgrammeID: e.ProgrammeID, EntityID: e.EntityID, Title: e.Title,
		TrainerIDs: slices.Clone(e.TrainerIDs), StartsOn: e.StartsOn, EndsOn: e.EndsOn, PlannedAt: e.At}
	m.cohortIDs = append(m.cohortIDs, e.CohortID)
}

// A participant is enrolled once and withdrawn at most once (the cohort's
// invariants), and Apply hands each event over once, so counting is exact.

func (m *ReadModel) onParticipantEnrolled(_ context.Context, e cohort.ParticipantEnrolled) {
	if c, ok := m.cohorts[e.CohortID]; ok {
		c.Size++
	}
}

func (m *ReadModel) onParticipantWithdrawn(_ context.Context, e cohort.ParticipantWithdrawn) {
	if c, ok := m.cohorts[e.CohortID]; ok && c.Size > 0 {
		c.Size--
	}
}

// Modules returns every module of the catalogue, retired ones included, in
// the order they were added. The result is a copy.
func (m *ReadModel) Modules() []view.Module {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.modulesLocked()
}

// modulesLocked is Modules; the caller holds m.mu.
func (m *ReadModel) modulesLocked() []view.Module {
	out := make([]view.Module, len(m.moduleIDs))
	for i, id := range m.moduleIDs {
		out[i] = *m.modules[id]
		out[i].Content = cloneContent(out[i].Content)
	}
	return out
}

// Programmes returns every programme, retired ones included, in the order
// they were designed. The result is a copy.
func (m *ReadModel) Programmes() []view.Programme {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.programmesLocked()
}

// programmesLocked is Programmes; the caller holds m.mu.
func (m *ReadModel) programmesLocked() []view.Programme {
	out := make([]view.Programme, len(m.programIDs))
	for i, id := range m.programIDs {
		p := m.programmes[id]
		out[i] = p.Programme
		out[i].ModuleIDs = slices.Clone(p.ModuleIDs)
		out[i].Emphasis = make([]catalogue.ThemeEmphasis, 0, len(catalogue.Themes()))
		for _, t := range catalogue.Themes() {
			em, ok := p.emphasis[t]
			if !ok {
				em = catalogue.EmphasisNormal
			}
			out[i].Emphasis = append(out[i].Emphasis, catalogue.ThemeEmphasis{Theme: t, Emphasis: em})
		}
	}
	return out
}

// Instruments returns every 360 instrument, retired ones included, in the
// order they were published.
func (m *ReadModel) Instruments() []view.Instrument {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.instrumentsLocked()
}

// instrumentsLocked is Instruments; the caller holds m.mu.
func (m *ReadModel) instrumentsLocked() []view.Instrument {
	out := make([]view.Instrument, len(m.instIDs))
	for i, id := range m.instIDs {
		out[i] = *m.instruments[id]
	}
	return out
}

// Entities returns every ordering entity with its orders (cancelled ones
// included), in the order they were registered. The result is a copy.
func (m *ReadModel) Entities() []view.Entity {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.entitiesLocked()
}

// entitiesLocked is Entities; the caller holds m.mu.
func (m *ReadModel) entitiesLocked() []view.Entity {
	out := make([]view.Entity, len(m.entityIDs))
	for i, id := range m.entityIDs {
		out[i] = *m.entities[id]
		out[i].Orders = slices.Clone(out[i].Orders)
	}
	return out
}

// Cohorts returns every cohort, in the order they were planned, each with
// its programme's title. The result is a copy.
func (m *ReadModel) Cohorts() []view.Cohort {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.cohortsLocked()
}

// cohortsLocked is Cohorts; the caller holds m.mu.
func (m *ReadModel) cohortsLocked() []view.Cohort {
	out := make([]view.Cohort, len(m.cohortIDs))
	for i, id := range m.cohortIDs {
		out[i] = *m.cohorts[id]
		out[i].TrainerIDs = slices.Clone(out[i].TrainerIDs)
		if p, ok := m.programmes[out[i].ProgrammeID]; ok {
			out[i].ProgrammeTitle = p.Title
		}
	}
	return out
}

func cloneContent(c catalogue.Content) catalogue.Content {
	c.Forms = slices.Clone(c.Forms)
	c.LearningGoals = slices.Clone(c.LearningGoals)
	return c
}
