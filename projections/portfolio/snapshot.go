package portfolio

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// SnapshotSchema is the version of the read model's snapshot encoding.
// Schema 2 keeps the manager-to-journeys index (schema 1 lost it, so a
// snapshot of schema 1 is not restored: the read model rebuilds).
const SnapshotSchema = 2

var _ projections.Snapshotter = (*ReadModel)(nil)

// The snapshot of the portfolio is a header and the journeys.
//
// A journey keeps the events that shape its portfolio (its history, for "as
// of"), so the snapshot keeps those events, each by its stored name and as
// the JSON of its payload, as the log keeps it; the live folio is derived
// from them and folded again on restore by the same apply, so that Current
// and AsOf answer after a restore exactly as before.
//
// Layout: the header's length (uvarint) and the header (JSON: the
// checkpoint, the lookups, the table of event names); then per journey its
// id, its number of entries, and per entry the time it happened
// (time.MarshalBinary), the index of its event name in the table, and its
// payload, each length-prefixed (uvarint). The payloads are the bulk of the
// snapshot; framing them rather than nesting them in JSON spares a second
// scan of every payload when writing and when reading.
type snapshotHeader struct {
	Checkpoint    projections.CheckpointState  `json:"checkpoint"`
	Names         []string                     `json:"names"`    // event names, indexed by the entries
	Versions      map[string]int               `json:"versions"` // event name -> schema version of its payloads
	Journeys      int                          `json:"journeys"` // journeys that follow the header
	RoundJourney  map[string]string            `json:"roundJourney"`
	Enrolments    []enrolmentSnap              `json:"enrolments"`
	OfParticipant map[string][]string          `json:"ofParticipant"`
	OfManager     map[string][]string          `json:"ofManager"` // in the order the manager took them on
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

type entrySnap struct {
	At   time.Time       `json:"at,omitzero"`
	Name string          `json:"name"`
	Data json.RawMessage `json:"data"`
}

// maxFrame bounds one length-prefixed field of a snapshot, so that a damaged
// length cannot make a restore allocate without bound.
const maxFrame = 64 << 20

// SnapshotSchema returns SnapshotSchema.
func (m *ReadModel) SnapshotSchema() uint32 { return SnapshotSchema }

type journeyRef struct {
	id      string
	entries []entry
}

// Snapshot captures the checkpoint, the lookups and every journey's entries
// under the lock. Entries are only ever appended, so the captured slices are
// read outside the lock while Handle appends; events are encoded there, by
// as many goroutines as there are CPUs. See projections.Snapshotter.
func (m *ReadModel) Snapshot() (uint64, func(io.Writer) error) {
	m.mu.RLock()
	cp := projections.CheckpointOf(&m.Frame).State()
	hdr := snapshotHeader{Checkpoint: cp, Journeys: len(m.journeys), RoundJourney: make(map[string]string, len(m.roundJourney)),
		Enrolments: make([]enrolmentSnap, 0, len(m.enrolments)), OfParticipant: make(map[string][]string, len(m.ofParticipant)),
		OfManager:    make(map[string][]string, len(m.ofManager)),
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
	for k, v := range m.ofManager {
		hdr.OfManager[k] = append([]string(nil), v...)
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
		for n := range hdr.Versions {
			hdr.Names = append(hdr.Names, n)
		}
		slices.Sort(hdr.Names)
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
		hb, err := json.Marshal(&hdr)
		if err != nil {
			return err
		}
		if _, err := w.Write(binary.AppendUvarint(nil, uint64(len(hb)))); err != nil {
			return err
		}
		if _, err := w.Write(hb); err != nil {
			return err
		}
		index := make(map[string]int, len(hdr.Names))
		for i, n := range hdr.Names {
			index[n] = i
		}
		return encodeJourneys(w, codec, index, journeys)
	}
}

// journeysPerChunk is how many journeys one goroutine encodes or decodes at
// a time.
const journeysPerChunk = 64

// encodeJourneys writes the journeys in order, encoded in chunks by as many
// goroutines as there are CPUs.
func encodeJourneys(w io.Writer, codec *projections.EventCodec, index map[string]int, journeys []journeyRef) error {
	type result struct {
		b   []byte
		err error
	}
	workers := runtime.GOMAXPROCS(0)
	results := make(chan chan result, workers*2) // in order; bounds the chunks in flight
	go func() {
		defer close(results)
		sem := make(chan struct{}, workers)
		for start := 0; start < len(journeys); start += journeysPerChunk {
			chunk := journeys[start:min(start+journeysPerChunk, len(journeys))]
			res := make(chan result, 1)
			results <- res
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				b, err := appendJourneys(nil, codec, index, chunk)
				res <- result{b, err}
			}()
		}
	}()
	var first error
	for res := range results {
		r := <-res
		if first != nil {
			continue // drain, so that the producer ends
		}
		if r.err != nil {
			first = r.err
			continue
		}
		if _, err := w.Write(r.b); err != nil {
			first = err
		}
	}
	return first
}

func appendJourneys(b []byte, codec *projections.EventCodec, index map[string]int, journeys []journeyRef) ([]byte, error) {
	for _, j := range journeys {
		b = binary.AppendUvarint(b, uint64(len(j.id)))
		b = append(b, j.id...)
		b = binary.AppendUvarint(b, uint64(len(j.entries)))
		for _, en := range j.entries {
			at, err := en.at.MarshalBinary()
			if err != nil {
				return nil, fmt.Errorf("journey %s: %w", j.id, err)
			}
			i, ok := index[en.e.EventName()]
			if !ok {
				return nil, fmt.Errorf("journey %s: %w", j.id, domain.Invalid("event", "%q is not a domain event type", en.e.EventName()))
			}
			payload, err := codec.Encode(en.e)
			if err != nil {
				return nil, fmt.Errorf("journey %s: %w", j.id, err)
			}
			b = binary.AppendUvarint(b, uint64(len(at)))
			b = append(b, at...)
			b = binary.AppendUvarint(b, uint64(i))
			b = binary.AppendUvarint(b, uint64(len(payload)))
			b = append(b, payload...)
		}
	}
	return b, nil
}

// Restore replaces the state of an empty read model with a snapshot's,
// folding every journey's entries into its live folio again, by as many
// goroutines as there are CPUs; see projections.Snapshotter.
func (m *ReadModel) Restore(r io.Reader) error {
	if err := m.restore(r); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return err
		}
		return fmt.Errorf("%s: restore: %w: %w", Name, domain.ErrInvalid, err)
	}
	return nil
}

