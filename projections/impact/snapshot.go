package impact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/projections"
)

// SnapshotSchema is the version of the read model's snapshot encoding.
const SnapshotSchema = 1

var _ projections.Snapshotter = (*ReadModel)(nil)

// snapshot is the read model's state as a snapshot keeps it: the state
// itself (released cohorts with their frozen blocks included, for they
// cannot be derived again from journeys that changed since) and the
// checkpoint. The indexes and the cache are derived on restore.
type snapshot struct {
	Checkpoint projections.CheckpointState `json:"checkpoint"`
	State      json.RawMessage             `json:"state"`
}

// SnapshotSchema returns SnapshotSchema.
func (m *ReadModel) SnapshotSchema() uint32 { return SnapshotSchema }

// Snapshot encodes the state and the checkpoint under the read lock; see
// projections.Snapshotter.
func (m *ReadModel) Snapshot() (uint64, func(io.Writer) error) {
	m.mu.RLock()
	cp := projections.CheckpointOf(&m.Frame).State()
	state, err := json.Marshal(&m.s)
	m.mu.RUnlock()
	return cp.Position, func(w io.Writer) error {
		if err != nil {
			return fmt.Errorf("%s: snapshot: %w", Name, err)
		}
		return json.NewEncoder(w).Encode(snapshot{Checkpoint: cp, State: state})
	}
}

// Restore replaces the state of an empty read model with a snapshot's; see
// projections.Snapshotter.
func (m *ReadModel) Restore(r io.Reader) error {
	var s snapshot
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return fmt.Errorf("%s: restore: %w: %w", Name, domain.ErrInvalid, err)
	}
	fresh := New()
	if err := json.NewDecoder(bytes.NewReader(s.State)).Decode(&fresh.s); err != nil {
		return fmt.Errorf("%s: restore: %w: %w", Name, domain.ErrInvalid, err)
	}
	for _, r := range fresh.s.Releases {
		if r == nil {
			return fmt.Errorf("%s: restore: %w", Name, domain.Invalid("snapshot", "a released cohort is empty"))
		}
	}
	for id, r := range fresh.s.Rounds {
		if r == nil {
			return fmt.Errorf("%s: restore: %w", Name, domain.Invalid("snapshot", "round %s is empty", id))
		}
	}
	for id, j := range fresh.s.Journeys {
		if j == nil {
			return fmt.Errorf("%s: restore: %w", Name, domain.Invalid("snapshot", "journey %s is empty", id))
		}
	}
	for id, c := range fresh.s.Cohorts {
		if c == nil {
			return fmt.Errorf("%s: restore: %w", Name, domain.Invalid("snapshot", "cohort %s is empty", id))
		}
	}
	fresh.derive()
	return projections.RestoreFrame(&m.Frame, s.Checkpoint, func() {
		m.s, m.instruments, m.byProgramme, m.byEntity = fresh.s, fresh.instruments, fresh.byProgramme, fresh.byEntity
		m.cacheMu.Lock()
		m.cache = map[cacheKey]*computed{}
		m.cacheMu.Unlock()
	})
}
