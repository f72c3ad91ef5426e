package catalogue

// Invariants of a programme:
//   - a programme is designed once, with a code, a title and at least one
//     module, none twice; at most one emphasis per theme;
//   - a module is in a programme at most once, and a programme keeps at least
//     one module: the last one cannot be removed;
//   - a module is added at a position from 1 to one past the last;
//   - setting an emphasis changes it; a theme's default emphasis is normal;
//   - a retired programme does not change any more.
// That the modules exist and are not retired is checked by ProgrammeService,
// which reads them, because they live in other streams.

import (
	"fmt"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Errors of programmes.
var (
	ErrProgrammeExists      = fmt.Errorf("programme already designed: %w", domain.ErrConflict)
	ErrProgrammeNotFound    = fmt.Errorf("programme not in the catalogue: %w", domain.ErrNotFound)
	ErrProgrammeRetired     = fmt.Errorf("programme is retired: %w", domain.ErrConflict)
	ErrModuleInProgramme    = fmt.Errorf("module already in the programme: %w", domain.ErrConflict)
	ErrModuleNotInProgramme = fmt.Errorf("module not in the programme: %w", domain.ErrNotFound)
	ErrLastModule           = fmt.Errorf("a programme keeps at least one module: %w", domain.ErrConflict)
	ErrEmphasisAlreadySet   = fmt.Errorf("theme already has this emphasis: %w", domain.ErrConflict)
)

// DesignProgramme designs a programme from catalogue modules.
type DesignProgramme struct {
	ProgrammeID   string
	Code          string
	Title         string
	ModuleIDs     []string // in the order they are delivered
	Emphasis      []ThemeEmphasis
	RaterApproval bool // the manager approves 360 raters
	At            time.Time
	domain.Envelope
}

// AddProgrammeModule puts a module into a programme at a position (1 is first).
type AddProgrammeModule struct {
	ProgrammeID string
	ModuleID    string
	Position    int
	At          time.Time
	domain.Envelope
}

// RemoveProgrammeModule takes a module out of a programme.
type RemoveProgrammeModule struct {
	ProgrammeID string
	ModuleID    string
	At          time.Time
	domain.Envelope
}

// SetEmphasis sets how strongly a programme stresses a theme.
type SetEmphasis struct {
	ProgrammeID string
	Theme       Theme
	Emphasis    Emphasis
	At          time.Time
	domain.Envelope
}

// RetireProgramme stops offering a programme.
type RetireProgramme struct {
	ProgrammeID string
	At          time.Time
	domain.Envelope
}

// Programme is an ordered set of modules with an emphasis per theme.
type Programme struct {
	id            string
	code          string
	title         string
	modules       []string
	emphasis      map[Theme]Emphasis
	raterApproval bool
	retired       bool

	loaded  int
	changes []domain.Event
}

// ReplayProgramme rebuilds a programme from its stream. With no events it
// returns a programme that is yet to be designed.
func ReplayProgramme(events ...domain.Event) *Programme {
	p := &Programme{emphasis: map[Theme]Emphasis{}}
	for _, e := range events {
		p.apply(e)
	}
	p.loaded = len(events)
	return p
}

// ID returns the programme's id.
func (p *Programme) ID() string { return p.id }

// Version returns the number of events loaded from the stream.
func (p *Programme) Version() int { return p.loaded }

// Uncommitted returns the events recorded since the programme was loaded.
func (p *Programme) Uncommitted() []domain.Event { return p.changes }

// CatchUp applies events stored after the ones the programme was loaded from
// (another writer's), as Replay would have; nothing may be recorded yet.
func (p *Programme) CatchUp(events ...domain.Event) {
	for _, e := range events {
		p.apply(e)
	}
	p.loaded += len(events)
}

// Committed marks the events recorded since the load as stored: the
// repository calls it after their append, so that the programme can decide the
// next command without being loaded again.
func (p *Programme) Committed() {
	p.loaded += len(p.changes)
	p.changes = nil
}

// ModuleIDs returns the programme's modules in order.
func (p *Programme) ModuleIDs() []string { return slices.Clone(p.modules) }

// Emphasis returns the programme's emphasis on theme.
func (p *Programme) Emphasis(t Theme) Emphasis {
	if e, ok := p.emphasis[t]; ok {
		return e
	}
	return EmphasisNormal
}

// RaterApproval reports whether the participant's manager approves 360 raters.
func (p *Programme) RaterApproval() bool { return p.raterApproval }

// Retired reports whether the programme was retired.
func (p *Programme) Retired() bool { return p.retired }

// Design records the programme.
func (p *Programme) Design(c DesignProgramme) error {
	ps := []*domain.FieldError{
		domain.RequireID("programmeId", c.ProgrammeID),
		domain.RequireLine("code", c.Code, 20),
		domain.RequireLine("title", c.Title, domain.MaxTitle),
		domain.RequireIDs("moduleIds", c.ModuleIDs, 1),
		domain.RequireTime("at", c.At),
	}
	themes := map[Theme]bool{}
	for i, te := range c.Emphasis {
		field := fmt.Sprintf("emphasis[%d]", i)
		switch {
		case te.Theme.IsZero():
			ps = append(ps, domain.Required(field+".theme"))
		case themes[te.Theme]:
			ps = append(ps, domain.Invalid(field+".theme", "%s has an emphasis already", te.Theme))
		}
		if te.Emphasis.IsZero() {
			ps = append(ps, domain.Required(field+".emphasis"))
		}
		themes[te.Theme] = true
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("design programme: %w", err)
	}
	if p.id != "" {
		return fmt.Errorf("design programme %s: %w", c.ProgrammeID, ErrProgrammeExists)
	}
	p.record(ProgrammeDesigned{
		ProgrammeID: c.ProgrammeID, Code: c.Code, Title: c.Title, ModuleIDs: c.ModuleIDs,
		Emphasis: c.Emphasis, RaterApproval: c.RaterApproval, At: c.At,
	})
	return nil
}

// AddModule puts a module into the programme.
func (p *Programme) AddModule(c AddProgrammeModule) error {
	if err := domain.Validate(
		domain.RequireID("programmeId", c.ProgrammeID),
		domain.RequireID("moduleId", c.ModuleID),
		domain.RequireTime("at", c.At),
	); err != nil {
		return fmt.Errorf("add module to programme: %w", err)
	}
	if err := p.changeable(c.ProgrammeID); err != nil {
		return fmt.Errorf("add module to programme: %w", err)
	}
	if slices.Contains(p.modules, c.ModuleID) {
		return fmt.Errorf("add module %s to programme %s: %w", c.ModuleID, p.id, ErrModuleInProgramme)
	}
	if c.Position < 1 || c.Position > len(p.modules)+1 {
		return fmt.Errorf("add module to programme: %w",
			domain.Invalid("position", "must be from 1 to %d", len(p.modules)+1))
	}
	p.record(ProgrammeModuleAdded{ProgrammeID: p.id, ModuleID: c.ModuleID, Position: c.Position, At: c.At})
	return nil
}

// RemoveModule takes a module out of the programme.
func (p *Programme) RemoveModule(c RemoveProgrammeModule) error {
	if err := domain.Validate(
		domain.RequireID("programmeId", c.ProgrammeID),
		domain.RequireID("moduleId", c.ModuleID),
		domain.RequireTime("at", c.At),
	); err != nil {
		return fmt.Errorf("remove module from programme: %w", err)
	}
	if err := p.changeable(c.ProgrammeID); err != nil {
		return fmt.Errorf("remove module from programme: %w", err)
	}
	if !slices.Contains(p.modules, c.ModuleID) {
		return fmt.Errorf("remove module %s from programme %s: %w", c.ModuleID, p.id, ErrModuleNotInProgramme)
	}
	if len(p.modules) == 1 {
		return fmt.Errorf("remove module %s from programme %s: %w", c.ModuleID, p.id, ErrLastModule)
	}
	p.record(ProgrammeModuleRemoved{ProgrammeID: p.id, ModuleID: c.ModuleID, At: c.At})
	return nil
}

// SetEmphasis sets the programme's emphasis on a theme.
func (p *Programme) SetEmphasis(c SetEmphasis) error {
	ps := []*domain.FieldError{domain.RequireID("programmeId", c.ProgrammeID), domain.RequireTime("at", c.At)}
	if c.Theme.IsZero() {
		ps = append(ps, domain.Required("theme"))
	}
	if c.Emphasis.IsZero() {
		ps = append(ps, domain.Required("emphasis"))
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("set emphasis: %w", err)
	}
	if err := p.changeable(c.ProgrammeID); err != nil {
		return fmt.Errorf("set emphasis: %w", err)
	}
	if p.Emphasis(c.Theme) == c.Emphasis {
		return fmt.Errorf("set emphasis of %s to %s: %w", c.Theme, c.Emphasis, ErrEmphasisAlreadySet)
	}
	p.record(ProgrammeEmphasisSet{ProgrammeID: p.id, Theme: c.Theme, Emphasis: c.Emphasis, At: c.At})
	return nil
}

// Retire stops offering the programme.
func (p *Programme) Retire(c RetireProgramme) error {
	if err := domain.Validate(domain.RequireID("programmeId", c.ProgrammeID), domain.RequireTime("at", c.At)); err != nil {
		return fmt.Errorf("retire programme: %w", err)
	}
	if err := p.changeable(c.ProgrammeID); err != nil {
		return fmt.Errorf("retire programme: %w", err)
	}
	p.record(ProgrammeRetired{ProgrammeID: p.id, At: c.At})
	return nil
}

func (p *Programme) changeable(id string) error {
	switch {
	case p.id == "":
		return fmt.Errorf("programme %s: %w", id, ErrProgrammeNotFound)
	case p.retired:
		return fmt.Errorf("programme %s: %w", p.id, ErrProgrammeRetired)
	}
	return nil
}

func (p *Programme) record(e domain.Event) {
	p.changes = append(p.changes, e)
	p.apply(e)
}

func (p *Programme) apply(e domain.Event) {
	switch e := e.(type) {
	case ProgrammeDesigned:
		p.id, p.code, p.title, p.raterApproval = e.ProgrammeID, e.Code, e.Title, e.RaterApproval
		p.modules = slices.Clone(e.ModuleIDs)
		for _, te := range e.Emphasis {
			p.emphasis[te.Theme] = te.Emphasis
		}
	case ProgrammeModuleAdded:
		p.modules = slices.Insert(p.modules, e.Position-1, e.ModuleID)
	case ProgrammeModuleRemoved:
		p.modules = slices.DeleteFunc(p.modules, func(id string) bool { return id == e.ModuleID })
	case ProgrammeEmphasisSet:
		p.emphasis[e.Theme] = e.Emphasis
	case ProgrammeRetired:
		p.retired = true
	}
}

// Code returns the programme's short name, e.g. "BLG".
func (p *Programme) Code() string { return p.code }

// Title returns the programme's title, e.g. "Beginning managers".
func (p *Programme) Title() string { return p.title }
