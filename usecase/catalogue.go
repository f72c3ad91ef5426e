package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/offer"
)

// The catalogue: modules and their versions, programmes of modules and 360
// instruments. The programme office writes it; everyone in a programme reads
// it. Access to it depends on who asks, not on which module, programme or
// instrument: it is decided once, before anything is read.

// ModuleSummary is a module at its current version, as its stream holds it now.
type ModuleSummary struct {
	ID       string
	Version  int
	Retired  bool
	Content  catalogue.Content
	Revision uint64
}

// ProgrammeSummary is a programme as its stream holds it now.
type ProgrammeSummary struct {
	ID            string
	Code          string
	ModuleIDs     []string
	RaterApproval bool
	Retired       bool
	Revision      uint64
}

// InstrumentSummary is a 360 instrument as published: its scale and its
// competencies with their items.
type InstrumentSummary struct {
	ID           string
	Title        string
	Scale        feedback.Scale
	Competencies []feedback.Competency
	Retired      bool
	Revision     uint64
}

// onCatalogue runs a command of operation o on the module, programme,
// instrument or entity o.target that view reads (what names it when it is
// not found): it runs the command expecting the revision read, and again on
// a fresh read when another writer appended first (ErrBusy after the last
// attempt). The caller decided access before: it does not depend on which
// one is written.
func onCatalogue[A any](ctx context.Context, a *App, o op, view Viewer[A], what string, run func(env domain.Envelope, at time.Time) (domain.Written, error)) (domain.Written, error) {
	return o.decided(ctx, func() (domain.Written, error) {
		rev, err := view.View(ctx, o.target, func(A) {})
		if err != nil {
			return domain.Written{}, notFound(what, o.target, err)
		}
		exp, err := o.expect(rev)
		if err != nil {
			return domain.Written{}, err
		}
		return run(o.envelope("", exp), a.now())
	})
}

// retiredAs keeps the items whose retirement is as retired says: nil keeps
// every item (isRetired may then be nil), false those on offer, true those
// retired.
func retiredAs[T any](items []T, retired *bool, isRetired func(T) bool) []T {
	if retired == nil {
		return items
	}
	kept := items[:0:0]
	for _, it := range items {
		if isRetired(it) == *retired {
			kept = append(kept, it)
		}
	}
	return kept
}

// offerList is a list of the offer read model for p, if the policy lets p
// read kind: the window page of the items retired keeps, and how many it
// keeps. min, when not 0, is a log position the list must include.
func offerList[T any](ctx context.Context, a *App, p access.Principal, kind access.Kind, items func(Offer) []T, retired *bool, isRetired func(T) bool, page Page, min uint64) ([]T, int, error) {
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: kind}); err != nil {
		return nil, 0, err
	}
	if a.deps.Offer == nil {
		return nil, 0, unavailable("the offer read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Offer.Name()); err != nil {
		return nil, 0, err
	}
	out, total := window(retiredAs(items(a.deps.Offer), retired, isRetired), page)
	return out, total, nil
}

// Modules are the catalogue's modules at their current version, in the
// order added: the window page of those retired keeps (nil: all), and how
// many it keeps. min, when not 0, is a log position the list must include.
func (a *App) Modules(ctx context.Context, p access.Principal, retired *bool, page Page, min uint64) ([]offer.Module, int, error) {
	return offerList(ctx, a, p, access.KindCatalogue, Offer.Modules, retired, func(m offer.Module) bool { return m.Retired }, page, min)
}

// Module is a module's current version, as its stream holds it now.
func (a *App) Module(ctx context.Context, p access.Principal, id string) (ModuleSummary, error) {
	s := ModuleSummary{ID: id}
	rev, err := a.moduleView(ctx, p, id, func(m *catalogue.Module) {
		s.Version, s.Retired, s.Content = m.CurrentVersion(), m.Retired(), m.Content()
	})
	if err != nil {
		return s, err
	}
	s.Revision = rev
	return s, nil
}

