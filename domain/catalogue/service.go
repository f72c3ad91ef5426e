package catalogue

import (
	"context"
	"fmt"

	"github.com/leerpad/leerpad/domain"
)

// ModuleRepository persists modules as streams module-<uuid>.
//
// Create appends a new module's events to a stream that must not exist yet
// and returns domain.ErrConflict when it does. Update loads the stream, runs
// decide and appends what decide recorded, expecting the revision it loaded;
// it returns domain.ErrNotFound for a missing stream, domain.ErrConflict when
// another writer appended since the load, and decide's own error unchanged.
// Load returns domain.ErrNotFound for a missing stream.
//
// Both take the command's domain.Envelope: its idempotency key gives each
// event a deterministic id (a retried command records nothing twice), its
// actor and correlation id go into the events' metadata, and its Expected
// revision, when set, is the revision the decision must be made on
// (domain.ErrStale otherwise). Both return what they wrote.
type ModuleRepository interface {
	Create(ctx context.Context, m *Module, env domain.Envelope) (domain.Written, error)
	Update(ctx context.Context, id string, env domain.Envelope, decide func(m *Module) error) (domain.Written, error)
	Load(ctx context.Context, id string) (*Module, error)
}

// ProgrammeRepository persists programmes as streams programme-<uuid>, with
// the contract of ModuleRepository.
type ProgrammeRepository interface {
	Create(ctx context.Context, p *Programme, env domain.Envelope) (domain.Written, error)
	Update(ctx context.Context, id string, env domain.Envelope, decide func(p *Programme) error) (domain.Written, error)
	Load(ctx context.Context, id string) (*Programme, error)
}

// EntityRepository persists ordering entities as streams entity-<uuid>, with
// the contract of ModuleRepository.
type EntityRepository interface {
	Create(ctx context.Context, en *Entity, env domain.Envelope) (domain.Written, error)
	Update(ctx context.Context, id string, env domain.Envelope, decide func(en *Entity) error) (domain.Written, error)
}

// ModuleService runs the commands on modules.
type ModuleService struct {
	modules ModuleRepository
}

// NewModuleService returns a ModuleService storing modules in modules.
func NewModuleService(modules ModuleRepository) *ModuleService {
	return &ModuleService{modules: modules}
}

// AddModule adds a module to the catalogue.
func (s *ModuleService) AddModule(ctx context.Context, c AddModule) (domain.Written, error) {
	m := ReplayModule()
	if err := m.Add(c); err != nil {
		return domain.Written{}, err
	}
	w, err := s.modules.Create(ctx, m, c.Envelope)
	if err != nil {
		return w, fmt.Errorf("add module %s: %w", c.ModuleID, err)
	}
	return w, nil
}

// ReviseModule makes the next version of a module.
func (s *ModuleService) ReviseModule(ctx context.Context, c ReviseModule) (domain.Written, error) {
	return s.modules.Update(ctx, c.ModuleID, c.Envelope,
		func(m *Module) error { return m.Revise(c) })
}

// RetireModule takes a module out of the catalogue.
func (s *ModuleService) RetireModule(ctx context.Context, c RetireModule) (domain.Written, error) {
	return s.modules.Update(ctx, c.ModuleID, c.Envelope,
		func(m *Module) error { return m.Retire(c) })
}

// ModuleReader loads modules; ModuleRepository is one.
type ModuleReader interface {
	Load(ctx context.Context, id string) (*Module, error)
}

// ProgrammeReader loads programmes; ProgrammeRepository is one.
type ProgrammeReader interface {
	Load(ctx context.Context, id string) (*Programme, error)
}

// offered returns nil when module id is in the catalogue and not retired.
func offered(ctx context.Context, modules ModuleReader, id string) error {
	m, err := modules.Load(ctx, id)
	if err != nil {
		return err
	}
	if m.Retired() {
		return fmt.Errorf("module %s: %w", id, ErrModuleRetired)
	}
	return nil
}

// ProgrammeService runs the commands on programmes. It reads modules to
// check that a programme only takes modules the catalogue offers.
type ProgrammeService struct {
	programmes ProgrammeRepository
	modules    ModuleReader
}

// NewProgrammeService returns a ProgrammeService storing programmes in
// programmes and reading modules from modules.
func NewProgrammeService(programmes ProgrammeRepository, modules ModuleReader) *ProgrammeService {
	return &ProgrammeService{programmes: programmes, modules: modules}
}

