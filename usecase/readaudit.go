package usecase

import (
	"context"
	"time"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/domain/privacy"
)

// audit records that p read the parts of the portfolio of journey
// journeyID (of participant participantID, in programme programmeID), as
// of asOf when not nil: when p is not the participant. It queues the record
// and returns at once (ReadAudit batches the appends), so a read does not
// wait for a write.
func (a *App) audit(p access.Principal, participantID, journeyID, programmeID string, parts []portfolio.Part, asOf *time.Time) {
	if a.deps.ReadAudit == nil || p.Subject == participantID {
		return
	}
	names := make([]string, len(parts))
	for i, part := range parts {
		names[i] = string(part)
	}
	role := ""
	if len(p.Roles) > 0 {
		role = p.Roles[0].String()
	}
	var at *time.Time
	if asOf != nil {
		t := *asOf
		at = &t
	}
	a.deps.ReadAudit.Record(privacy.PortfolioRead{JourneyID: journeyID, ReaderID: p.Subject, ReaderRole: role, Parts: names, AsOf: at, At: a.now()}, programmeID)
}

// PortfolioReads are the reads of a journey's portfolio by others than the
// participant, oldest first (who, when, which parts; never what they read):
// for the participant only. Records older than the programme's read-audit
// retention have expired.
func (a *App) PortfolioReads(ctx context.Context, p access.Principal, journeyID string) ([]privacy.PortfolioRead, error) {
	f, err := a.journeyFacts(ctx, journeyID, access.KindReadAudit, nil)
	if err != nil {
		return nil, err
	}
	if err := a.authorize(ctx, p, access.ActionRead, f.resource); err != nil {
		return nil, err
	}
	if a.deps.ReadAudit == nil {
		return nil, unavailable("the read audit")
	}
	return a.deps.ReadAudit.Reads(ctx, journeyID)
}

// SharingHistory is the history of what the participant shared with their
// manager, change by change, oldest first: the participant's to read.
func (a *App) SharingHistory(ctx context.Context, p access.Principal, journeyID string, min uint64) ([]portfolio.SharingChange, error) {
	f, err := a.journeyFacts(ctx, journeyID, access.KindJourney, nil)
	if err != nil {
		return nil, err
	}
	if err := a.authorize(ctx, p, access.ActionRead, f.resource); err != nil {
		return nil, err
	}
	if a.deps.Portfolios == nil {
		return nil, unavailable("the portfolio read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Portfolios.Name()); err != nil {
		return nil, err
	}
	return a.deps.Portfolios.SharingHistory(journeyID)
}
