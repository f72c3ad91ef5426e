package threesixty

// InstrumentState is an Instrument as a snapshot keeps it.
type InstrumentState struct {
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	Points       int            `json:"points"`
	Competencies []Competency   `json:"competencies"`
	Items        map[string]int `json:"items"` // item id -> index into Competencies
}

// State returns a copy of the instrument, for a snapshot.
func (in *Instrument) State() InstrumentState {
	s := InstrumentState{ID: in.ID, Title: in.Title, Points: in.Points, Competencies: append([]Competency(nil), in.Competencies...),
		Items: make(map[string]int, len(in.item))}
	for k, v := range in.item {
		s.Items[k] = v
	}
	return s
}

// RestoreInstrument returns the instrument s describes.
func RestoreInstrument(s InstrumentState) *Instrument {
	in := &Instrument{ID: s.ID, Title: s.Title, Points: s.Points, Competencies: s.Competencies, item: s.Items}
	if in.item == nil {
		in.item = map[string]int{}
	}
	return in
}