// DesignProgramme designs a programme of offered modules.
func (s *ProgrammeService) DesignProgramme(ctx context.Context, c DesignProgramme) (domain.Written, error) {
	p := ReplayProgramme()
	if err := p.Design(c); err != nil {
		return domain.Written{}, err
	}
	for _, id := range c.ModuleIDs {
		if err := offered(ctx, s.modules, id); err != nil {
			return domain.Written{}, fmt.Errorf("design programme %s: %w", c.ProgrammeID, err)
		}
	}
	w, err := s.programmes.Create(ctx, p, c.Envelope)
	if err != nil {
		return w, fmt.Errorf("design programme %s: %w", c.ProgrammeID, err)
	}
	return w, nil
}

// AddProgrammeModule puts an offered module into a programme. The module is
// read after the programme decided, so that a bad command is refused first.
func (s *ProgrammeService) AddProgrammeModule(ctx context.Context, c AddProgrammeModule) (domain.Written, error) {
	return s.programmes.Update(ctx, c.ProgrammeID, c.Envelope,
		func(p *Programme) error {
			if err := p.AddModule(c); err != nil {
				return err
			}
			if err := offered(ctx, s.modules, c.ModuleID); err != nil {
				return fmt.Errorf("add module to programme %s: %w", c.ProgrammeID, err)
			}
			return nil
		})
}

// RemoveProgrammeModule takes a module out of a programme.
func (s *ProgrammeService) RemoveProgrammeModule(ctx context.Context, c RemoveProgrammeModule) (domain.Written, error) {
	return s.programmes.Update(ctx, c.ProgrammeID, c.Envelope,
		func(p *Programme) error { return p.RemoveModule(c) })
}

// SetEmphasis sets a programme's emphasis on a theme.
func (s *ProgrammeService) SetEmphasis(ctx context.Context, c SetEmphasis) (domain.Written, error) {
	return s.programmes.Update(ctx, c.ProgrammeID, c.Envelope,
		func(p *Programme) error { return p.SetEmphasis(c) })
}

// RetireProgramme stops offering a programme.
func (s *ProgrammeService) RetireProgramme(ctx context.Context, c RetireProgramme) (domain.Written, error) {
	return s.programmes.Update(ctx, c.ProgrammeID, c.Envelope,
		func(p *Programme) error { return p.Retire(c) })
}

// EntityService runs the commands on ordering entities. It reads the
// catalogue to check that an order names an offered module or programme.
type EntityService struct {
	entities   EntityRepository
	modules    ModuleReader
	programmes ProgrammeReader
}

// NewEntityService returns an EntityService storing entities in entities.
func NewEntityService(entities EntityRepository, modules ModuleReader, programmes ProgrammeReader) *EntityService {
	return &EntityService{entities: entities, modules: modules, programmes: programmes}
}

// RegisterEntity registers an ordering entity.
func (s *EntityService) RegisterEntity(ctx context.Context, c RegisterEntity) (domain.Written, error) {
	en := ReplayEntity()
	if err := en.Register(c); err != nil {
		return domain.Written{}, err
	}
	w, err := s.entities.Create(ctx, en, c.Envelope)
	if err != nil {
		return w, fmt.Errorf("register entity %s: %w", c.EntityID, err)
	}
	return w, nil
}

// PlaceOrder orders an offered module or programme for an entity. The item
// is read after the entity decided, so that a bad command is refused first.
func (s *EntityService) PlaceOrder(ctx context.Context, c PlaceOrder) (domain.Written, error) {
	return s.entities.Update(ctx, c.EntityID, c.Envelope,
		func(en *Entity) error {
			if err := en.PlaceOrder(c); err != nil {
				return err
			}
			if err := s.orderable(ctx, c.Kind, c.ItemID); err != nil {
				return fmt.Errorf("place order %s: %w", c.OrderID, err)
			}
			return nil
		})
}

func (s *EntityService) orderable(ctx context.Context, kind OrderKind, id string) error {
	if kind == OrderModule {
		return offered(ctx, s.modules, id)
	}
	p, err := s.programmes.Load(ctx, id)
	if err != nil {
		return err
	}
	if p.Retired() {
		return fmt.Errorf("programme %s: %w", id, ErrProgrammeRetired)
	}
	return nil
}

// RecordKeyFigures records an entity's key figures of a quarter.
func (s *EntityService) RecordKeyFigures(ctx context.Context, c RecordKeyFigures) (domain.Written, error) {
	return s.entities.Update(ctx, c.EntityID, c.Envelope,
		func(en *Entity) error { return en.RecordKeyFigures(c) })
}

// CancelOrder cancels an entity's order.
func (s *EntityService) CancelOrder(ctx context.Context, c CancelOrder) (domain.Written, error) {
	return s.entities.Update(ctx, c.EntityID, c.Envelope,
		func(en *Entity) error { return en.CancelOrder(c) })
}