// ModuleVersions are every version of a module as it was made, from
// version 1 to the current one, with the module's revision: readable by
// whoever may read the module, retired or not, because evaluations refer to
// the versions delivered.
type ModuleVersions struct {
	ID       string
	Retired  bool
	Versions []catalogue.ModuleVersion
	Revision uint64
}

// ModuleVersions is every version of a module, as its stream holds them now.
func (a *App) ModuleVersions(ctx context.Context, p access.Principal, id string) (ModuleVersions, error) {
	s := ModuleVersions{ID: id}
	rev, err := a.moduleView(ctx, p, id, func(m *catalogue.Module) { s.Retired, s.Versions = m.Retired(), m.Versions() })
	if err != nil {
		return s, err
	}
	s.Revision = rev
	return s, nil
}

// ModuleVersion is one version of a module as it was made, with the
// module's revision; ErrNotFound when the module has no such version.
func (a *App) ModuleVersion(ctx context.Context, p access.Principal, id string, version int) (catalogue.ModuleVersion, uint64, error) {
	var v catalogue.ModuleVersion
	var ok bool
	rev, err := a.moduleView(ctx, p, id, func(m *catalogue.Module) { v, ok = m.VersionOf(version) })
	if err != nil {
		return v, 0, err
	}
	if !ok {
		return v, 0, fmt.Errorf("version %d of module %s not found: %w", version, id, domain.ErrNotFound)
	}
	return v, rev, nil
}

// moduleView reads module id as its stream holds it now, for p, who may
// read it as the catalogue (access does not depend on which module).
func (a *App) moduleView(ctx context.Context, p access.Principal, id string, see func(*catalogue.Module)) (uint64, error) {
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindCatalogue}); err != nil {
		return 0, err
	}
	if a.deps.ModuleView == nil {
		return 0, unavailable("the catalogue")
	}
	rev, err := a.deps.ModuleView.View(ctx, id, see)
	if err != nil {
		return 0, notFound("module", id, err)
	}
	return rev, nil
}

// moduleWrite decides whether the actor may write the catalogue's modules.
func (a *App) moduleWrite(ctx context.Context, w Write) error {
	if a.deps.Modules == nil || a.deps.ModuleView == nil {
		return unavailable("the catalogue")
	}
	return a.authorize(ctx, w.Actor, access.ActionWrite, access.Resource{Kind: access.KindCatalogue})
}

// AddModule adds a module to the catalogue, as version 1 (the programme
// office); it creates the module's id.
func (a *App) AddModule(ctx context.Context, w Write, c catalogue.AddModule) (Written, error) {
	if err := a.moduleWrite(ctx, w); err != nil {
		return Written{}, err
	}
	o := op{w: w, name: "add-module"}
	c.ModuleID = o.newID(a.ids, "module")
	c.Envelope, c.At = o.envelope("", domain.Revision{}), a.now()
	dw, err := a.deps.Modules.AddModule(ctx, c)
	return written(c.ModuleID, dw), err
}

// ReviseModule makes the next version of a module (the programme office),
// after a delivery.
func (a *App) ReviseModule(ctx context.Context, w Write, c catalogue.ReviseModule) (Written, error) {
	if err := a.moduleWrite(ctx, w); err != nil {
		return Written{}, err
	}
	dw, err := onCatalogue(ctx, a, op{w: w, name: "revise-module", target: c.ModuleID}, a.deps.ModuleView, "module",
		func(env domain.Envelope, at time.Time) (domain.Written, error) {
			c.Envelope, c.At = env, at
			return a.deps.Modules.ReviseModule(ctx, c)
		})
	return written(c.ModuleID, dw), err
}

// RetireModule takes a module out of the catalogue (the programme office).
// It stays readable, with its versions, for the evaluations that refer to
// them; no programme takes it any more and it is not revised again.
func (a *App) RetireModule(ctx context.Context, w Write, moduleID string) (Written, error) {
	if err := a.moduleWrite(ctx, w); err != nil {
		return Written{}, err
	}
	dw, err := onCatalogue(ctx, a, op{w: w, name: "retire-module", target: moduleID}, a.deps.ModuleView, "module",
		func(env domain.Envelope, at time.Time) (domain.Written, error) {
			return a.deps.Modules.RetireModule(ctx, catalogue.RetireModule{ModuleID: moduleID, At: at, Envelope: env})
		})
	return written(moduleID, dw), err
}

