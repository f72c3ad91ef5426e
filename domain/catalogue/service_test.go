package catalogue_test

import (
	"context"
	"errors"
	"testing"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/domaintest"
)

var (
	_ catalogue.ModuleRepository    = (*domaintest.Repo[*catalogue.Module])(nil)
	_ catalogue.ProgrammeRepository = (*domaintest.Repo[*catalogue.Programme])(nil)
	_ catalogue.EntityRepository    = (*domaintest.Repo[*catalogue.Entity])(nil)
)

type catalogueFixture struct {
	modules    *domaintest.Repo[*catalogue.Module]
	programmes *domaintest.Repo[*catalogue.Programme]
	entities   *domaintest.Repo[*catalogue.Entity]
}

func newCatalogue() catalogueFixture {
	f := catalogueFixture{
		modules:    domaintest.NewRepo(catalogue.ReplayModule),
		programmes: domaintest.NewRepo(catalogue.ReplayProgramme),
		entities:   domaintest.NewRepo(catalogue.ReplayEntity),
	}
	f.modules.Given(m1, catalogue.ModuleAdded{ModuleID: m1, Content: content(), At: at})
	f.modules.Given(m2, catalogue.ModuleAdded{ModuleID: m2, Content: content(), At: at})
	f.modules.Given(m3, catalogue.ModuleAdded{ModuleID: m3, Content: content(), At: at},
		catalogue.ModuleRetired{ModuleID: m3, At: at})
	return f
}

