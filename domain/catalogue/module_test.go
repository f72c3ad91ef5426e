package catalogue_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/domaintest"
)

var (
	at     = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	later  = at.Add(30 * 24 * time.Hour)
	module = id(1)
	goal1  = id(11)
	goal2  = id(12)
)

func id(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func content() catalogue.Content {
	return catalogue.Content{
		Title: "Me and myself",
		Theme: catalogue.ThemeSelf,
		Forms: []catalogue.DidacticForm{catalogue.FormGroupTraining, catalogue.FormIntervision},
		Hours: 14,
		LearningGoals: []catalogue.LearningGoal{
			{ID: goal1, Behaviour: "Names their own strengths and pitfalls as a manager"},
			{ID: goal2, Behaviour: "Turns 360 feedback into concrete behaviour to continue, develop, dose or let go"},
		},
	}
}

func revised() catalogue.Content {
	c := content()
	c.Hours = 17.5
	return c
}

func TestModule(t *testing.T) {
	added := catalogue.ModuleAdded{ModuleID: module, Content: content(), At: at}
	retired := catalogue.ModuleRetired{ModuleID: module, At: later}
	add := func(c catalogue.Content) func(*catalogue.Module) error {
		return func(m *catalogue.Module) error {
			return m.Add(catalogue.AddModule{ModuleID: module, Content: c, At: at})
		}
	}
	revise := func(c catalogue.Content) func(*catalogue.Module) error {
		return func(m *catalogue.Module) error {
			return m.Revise(catalogue.ReviseModule{ModuleID: module, Content: c, Reason: "more practice time", At: later})
		}
	}
	retire := func(m *catalogue.Module) error {
		return m.Retire(catalogue.RetireModule{ModuleID: module, At: later})
	}
	edit := func(f func(*catalogue.Content)) catalogue.Content {
		c := content()
		f(&c)
		return c
	}
	domaintest.Run(t, catalogue.ReplayModule, []domaintest.Case[*catalogue.Module]{
		{Name: "add", When: add(content()), Want: []domain.Event{added}},
		{Name: "add twice", Given: []domain.Event{added}, When: add(content()), WantErr: catalogue.ErrModuleExists},
		{Name: "add without title", When: add(edit(func(c *catalogue.Content) { c.Title = " " })),
			WantErr: domain.ErrInvalid, WantField: "content.title"},
		{Name: "add without theme", When: add(edit(func(c *catalogue.Content) { c.Theme = catalogue.Theme{} })),
			WantErr: domain.ErrInvalid, WantField: "content.theme"},
		{Name: "add without forms", When: add(edit(func(c *catalogue.Content) { c.Forms = nil })),
			WantErr: domain.ErrInvalid, WantField: "content.forms"},
		{Name: "add with a form twice", When: add(edit(func(c *catalogue.Content) {
			c.Forms = []catalogue.DidacticForm{catalogue.FormOnline, catalogue.FormOnline}
		})), WantErr: domain.ErrInvalid, WantField: "content.forms"},
		{Name: "add with no hours", When: add(edit(func(c *catalogue.Content) { c.Hours = 0 })),
			WantErr: domain.ErrInvalid, WantField: "content.hours"},
		{Name: "add without learning goals", When: add(edit(func(c *catalogue.Content) { c.LearningGoals = nil })),
			WantErr: domain.ErrInvalid, WantField: "content.learningGoals"},
		{Name: "add with a learning goal id twice", When: add(edit(func(c *catalogue.Content) {
			c.LearningGoals[1].ID = goal1
		})), WantErr: domain.ErrInvalid, WantField: "content.learningGoals[1].id"},
		{Name: "add with an overlong behaviour", When: add(edit(func(c *catalogue.Content) {
			c.LearningGoals[0].Behaviour = strings.Repeat("x", 1001)
		})), WantErr: domain.ErrInvalid, WantField: "content.learningGoals[0].behaviour"},
		{Name: "add with a bad id", When: func(m *catalogue.Module) error {
			return m.Add(catalogue.AddModule{ModuleID: "module-1", Content: content(), At: at})
		}, WantErr: domain.ErrInvalid, WantField: "moduleId"},
		{Name: "revise makes version 2", Given: []domain.Event{added}, When: revise(revised()),
			Want: []domain.Event{catalogue.ModuleRevised{ModuleID: module, Version: 2, Content: revised(), Reason: "more practice time", At: later}}},
		{Name: "revise again makes version 3",
			Given: []domain.Event{added, catalogue.ModuleRevised{ModuleID: module, Version: 2, Content: revised(), At: later}},
			When:  revise(content()),
			Want:  []domain.Event{catalogue.ModuleRevised{ModuleID: module, Version: 3, Content: content(), Reason: "more practice time", At: later}}},
		{Name: "revise without change", Given: []domain.Event{added}, When: revise(content()), WantErr: catalogue.ErrNothingRevised},
		{Name: "revise a module never added", When: revise(revised()), WantErr: domain.ErrNotFound},
		{Name: "revise a retired module", Given: []domain.Event{added, retired}, When: revise(revised()), WantErr: catalogue.ErrModuleRetired},
		{Name: "revise with bad content", Given: []domain.Event{added}, When: revise(catalogue.Content{}),
			WantErr: domain.ErrInvalid, WantField: "content.title"},
		{Name: "retire", Given: []domain.Event{added}, When: retire, Want: []domain.Event{retired}},
		{Name: "retire twice", Given: []domain.Event{added, retired}, When: retire, WantErr: catalogue.ErrModuleRetired},
		{Name: "retire without time", Given: []domain.Event{added}, When: func(m *catalogue.Module) error {
			return m.Retire(catalogue.RetireModule{ModuleID: module})
		}, WantErr: domain.ErrInvalid, WantField: "at"},
	})
}

func TestParseClosedSets(t *testing.T) {
	if th, err := catalogue.ParseTheme("environment"); err != nil || th != catalogue.ThemeEnvironment {
		t.Errorf("ParseTheme(environment) = %v, %v", th, err)
	}
	for name, parse := range map[string]func(string) error{
		"theme":        func(s string) error { _, err := catalogue.ParseTheme(s); return err },
		"didacticForm": func(s string) error { _, err := catalogue.ParseDidacticForm(s); return err },
		"emphasis":     func(s string) error { _, err := catalogue.ParseEmphasis(s); return err },
		"kind":         func(s string) error { _, err := catalogue.ParseOrderKind(s); return err },
	} {
		err := parse("bogus")
		var fe *domain.FieldError
		if !errors.As(err, &fe) || fe.Field != name || !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), "bogus") {
			t.Errorf("parse %s: err = %v, want a field error naming %s", name, err, name)
		}
	}
}

