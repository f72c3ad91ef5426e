package portfolio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// SnapshotSchema is the version of the read model's snapshot encoding.
const SnapshotSchema = 1

var _ projections.Snapshotter = (*ReadModel)(nil)

// A snapshot of the portfolio is a stream of JSON values: a header with the
// checkpoint and the lookups, then one value per journey with its entries.
// A journey keeps the events that shape its portfolio (its history, for "as
// of"), so the snapshot keeps those events, each by its stored name and as
// the JSON of its payload, as the log keeps it; the live folio is derived
// from them and folded again on restore by the same apply, so that Current
// and AsOf answer after a restore exactly as before.
type snapshotHeader struct {
	Checkpoint    projections.CheckpointState  `json:"checkpoint"`
	Versions      map[string]int               `json:"versions"` // event name -> schema version of its payloads
	Journeys      int                          `json:"journeys"` // values that follow
	RoundJourney  map[string]string            `json:"roundJourney"`
	Enrolments    []enrolmentSnap              `json:"enrolments"`
	OfParticipant map[string][]string          `json:"ofParticipant"`
	Pending       []pendingSnap                `json:"pending"`
	Deliveries    map[string][]entrySnap       `json:"deliveries"` // cohort id -> delivery_scheduled events
	Instruments   []threesixty.InstrumentState `json:"instruments"`
	ModuleOfGoal  map[string]string            `json:"moduleOfGoal"`
}

type enrolmentSnap struct {
	CohortID      string `json:"cohortId"`
	ParticipantID string `json:"participantId"`
	JourneyID     string `json:"journeyId"`
}

type pendingSnap struct {
	CohortID      string      `json:"cohortId"`
	ParticipantID string      `json:"participantId"`
	Entries       []entrySnap `json:"entries"`
}

type journeySnap struct {
	ID      string      `json:"id"`
	Entries []entrySnap `json:"entries"`
}

type entrySnap struct {
	At   time.Time       `json:"at,omitzero"`
	Name string          `json:"name"`
	Data json.RawMessage `json:"data"`
}

// SnapshotSchema returns SnapshotSchema.
func (m *ReadModel) SnapshotSchema() uint32 { return SnapshotSchema }

// Snapshot captures the checkpoint, the lookups and every journey's entries
// under the lock. Entries are only ever appended, so the captured slices are
// read outside the lock while Handle appends; events are encoded there too.
// See projections.Snapshotter.
func (m *ReadModel) Snapshot() (uint64, func(io.Writer) error) {
	type journeyRef struct {
		id      string
		entries []entry
	}
	m.mu.RLock()
	cp := m.cp.State()
	hdr := snapshotHeader{Checkpoint: cp, Journeys: len(m.journeys), RoundJourney: make(map[string]string, len(m.roundJourney)),
		Enrolments: make([]enrolmentSnap, 0, len(m.enrolments)), OfParticipant: make(map[string][]string, len(m.ofParticipant)),
		ModuleOfGoal: make(map[string]string, len(m.moduleOfGoal))}
	for k, v := range m.roundJourney {
		hdr.RoundJourney[k] = v
	}
	for k, v := range m.enrolments {
		hdr.Enrolments = append(hdr.Enrolments, enrolmentSnap{CohortID: k.cohortID, ParticipantID: k.participantID, JourneyID: v})
	}
	for k, v := range m.ofParticipant {
		hdr.OfParticipant[k] = append([]string(nil), v...)
	}
	for k, v := range m.moduleOfGoal {
		hdr.ModuleOfGoal[k] = v
	}
	pending := make(map[member][]entry, len(m.pending))
	for k, v := range m.pending {
		pending[k] = v[:len(v):len(v)]
	}
	deliveries := make(map[string][]cohort.DeliveryScheduled, len(m.deliveries))
	for k, v := range m.deliveries {
		deliveries[k] = v[:len(v):len(v)]
	}
	instruments := make([]*threesixty.Instrument, 0, len(m.instruments))
	for _, in := range m.instruments {
		instruments = append(instruments, in)
	}
	journeys := make([]journeyRef, 0, len(m.journeys))
	for id, r := range m.journeys {
		journeys = append(journeys, journeyRef{id: id, entries: r.entries[:len(r.entries):len(r.entries)]})
	}
	m.mu.RUnlock()

	return cp.Position, func(w io.Writer) error {
		codec := projections.NewEventCodec()
		hdr.Versions = codec.Versions()
		encodeEntries := func(es []entry) ([]entrySnap, error) {
			out := make([]entrySnap, len(es))
			for i, en := range es {
				b, err := codec.Encode(en.e)
				if err != nil {
					return nil, err
				}
				out[i] = entrySnap{At: en.at, Name: en.e.EventName(), Data: b}
			}
			return out, nil
		}
		for k, es := range pending {
			snap, err := encodeEntries(es)
			if err != nil {
				return err
			}
			hdr.Pending = append(hdr.Pending, pendingSnap{CohortID: k.cohortID, ParticipantID: k.participantID, Entries: snap})
		}
		hdr.Deliveries = make(map[string][]entrySnap, len(deliveries))
		for k, ds := range deliveries {
			for _, d := range ds {
				b, err := codec.Encode(d)
				if err != nil {
					return err
				}
				hdr.Deliveries[k] = append(hdr.Deliveries[k], entrySnap{Name: d.EventName(), Data: b})
			}
		}
		for _, in := range instruments {
			hdr.Instruments = append(hdr.Instruments, in.State())
		}
		enc := json.NewEncoder(w)
		if err := enc.Encode(&hdr); err != nil {
			return err
		}
		for _, j := range journeys {
			snap, err := encodeEntries(j.entries)
			if err != nil {
				return fmt.Errorf("journey %s: %w", j.id, err)
			}
			if err := enc.Encode(journeySnap{ID: j.id, Entries: snap}); err != nil {
				return err
			}
		}
		return nil
	}
}

