package journey_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/journey"
)

func experimentLoggedType(t *testing.T) domain.EventType {
	t.Helper()
	for _, et := range journey.EventTypes() {
		if et.Name == "journey.experiment_logged" {
			return et
		}
	}
	t.Fatal("journey.experiment_logged is not in EventTypes")
	return domain.EventType{}
}

// TestUpcastExperimentLogged reads a payload as the first release stored it
// and gets today's event.
func TestUpcastExperimentLogged(t *testing.T) {
	v1 := []byte(`{"participantId":"` + participant + `","experimentId":"` + experiment + `","goalId":"` + goal + `",` +
		`"description":"Ask an open question before giving my view","plannedOn":"2025-03-17","at":"2025-03-03T09:00:00Z"}`)
	want := journey.ExperimentLogged{ParticipantID: participant, ExperimentID: experiment, LearningGoalID: goal,
		Intention: "Ask an open question before giving my view", PlannedFor: time.Date(2025, 3, 17, 0, 0, 0, 0, time.UTC), At: at}

	et := experimentLoggedType(t)
	if et.Version != 2 {
		t.Fatalf("schema version = %d, want 2", et.Version)
	}
	got, err := et.Decode(1, v1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("upcast:\n got %#v\nwant %#v", got, want)
	}
	// No schema version in the metadata (0) means version 1.
	got, err = et.Decode(0, v1)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("decode without version = %#v, %v", got, err)
	}

	for _, tc := range []struct {
		name    string
		version int
		payload string
	}{
		{"a version from the future", 3, `{}`},
		{"not JSON", 1, `{"goalId":`},
		{"a bad date", 1, `{"plannedOn":"17-03-2025"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := et.Decode(tc.version, []byte(tc.payload)); !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("err = %v, want invalid", err)
			}
		})
	}
	if _, err := journey.UpcastExperimentLogged(2, []byte(`{}`)); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("upcast from 2: err = %v, want invalid", err)
	}
}
