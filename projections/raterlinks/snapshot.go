package raterlinks

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/projections"
)

// SnapshotSchema is the version of the read model's snapshot encoding.
const SnapshotSchema = 1

var _ projections.Snapshotter = (*ReadModel)(nil)

// snapshot is the read model's state as a snapshot keeps it.
type snapshot struct {
	Checkpoint projections.CheckpointState  `json:"checkpoint"`
	Links      []Link                       `json:"links"`
	ByRound    map[string]map[string]string `json:"byRound"`
}

// SnapshotSchema returns SnapshotSchema.
func (m *ReadModel) SnapshotSchema() uint32 { return SnapshotSchema }

// Snapshot captures the links and the checkpoint; see
// projections.Snapshotter.
func (m *ReadModel) Snapshot() (uint64, func(io.Writer) error) {
	m.mu.RLock()
	s := snapshot{Checkpoint: projections.CheckpointOf(&m.Frame).State(), Links: make([]Link, 0, len(m.byHash)), ByRound: make(map[string]map[string]string, len(m.byRound))}
	for _, l := range m.byHash {
		s.Links = append(s.Links, l)
	}
	for round, raters := range m.byRound {
		c := make(map[string]string, len(raters))
		for k, v := range raters {
			c[k] = v
		}
		s.ByRound[round] = c
	}
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
	byHash := make(map[string]Link, len(s.Links))
	for _, l := range s.Links {
		byHash[l.TokenHash] = l
	}
	if s.ByRound == nil {
		s.ByRound = map[string]map[string]string{}
	}
	return projections.RestoreFrame(&m.Frame, s.Checkpoint, func() { m.byHash, m.byRound = byHash, s.ByRound })
}
