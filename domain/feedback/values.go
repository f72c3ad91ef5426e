package feedback

import "github.com/leerpad/leerpad/domain"

// RoundKind is when in the journey a round measures: before, after, or in between.
type RoundKind struct{ name string }

// The round kinds.
var (
	RoundPre   = RoundKind{"pre"}
	RoundPost  = RoundKind{"post"}
	RoundExtra = RoundKind{"extra"}
)

// RoundKinds returns every round kind.
func RoundKinds() []RoundKind { return []RoundKind{RoundPre, RoundPost, RoundExtra} }

// ParseRoundKind returns the kind named s, or an ErrInvalid naming the allowed ones.
func ParseRoundKind(s string) (RoundKind, error) { return domain.ParseOneOf("kind", s, RoundKinds()) }

// String returns the stored name.
func (k RoundKind) String() string { return k.name }

// IsZero reports whether k is unset.
func (k RoundKind) IsZero() bool { return k == RoundKind{} }

// MarshalText stores the kind by name.
func (k RoundKind) MarshalText() ([]byte, error) { return []byte(k.name), nil }

// UnmarshalText reads a stored name.
func (k *RoundKind) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(k, "kind", b, RoundKinds())
}

// RaterGroup is the relation of a rater to the participant; results are
// reported per group, and only for groups with enough raters.
type RaterGroup struct{ name string }

// The rater groups.
var (
	GroupSelf         = RaterGroup{"self"}
	GroupManager      = RaterGroup{"manager"}
	GroupPeer         = RaterGroup{"peer"}
	GroupDirectReport = RaterGroup{"direct-report"}
	GroupOther        = RaterGroup{"other"}
)

// RaterGroups returns every rater group.
func RaterGroups() []RaterGroup {
	return []RaterGroup{GroupSelf, GroupManager, GroupPeer, GroupDirectReport, GroupOther}
}

// ParseRaterGroup returns the group named s, or an ErrInvalid naming the allowed ones.
func ParseRaterGroup(s string) (RaterGroup, error) {
	return domain.ParseOneOf("group", s, RaterGroups())
}

// String returns the stored name.
func (g RaterGroup) String() string { return g.name }

// IsZero reports whether g is unset.
func (g RaterGroup) IsZero() bool { return g == RaterGroup{} }

// MarshalText stores the group by name.
func (g RaterGroup) MarshalText() ([]byte, error) { return []byte(g.name), nil }

// UnmarshalText reads a stored name.
func (g *RaterGroup) UnmarshalText(b []byte) error {
	return domain.UnmarshalOneOf(g, "group", b, RaterGroups())
}
