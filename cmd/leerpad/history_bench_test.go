package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
	"github.com/leerpad/leerpad/usecase"
)

// BenchmarkLogExperimentHistory measures what a participant waits for when
// logging an experiment, through the use case, the domain, the official
// client and the embedded node, on a journey of 10 events and on one of
// 1,000, in turns within one run, so that both meet the same disk and CPUs.
// It reports the mean of each (µs/short, µs/long) and their ratio
// (long/short), which issue 10 wants at most 1.2: a command's cost must not
// grow with its stream's history.
//
// "kept" is serve's repository (decided aggregates kept in memory);
// "replayed" keeps none and replays the journey for every command, as
// Leerpad did before: the ceiling the first is measured against.
func BenchmarkLogExperimentHistory(b *testing.B) {
	b.Run("kept", func(b *testing.B) { benchmarkHistory(b, cachedAggregates) })
	b.Run("replayed", func(b *testing.B) { benchmarkHistory(b, 0) })
}

func benchmarkHistory(b *testing.B, cached int) {
	client := eventstoretest.Client(b)
	codec, err := newCodec()
	if err != nil {
		b.Fatal(err)
	}
	keys, err := openKeys(eventStoreFlags{data: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	codec = codec.WithKeys(keys)
	store := eventstore.NewStore(client, codec)
	svc := newServices(store)
	r := svc.Repositories
	r.Journeys = eventstore.NewRepository(store, journey.StreamCategory, journey.Replay, cached)
	app, err := usecase.New(usecase.Deps{Clock: time.Now, IDs: uuid.NewString}.Over(r))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	short, long := historyJourney(b, store, 10), historyJourney(b, store, 1000)
	log := func(j historical) time.Duration {
		start := time.Now()
		_, err := app.LogExperiment(ctx, usecase.Write{Actor: j.participant}, journey.LogExperiment{JourneyID: j.id,
			LearningGoalID: j.goal, Intention: "Vraag eerst wat de ander nodig heeft.", PlannedFor: time.Now().Add(24 * time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	log(short) // the first command on each journey reads it whole
	log(long)
	var tShort, tLong time.Duration
	b.ResetTimer()
	for range b.N {
		tShort += log(short)
		tLong += log(long)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(tShort.Microseconds())/n, "µs/short")
	b.ReportMetric(float64(tLong.Microseconds())/n, "µs/long")
	b.ReportMetric(float64(tLong)/float64(tShort), "long/short")
}

// historical is a journey written for the benchmark.
type historical struct {
	id, goal    string
	participant access.Principal
}

// historyJourney writes a journey of events events straight to the store:
// the enrolment, a learning goal, and experiments logged for it.
func historyJourney(b *testing.B, store *eventstore.Store, events int) historical {
	b.Helper()
	j := historical{id: uuid.NewString(), goal: uuid.NewString(),
		participant: access.Principal{Subject: uuid.NewString(), Roles: []access.Role{access.RoleParticipant}}}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	history := []domain.Event{
		journey.Enrolled{JourneyID: j.id, ParticipantID: j.participant.Subject, CohortID: uuid.NewString(), ProgrammeID: uuid.NewString(),
			EntityID: uuid.NewString(), Role: journey.RoleBeginningManager, ManagerID: uuid.NewString(), At: at},
		journey.LearningGoalFormulated{ParticipantID: j.participant.Subject, GoalID: j.goal, Kind: journey.KindGoal, Text: "Delegeren", At: at},
	}
	for i := len(history); i < events; i++ {
		history = append(history, journey.ExperimentLogged{ParticipantID: j.participant.Subject, ExperimentID: uuid.NewString(),
			LearningGoalID: j.goal, Intention: fmt.Sprintf("Experiment %d", i), PlannedFor: at.AddDate(0, 0, 7), At: at})
	}
	stream := eventstore.StreamID(journey.StreamCategory, j.id)
	x := eventstore.NoStream()
	for i := 0; i < len(history); i += 250 {
		batch := history[i:min(i+250, len(history))]
		if _, err := store.Append(context.Background(), stream, x, batch, nil, eventstore.Metadata{}); err != nil {
			b.Fatal(err)
		}
		x = eventstore.AtRevision(uint64(i + len(batch) - 1))
	}
	return j
}