// rawJourney is a journey as read from a snapshot, its events not decoded.
type rawJourney struct {
	id      string
	ats     [][]byte
	names   []int
	payload [][]byte
}

func (m *ReadModel) restore(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	hb, err := readFrame(br)
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	var hdr snapshotHeader
	if err := json.Unmarshal(hb, &hdr); err != nil {
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
	n := New(Config{MinRaters: m.minRaters, GapThreshold: m.gapThreshold})
	if hdr.RoundJourney != nil {
		n.roundJourney = hdr.RoundJourney
	}
	for _, e := range hdr.Enrolments {
		n.enrolments[member{e.CohortID, e.ParticipantID}] = e.JourneyID
	}
	if hdr.OfParticipant != nil {
		n.ofParticipant = hdr.OfParticipant
	}
	if hdr.OfManager != nil {
		n.ofManager = hdr.OfManager
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
	if err := restoreJourneys(br, codec, &hdr, n.journeys); err != nil {
		return err
	}
	return projections.RestoreFrame(&m.Frame, hdr.Checkpoint, func() {
		m.journeys, m.roundJourney, m.enrolments, m.ofParticipant, m.ofManager = n.journeys, n.roundJourney, n.enrolments, n.ofParticipant, n.ofManager
		m.pending, m.deliveries, m.instruments, m.moduleOfGoal = n.pending, n.deliveries, n.instruments, n.moduleOfGoal
	})
}

// restoreJourneys reads hdr.Journeys journeys from br into journeys: one
// goroutine reads the frames, as many as there are CPUs decode the events
// and fold them.
func restoreJourneys(br *bufio.Reader, codec *projections.EventCodec, hdr *snapshotHeader, journeys map[string]*record) error {
	workers := runtime.GOMAXPROCS(0)
	chunks := make(chan []rawJourney, workers*2)
	var mu sync.Mutex
	var first error
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return first != nil
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			ctx := context.Background()
			for chunk := range chunks {
				if failed() {
					continue
				}
				done := make(map[string]*record, len(chunk))
				for _, rj := range chunk {
					rec, err := decodeJourney(ctx, codec, hdr, rj)
					if err != nil {
						fail(err)
						break
					}
					done[rj.id] = rec
				}
				mu.Lock()
				for id, rec := range done {
					journeys[id] = rec
				}
				mu.Unlock()
			}
		})
	}
	var readErr error
	chunk := make([]rawJourney, 0, journeysPerChunk)
	for i := 0; i < hdr.Journeys && !failed(); i++ {
		rj, err := readJourney(br, len(hdr.Names))
		if err != nil {
			readErr = fmt.Errorf("journey %d of %d: %w", i+1, hdr.Journeys, err)
			break
		}
		if chunk = append(chunk, rj); len(chunk) == journeysPerChunk {
			chunks <- chunk
			chunk = make([]rawJourney, 0, journeysPerChunk)
		}
	}
	if len(chunk) > 0 && readErr == nil {
		chunks <- chunk
	}
	close(chunks)
	wg.Wait()
	if readErr != nil {
		return readErr
	}
	if first != nil {
		return first
	}
	if len(journeys) != hdr.Journeys {
		return fmt.Errorf("%d journeys restored, the header says %d (a journey twice?)", len(journeys), hdr.Journeys)
	}
	return nil
}

