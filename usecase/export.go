package usecase

import (
	"context"
	"errors"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/domain/privacy"
)

// PersonalData is everything Leerpad holds of one person (GDPR art. 15
// and 20), as the export hands it over.
type PersonalData struct {
	PersonID   string
	ExportedAt time.Time
	// Enrolments are the cohorts the person was enrolled in, with the name
	// and e-mail address they were enrolled with.
	Enrolments []EnrolmentData
	// Journeys are their journeys, each whole: the portfolio with every
	// part, the history of sharing with the manager and the reads of the
	// portfolio by others.
	Journeys []JourneyData
	// Rated are the 360 rounds of others they were a rater in. Their own
	// answers and comments are in it only when they asked themselves
	// (AnswersWithheld otherwise): individual 360 answers are shown to
	// nobody else, the programme office included.
	Rated           []portfolio.RatedRound
	AnswersWithheld bool
	// Managed and FormerlyManaged are the journeys they manage, or managed,
	// as a manager: ids only, the content is the participants'.
	Managed, FormerlyManaged []string
	// Erasure is their erasure, when they were erased: then nothing else is left.
	Erasure *privacy.PersonErased
}

// EnrolmentData is one enrolment of the person.
type EnrolmentData struct {
	CohortID, ProgrammeID, JourneyID string
	Name, Email                      string
	EnrolledAt                       time.Time
	WithdrawnAt                      time.Time
}

// JourneyData is one journey of the person, whole.
type JourneyData struct {
	Portfolio      Portfolio
	SharingHistory []portfolio.SharingChange
	Reads          []privacy.PortfolioRead
}

// ExportPersonalData gathers everything Leerpad holds of person personID:
// for the person themselves and the programme office (on their request).
// It returns an error wrapping domain.ErrNotFound when Leerpad holds nothing
// of them and never erased them.
func (a *App) ExportPersonalData(ctx context.Context, p access.Principal, personID string, min uint64) (PersonalData, error) {
	if err := domain.Validate(domain.RequireID("personId", personID)); err != nil {
		return PersonalData{}, err
	}
	if err := a.authorize(ctx, p, access.ActionRead, access.Resource{Kind: access.KindPersonalData, PersonID: personID}); err != nil {
		return PersonalData{}, err
	}
	if a.deps.Portfolios == nil {
		return PersonalData{}, unavailable("the portfolio read model")
	}
	if err := a.caughtUp(ctx, min, a.deps.Portfolios.Name()); err != nil {
		return PersonalData{}, err
	}
	out := PersonalData{PersonID: personID, ExportedAt: a.now(), Enrolments: []EnrolmentData{}, Journeys: []JourneyData{}}
	if a.deps.ErasureView != nil {
		rec, found, err := a.erasure(ctx, personID)
		if err != nil {
			return out, err
		}
		if found {
			out.Erasure = &rec
		}
	}
	t := a.deps.Portfolios.Traces(personID)
	if t.Empty() && out.Erasure == nil {
		return out, errorf404("person", personID)
	}
	for _, id := range t.Journeys {
		v, err := a.deps.Portfolios.Current(id)
		if errors.Is(err, domain.ErrNotFound) {
			continue // erased in between
		}
		if err != nil {
			return out, err
		}
		jd := JourneyData{Portfolio: Portfolio{View: v, Parts: Parts()}}
		if jd.SharingHistory, err = a.deps.Portfolios.SharingHistory(id); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return out, err
		}
		if a.deps.ReadAudit != nil {
			if jd.Reads, err = a.deps.ReadAudit.Reads(ctx, id); err != nil {
				return out, err
			}
		}
		out.Journeys = append(out.Journeys, jd)
		e := EnrolmentData{CohortID: v.CohortID, ProgrammeID: v.ProgrammeID, JourneyID: id, EnrolledAt: v.EnrolledAt}
		_, err = a.cohorts.View(ctx, v.CohortID, func(c *cohort.Cohort) {
			e.Name, e.Email, _ = c.Contact(personID)
			if en, err := c.Enrolment(personID); err == nil {
				e.WithdrawnAt = en.WithdrawnAt
			}
		})
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return out, err
		}
		out.Enrolments = append(out.Enrolments, e)
	}
	self := p.Subject == personID
	for _, r := range t.Rated {
		if !self {
			r.Response = nil
		}
		out.Rated = append(out.Rated, r)
	}
	out.AnswersWithheld = !self && len(t.Rated) > 0
	out.Managed, out.FormerlyManaged = t.Managed, t.FormerlyManaged
	return out, nil
}

func errorf404(what, id string) error {
	return notFound(what, id, domain.ErrNotFound)
}
