package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode"
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

// Text comes in two kinds, and every text field of a command is one of them:
//
//   - a line (RequireLine, OptionalLine): titles, names, labels, codes, e-mail
//     addresses, behaviours and questionnaire items, limited to MaxTitle or a
//     small multiple of it. A line holds no control character at all, not even
//     a tab or a line break: it is shown in lists, headings, CSV cells and
//     e-mail headers, where a line break or a tab would forge a new row,
//     column or header;
//   - long text (RequireText, OptionalText): reflections, comments,
//     agreements, notes, limited to MaxText. Long text may hold tabs and line
//     breaks (a line feed, or a carriage return directly followed by a line
//     feed), and no other control character.
//
// Neither kind may hold the Unicode controls that reorder text on screen:
// the embeddings and overrides U+202A to U+202E and the isolates U+2066 to
// U+2069. With them a text shows something other than what it holds (the
// "Trojan Source" trick): a reflection or a rater's name could be made to read
// differently to the manager or the trainer than to the software. The marks
// U+200E and U+200F (left-to-right and right-to-left mark) are allowed: they
// reorder nothing, they only give a neutral character such as a digit or a
// bracket next to them a direction, which writers of Arabic or Hebrew need to
// set a number or a name right in mixed-direction text. Ids are UUIDs
// (RequireID), which admit hexadecimal digits and hyphens only.

// RequireText checks long text: that s holds something other than white
// space, at most max characters, and no character refused in long text.
func RequireText(field, s string, max int) *FieldError {
	if strings.TrimSpace(s) == "" {
		return Invalid(field, "is required")
	}
	return OptionalText(field, s, max)
}

// OptionalText checks long text like RequireText, but allows it to be empty.
func OptionalText(field, s string, max int) *FieldError {
	return checkText(field, s, max, true)
}

// RequireLine checks a line: that s holds something other than white space,
// at most max characters, and no control character at all.
func RequireLine(field, s string, max int) *FieldError {
	if strings.TrimSpace(s) == "" {
		return Invalid(field, "is required")
	}
	return OptionalLine(field, s, max)
}

// OptionalLine checks a line like RequireLine, but allows it to be empty.
func OptionalLine(field, s string, max int) *FieldError {
	return checkText(field, s, max, false)
}

// checkText checks that s is valid UTF-8, holds at most max characters and no
// character refused in text of its kind (long or a line). Positions in the
// reasons count characters from 1, as a person counts them.
func checkText(field, s string, max int, long bool) *FieldError {
	if !utf8.ValidString(s) {
		return Invalid(field, "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Invalid(field, "holds %d characters, at most %d are allowed", n, max)
	}
	pos := 0
	for i, r := range s {
		pos++
		if what := refused(r, long, strings.HasPrefix(s[i+1:], "\n")); what != "" {
			return Invalid(field, "contains %s (U+%04X) at position %d", what, r, pos)
		}
	}
	return nil
}

// refused names, in the user's words, what makes r unfit for text of its
// kind, or returns "" when r is fine. beforeLF reports whether a line feed
// follows r.
func refused(r rune, long, beforeLF bool) string {
	switch {
	case r == '\n' || r == '\u2028' || r == '\u2029':
		if long {
			return ""
		}
		return "a line break"
	case r == '\r':
		switch {
		case !long:
			return "a line break"
		case !beforeLF:
			return "a carriage return not followed by a line feed"
		}
		return ""
	case r == '\t':
		if long {
			return ""
		}
		return "a tab"
	case unicode.IsControl(r):
		return "a control character"
	case '\u202A' <= r && r <= '\u202E', '\u2066' <= r && r <= '\u2069':
		return "an invisible character that changes the direction of the text"
	}
	return ""
}

// The range of dates a command may carry. Anything outside it is a typing
// error (a year 0205 or 20255) rather than a date in a leadership programme.
var (
	earliestTime = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)
	latestTime   = time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// RequireTime checks that t is set and lies between 1900-01-01 and
// 2200-01-01 (UTC), both included.
func RequireTime(field string, t time.Time) *FieldError {
	if t.IsZero() {
		return Invalid(field, "is required")
	}
	if t.Before(earliestTime) || t.After(latestTime) {
		return Invalid(field, "must lie between %s and %s, not %s",
			earliestTime.Format(time.DateOnly), latestTime.Format(time.DateOnly), t.Format(time.DateOnly))
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
	if p := RequireLine(field, s, 254); p != nil {
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