func TestModuleService(t *testing.T) {
	ctx := context.Background()
	f := newCatalogue()
	s := catalogue.NewModuleService(f.modules)

	if _, err := s.AddModule(ctx, catalogue.AddModule{ModuleID: module, Content: content(), At: at, Envelope: domain.Envelope{IdempotencyKey: "k1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddModule(ctx, catalogue.AddModule{ModuleID: module, Content: content(), At: at}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("add twice: err = %v, want conflict", err)
	}
	if _, err := s.AddModule(ctx, catalogue.AddModule{ModuleID: module, At: at}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("add empty: err = %v, want invalid", err)
	}
	if _, err := s.ReviseModule(ctx, catalogue.ReviseModule{ModuleID: module, Content: revised(), At: later, Envelope: domain.Envelope{IdempotencyKey: "k2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RetireModule(ctx, catalogue.RetireModule{ModuleID: module, At: later}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RetireModule(ctx, catalogue.RetireModule{ModuleID: id(99), At: later}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("retire unknown: err = %v, want not found", err)
	}
	if got := len(f.modules.Stream(module)); got != 3 {
		t.Errorf("module stream holds %d events, want 3", got)
	}
	if f.modules.Keys[0] != "k1" || f.modules.Keys[2] != "k2" {
		t.Errorf("idempotency keys seen = %q, want k1 on create and k2 on revise", f.modules.Keys)
	}
}

func TestServiceRetriesOnceOnConflict(t *testing.T) {
	ctx := context.Background()
	revise := catalogue.ReviseModule{ModuleID: m1, Content: revised(), At: later}
	concurrent := []domain.Event{catalogue.ModuleRevised{ModuleID: m1, Version: 2, Content: revised(), At: later}}
	for _, tc := range []struct {
		name        string
		conflicts   int
		concurrent  []domain.Event
		cmd         catalogue.ReviseModule
		wantErr     error
		wantUpdates int
		wantEvents  int
	}{
		{"no conflict", 0, nil, revise, nil, 1, 2},
		{"one conflict, retried", 1, nil, revise, nil, 2, 2},
		{"two conflicts", 2, nil, revise, domain.ErrConflict, 2, 1},
		{"the retry decides on the fresh stream", 1, concurrent, revise, catalogue.ErrNothingRevised, 2, 2},
		{"a conflict the decision reports is not retried", 0, nil,
			catalogue.ReviseModule{ModuleID: m1, Content: content(), At: later}, catalogue.ErrNothingRevised, 1, 1},
		{"bad input is not retried", 1, nil, catalogue.ReviseModule{ModuleID: m1, At: later}, domain.ErrInvalid, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newCatalogue()
			f.modules.Conflicts, f.modules.Concurrent = tc.conflicts, tc.concurrent
			_, err := domaintest.Twice(func() (domain.Written, error) { return catalogue.NewModuleService(f.modules).ReviseModule(ctx, tc.cmd) })
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if f.modules.Updates != tc.wantUpdates {
				t.Errorf("updates = %d, want %d", f.modules.Updates, tc.wantUpdates)
			}
			if got := len(f.modules.Stream(m1)); got != tc.wantEvents {
				t.Errorf("stream holds %d events, want %d", got, tc.wantEvents)
			}
		})
	}
}

func TestProgrammeService(t *testing.T) {
	ctx := context.Background()
	f := newCatalogue()
	s := catalogue.NewProgrammeService(f.programmes, f.modules)
	design := func(modules ...string) catalogue.DesignProgramme {
		return catalogue.DesignProgramme{ProgrammeID: programme, Code: "BLG", Title: "Beginning managers", ModuleIDs: modules, At: at}
	}
	if _, err := s.DesignProgramme(ctx, design(m1, m3)); !errors.Is(err, catalogue.ErrModuleRetired) {
		t.Errorf("design with a retired module: err = %v, want %v", err, catalogue.ErrModuleRetired)
	}
	if _, err := s.DesignProgramme(ctx, design(m1, id(98))); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("design with an unknown module: err = %v, want not found", err)
	}
	if _, err := s.DesignProgramme(ctx, design(m1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddProgrammeModule(ctx, catalogue.AddProgrammeModule{ProgrammeID: programme, ModuleID: m3, Position: 2, At: at}); !errors.Is(err, catalogue.ErrModuleRetired) {
		t.Errorf("add a retired module: err = %v, want %v", err, catalogue.ErrModuleRetired)
	}
	for _, err := range []error{
		domaintest.Err(s.AddProgrammeModule(ctx, catalogue.AddProgrammeModule{ProgrammeID: programme, ModuleID: m2, Position: 2, At: at})),
		domaintest.Err(s.RemoveProgrammeModule(ctx, catalogue.RemoveProgrammeModule{ProgrammeID: programme, ModuleID: m1, At: at})),
		domaintest.Err(s.SetEmphasis(ctx, catalogue.SetEmphasis{ProgrammeID: programme, Theme: catalogue.ThemeSelf, Emphasis: catalogue.EmphasisStrong, At: at})),
		domaintest.Err(s.RetireProgramme(ctx, catalogue.RetireProgramme{ProgrammeID: programme, At: at})),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := len(f.programmes.Stream(programme)); got != 5 {
		t.Errorf("programme stream holds %d events, want 5", got)
	}
}

func TestEntityService(t *testing.T) {
	ctx := context.Background()
	f := newCatalogue()
	f.programmes.Given(programme, designed(), catalogue.ProgrammeRetired{ProgrammeID: programme, At: at})
	s := catalogue.NewEntityService(f.entities, f.modules, f.programmes)
	if _, err := s.RegisterEntity(ctx, catalogue.RegisterEntity{EntityID: entity, Name: "Department of Mobility", At: at}); err != nil {
		t.Fatal(err)
	}
	place := func(kind catalogue.OrderKind, item string) error {
		return domaintest.Err(s.PlaceOrder(ctx, catalogue.PlaceOrder{EntityID: entity, OrderID: order1, Kind: kind, ItemID: item, Seats: 8, At: at}))
	}
	if err := place(catalogue.OrderProgramme, programme); !errors.Is(err, catalogue.ErrProgrammeRetired) {
		t.Errorf("order a retired programme: err = %v, want %v", err, catalogue.ErrProgrammeRetired)
	}
	if err := place(catalogue.OrderModule, m3); !errors.Is(err, catalogue.ErrModuleRetired) {
		t.Errorf("order a retired module: err = %v, want %v", err, catalogue.ErrModuleRetired)
	}
	if err := place(catalogue.OrderModule, m1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelOrder(ctx, catalogue.CancelOrder{EntityID: entity, OrderID: order1, At: later}); err != nil {
		t.Fatal(err)
	}
	if got := len(f.entities.Stream(entity)); got != 3 {
		t.Errorf("entity stream holds %d events, want 3", got)
	}
}
