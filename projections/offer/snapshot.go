package offer

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	view "github.com/leerpad/leerpad/domain/offer"
	"github.com/leerpad/leerpad/projections"
)

// SnapshotSchema is the version of the read model's snapshot encoding.
const SnapshotSchema = 2 // 2: the cohorts

var _ projections.Snapshotter = (*ReadModel)(nil)

// snapshot is the read model's state as a snapshot keeps it: the five lists
// as the queries return them, in log order. A programme's emphasis is kept
// for every theme, which answers the same as keeping only the themes set; a
// cohort's programme title is not kept, but looked up when asked, as after
// a replay.
type snapshot struct {
	Checkpoint  projections.CheckpointState `json:"checkpoint"`
	Modules     []view.Module               `json:"modules"`
	Programmes  []view.Programme            `json:"programmes"`
	Instruments []view.Instrument           `json:"instruments"`
	Entities    []view.Entity               `json:"entities"`
	Cohorts     []view.Cohort               `json:"cohorts"`
}

// SnapshotSchema returns SnapshotSchema.
func (m *ReadModel) SnapshotSchema() uint32 { return SnapshotSchema }

// Snapshot captures the lists and the checkpoint at one moment; see
// projections.Snapshotter.
func (m *ReadModel) Snapshot() (uint64, func(io.Writer) error) {
	m.mu.RLock()
	s := snapshot{Checkpoint: projections.CheckpointOf(&m.Frame).State(), Modules: m.modulesLocked(), Programmes: m.programmesLocked(),
		Instruments: m.instrumentsLocked(), Entities: m.entitiesLocked(), Cohorts: m.cohortsLocked()}
	m.mu.RUnlock()
	return s.Checkpoint.Position, func(w io.Writer) error { return json.NewEncoder(w).Encode(&s) }
}

// Restore replaces the state of an empty read model with a snapshot's; see
// projections.Snapshotter.
func (m *ReadModel) Restore(r io.Reader) error {
	var s snapshot
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return fmt.Errorf("%s: restore: %w: %w", Name, domain.ErrInvalid, err)
	}
	fresh := New()
	for _, mod := range s.Modules {
		if _, dup := fresh.modules[mod.ModuleID]; dup || mod.ModuleID == "" {
			return fmt.Errorf("%s: restore: module %q twice or without id: %w", Name, mod.ModuleID, domain.ErrInvalid)
		}
		fresh.modules[mod.ModuleID] = &mod
		fresh.moduleIDs = append(fresh.moduleIDs, mod.ModuleID)
	}
	for _, p := range s.Programmes {
		if _, dup := fresh.programmes[p.ProgrammeID]; dup || p.ProgrammeID == "" {
			return fmt.Errorf("%s: restore: programme %q twice or without id: %w", Name, p.ProgrammeID, domain.ErrInvalid)
		}
		kept := &programme{Programme: p, emphasis: make(map[catalogue.Theme]catalogue.Emphasis, len(p.Emphasis))}
		for _, te := range p.Emphasis {
			kept.emphasis[te.Theme] = te.Emphasis
		}
		kept.Emphasis = nil // the map holds it; Programmes builds the list
		fresh.programmes[p.ProgrammeID] = kept
		fresh.programIDs = append(fresh.programIDs, p.ProgrammeID)
	}
	for _, in := range s.Instruments {
		if _, dup := fresh.instruments[in.InstrumentID]; dup || in.InstrumentID == "" {
			return fmt.Errorf("%s: restore: instrument %q twice or without id: %w", Name, in.InstrumentID, domain.ErrInvalid)
		}
		fresh.instruments[in.InstrumentID] = &in
		fresh.instIDs = append(fresh.instIDs, in.InstrumentID)
	}
	for _, en := range s.Entities {
		if _, dup := fresh.entities[en.EntityID]; dup || en.EntityID == "" {
			return fmt.Errorf("%s: restore: entity %q twice or without id: %w", Name, en.EntityID, domain.ErrInvalid)
		}
		fresh.entities[en.EntityID] = &en
		fresh.entityIDs = append(fresh.entityIDs, en.EntityID)
	}
	for _, c := range s.Cohorts {
		if _, dup := fresh.cohorts[c.CohortID]; dup || c.CohortID == "" {
			return fmt.Errorf("%s: restore: cohort %q twice or without id: %w", Name, c.CohortID, domain.ErrInvalid)
		}
		c.ProgrammeTitle = "" // looked up when asked
		fresh.cohorts[c.CohortID] = &c
		fresh.cohortIDs = append(fresh.cohortIDs, c.CohortID)
	}
	return projections.RestoreFrame(&m.Frame, s.Checkpoint, func() {
		m.modules, m.moduleIDs = fresh.modules, fresh.moduleIDs
		m.programmes, m.programIDs = fresh.programmes, fresh.programIDs
		m.instruments, m.instIDs = fresh.instruments, fresh.instIDs
		m.entities, m.entityIDs = fresh.entities, fresh.entityIDs
		m.cohorts, m.cohortIDs = fresh.cohorts, fresh.cohortIDs
	})
}
