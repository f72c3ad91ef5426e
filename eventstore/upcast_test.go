package eventstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
)

// The one real upcasting example, end to end: a journey.experiment_logged
// event stored by the first release (schema version 1: goalId, description,
// plannedOn date) is read back through the store as today's
// journey.ExperimentLogged. The stored bytes are never rewritten.
func TestExperimentLoggedV1IsUpcastOnRead(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	client := eventstoretest.Client(t)
	codec, err := eventstore.NewCodec(journey.EventTypes())
	if err != nil {
		t.Fatal(err)
	}
	store := eventstore.NewStore(client, codec)
	stream := eventstore.StreamID("journey", uuid.NewString())
	participant, experiment, goal := uuid.NewString(), uuid.NewString(), uuid.NewString()
	v1 := `{"participantId":"` + participant + `","experimentId":"` + experiment + `","goalId":"` + goal +
		`","description":"Ask the team for feedback at the end of each meeting","plannedOn":"2025-03-10","at":"2025-03-03T09:30:00+01:00"}`
	_, err = client.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}},
		esdb.EventData{EventType: "journey.experiment_logged", ContentType: esdb.ContentTypeJson,
			Data: []byte(v1), Metadata: []byte(`{"schemaVersion":1}`)})
	if err != nil {
		t.Fatal(err)
	}

	recs, err := store.Load(context.Background(), stream)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	got, ok := recs[0].Event.(journey.ExperimentLogged)
	if !ok {
		t.Fatalf("decoded %T, want journey.ExperimentLogged", recs[0].Event)
	}
	want := journey.ExperimentLogged{
		ParticipantID:  participant,
		ExperimentID:   experiment,
		LearningGoalID: goal,
		Intention:      "Ask the team for feedback at the end of each meeting",
		PlannedFor:     time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC),
		At:             time.Date(2025, 3, 3, 8, 30, 0, 0, time.UTC),
	}
	if got.ParticipantID != want.ParticipantID || got.ExperimentID != want.ExperimentID || got.LearningGoalID != want.LearningGoalID ||
		got.Intention != want.Intention || !got.PlannedFor.Equal(want.PlannedFor) || !got.At.Equal(want.At) {
		t.Fatalf("upcast event = %+v, want %+v", got, want)
	}

	// The stored event is still version 1: upcasting happens on every read.
	rs, err := client.ReadStream(context.Background(), stream, esdb.ReadStreamOptions{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	raw, err := rs.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if string(raw.Event.Data) != v1 {
		t.Fatalf("stored payload changed: %s", raw.Event.Data)
	}
}
