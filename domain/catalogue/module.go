package catalogue

// Invariants of a module:
//   - a module is added once, as version 1;
//   - every version has a title, a theme, at least one didactic form (none
//     twice), a time investment between 0 and 1000 hours (exclusive of 0) and at
//     least one learning goal; learning-goal ids are unique within a version;
//   - a revision is the next version (2, 3, ...) and must change the content:
//     versions are never rewritten, because evaluations refer to them;
//   - a retired module is neither revised nor retired again.

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// Errors of modules.
var (
	ErrModuleExists   = fmt.Errorf("module already added: %w", domain.ErrConflict)
	ErrModuleRetired  = fmt.Errorf("module is retired: %w", domain.ErrConflict)
	ErrNothingRevised = fmt.Errorf("revision changes nothing: %w", domain.ErrConflict)
	ErrModuleNotFound = fmt.Errorf("module: %w", domain.ErrNotFound)
)

// AddModule adds a module to the catalogue.
type AddModule struct {
	ModuleID string
	Content  Content
	At       time.Time
	domain.Envelope
}

// ReviseModule makes the next version of a module.
type ReviseModule struct {
	ModuleID string
	Content  Content
	Reason   string // why it changed, e.g. what the last delivery taught
	At       time.Time
	domain.Envelope
}

// RetireModule takes a module out of the catalogue.
type RetireModule struct {
	ModuleID string
	At       time.Time
	domain.Envelope
}

// Module is a catalogue module with its current version and every version
// it had, which stay readable: evaluations refer to them.
type Module struct {
	id       string
	version  int
	content  Content
	retired  bool
	versions []ModuleVersion

	loaded  int
	changes []domain.Event
}

// ReplayModule rebuilds a module from its stream. With no events it returns a
// module that is yet to be added.
func ReplayModule(events ...domain.Event) *Module {
	m := &Module{}
	for _, e := range events {
		m.apply(e)
	}
	m.loaded = len(events)
	return m
}

// ID returns the module's id.
func (m *Module) ID() string { return m.id }

// Version returns the number of events loaded from the stream, the revision
// the repository expects when it appends.
func (m *Module) Version() int { return m.loaded }

// Uncommitted returns the events recorded since the module was loaded.
func (m *Module) Uncommitted() []domain.Event { return m.changes }

// CatchUp applies events stored after the ones the module was loaded from
// (another writer's), as Replay would have; nothing may be recorded yet.
func (m *Module) CatchUp(events ...domain.Event) {
	for _, e := range events {
		m.apply(e)
	}
	m.loaded += len(events)
}

// Committed marks the events recorded since the load as stored: the
// repository calls it after their append, so that the module can decide the
// next command without being loaded again.
func (m *Module) Committed() {
	m.loaded += len(m.changes)
	m.changes = nil
}

// CurrentVersion returns the number of the module's current version (1 when
// added, one more per revision).
func (m *Module) CurrentVersion() int { return m.version }

// Content returns the content of the current version.
func (m *Module) Content() Content { return m.content }

// ModuleVersion is one version of a module as it was made.
type ModuleVersion struct {
	Version int
	Content Content
	// Reason is why the version was made; empty for version 1.
	Reason string
	At     time.Time
}

// Versions returns every version of the module, from version 1 to the
// current one; the result is a copy.
func (m *Module) Versions() []ModuleVersion {
	out := make([]ModuleVersion, len(m.versions))
	for i, v := range m.versions {
		out[i] = v
		out[i].Content = v.Content.clone()
	}
	return out
}

// VersionOf returns version n of the module as it was made, and whether
// the module has it; the result is a copy.
func (m *Module) VersionOf(n int) (ModuleVersion, bool) {
	i := slices.IndexFunc(m.versions, func(v ModuleVersion) bool { return v.Version == n })
	if i < 0 {
		return ModuleVersion{}, false
	}
	v := m.versions[i]
	v.Content = v.Content.clone()
	return v, true
}

// clone returns a copy of c that shares no slice with it.
func (c Content) clone() Content {
	c.Forms = slices.Clone(c.Forms)
	c.LearningGoals = slices.Clone(c.LearningGoals)
	return c
}

// Retired reports whether the module was retired.
func (m *Module) Retired() bool { return m.retired }

// HasLearningGoal reports whether the current version has the learning goal id.
func (m *Module) HasLearningGoal(id string) bool {
	for _, g := range m.content.LearningGoals {
		if g.ID == id {
			return true
		}
	}
	return false
}

