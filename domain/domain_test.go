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
