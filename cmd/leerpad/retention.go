package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/usecase"
)

// retentionSubject is the actor of the retention runs serve schedules, in
// the events' metadata: no person.
const retentionSubject = "leerpad-retention"

// retentionPrincipal is who the scheduled retention run acts as: the
// programme office's right to apply retention, and nobody's id.
func retentionPrincipal() access.Principal {
	return access.Principal{Subject: retentionSubject, Roles: []access.Role{access.RoleProgrammeOffice}}
}

// scheduleRetention runs the retention every interval (never when 0),
// once the read models have caught up, until ctx ends. It logs counts,
// never a person.
func scheduleRetention(ctx context.Context, app *usecase.App, runner *projections.Runner, every time.Duration, log *slog.Logger) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !runner.CaughtUp() {
			continue
		}
		out, err := app.ApplyRetention(ctx, usecase.Write{Actor: retentionPrincipal()})
		if err != nil {
			log.WarnContext(ctx, "retention run failed", "err", err)
			continue
		}
		failed := 0
		for _, o := range out {
			if o.Err != nil {
				failed++
			}
		}
		log.InfoContext(ctx, "retention run", "erased", len(out)-failed, "failed", failed)
	}
}