// Programmes are the programmes in the order designed: the window page of
// those retired keeps (nil: all), and how many it keeps. min, when not 0,
// is a log position the list must include.
func (a *App) Programmes(ctx context.Context, p access.Principal, retired *bool, page Page, min uint64) ([]offer.Programme, int, error) {
	return offerList(ctx, a, p, access.KindProgramme, Offer.Programmes, retired, func(pr offer.Programme) bool { return pr.Retired }, page, min)
}

// Programme is a programme as its stream holds it now.
func (a *App) Programme(ctx context.Context, p access.Principal, id string) (ProgrammeSummary, error) {
	s := ProgrammeSummary{ID: id}
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindProgramme}); err != nil {
		return s, err
	}
	if a.deps.ProgrammeView == nil {
		return s, unavailable("programmes")
	}
	rev, err := a.deps.ProgrammeView.View(ctx, id, func(pr *catalogue.Programme) {
		s.Code, s.ModuleIDs, s.RaterApproval, s.Retired = pr.Code(), pr.ModuleIDs(), pr.RaterApproval(), pr.Retired()
	})
	if err != nil {
		return s, notFound("programme", id, err)
	}
	s.Revision = rev
	return s, nil
}

// programmeWrite decides whether the actor may write programmes.
func (a *App) programmeWrite(ctx context.Context, w Write) error {
	if a.deps.Programmes == nil || a.deps.ProgrammeView == nil {
		return unavailable("programmes")
	}
	return a.authorize(ctx, w.Actor, access.ActionWrite, access.Resource{Kind: access.KindProgramme})
}

// onProgramme runs a command of operation name on programme id, which the
// programme office writes, and answers with what it wrote about the programme.
func (a *App) onProgramme(ctx context.Context, w Write, name, id string, run func(env domain.Envelope, at time.Time) (domain.Written, error)) (Written, error) {
	if err := a.programmeWrite(ctx, w); err != nil {
		return Written{}, err
	}
	dw, err := onCatalogue(ctx, a, op{w: w, name: name, target: id}, a.deps.ProgrammeView, "programme", run)
	return written(id, dw), err
}

// DesignProgramme designs a programme (trajectory) of offered modules (the
// programme office); it creates the programme's id.
func (a *App) DesignProgramme(ctx context.Context, w Write, c catalogue.DesignProgramme) (Written, error) {
	if err := a.programmeWrite(ctx, w); err != nil {
		return Written{}, err
	}
	o := op{w: w, name: "design-programme"}
	c.ProgrammeID = o.newID(a.ids, "programme")
	c.Envelope, c.At = o.envelope("", domain.Revision{}), a.now()
	dw, err := a.deps.Programmes.DesignProgramme(ctx, c)
	return written(c.ProgrammeID, dw), err
}

// AddProgrammeModule puts an offered module into a programme (the programme
// office).
func (a *App) AddProgrammeModule(ctx context.Context, w Write, c catalogue.AddProgrammeModule) (Written, error) {
	return a.onProgramme(ctx, w, "add-programme-module", c.ProgrammeID, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Programmes.AddProgrammeModule(ctx, c)
	})
}

// RemoveProgrammeModule takes a module out of a programme (the programme
// office); a programme keeps at least one module.
func (a *App) RemoveProgrammeModule(ctx context.Context, w Write, c catalogue.RemoveProgrammeModule) (Written, error) {
	return a.onProgramme(ctx, w, "remove-programme-module:"+c.ModuleID, c.ProgrammeID, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		return a.deps.Programmes.RemoveProgrammeModule(ctx, c)
	})
}

