package catalogue

import "github.com/leerpad/leerpad/domain"

// Theme is the leadership theme a module serves; programmes put an emphasis
// per theme. The zero Theme is no theme.
type Theme struct{ name string }

// The themes.
var (
	ThemeSelf        = Theme{"self"}        // me and myself: self-insight, 360 feedback, personal why
	ThemeOther       = Theme{"other"}       // me and my employee, developing the other
	ThemeTeam        = Theme{"team"}        // me and my team, team dynamics
	ThemeSystems     = Theme{"systems"}     // me and the systems: HR, budget, procurement, rules
	ThemeEnvironment = Theme{"environment"} // me and my environment: networks, politics, coalitions
)

// Themes returns every theme.
func Themes() []Theme {
	return []Theme{ThemeSelf, ThemeOther, ThemeTeam, ThemeSystems, ThemeEnvironment}
}

// ParseTheme returns the theme named s, or an ErrInvalid naming the allowed ones.
func ParseTheme(s string) (Theme, error) { return domain.ParseOneOf("theme", s, Themes()) }

// String returns the stored name of the theme.
func (t Theme) String() string { return t.name }

// IsZero reports whether t is no theme.
func (t Theme) IsZero() bool { return t == Theme{} }

// MarshalText stores the theme by name.
func (t Theme) MarshalText() ([]byte, error) { return []byte(t.name), nil }

// UnmarshalText reads a stored theme name.
func (t *Theme) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(t, "theme", b, Themes())
}

// DidacticForm is a way a module is delivered; a module blends one or more.
type DidacticForm struct{ name string }

// The didactic forms.
var (
	FormGroupTraining = DidacticForm{"group-training"}
	FormOnline        = DidacticForm{"online"}
	FormCoaching      = DidacticForm{"coaching"}
	FormIntervision   = DidacticForm{"intervision"}
	FormStudyVisit    = DidacticForm{"study-visit"}
	FormProjectCase   = DidacticForm{"project-case"}
)

// DidacticForms returns every didactic form.
func DidacticForms() []DidacticForm {
	return []DidacticForm{FormGroupTraining, FormOnline, FormCoaching, FormIntervision, FormStudyVisit, FormProjectCase}
}

// ParseDidacticForm returns the form named s, or an ErrInvalid naming the allowed ones.
func ParseDidacticForm(s string) (DidacticForm, error) {
	return domain.ParseOneOf("didacticForm", s, DidacticForms())
}

// String returns the stored name of the form.
func (f DidacticForm) String() string { return f.name }

// IsZero reports whether f is no form.
func (f DidacticForm) IsZero() bool { return f == DidacticForm{} }

// MarshalText stores the form by name.
func (f DidacticForm) MarshalText() ([]byte, error) { return []byte(f.name), nil }

// UnmarshalText reads a stored form name.
func (f *DidacticForm) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(f, "didacticForm", b, DidacticForms())
}

// Emphasis is how strongly a programme stresses a theme. A theme without an
// explicit emphasis has EmphasisNormal.
type Emphasis struct{ name string }

// The emphases.
var (
	EmphasisLight  = Emphasis{"light"}
	EmphasisNormal = Emphasis{"normal"}
	EmphasisStrong = Emphasis{"strong"}
)

// Emphases returns every emphasis.
func Emphases() []Emphasis { return []Emphasis{EmphasisLight, EmphasisNormal, EmphasisStrong} }

// ParseEmphasis returns the emphasis named s, or an ErrInvalid naming the allowed ones.
func ParseEmphasis(s string) (Emphasis, error) { return domain.ParseOneOf("emphasis", s, Emphases()) }

// String returns the stored name of the emphasis.
func (e Emphasis) String() string { return e.name }

// IsZero reports whether e is no emphasis.
func (e Emphasis) IsZero() bool { return e == Emphasis{} }

// MarshalText stores the emphasis by name.
func (e Emphasis) MarshalText() ([]byte, error) { return []byte(e.name), nil }

// UnmarshalText reads a stored emphasis name.
func (e *Emphasis) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(e, "emphasis", b, Emphases())
}

// OrderKind says what an ordering entity orders: one module or a whole programme.
type OrderKind struct{ name string }

// The order kinds.
var (
	OrderModule    = OrderKind{"module"}
	OrderProgramme = OrderKind{"programme"}
)

// OrderKinds returns every order kind.
func OrderKinds() []OrderKind { return []OrderKind{OrderModule, OrderProgramme} }

// ParseOrderKind returns the order kind named s, or an ErrInvalid naming the allowed ones.
func ParseOrderKind(s string) (OrderKind, error) { return domain.ParseOneOf("kind", s, OrderKinds()) }

// String returns the stored name of the order kind.
func (k OrderKind) String() string { return k.name }

// IsZero reports whether k is no order kind.
func (k OrderKind) IsZero() bool { return k == OrderKind{} }

// MarshalText stores the order kind by name.
func (k OrderKind) MarshalText() ([]byte, error) { return []byte(k.name), nil }

// UnmarshalText reads a stored order kind name.
func (k *OrderKind) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(k, "kind", b, OrderKinds())
}
