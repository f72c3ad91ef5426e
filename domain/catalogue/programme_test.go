package catalogue_test

import (
	"testing"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/domaintest"
)

var (
	programme = id(2)
	m1, m2    = id(21), id(22)
	m3        = id(23)
)

func designed() catalogue.ProgrammeDesigned {
	return catalogue.ProgrammeDesigned{
		ProgrammeID: programme, Code: "BLG", Title: "Beginning managers", ModuleIDs: []string{m1, m2},
		Emphasis:      []catalogue.ThemeEmphasis{{Theme: catalogue.ThemeTeam, Emphasis: catalogue.EmphasisStrong}},
		RaterApproval: true, At: at,
	}
}

func design(f func(*catalogue.DesignProgramme)) func(*catalogue.Programme) error {
	return func(p *catalogue.Programme) error {
		d := designed()
		c := catalogue.DesignProgramme{
			ProgrammeID: d.ProgrammeID, Code: d.Code, Title: d.Title, ModuleIDs: d.ModuleIDs,
			Emphasis: d.Emphasis, RaterApproval: d.RaterApproval, At: d.At,
		}
		f(&c)
		return p.Design(c)
	}
}

func TestProgramme(t *testing.T) {
	retired := catalogue.ProgrammeRetired{ProgrammeID: programme, At: later}
	given := []domain.Event{designed()}
	add := func(module string, pos int) func(*catalogue.Programme) error {
		return func(p *catalogue.Programme) error {
			return p.AddModule(catalogue.AddProgrammeModule{ProgrammeID: programme, ModuleID: module, Position: pos, At: later})
		}
	}
	remove := func(module string) func(*catalogue.Programme) error {
		return func(p *catalogue.Programme) error {
			return p.RemoveModule(catalogue.RemoveProgrammeModule{ProgrammeID: programme, ModuleID: module, At: later})
		}
	}
	emphasise := func(th catalogue.Theme, e catalogue.Emphasis) func(*catalogue.Programme) error {
		return func(p *catalogue.Programme) error {
			return p.SetEmphasis(catalogue.SetEmphasis{ProgrammeID: programme, Theme: th, Emphasis: e, At: later})
		}
	}
	retire := func(p *catalogue.Programme) error {
		return p.Retire(catalogue.RetireProgramme{ProgrammeID: programme, At: later})
	}
	domaintest.Run(t, catalogue.ReplayProgramme, []domaintest.Case[*catalogue.Programme]{
		{Name: "design", When: design(func(*catalogue.DesignProgramme) {}), Want: given},
		{Name: "design twice", Given: given, When: design(func(*catalogue.DesignProgramme) {}), WantErr: catalogue.ErrProgrammeExists},
		{Name: "design without modules", When: design(func(c *catalogue.DesignProgramme) { c.ModuleIDs = nil }),
			WantErr: domain.ErrInvalid, WantField: "moduleIds"},
		{Name: "design with a module twice", When: design(func(c *catalogue.DesignProgramme) { c.ModuleIDs = []string{m1, m1} }),
			WantErr: domain.ErrInvalid, WantField: "moduleIds"},
		{Name: "design without code", When: design(func(c *catalogue.DesignProgramme) { c.Code = "" }),
			WantErr: domain.ErrInvalid, WantField: "code"},
		{Name: "design with a theme's emphasis twice", When: design(func(c *catalogue.DesignProgramme) {
			c.Emphasis = append(c.Emphasis, catalogue.ThemeEmphasis{Theme: catalogue.ThemeTeam, Emphasis: catalogue.EmphasisLight})
		}), WantErr: domain.ErrInvalid, WantField: "emphasis[1].theme"},
		{Name: "design with an emphasis missing", When: design(func(c *catalogue.DesignProgramme) {
			c.Emphasis = []catalogue.ThemeEmphasis{{Theme: catalogue.ThemeSelf}}
		}), WantErr: domain.ErrInvalid, WantField: "emphasis[0].emphasis"},
		{Name: "add a module first", Given: given, When: add(m3, 1),
			Want: []domain.Event{catalogue.ProgrammeModuleAdded{ProgrammeID: programme, ModuleID: m3, Position: 1, At: later}}},
		{Name: "add a module last", Given: given, When: add(m3, 3),
			Want: []domain.Event{catalogue.ProgrammeModuleAdded{ProgrammeID: programme, ModuleID: m3, Position: 3, At: later}}},
		{Name: "add a module past the end", Given: given, When: add(m3, 4), WantErr: domain.ErrInvalid, WantField: "position"},
		{Name: "add a module at 0", Given: given, When: add(m3, 0), WantErr: domain.ErrInvalid, WantField: "position"},
		{Name: "add a module already in", Given: given, When: add(m2, 1), WantErr: catalogue.ErrModuleInProgramme},
		{Name: "add to a programme never designed", When: add(m3, 1), WantErr: catalogue.ErrProgrammeNotFound},
		{Name: "add to a retired programme", Given: append(given, retired), When: add(m3, 1), WantErr: catalogue.ErrProgrammeRetired},
		{Name: "remove a module", Given: given, When: remove(m1),
			Want: []domain.Event{catalogue.ProgrammeModuleRemoved{ProgrammeID: programme, ModuleID: m1, At: later}}},
		{Name: "remove a module not in", Given: given, When: remove(m3), WantErr: catalogue.ErrModuleNotInProgramme},
		{Name: "remove the last module",
			Given: append(given, catalogue.ProgrammeModuleRemoved{ProgrammeID: programme, ModuleID: m1, At: later}),
			When:  remove(m2), WantErr: catalogue.ErrLastModule},
		{Name: "remove from a retired programme", Given: append(given, retired), When: remove(m1), WantErr: catalogue.ErrProgrammeRetired},
		{Name: "set an emphasis", Given: given, When: emphasise(catalogue.ThemeSystems, catalogue.EmphasisLight),
			Want: []domain.Event{catalogue.ProgrammeEmphasisSet{ProgrammeID: programme, Theme: catalogue.ThemeSystems, Emphasis: catalogue.EmphasisLight, At: later}}},
		{Name: "set the emphasis a theme has", Given: given, When: emphasise(catalogue.ThemeTeam, catalogue.EmphasisStrong),
			WantErr: catalogue.ErrEmphasisAlreadySet},
		{Name: "set the default emphasis", Given: given, When: emphasise(catalogue.ThemeSelf, catalogue.EmphasisNormal),
			WantErr: catalogue.ErrEmphasisAlreadySet},
		{Name: "set an emphasis without theme", Given: given, When: emphasise(catalogue.Theme{}, catalogue.EmphasisLight),
			WantErr: domain.ErrInvalid, WantField: "theme"},
		{Name: "set an emphasis on a retired programme", Given: append(given, retired),
			When: emphasise(catalogue.ThemeSelf, catalogue.EmphasisLight), WantErr: catalogue.ErrProgrammeRetired},
		{Name: "retire", Given: given, When: retire, Want: []domain.Event{retired}},
		{Name: "retire twice", Given: append(given, retired), When: retire, WantErr: catalogue.ErrProgrammeRetired},
	})
}

func TestProgrammeOrder(t *testing.T) {
	p := catalogue.ReplayProgramme(designed(),
		catalogue.ProgrammeModuleAdded{ProgrammeID: programme, ModuleID: m3, Position: 2, At: later},
		catalogue.ProgrammeModuleRemoved{ProgrammeID: programme, ModuleID: m1, At: later})
	if got := p.ModuleIDs(); len(got) != 2 || got[0] != m3 || got[1] != m2 {
		t.Errorf("modules = %v, want [%s %s]", got, m3, m2)
	}
	if got := p.Emphasis(catalogue.ThemeTeam); got != catalogue.EmphasisStrong {
		t.Errorf("emphasis on team = %v, want strong", got)
	}
	if p.Code() != "BLG" || p.Title() != "Beginning managers" {
		t.Errorf("code and title = %q, %q", p.Code(), p.Title())
	}
}