// SetEmphasis sets a programme's emphasis on a theme (the programme office).
// Setting the emphasis it already has records nothing and is no error, as a
// PUT repeated: the answer has the revision read and no log position.
func (a *App) SetEmphasis(ctx context.Context, w Write, c catalogue.SetEmphasis) (Written, error) {
	return a.onProgramme(ctx, w, "set-emphasis:"+c.Theme.String(), c.ProgrammeID, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		c.Envelope, c.At = env, at
		dw, err := a.deps.Programmes.SetEmphasis(ctx, c)
		if errors.Is(err, catalogue.ErrEmphasisAlreadySet) {
			rev, _ := env.Expected.Get()
			return domain.Written{Revision: rev}, nil
		}
		return dw, err
	})
}

// RetireProgramme stops offering a programme (the programme office).
// Cohorts planned from it run on; no new cohort or order takes it.
func (a *App) RetireProgramme(ctx context.Context, w Write, programmeID string) (Written, error) {
	return a.onProgramme(ctx, w, "retire-programme", programmeID, func(env domain.Envelope, at time.Time) (domain.Written, error) {
		return a.deps.Programmes.RetireProgramme(ctx, catalogue.RetireProgramme{ProgrammeID: programmeID, At: at, Envelope: env})
	})
}

// Instruments are the 360 instruments in the order published: the window
// page of those retired keeps (nil: all), and how many it keeps. min, when
// not 0, is a log position the list must include.
func (a *App) Instruments(ctx context.Context, p access.Principal, retired *bool, page Page, min uint64) ([]offer.Instrument, int, error) {
	return offerList(ctx, a, p, access.KindCatalogue, Offer.Instruments, retired, func(in offer.Instrument) bool { return in.Retired }, page, min)
}

// Instrument is a 360 instrument as published, as its stream holds it now.
func (a *App) Instrument(ctx context.Context, p access.Principal, id string) (InstrumentSummary, error) {
	s := InstrumentSummary{ID: id}
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindCatalogue}); err != nil {
		return s, err
	}
	if a.deps.InstrumentView == nil {
		return s, unavailable("the instruments")
	}
	rev, err := a.deps.InstrumentView.View(ctx, id, func(in *feedback.Instrument) {
		s.Title, s.Scale, s.Competencies, s.Retired = in.Title(), in.Scale(), in.Competencies(), in.Retired()
	})
	if err != nil {
		return s, notFound("360 instrument", id, err)
	}
	s.Revision = rev
	return s, nil
}

// instrumentWrite decides whether the actor may write 360 instruments, which
// are part of the catalogue.
func (a *App) instrumentWrite(ctx context.Context, w Write) error {
	if a.deps.Instruments == nil || a.deps.InstrumentView == nil {
		return unavailable("360 instruments")
	}
	return a.authorize(ctx, w.Actor, access.ActionWrite, access.Resource{Kind: access.KindCatalogue})
}

// PublishInstrument publishes a 360 instrument (the programme office); it
// creates the instrument's id.
func (a *App) PublishInstrument(ctx context.Context, w Write, c feedback.PublishInstrument) (Written, error) {
	if err := a.instrumentWrite(ctx, w); err != nil {
		return Written{}, err
	}
	o := op{w: w, name: "publish-instrument"}
	c.InstrumentID = o.newID(a.ids, "instrument")
	c.Envelope, c.At = o.envelope("", domain.Revision{}), a.now()
	dw, err := a.deps.Instruments.PublishInstrument(ctx, c)
	return written(c.InstrumentID, dw), err
}

// RetireInstrument retires a 360 instrument (the programme office): it opens
// no new rounds; the rounds open with it run on.
func (a *App) RetireInstrument(ctx context.Context, w Write, instrumentID string) (Written, error) {
	if err := a.instrumentWrite(ctx, w); err != nil {
		return Written{}, err
	}
	dw, err := onCatalogue(ctx, a, op{w: w, name: "retire-instrument", target: instrumentID}, a.deps.InstrumentView, "360 instrument",
		func(env domain.Envelope, at time.Time) (domain.Written, error) {
			return a.deps.Instruments.RetireInstrument(ctx, feedback.RetireInstrument{InstrumentID: instrumentID, At: at, Envelope: env})
		})
	return written(instrumentID, dw), err
}
