package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/journey"
)

// What the data set holds for impact measurement (leerpad.impact/v1): the
// finished cohorts' measurements closed once their post rounds closed, level
// 2 ratings of most participants at every delivery they attended, eight
// quarters of key figures of every ordering entity, and behaviour change
// that differs between people: most improve a little, some a lot, a few
// deteriorate. One cohort's module 2 is received clearly worse than the
// others' deliveries, for the office to act on.
//
// Everything here draws from its own generators (impactRand), never from a
// cohort's, and writes with its own idempotency keys (impactNamer), so that
// the rest of the data set is what it would be without it.

// Demo stories of impact measurement.
const (
	// worseCohort and worseModule name the delivery received clearly worse
	// than the others: the first cohort's module 2 (a BLG cohort that has
	// finished; the module was revised after it), at worseQuality.
	worseCohort, worseModule = 0, 1
	worseQuality             = 2.4
	// rateShare is the share of participants present at a delivery who rate
	// what they learnt there.
	rateShare = 0.85
)

// impactRand is the generator of the impact data of cohort k (k < 0: of the
// entities' key figures).
func impactRand(seed uint64, k int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x1a9ac7000+uint64(k+1))) //nolint:gosec // demo data, not security
}

// impactNamer makes the idempotency keys of a cohort's impact commands, in a
// scope of their own.
func (b *cohortBuilder) impactNamer() *namer {
	if b.impactKeys == nil {
		b.impactKeys = &namer{scope: b.n.scope + "/impact"}
	}
	return b.impactKeys
}

// growth is how a participant's behaviour changed by the post round, on the
// 5-point scale: on the competencies they developed (focus) and on the
// others.
type growth struct {
	focus, other float64
}

// chooseGrowth draws each participant's change: about one in five improve
// a lot on what they developed (more than a 360 measures by chance: a
// reliable change), about one in eight deteriorate (a reorganisation, a new
// team, a bad year), the rest improve a little, by more the more they
// practise.
func (b *cohortBuilder) chooseGrowth() {
	for _, p := range b.people {
		switch r := b.imp.Float64(); {
		case r < 0.12:
			p.growth = growth{focus: -0.5 - 0.3*b.imp.Float64(), other: -0.15}
		case r < 0.32:
			p.growth = growth{focus: 1.05 + 0.4*b.imp.Float64(), other: 0.2}
		default:
			p.growth = growth{focus: 0.05 + 0.25*p.engagement*b.imp.Float64(), other: 0.03}
		}
	}
}

// deliveryQuality is how well delivery d is received: the module's quality,
// except for the one delivery received clearly worse.
func (b *cohortBuilder) deliveryQuality(d delivery, quality float64) float64 {
	if b.k == worseCohort && d.module == worseModule {
		return worseQuality
	}
	return quality
}

// versionGoals are the learning goals of the module version delivery d
// delivers.
func (b *cohortBuilder) versionGoals(d delivery) []string {
	goals := b.pid.goals[d.module]
	if d.version == 2 {
		goals = append(goals[:len(goals):len(goals)], b.ids.extraGoal)
	}
	return goals
}