func decodeJourney(ctx context.Context, codec *projections.EventCodec, hdr *snapshotHeader, rj rawJourney) (*record, error) {
	rec := &record{entries: make([]entry, len(rj.payload)), live: newFolio(rj.id)}
	for i := range rj.payload {
		name := hdr.Names[rj.names[i]]
		e, err := codec.Decode(name, hdr.Versions[name], rj.payload[i])
		if err != nil {
			return nil, fmt.Errorf("journey %s: %w", rj.id, err)
		}
		var at time.Time
		if err := at.UnmarshalBinary(rj.ats[i]); err != nil {
			return nil, fmt.Errorf("journey %s: time of %s: %w", rj.id, name, err)
		}
		rec.entries[i] = entry{at: at, e: e}
		rec.live.apply(ctx, e)
	}
	return rec, nil
}

func readJourney(br *bufio.Reader, names int) (rawJourney, error) {
	id, err := readFrame(br)
	if err != nil {
		return rawJourney{}, fmt.Errorf("id: %w", err)
	}
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return rawJourney{}, fmt.Errorf("entries: %w", err)
	}
	if n > maxFrame {
		return rawJourney{}, fmt.Errorf("%d entries: too many", n)
	}
	rj := rawJourney{id: string(id), ats: make([][]byte, 0, n), names: make([]int, 0, n), payload: make([][]byte, 0, n)}
	for range n {
		at, err := readFrame(br)
		if err != nil {
			return rj, fmt.Errorf("journey %s: %w", rj.id, err)
		}
		i, err := binary.ReadUvarint(br)
		if err != nil {
			return rj, fmt.Errorf("journey %s: %w", rj.id, err)
		}
		if i >= uint64(names) {
			return rj, fmt.Errorf("journey %s: event name %d of %d", rj.id, i, names)
		}
		payload, err := readFrame(br)
		if err != nil {
			return rj, fmt.Errorf("journey %s: %w", rj.id, err)
		}
		rj.ats, rj.names, rj.payload = append(rj.ats, at), append(rj.names, int(i)), append(rj.payload, payload) //nolint:gosec // i < names
	}
	return rj, nil
}

// readFrame reads a uvarint length and that many bytes.
func readFrame(br *bufio.Reader) ([]byte, error) {
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, err
	}
	if n > maxFrame {
		return nil, fmt.Errorf("a field of %d bytes: too long", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(br, b); err != nil {
		return nil, err
	}
	return b, nil
}
