package behaviourchange

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// SnapshotSchema is the version of the read model's snapshot encoding.
// Schema 2: a closed round's result weighs each rater equally (IMPACT §1)
// where schema 1 pooled the item scores, and keeps the others composite; a
// closed round keeps no responses to score again, so a snapshot of schema 1
// is not restored: the read model rebuilds from the events.
const SnapshotSchema = 2

var _ projections.Snapshotter = (*ReadModel)(nil)

// snapshot is the read model's state as a snapshot keeps it. Rounds are
// listed once and referred to by index. A journey's measurement data is not
// kept: it is derived from its rounds, and computed again on restore.
type snapshot struct {
	Checkpoint  projections.CheckpointState  `json:"checkpoint"`
	Instruments []threesixty.InstrumentState `json:"instruments"`
	Journeys    []journeySnap                `json:"journeys"`
	Rounds      []roundSnap                  `json:"rounds"`
	RoundIndex  map[string]int               `json:"roundIndex"` // round id -> index into Rounds
	OfCohort    map[string][]string          `json:"ofCohort"`   // cohort id -> journey ids, in enrolment order
}

type journeySnap struct {
	JourneyID     string `json:"journeyId"`
	ParticipantID string `json:"participantId,omitempty"`
	CohortID      string `json:"cohortId,omitempty"`
	ProgrammeID   string `json:"programmeId,omitempty"`
	EntityID      string `json:"entityId,omitempty"`
	Enrolled      bool   `json:"enrolled,omitempty"`
	Rounds        []int  `json:"rounds,omitempty"` // indexes into Rounds
}

type roundSnap struct {
	ID           string                       `json:"id"`
	JourneyID    string                       `json:"journeyId"`
	InstrumentID string                       `json:"instrumentId"`
	Kind         feedback.RoundKind           `json:"kind,omitzero"`
	OpenedAt     time.Time                    `json:"openedAt"`
	Closed       bool                         `json:"closed,omitempty"`
	Responses    []threesixty.Response        `json:"responses,omitempty"`
	Result       []threesixty.CompetencyScore `json:"result,omitempty"`
}

// SnapshotSchema returns SnapshotSchema.
func (m *ReadModel) SnapshotSchema() uint32 { return SnapshotSchema }

// Snapshot copies the journeys and rounds (not the single answers, which
// are never changed, nor the instruments, which never change) and the
// checkpoint under the lock; see projections.Snapshotter.
func (m *ReadModel) Snapshot() (uint64, func(io.Writer) error) {
	m.mu.RLock()
	cp := projections.CheckpointOf(&m.Frame).State()
	instruments := make([]*threesixty.Instrument, 0, len(m.instruments))
	for _, in := range m.instruments {
		instruments = append(instruments, in)
	}
	s := snapshot{Checkpoint: cp, Journeys: make([]journeySnap, 0, len(m.journeys)), RoundIndex: make(map[string]int, len(m.rounds)),
		OfCohort: make(map[string][]string, len(m.ofCohort))}
	index := make(map[*round]int, len(m.rounds))
	add := func(r *round) int {
		if i, ok := index[r]; ok {
			return i
		}
		index[r] = len(s.Rounds)
		s.Rounds = append(s.Rounds, roundSnap{ID: r.id, JourneyID: r.journey.journeyID, InstrumentID: r.instrumentID, Kind: r.kind,
			OpenedAt: r.openedAt, Closed: r.closed, Responses: append([]threesixty.Response(nil), r.responses...), Result: r.result})
		return index[r]
	}
	for _, j := range m.journeys {
		js := journeySnap{JourneyID: j.journeyID, ParticipantID: j.participantID, CohortID: j.cohortID, ProgrammeID: j.programmeID,
			EntityID: j.entityID, Enrolled: j.enrolled}
		for _, r := range j.rounds {
			js.Rounds = append(js.Rounds, add(r))
		}
		s.Journeys = append(s.Journeys, js)
	}
	for id, r := range m.rounds {
		s.RoundIndex[id] = add(r)
	}
	for id, js := range m.ofCohort {
		ids := make([]string, len(js))
		for i, j := range js {
			ids[i] = j.journeyID
		}
		s.OfCohort[id] = ids
	}
	m.mu.RUnlock()
	return cp.Position, func(w io.Writer) error {
		for _, in := range instruments {
			s.Instruments = append(s.Instruments, in.State())
		}
		return json.NewEncoder(w).Encode(&s)
	}
}

// Restore replaces the state of an empty read model with a snapshot's; see
// projections.Snapshotter.
func (m *ReadModel) Restore(r io.Reader) error {
	var s snapshot
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return fmt.Errorf("%s: restore: %w: %w", Name, domain.ErrInvalid, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: restore: %w", Name, domain.Invalid("snapshot", format, args...))
	}
	instruments := make(map[string]*threesixty.Instrument, len(s.Instruments))
	for _, in := range s.Instruments {
		instruments[in.ID] = threesixty.RestoreInstrument(in)
	}
	journeys := make(map[string]*journeyState, len(s.Journeys))
	for _, js := range s.Journeys {
		journeys[js.JourneyID] = &journeyState{journeyID: js.JourneyID, participantID: js.ParticipantID, cohortID: js.CohortID,
			programmeID: js.ProgrammeID, entityID: js.EntityID, enrolled: js.Enrolled}
	}
	all := make([]*round, len(s.Rounds))
	for i, rs := range s.Rounds {
		j, ok := journeys[rs.JourneyID]
		if !ok {
			return bad("round %s of unknown journey %s", rs.ID, rs.JourneyID)
		}
		all[i] = &round{journey: j, id: rs.ID, instrumentID: rs.InstrumentID, kind: rs.Kind, openedAt: rs.OpenedAt, closed: rs.Closed,
			responses: rs.Responses, result: rs.Result}
	}
	at := func(i int) (*round, error) {
		if i < 0 || i >= len(all) {
			return nil, bad("round index %d out of range", i)
		}
		return all[i], nil
	}
	for _, js := range s.Journeys {
		j := journeys[js.JourneyID]
		for _, i := range js.Rounds {
			r, err := at(i)
			if err != nil {
				return err
			}
			j.rounds = append(j.rounds, r)
		}
	}
	rounds := make(map[string]*round, len(s.RoundIndex))
	for id, i := range s.RoundIndex {
		r, err := at(i)
		if err != nil {
			return err
		}
		rounds[id] = r
	}
	ofCohort := make(map[string][]*journeyState, len(s.OfCohort))
	for id, ids := range s.OfCohort {
		for _, jid := range ids {
			j, ok := journeys[jid]
			if !ok {
				return bad("cohort %s lists unknown journey %s", id, jid)
			}
			ofCohort[id] = append(ofCohort[id], j)
		}
	}
	for _, j := range journeys {
		j.data = m.scores(j)
	}
	return projections.RestoreFrame(&m.Frame, s.Checkpoint, func() {
		m.instruments, m.journeys, m.rounds, m.ofCohort = instruments, journeys, rounds, ofCohort
	})
}