// rateLearning plans the level 2 ratings: most participants present at a
// delivery rate, a few days after it, every learning goal of the version
// delivered: where they stood before (rated afterwards) and now. At the
// delivery received worse they report learning less.
func (b *cohortBuilder) rateLearning() {
	n := b.impactNamer()
	for _, d := range b.deliveries {
		gain := 1.1
		if b.deliveryQuality(d, b.prog.modules[d.module].quality) < 3 {
			gain = 0.35
		}
		goals := b.versionGoals(d)
		for _, p := range b.people {
			if !p.present[d.id] || b.imp.Float64() >= rateShare {
				continue
			}
			start := 2.2 + 0.6*b.imp.NormFloat64()
			ratings := make([]journey.GoalRating, len(goals))
			for i, g := range goals {
				before := int(math.Round(clamp(start+0.5*b.imp.NormFloat64(), 1, 4)))
				now := int(math.Round(clamp(float64(before)+gain*p.engagement+0.6*b.imp.NormFloat64(), 1, 5)))
				ratings[i] = journey.GoalRating{LearningGoalID: g, Before: before, Now: now}
			}
			when := at(d.endsAt, 1+b.imp.IntN(5), 8+b.imp.IntN(10), b.imp.IntN(60))
			st := newStep(n, when, fmt.Sprintf("cohort %d, journey %s: rate learning", b.k+1, p.journeyID), func(ctx context.Context, key string) error {
				return errOf(b.s.Journeys.RateLearning(ctx, journey.RateLearning{JourneyID: p.journeyID, DeliveryID: d.id, Ratings: ratings,
					At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
			})
			st.tally = &b.report.Ratings
			p.steps = append(p.steps, st)
		}
	}
}

// closeMeasurement plans the closure of the cohort's impact measurement by
// the programme office, two months after its last delivery: after the post
// rounds closed and the journeys were completed. It runs in the cohort's
// last phase, after every journey command; a cohort still running at the
// reference date is not closed.
func (b *cohortBuilder) closeMeasurement() {
	if len(b.deliveries) == 0 {
		return
	}
	when := at(b.deliveries[len(b.deliveries)-1].endsAt, 60, 10, 0)
	st := newStep(b.impactNamer(), when, fmt.Sprintf("cohort %d: close measurement", b.k+1), func(ctx context.Context, key string) error {
		return errOf(b.s.Cohorts.CloseMeasurement(ctx, cohort.CloseMeasurement{CohortID: b.cohortID, At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
	st.phase, st.fixed = len(b.deliveries)+1, true
	b.cohortOps = append(b.cohortOps, st)
	if !afterReference(st) {
		b.report.Closed++
	}
}

// keyFigureQuarters is how many quarters of key figures every entity has:
// the eight before the reference date.
const keyFigureQuarters = 8

// buildKeyFigures plans every ordering entity's key figures of the eight
// quarters before the reference date, as the programme office records them
// one to two weeks after each quarter (those before the entity was registered on
// the day after): absenteeism around 4 to 7 % with a winter peak, staff
// turnover around 5 to 12 %, each entity its own level.
func buildKeyFigures(p *plan, s Services, ids *catalogueIDs, seed uint64) {
	rng := impactRand(seed, -1)
	n := &namer{scope: fmt.Sprintf("seed/%d/key-figures", seed)}
	y, m, _ := ReferenceDate.Date()
	last := time.Date(y, m-(m-1)%3-3, 1, 0, 0, 0, 0, time.UTC) // the last whole quarter before the reference date
	for ei, id := range ids.entities {
		registered := time.Date(2024, time.October, 7, 9, 0, 0, 0, time.UTC).AddDate(0, 0, 28).Add(time.Duration(ei) * time.Hour)
		absence, turnover := 4.6+1.4*rng.Float64(), 6+4*rng.Float64()
		for q := range keyFigureQuarters {
			start := last.AddDate(0, -3*(keyFigureQuarters-1-q), 0)
			quarter := fmt.Sprintf("%d-Q%d", start.Year(), (int(start.Month())+2)/3)
			season := map[time.Month]float64{time.January: 0.7, time.April: 0, time.July: -0.4, time.October: 0.2}[start.Month()]
			a := round1(clamp(absence+season-0.04*float64(q)+0.25*rng.NormFloat64(), 4, 7))
			t := round1(clamp(turnover+0.8*rng.NormFloat64(), 5, 12))
			when := at(start.AddDate(0, 3, 0), 7+rng.IntN(7), 10, ei*5) // before the reference date, two weeks into a quarter
			if when.Before(registered) {
				when = registered.Add(24 * time.Hour).Add(time.Duration(q) * time.Minute)
			}
			p.catalogue = append(p.catalogue, newStep(n, when, fmt.Sprintf("record key figures %s of %s", quarter, entities[ei].name), func(ctx context.Context, key string) error {
				return errOf(s.Entities.RecordKeyFigures(ctx, catalogue.RecordKeyFigures{EntityID: id, Quarter: quarter, AbsenteeismPct: &a,
					TurnoverPct: &t, At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
			}))
			p.report.KeyFigures++
		}
	}
}

func round1(x float64) float64 { return math.Round(10*x) / 10 }
