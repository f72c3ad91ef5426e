package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/api"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/usecase"
)

// The commands of people's control of their data: leerpad erase, export and
// retention. Each opens the event store as serve does, brings the read
// models up to date, and calls the same use case as the API, as the
// programme office (the actor in the events' metadata is --actor).

// officeApp is the use cases over an open event store with caught-up read
// models, and how to stop them.
type officeApp struct {
	app   *usecase.App
	actor access.Principal
	close func() error
}

// openOfficeApp opens the event store of esf, runs the read models until
// they caught up, and returns the use cases acting as the programme office
// member actor.
func openOfficeApp(ctx context.Context, esf eventStoreFlags, actor string, stderr io.Writer) (*officeApp, error) {
	log := newLogger(stderr, slog.LevelWarn)
	es, err := openEventStore(ctx, esf, log)
	if err != nil {
		return nil, err
	}
	codec, err := es.codec()
	if err != nil {
		return nil, errors.Join(err, es.Close())
	}
	store := eventstore.NewStore(es.client, codec)
	svc := newServices(store)
	snaps := projections.SnapshotConfig{Dir: snapshotDir(esf.data), Interval: -1, Events: -1}
	models, err := newProjections(es, codec, prometheus.NewRegistry(), log, projectionsConfig{Snapshots: snaps})
	if err != nil {
		return nil, errors.Join(err, es.Close())
	}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- models.Runner.Run(runCtx) }()
	closeAll := func() error {
		stop()
		err := <-ran
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		return errors.Join(err, models.Close(), es.Close())
	}
	for !models.Runner.CaughtUp() {
		select {
		case err := <-ran:
			stop()
			return nil, errors.Join(fmt.Errorf("read models: %w", err), models.Close(), es.Close())
		case <-time.After(10 * time.Millisecond):
		}
	}
	app, err := newApp(svc, models, log, time.Now, nil)
	if err != nil {
		return nil, errors.Join(err, closeAll())
	}
	return &officeApp{app: app, actor: access.Principal{Subject: actor, Roles: []access.Role{access.RoleProgrammeOffice}}, close: closeAll}, nil
}

// runErase is leerpad erase: the programme office erases a person on their
// request, through the erasure use case.
func runErase(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("leerpad erase", stderr)
	var esf eventStoreFlags
	esf.register(fs)
	person := fs.String("person", "", "`id` of the participant, manager or rater to erase")
	reason := fs.String("reason", "", "why: subject-request, consent-withdrawn, objection or legal-obligation")
	reference := fs.String("reference", "", "case `number` in the programme office's own register (no spaces)")
	actor := fs.String("actor", "leerpad-cli", "`subject` of the programme office member who erases, recorded in the events' metadata")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *person == "" || *reason == "" {
		return &usageError{msg: "leerpad erase needs --person and --reason"}
	}
	o, err := openOfficeApp(ctx, esf, *actor, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, o.close()) }()
	out, err := o.app.Erase(ctx, usecase.Write{Actor: o.actor}, usecase.EraseRequest{PersonID: *person, Reason: *reason, Reference: *reference})
	if err != nil {
		return err
	}
	e := out.Erasure
	verb := "Erased"
	if !out.Created {
		verb = "Already erased"
	}
	var roles []string
	for _, r := range e.Roles {
		roles = append(roles, r.String())
	}
	_, err = fmt.Fprintf(stdout, "%s %s (%s): erasure %s, %s by %s, reason %s, at %s.\n", verb, e.PersonID, strings.Join(roles, ", "),
		e.ErasureID, "requested", e.RequestedBy, e.Reason, e.At.Format(time.RFC3339))
	return err
}

// runExport is leerpad export: everything Leerpad holds of a person, as the
// API's GET /v1/people/{personId}/data answers it, on stdout.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("leerpad export", stderr)
	var esf eventStoreFlags
	esf.register(fs)
	person := fs.String("person", "", "`id` of the person whose data to export")
	actor := fs.String("actor", "leerpad-cli", "`subject` of the programme office member who exports")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *person == "" {
		return &usageError{msg: "leerpad export needs --person"}
	}
	o, err := openOfficeApp(ctx, esf, *actor, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, o.close()) }()
	d, err := o.app.ExportPersonalData(ctx, o.actor, *person, 0)
	if err != nil {
		return err
	}
	b, err := api.MarshalPersonalData(d)
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(b, '\n'))
	return err
}

// runRetention is leerpad retention: with --dry-run it lists whom the
// retention would erase now and why (and whom it keeps, and why); without
// it erases them through the erasure use case, reason retention.
func runRetention(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("leerpad retention", stderr)
	var esf eventStoreFlags
	esf.register(fs)
	dry := fs.Bool("dry-run", false, "list what would be erased and why, erase nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o, err := openOfficeApp(ctx, esf, retentionSubject, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, o.close()) }()
	if *dry {
		due, err := o.app.RetentionDue(ctx, o.actor)
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, retentionList(due))
		return err
	}
	out, err := o.app.ApplyRetention(ctx, usecase.Write{Actor: o.actor})
	if err != nil {
		return err
	}
	b := &strings.Builder{}
	failed := 0
	for _, r := range out {
		if r.Err != nil {
			failed++
			fmt.Fprintf(b, "NOT erased %s: %v\n", r.ParticipantID, r.Err)
			continue
		}
		fmt.Fprintf(b, "erased %s (erasure %s): %s\n", r.ParticipantID, r.Erasure.ErasureID, r.Why)
	}
	fmt.Fprintf(b, "%d erased, %d failed.\n", len(out)-failed, failed)
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("retention: %d erasures failed", failed)
	}
	return nil
}

// retentionList writes the due list of a dry run.
func retentionList(due []usecase.RetentionCandidate) string {
	b := &strings.Builder{}
	n := 0
	for _, c := range due {
		if c.Erase {
			n++
			fmt.Fprintf(b, "would erase %s: %s\n", c.ParticipantID, c.Why)
		}
	}
	for _, c := range due {
		if !c.Erase {
			fmt.Fprintf(b, "would keep  %s: %s\n", c.ParticipantID, c.Why)
		}
	}
	fmt.Fprintf(b, "%d participant(s) would be erased (dry run: nothing was erased).\n", n)
	return b.String()
}
