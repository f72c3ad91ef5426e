package domain_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
)

func TestValidate(t *testing.T) {
	if err := domain.Validate(nil, domain.RequireID("a", "3f2a6c1e-8b7d-4c2a-9e1f-0a1b2c3d4e5f")); err != nil {
		t.Fatalf("valid input: err = %v", err)
	}
	err := domain.Validate(
		domain.RequireID("journeyId", "journey-1"),
		domain.RequireText("why", " ", 10),
		domain.RequireTime("at", time.Time{}),
		domain.OptionalText("notes", strings.Repeat("é", 11), 10),
		domain.RequireEmail("email", "an.example.org"),
		domain.RequireIDs("memberIds", []string{"3f2a6c1e-8b7d-4c2a-9e1f-0a1b2c3d4e5f", "3f2a6c1e-8b7d-4c2a-9e1f-0a1b2c3d4e5f"}, 1),
	)
	if !errors.Is(err, domain.ErrInvalid) || errors.Is(err, domain.ErrConflict) {
		t.Fatalf("err = %v, want only the invalid kind", err)
	}
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("err = %T, want *domain.ValidationError", err)
	}
	var fields []string
	for _, f := range v.Fields {
		fields = append(fields, f.Field)
	}
	if got, want := strings.Join(fields, ","), "journeyId,why,at,notes,email,memberIds"; got != want {
		t.Errorf("fields = %s, want %s", got, want)
	}
	var fe *domain.FieldError
	if !errors.As(err, &fe) || fe.Field != "journeyId" {
		t.Errorf("first field error = %v", fe)
	}
	if !strings.HasPrefix(err.Error(), "invalid journeyId: must be a UUID") {
		t.Errorf("message = %q", err)
	}
	wrapped := fmt.Errorf("enrol: %w", err)
	if !errors.As(wrapped, &v) || len(v.Fields) != 6 {
		t.Errorf("the field errors do not survive wrapping: %v", wrapped)
	}
}

func TestRequireEmail(t *testing.T) {
	for s, ok := range map[string]bool{"an@agency.example": true, "an@agency": false, "@agency.example": false,
		"an b@agency.example": false, "an@@agency.example": false, "": false} {
		if got := domain.RequireEmail("email", s) == nil; got != ok {
			t.Errorf("RequireEmail(%q) ok = %v, want %v", s, got, ok)
		}
	}
}

type planned struct {
	Title string    `json:"title"`
	At    time.Time `json:"at"`
}

func (planned) EventName() string { return "test.planned" }