// Add adds the module as version 1.
func (m *Module) Add(c AddModule) error {
	if err := domain.Validate(append([]*domain.FieldError{
		domain.RequireID("moduleId", c.ModuleID),
		domain.RequireTime("at", c.At),
	}, c.Content.problems()...)...); err != nil {
		return fmt.Errorf("add module: %w", err)
	}
	if m.id != "" {
		return fmt.Errorf("add module %s: %w", c.ModuleID, ErrModuleExists)
	}
	m.record(ModuleAdded{ModuleID: c.ModuleID, Content: c.Content, At: c.At})
	return nil
}

// Revise records the next version of the module.
func (m *Module) Revise(c ReviseModule) error {
	if err := domain.Validate(append([]*domain.FieldError{
		domain.RequireID("moduleId", c.ModuleID),
		domain.OptionalText("reason", c.Reason, domain.MaxText),
		domain.RequireTime("at", c.At),
	}, c.Content.problems()...)...); err != nil {
		return fmt.Errorf("revise module: %w", err)
	}
	if err := m.changeable(c.ModuleID); err != nil {
		return fmt.Errorf("revise module: %w", err)
	}
	if reflect.DeepEqual(m.content, c.Content) {
		return fmt.Errorf("revise module %s: %w", m.id, ErrNothingRevised)
	}
	m.record(ModuleRevised{ModuleID: m.id, Version: m.version + 1, Content: c.Content, Reason: c.Reason, At: c.At})
	return nil
}

// Retire takes the module out of the catalogue.
func (m *Module) Retire(c RetireModule) error {
	if err := domain.Validate(
		domain.RequireID("moduleId", c.ModuleID),
		domain.RequireTime("at", c.At),
	); err != nil {
		return fmt.Errorf("retire module: %w", err)
	}
	if err := m.changeable(c.ModuleID); err != nil {
		return fmt.Errorf("retire module: %w", err)
	}
	m.record(ModuleRetired{ModuleID: m.id, At: c.At})
	return nil
}

func (m *Module) changeable(id string) error {
	switch {
	case m.id == "":
		return fmt.Errorf("module %s: %w", id, ErrModuleNotFound)
	case m.retired:
		return fmt.Errorf("module %s: %w", m.id, ErrModuleRetired)
	}
	return nil
}

func (c Content) problems() []*domain.FieldError {
	ps := []*domain.FieldError{domain.RequireLine("content.title", c.Title, domain.MaxTitle)}
	if c.Theme.IsZero() {
		ps = append(ps, domain.Required("content.theme"))
	}
	if len(c.Forms) == 0 {
		ps = append(ps, domain.Invalid("content.forms", "must hold at least one didactic form"))
	}
	seen := map[DidacticForm]bool{}
	for i, f := range c.Forms {
		switch {
		case f.IsZero():
			ps = append(ps, domain.Required(fmt.Sprintf("content.forms[%d]", i)))
		case seen[f]:
			ps = append(ps, domain.Invalid("content.forms", "holds %s twice", f))
		}
		seen[f] = true
	}
	if !(c.Hours > 0 && c.Hours < 1000) {
		ps = append(ps, domain.Invalid("content.hours", "must be more than 0 and less than 1000"))
	}
	if len(c.LearningGoals) == 0 {
		ps = append(ps, domain.Invalid("content.learningGoals", "must hold at least one learning goal"))
	}
	ids := map[string]bool{}
	for i, g := range c.LearningGoals {
		field := fmt.Sprintf("content.learningGoals[%d]", i)
		ps = append(ps,
			domain.RequireID(field+".id", g.ID),
			domain.RequireLine(field+".behaviour", g.Behaviour, domain.MaxTitle*5))
		if ids[g.ID] {
			ps = append(ps, domain.Invalid(field+".id", "%s is used twice", g.ID))
		}
		ids[g.ID] = true
	}
	return ps
}

func (m *Module) record(e domain.Event) {
	m.changes = append(m.changes, e)
	m.apply(e)
}

func (m *Module) apply(e domain.Event) {
	switch e := e.(type) {
	case ModuleAdded:
		m.id, m.version, m.content = e.ModuleID, 1, e.Content
		m.versions = []ModuleVersion{{Version: 1, Content: e.Content.clone(), At: e.At}}
	case ModuleRevised:
		m.version, m.content = e.Version, e.Content
		m.versions = append(m.versions, ModuleVersion{Version: e.Version, Content: e.Content.clone(), Reason: e.Reason, At: e.At})
	case ModuleRetired:
		m.retired = true
	}
}
