package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Length limits for text in commands, in characters.
const (
	MaxTitle = 200   // titles, names, short labels
	MaxText  = 10000 // free text: reflections, comments, agreements
)

// RequireID checks that id is a UUID in its canonical textual form
// (8-4-4-4-12 hexadecimal digits). Every id in a command is one: ids become
// stream names as "<category>-<uuid>", which are parsed at the first hyphen.
func RequireID(field, id string) *FieldError {
	if id == "" {
		return Invalid(field, "is required")
	}
	if !isUUID(id) {
		return Invalid(field, "must be a UUID such as 3f2a6c1e-8b7d-4c2a-9e1f-0a1b2c3d4e5f")
	}
	return nil
}

// OptionalID checks id like RequireID, but allows it to be empty.
func OptionalID(field, id string) *FieldError {
	if id == "" {
		return nil
	}
	return RequireID(field, id)
}

// RequireIDs checks that ids holds at least min ids, each a UUID and none twice.
func RequireIDs(field string, ids []string, min int) *FieldError {
	if len(ids) < min {
		return Invalid(field, "must hold at least %d id(s)", min)
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if p := RequireID(fmt.Sprintf("%s[%d]", field, i), id); p != nil {
			return p
		}
		if seen[id] {
			return Invalid(field, "holds %s twice", id)
		}
		seen[id] = true
	}
	return nil
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHexDigit(c) {
				return false
			}
		}
	}
	return true
}

// RequireText checks that s holds something other than white space and at
// most max characters.
func RequireText(field, s string, max int) *FieldError {
	if strings.TrimSpace(s) == "" {
		return Invalid(field, "is required")
	}
	return OptionalText(field, s, max)
}

// OptionalText checks that s holds at most max characters and is valid UTF-8.
func OptionalText(field, s string, max int) *FieldError {
	if !utf8.ValidString(s) {
		return Invalid(field, "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Invalid(field, "holds %d characters, at most %d are allowed", n, max)
	}
	return nil
}

// RequireTime checks that t is set.
func RequireTime(field string, t time.Time) *FieldError {
	if t.IsZero() {
		return Invalid(field, "is required")
	}
	return nil
}

// Required reports a missing value of a closed set or another required field.
func Required(field string) *FieldError { return Invalid(field, "is required") }

// ParseOneOf returns the value among allowed whose String is s. Otherwise it
// returns a *FieldError for field that lists the allowed values. Closed sets
// (roles, rater groups, sections...) build their Parse functions on it.
func ParseOneOf[T fmt.Stringer](field, s string, allowed []T) (T, error) {
	for _, v := range allowed {
		if v.String() == s {
			return v, nil
		}
	}
	names := make([]string, len(allowed))
	for i, v := range allowed {
		names[i] = v.String()
	}
	var zero T
	return zero, Invalid(field, "%q is not one of %s", s, strings.Join(names, ", "))
}

// UnmarshalOneOf sets *dst to the value among allowed named by text, for the
// UnmarshalText methods of closed sets. Empty text sets the zero value, so
// that an omitted optional field decodes.
func UnmarshalOneOf[T fmt.Stringer](dst *T, field string, text []byte, allowed []T) error {
	if len(text) == 0 {
		var zero T
		*dst = zero
		return nil
	}
	v, err := ParseOneOf(field, string(text), allowed)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// RequireEmail checks that s looks like an e-mail address: one @ with a local
// part before it and a domain with a dot after it, and no white space.
func RequireEmail(field, s string) *FieldError {
	if p := RequireText(field, s, 254); p != nil {
		return p
	}
	local, host, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(host, ".") || strings.ContainsAny(s, " \t\r\n<>") || strings.Contains(host, "@") {
		return Invalid(field, "must be an e-mail address such as name@example.org")
	}
	return nil
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