func TestEventTypeDecode(t *testing.T) {
	// version 1 stored "name"; version 2 renamed it "title".
	up := func(from int, payload []byte) ([]byte, error) {
		var v1 struct {
			Name string    `json:"name"`
			At   time.Time `json:"at"`
		}
		if err := json.Unmarshal(payload, &v1); err != nil {
			return nil, err
		}
		return json.Marshal(planned{Title: v1.Name, At: v1.At})
	}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	v1 := domain.NewEventType[planned]()
	v2 := v1.WithUpcast(2, up)
	if v1.Name != "test.planned" || v1.Version != 1 || v2.Version != 2 {
		t.Fatalf("types = %+v, %+v", v1, v2)
	}
	for _, tc := range []struct {
		name    string
		t       domain.EventType
		version int
		payload string
		want    domain.Event
		wantErr error
	}{
		{"current", v2, 2, `{"title":"BLG","at":"2025-01-01T00:00:00Z"}`, planned{Title: "BLG", At: at}, nil},
		{"upcast", v2, 1, `{"name":"BLG","at":"2025-01-01T00:00:00Z"}`, planned{Title: "BLG", At: at}, nil},
		{"no version means 1", v2, 0, `{"name":"BLG","at":"2025-01-01T00:00:00Z"}`, planned{Title: "BLG", At: at}, nil},
		{"from the future", v1, 2, `{}`, nil, domain.ErrInvalid},
		{"no upcast", domain.EventType{Name: v1.Name, Version: 2}, 1, `{}`, nil, domain.ErrInvalid},
		{"bad JSON", v1, 1, `{"title":`, nil, domain.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.t.Decode(tc.version, []byte(tc.payload))
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("event = %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestTextRules names, for each kind of text, what is accepted and what is
// refused, with the field and the reason a person reads.
func TestTextRules(t *testing.T) {
	long := func(field, s string) *domain.FieldError { return domain.RequireText(field, s, 20) }
	line := func(field, s string) *domain.FieldError { return domain.RequireLine(field, s, 20) }
	optLong := func(field, s string) *domain.FieldError { return domain.OptionalText(field, s, 20) }
	optLine := func(field, s string) *domain.FieldError { return domain.OptionalLine(field, s, 20) }
	for _, tc := range []struct {
		name   string
		check  func(field, s string) *domain.FieldError
		field  string
		s      string
		reason string // "" when s is accepted
	}{
		{"long: plain", long, "reflection", "It went well.", ""},
		{"long: tab and line feed", long, "reflection", "a\tb\nc", ""},
		{"long: carriage return and line feed", long, "reflection", "a\r\nb\r\n", ""},
		{"long: line and paragraph separators", long, "reflection", "a\u2028b\u2029c", ""},
		{"long: marks of direction", long, "reflection", "\u05e9\u05dc\u05d5\u05dd\u200e 5\u200f", ""},
		{"long: NUL", long, "reflection", "It went well\x00", "contains a control character (U+0000) at position 13"},
		{"long: NUL counted in characters, not bytes", long, "reflection", "één\x00", "contains a control character (U+0000) at position 4"},
		{"long: escape", long, "outcome", "\x1b[31mred", "contains a control character (U+001B) at position 1"},
		{"long: delete", long, "outcome", "a\x7f", "contains a control character (U+007F) at position 2"},
		{"long: C1 control", long, "outcome", "a\u0085b", "contains a control character (U+0085) at position 2"},
		{"long: vertical tab", long, "outcome", "a\vb", "contains a control character (U+000B) at position 2"},
		{"long: lone carriage return", long, "nextStep", "a\rb", "contains a carriage return not followed by a line feed (U+000D) at position 2"},
		{"long: carriage return at the end", long, "nextStep", "ab\r", "contains a carriage return not followed by a line feed (U+000D) at position 3"},
		{"long: right-to-left override", long, "why", "abc\u202Edcb", "contains an invisible character that changes the direction of the text (U+202E) at position 4"},
		{"long: left-to-right embedding", long, "why", "\u202Aabc", "(U+202A) at position 1"},
		{"long: first isolate", long, "why", "a\u2066b", "(U+2066) at position 2"},
		{"long: pop directional isolate", long, "why", "a\u2069", "(U+2069) at position 2"},
		{"long: just outside the overrides", long, "why", "a\u2029\u202F\u2065\u206A", ""},
		{"long: blank", long, "why", " \n\t", "is required"},
		{"long: too long", long, "why", strings.Repeat("é", 21), "holds 21 characters, at most 20 are allowed"},
		{"long: not UTF-8", long, "why", "a\xffb", "is not valid UTF-8"},
		{"optional long: empty", optLong, "notes", "", ""},
		{"optional long: NUL", optLong, "notes", "\x00", "contains a control character (U+0000) at position 1"},
		{"line: plain", line, "title", "Me and my team", ""},
		{"line: tab", line, "title", "Me\tmy team", "contains a tab (U+0009) at position 3"},
		{"line: line feed", line, "name", "An\nBcc: x@y.org", "contains a line break (U+000A) at position 3"},
		{"line: carriage return and line feed", line, "name", "An\r\n", "contains a line break (U+000D) at position 3"},
		{"line: line separator", line, "name", "An\u2028", "contains a line break (U+2028) at position 3"},
		{"line: paragraph separator", line, "name", "An\u2029", "contains a line break (U+2029) at position 3"},
		{"line: NUL", line, "code", "BLG\x00", "contains a control character (U+0000) at position 4"},
		{"line: right-to-left isolate", line, "name", "An\u2067", "contains an invisible character that changes the direction of the text (U+2067) at position 3"},
		{"line: marks of direction", line, "name", "\u0633\u0627\u0631\u0629\u200f", ""},
		{"line: blank", line, "title", "  ", "is required"},
		{"optional line: empty", optLine, "method", "", ""},
		{"optional line: line feed", optLine, "method", "a\n", "contains a line break (U+000A) at position 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.check(tc.field, tc.s)
			if tc.reason == "" {
				if p != nil {
					t.Fatalf("refused: %v", p)
				}
				return
			}
			if p == nil {
				t.Fatalf("accepted, want %q", tc.reason)
			}
			if p.Field != tc.field || !strings.Contains(p.Reason, tc.reason) || !errors.Is(p, domain.ErrInvalid) {
				t.Fatalf("problem = %v, want field %s with a reason containing %q", p, tc.field, tc.reason)
			}
		})
	}
}

func TestRequireEmailIsALine(t *testing.T) {
	p := domain.RequireEmail("email", "an@agency.example\x00")
	if p == nil || p.Field != "email" || !strings.Contains(p.Reason, "U+0000") {
		t.Fatalf("problem = %v, want a control character in email", p)
	}
}

func TestRequireTime(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		name   string
		t      time.Time
		reason string // "" when t is accepted
	}{
		{"missing", time.Time{}, "is required"},
		{"a day in a programme", time.Date(2025, 3, 14, 9, 30, 0, 0, cet), ""},
		{"the first instant allowed", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"the last instant allowed", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"just before 1900", time.Date(1899, 12, 31, 23, 59, 59, 0, time.UTC), "must lie between 1900-01-01 and 2200-01-01, not 1899-12-31"},
		{"just after 2200", time.Date(2200, 1, 1, 0, 0, 1, 0, time.UTC), "must lie between 1900-01-01 and 2200-01-01, not 2200-01-01"},
		{"a year typed short", time.Date(205, 3, 14, 0, 0, 0, 0, time.UTC), "not 0205-03-14"},
		{"a year typed long", time.Date(20255, 3, 14, 0, 0, 0, 0, time.UTC), "must lie between"},
		{"the zone counts: 1900-01-01 00:30 in CET is 1899", time.Date(1900, 1, 1, 0, 30, 0, 0, cet), "must lie between"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := domain.RequireTime("plannedFor", tc.t)
			if tc.reason == "" {
				if p != nil {
					t.Fatalf("refused: %v", p)
				}
				return
			}
			if p == nil || p.Field != "plannedFor" || !strings.Contains(p.Reason, tc.reason) {
				t.Fatalf("problem = %v, want field plannedFor with a reason containing %q", p, tc.reason)
			}
		})
	}
}