func TestModuleVersions(t *testing.T) {
	added := catalogue.ModuleAdded{ModuleID: module, Content: content(), At: at}
	v2 := catalogue.ModuleRevised{ModuleID: module, Version: 2, Content: revised(), Reason: "more practice time", At: later}
	first := catalogue.ModuleVersion{Version: 1, Content: content(), At: at}
	second := catalogue.ModuleVersion{Version: 2, Content: revised(), Reason: "more practice time", At: later}
	for _, tc := range []struct {
		name  string
		given []domain.Event
		want  []catalogue.ModuleVersion
	}{
		{"never added", nil, []catalogue.ModuleVersion{}},
		{"added", []domain.Event{added}, []catalogue.ModuleVersion{first}},
		{"revised", []domain.Event{added, v2}, []catalogue.ModuleVersion{first, second}},
		{"retired keeps its versions", []domain.Event{added, v2, catalogue.ModuleRetired{ModuleID: module, At: later}},
			[]catalogue.ModuleVersion{first, second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := catalogue.ReplayModule(tc.given...)
			if got := m.Versions(); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("versions = %+v, want %+v", got, tc.want)
			}
			for _, w := range tc.want {
				if got, ok := m.VersionOf(w.Version); !ok || !reflect.DeepEqual(got, w) {
					t.Errorf("version %d = %+v, %v; want %+v", w.Version, got, ok, w)
				}
			}
			for _, n := range []int{0, len(tc.want) + 1} {
				if got, ok := m.VersionOf(n); ok {
					t.Errorf("version %d = %+v, want none", n, got)
				}
			}
		})
	}
	// An earlier version is read as it was, and a copy: changing it changes
	// nothing in the module.
	m := catalogue.ReplayModule(added, v2)
	v, _ := m.VersionOf(1)
	v.Content.LearningGoals[0].Behaviour = "changed"
	if got, _ := m.VersionOf(1); got.Content.LearningGoals[0].Behaviour != content().LearningGoals[0].Behaviour || got.Content.Hours != 14 {
		t.Errorf("version 1 after changing a copy = %+v", got.Content)
	}
}
