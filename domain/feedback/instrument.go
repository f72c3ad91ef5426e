package feedback

// Invariants of an instrument:
//   - an instrument is published once, with a title, a frequency scale of 2 to
//     10 points (with no labels or one label per point) and at least one
//     competency, each with at least one behaviour item;
//   - competency and item ids are unique within the instrument;
//   - a published instrument does not change; it is retired at most once.

import (
	"fmt"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Errors of instruments.
var (
	ErrInstrumentExists   = fmt.Errorf("instrument already published: %w", domain.ErrConflict)
	ErrInstrumentNotFound = fmt.Errorf("instrument not published: %w", domain.ErrNotFound)
	ErrInstrumentRetired  = fmt.Errorf("instrument is retired: %w", domain.ErrConflict)
)

// PublishInstrument publishes a 360 instrument.
type PublishInstrument struct {
	InstrumentID string
	Title        string
	Scale        Scale
	Competencies []Competency
	At           time.Time
	domain.Envelope
}

// RetireInstrument stops an instrument from opening new rounds.
type RetireInstrument struct {
	InstrumentID string
	At           time.Time
	domain.Envelope
}

// Instrument is a 360 questionnaire: competencies with behaviour items on a
// frequency scale.
type Instrument struct {
	id          string
	points      int
	items       map[string]bool
	competences map[string]bool
	retired     bool
	title       string
	scale       Scale
	content     []Competency // as published: what a rater is asked

	loaded  int
	changes []domain.Event
}

// ReplayInstrument rebuilds an instrument from its stream. With no events it
// returns an instrument that is yet to be published.
func ReplayInstrument(events ...domain.Event) *Instrument {
	in := &Instrument{items: map[string]bool{}, competences: map[string]bool{}}
	for _, e := range events {
		in.apply(e)
	}
	in.loaded = len(events)
	return in
}

// ID returns the instrument's id.
func (in *Instrument) ID() string { return in.id }

// Version returns the number of events loaded from the stream.
func (in *Instrument) Version() int { return in.loaded }

// Uncommitted returns the events recorded since the instrument was loaded.
func (in *Instrument) Uncommitted() []domain.Event { return in.changes }

// CatchUp applies events stored after the ones the instrument was loaded from
// (another writer's), as Replay would have; nothing may be recorded yet.
func (in *Instrument) CatchUp(events ...domain.Event) {
	for _, e := range events {
		in.apply(e)
	}
	in.loaded += len(events)
}

// Committed marks the events recorded since the load as stored: the
// repository calls it after their append, so that the instrument can decide the
// next command without being loaded again.
func (in *Instrument) Committed() {
	in.loaded += len(in.changes)
	in.changes = nil
}

// Retired reports whether the instrument was retired.
func (in *Instrument) Retired() bool { return in.retired }

// Title returns the instrument's title.
func (in *Instrument) Title() string { return in.title }

// Scale returns the frequency scale the items are scored on.
func (in *Instrument) Scale() Scale {
	s := in.scale
	s.Labels = slices.Clone(s.Labels)
	return s
}

// Competencies returns the competencies with their behaviour items, in the
// order they were published: the questions a rater answers. The result is a
// copy.
func (in *Instrument) Competencies() []Competency {
	out := make([]Competency, len(in.content))
	for i, c := range in.content {
		out[i] = Competency{ID: c.ID, Name: c.Name, Items: slices.Clone(c.Items)}
	}
	return out
}

// Points returns the number of points of the instrument's scale.
func (in *Instrument) Points() int { return in.points }

// Publish records the instrument.
func (in *Instrument) Publish(c PublishInstrument) error {
	ps := []*domain.FieldError{
		domain.RequireID("instrumentId", c.InstrumentID),
		domain.RequireLine("title", c.Title, domain.MaxTitle),
		domain.RequireTime("at", c.At),
	}
	if c.Scale.Points < 2 || c.Scale.Points > 10 {
		ps = append(ps, domain.Invalid("scale.points", "must be from 2 to 10"))
	}
	if len(c.Scale.Labels) != 0 && len(c.Scale.Labels) != c.Scale.Points {
		ps = append(ps, domain.Invalid("scale.labels", "must be empty or one per point"))
	}
	for i, l := range c.Scale.Labels {
		ps = append(ps, domain.RequireLine(fmt.Sprintf("scale.labels[%d]", i), l, domain.MaxTitle))
	}
	if len(c.Competencies) == 0 {
		ps = append(ps, domain.Invalid("competencies", "must hold at least one competency"))
	}
	seen := map[string]bool{}
	unique := func(field, id string) {
		if p := domain.RequireID(field, id); p != nil {
			ps = append(ps, p)
		} else if seen[id] {
			ps = append(ps, domain.Invalid(field, "%s is used twice", id))
		}
		seen[id] = true
	}
	for i, comp := range c.Competencies {
		field := fmt.Sprintf("competencies[%d]", i)
		unique(field+".id", comp.ID)
		ps = append(ps, domain.RequireLine(field+".name", comp.Name, domain.MaxTitle))
		if len(comp.Items) == 0 {
			ps = append(ps, domain.Invalid(field+".items", "must hold at least one behaviour item"))
		}
		for k, item := range comp.Items {
			unique(fmt.Sprintf("%s.items[%d].id", field, k), item.ID)
			ps = append(ps, domain.RequireLine(fmt.Sprintf("%s.items[%d].text", field, k), item.Text, domain.MaxTitle*5))
		}
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("publish instrument: %w", err)
	}
	if in.id != "" {
		return fmt.Errorf("publish instrument %s: %w", c.InstrumentID, ErrInstrumentExists)
	}
	in.record(InstrumentPublished{InstrumentID: c.InstrumentID, Title: c.Title, Scale: c.Scale, Competencies: c.Competencies, At: c.At})
	return nil
}

// Retire retires the instrument.
func (in *Instrument) Retire(c RetireInstrument) error {
	if err := domain.Validate(domain.RequireID("instrumentId", c.InstrumentID), domain.RequireTime("at", c.At)); err != nil {
		return fmt.Errorf("retire instrument: %w", err)
	}
	switch {
	case in.id == "":
		return fmt.Errorf("retire instrument %s: %w", c.InstrumentID, ErrInstrumentNotFound)
	case in.retired:
		return fmt.Errorf("retire instrument %s: %w", in.id, ErrInstrumentRetired)
	}
	in.record(InstrumentRetired{InstrumentID: in.id, At: c.At})
	return nil
}

// checkAnswers returns the problems of answers as a response to the
// instrument: every item answered exactly once, with a point of the scale or
// as not observed; comments on the instrument's competencies.
func (in *Instrument) checkAnswers(answers []Answer, comments []Comment) []*domain.FieldError {
	var ps []*domain.FieldError
	answered := map[string]bool{}
	for i, a := range answers {
		field := fmt.Sprintf("answers[%d]", i)
		switch {
		case !in.items[a.ItemID]:
			ps = append(ps, domain.Invalid(field+".itemId", "%q is no item of the instrument", a.ItemID))
		case answered[a.ItemID]:
			ps = append(ps, domain.Invalid(field+".itemId", "%s is answered twice", a.ItemID))
		}
		answered[a.ItemID] = true
		switch {
		case a.NotObserved && a.Score != 0:
			ps = append(ps, domain.Invalid(field+".score", "must be empty when not observed"))
		case !a.NotObserved && (a.Score < 1 || a.Score > in.points):
			ps = append(ps, domain.Invalid(field+".score", "%d is outside the scale 1 to %d", a.Score, in.points))
		}
	}
	if missing := len(in.items) - len(answered); missing > 0 && len(ps) == 0 {
		ps = append(ps, domain.Invalid("answers", "%d item(s) unanswered: answer each, or mark it not observed", missing))
	}
	for i, c := range comments {
		field := fmt.Sprintf("comments[%d]", i)
		if c.CompetencyID != "" && !in.competences[c.CompetencyID] {
			ps = append(ps, domain.Invalid(field+".competencyId", "%q is no competency of the instrument", c.CompetencyID))
		}
		ps = append(ps, domain.RequireText(field+".text", c.Text, domain.MaxText))
	}
	return ps
}

func (in *Instrument) record(e domain.Event) {
	in.changes = append(in.changes, e)
	in.apply(e)
}

func (in *Instrument) apply(e domain.Event) {
	switch e := e.(type) {
	case InstrumentPublished:
		in.id, in.points, in.title, in.scale, in.content = e.InstrumentID, e.Scale.Points, e.Title, e.Scale, e.Competencies
		for _, c := range e.Competencies {
			in.competences[c.ID] = true
			for _, item := range c.Items {
				in.items[item.ID] = true
			}
		}
	case InstrumentRetired:
		in.retired = true
	}
}