// Restore replaces the state of an empty read model with a snapshot's,
// folding every journey's entries into its live folio again; see
// projections.Snapshotter.
func (m *ReadModel) Restore(r io.Reader) error {
	if err := m.restore(r); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return err
		}
		return fmt.Errorf("%s: restore: %w: %w", Name, domain.ErrInvalid, err)
	}
	return nil
}

func (m *ReadModel) restore(r io.Reader) error {
	ctx := context.Background()
	dec := json.NewDecoder(r)
	var hdr snapshotHeader
	if err := dec.Decode(&hdr); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	codec := projections.NewEventCodec()
	decodeEntries := func(es []entrySnap) ([]entry, error) {
		out := make([]entry, len(es))
		for i, s := range es {
			e, err := codec.Decode(s.Name, hdr.Versions[s.Name], s.Data)
			if err != nil {
				return nil, err
			}
			out[i] = entry{at: s.At, e: e}
		}
		return out, nil
	}
	n := New(Config{MinRaters: m.minRaters})
	n.cp = projections.RestoreCheckpoint(hdr.Checkpoint)
	if hdr.RoundJourney != nil {
		n.roundJourney = hdr.RoundJourney
	}
	for _, e := range hdr.Enrolments {
		n.enrolments[member{e.CohortID, e.ParticipantID}] = e.JourneyID
	}
	if hdr.OfParticipant != nil {
		n.ofParticipant = hdr.OfParticipant
	}
	if hdr.ModuleOfGoal != nil {
		n.moduleOfGoal = hdr.ModuleOfGoal
	}
	for _, p := range hdr.Pending {
		es, err := decodeEntries(p.Entries)
		if err != nil {
			return err
		}
		n.pending[member{p.CohortID, p.ParticipantID}] = es
	}
	for id, ds := range hdr.Deliveries {
		for _, s := range ds {
			e, err := codec.Decode(s.Name, hdr.Versions[s.Name], s.Data)
			if err != nil {
				return err
			}
			d, ok := e.(cohort.DeliveryScheduled)
			if !ok {
				return domain.Invalid("snapshot", "delivery of cohort %s is a %s", id, s.Name)
			}
			n.deliveries[id] = append(n.deliveries[id], d)
		}
	}
	for _, in := range hdr.Instruments {
		n.instruments[in.ID] = threesixty.RestoreInstrument(in)
	}
	for range hdr.Journeys {
		var js journeySnap
		if err := dec.Decode(&js); err != nil {
			return fmt.Errorf("journey: %w", err)
		}
		es, err := decodeEntries(js.Entries)
		if err != nil {
			return fmt.Errorf("journey %s: %w", js.ID, err)
		}
		rec := &record{entries: es, live: newFolio(js.ID)}
		for _, en := range es {
			rec.live.apply(ctx, en.e)
		}
		n.journeys[js.ID] = rec
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cp.Position() != 0 {
		return fmt.Errorf("%s: restore: the read model has handled events up to position %d: %w", Name, m.cp.Position(), domain.ErrConflict)
	}
	m.cp, m.journeys, m.roundJourney, m.enrolments, m.ofParticipant = n.cp, n.journeys, n.roundJourney, n.enrolments, n.ofParticipant
	m.pending, m.deliveries, m.instruments, m.moduleOfGoal = n.pending, n.deliveries, n.instruments, n.moduleOfGoal
	return nil
}
