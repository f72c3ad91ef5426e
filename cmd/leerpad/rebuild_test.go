package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/offer"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

// seedInto writes a small demo data set into dir.
func seedInto(t *testing.T, dir string) {
	t.Helper()
	args := []string{"seed", "--data", dir, "--seed", "5", "--cohorts", "1", "--participants", "4"}
	var errOut bytes.Buffer
	if err := run(context.Background(), args, io.Discard, &errOut); err != nil {
		t.Fatalf("leerpad seed: %v\n%s", err, errOut.String())
	}
}

func TestRunRebuildCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	dir := t.TempDir()
	seedInto(t, dir)

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"rebuild", "--data", dir}, &out, &errOut); err != nil {
		t.Fatalf("leerpad rebuild: %v\n%s", err, errOut.String())
	}
	summary := out.String()
	m := regexp.MustCompile(`Rebuilt 5 read models from data directory (\S+): (\d+) events in [0-9.]+ s \((\d+) events/s\), up to position (\d+)\.`).FindStringSubmatch(summary)
	if m == nil || m[1] != dir+":" && m[1] != dir {
		t.Fatalf("summary:\n%s", summary)
	}
	events, _ := strconv.Atoi(m[2])
	if events < 100 {
		t.Fatalf("rebuilt from %d events, want the seeded data set", events)
	}
	for _, name := range []string{portfolio.Name, cohortdashboard.Name, behaviourchange.Name, raterlinks.Name, offer.Name} {
		row := regexp.MustCompile(`(?m)^  ` + name + ` +(\d+) +(\d+) +(\d+) +(\d+)$`).FindStringSubmatch(summary)
		if row == nil || row[1] != m[2] || row[2] != "0" || row[4] != "0" {
			t.Errorf("row of %s = %q in\n%s", name, row, summary)
		}
	}
	if !strings.Contains(errOut.String(), "rebuild: 100.0%") || strings.Contains(errOut.String(), "\r") {
		t.Errorf("progress on a non-terminal = %q, want plain lines up to 100%%", errOut.String())
	}

	if err := run(context.Background(), []string{"rebuild", "--data", dir, "extra"}, io.Discard, io.Discard); exitCode(err) != 2 {
		t.Errorf("rebuild with an argument: %v, want a usage error", err)
	}
}

// TestNewProjectionsReadsYourWrites wires the read side as serve does, over a
// seeded data set: the runner catches up, and a command through the domain
// services is visible once WaitFor returns for its receipt.
func TestNewProjectionsReadsYourWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	dir := t.TempDir()
	seedInto(t, dir)

	ctx := context.Background()
	log := newLogger(io.Discard, 0)
	es, err := openEventStore(ctx, eventStoreFlags{data: dir}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = es.Close() })
	codec, err := es.codec()
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	models, err := newProjections(es, codec, reg, log, projectionsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = models.Close() })
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- models.Runner.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for !models.Runner.CaughtUp() {
		if time.Now().After(deadline) {
			t.Fatal("the read models did not catch up with the seeded data set")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cohorts := models.CohortDashboard.Cohorts()
	if len(cohorts) != 1 {
		t.Fatalf("cohorts %v, want the seeded one", cohorts)
	}
	seeded, err := models.CohortDashboard.Dashboard(cohorts[0], time.Now())
	if err != nil || seeded.Enrolment.Enrolled != 4 {
		t.Fatalf("dashboard of the seeded cohort: %+v, %v", seeded.Enrolment, err)
	}

	svc := newServices(eventstore.NewStore(es.client, codec))
	wctx, env := ctx, domain.Envelope{CorrelationID: "rebuild-test"}
	id := uuid.NewString()
	starts := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	receipt, err := svc.Cohorts.PlanCohort(wctx, cohort.PlanCohort{CohortID: id, ProgrammeID: seeded.ProgrammeID, EntityID: seeded.EntityID,
		Title: "Read your writes", TrainerIDs: []string{uuid.NewString()}, StartsOn: starts, EndsOn: starts.AddDate(0, 6, 0), At: starts.AddDate(0, -1, 0), Envelope: env})
	if err != nil {
		t.Fatal(err)
	}
	if receipt.Position == 0 {
		t.Fatal("no receipt position")
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := models.Runner.WaitFor(wait, cohortdashboard.Name, receipt.Position); err != nil {
		t.Fatal(err)
	}
	if v, err := models.CohortDashboard.Dashboard(id, starts); err != nil || v.Title != "Read your writes" {
		t.Fatalf("the planned cohort after WaitFor: %+v, %v", v, err)
	}

	// The offer read model holds the seeded catalogue and entities, and a
	// write is in its lists once WaitFor returns for the write's position.
	if len(models.Offer.Modules()) == 0 || len(models.Offer.Programmes()) == 0 || len(models.Offer.Instruments()) == 0 {
		t.Fatalf("offer: %d modules, %d programmes, %d instruments after the seeded data set",
			len(models.Offer.Modules()), len(models.Offer.Programmes()), len(models.Offer.Instruments()))
	}
	entities := len(models.Offer.Entities())
	if entities == 0 {
		t.Fatal("offer: no entities after the seeded data set")
	}
	env = domain.Envelope{CorrelationID: "rebuild-test-offer"}
	entityID := uuid.NewString()
	receipt, err = svc.Entities.RegisterEntity(wctx, catalogue.RegisterEntity{EntityID: entityID, Name: "Water Board", At: starts, Envelope: env})
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Runner.WaitFor(wait, offer.Name, receipt.Position); err != nil {
		t.Fatal(err)
	}
	if es := models.Offer.Entities(); len(es) != entities+1 || es[entities].EntityID != entityID {
		t.Fatalf("entities after WaitFor: %d, want %d ending with %s", len(es), entities+1, entityID)
	}
}
