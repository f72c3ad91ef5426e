package demo

import (
	"cmp"
	"context"
	"fmt"
	"github.com/leerpad/leerpad/domain"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
)

// idSpace scopes the name-based UUIDs of seeded data.
var idSpace = uuid.MustParse("8d3f6a52-0c1e-4b7a-9f2d-5e6c7b8a9d01")

// plan is the whole data set as commands, built before anything is written.
type plan struct {
	catalogue []*step
	cohorts   []*cohortPlan
	report    Report
	people    People // of the running cohort, for the demo sign-in
}

// cohortPlan holds a cohort's commands by phase. Phase 0 ends when the first
// module is delivered; phase k covers module k until the next delivery.
type cohortPlan struct {
	journeyIDs []string
	phases     []phaseSteps
}

type phaseSteps struct {
	cohort   []*step
	journeys [][]*step // by participant
}

// namer makes ids and idempotency keys within a scope.
type namer struct {
	scope string
	n     int
}

func (n *namer) id(format string, args ...any) string {
	return uuid.NewSHA1(idSpace, []byte(n.scope+"/"+fmt.Sprintf(format, args...))).String()
}

func (n *namer) key() string {
	n.n++
	return fmt.Sprintf("leerpad-seed/%s/cmd/%d", n.scope, n.n)
}

func newStep(n *namer, at time.Time, what string, do func(ctx context.Context, key string) error) *step {
	return &step{at: at, what: what, key: n.key(), do: do}
}

// catalogueIDs are the ids of the catalogue that cohorts refer to.
type catalogueIDs struct {
	instrument   string
	competencies []string
	items        [][]string
	entities     []string
	programmes   []programmeIDs
	extraGoal    string // the learning goal the revised module's version 2 adds
}

type programmeIDs struct {
	id      string
	modules []string
	goals   [][]string
}

// ReferenceDate is the moment the data set describes: what happened before
// it is written, nothing after it. The last cohort is still running then: its
// later modules, its post-360 round and its completions lie after it, so its
// journeys are in progress and a new user can log on them. A constant, never
// the clock, so that the data set follows from the options alone.
var ReferenceDate = time.Date(2026, time.April, 15, 0, 0, 0, 0, time.UTC)

var base = time.Date(2025, time.February, 3, 0, 0, 0, 0, time.UTC)

// cohortStart returns the Monday cohort k of n starts. The last cohort
// starts in January 2026, so that it is running at the reference date; the
// first in February 2025. Three cohorts start in February 2025, September
// 2025 and January 2026; more are spread evenly, in whole weeks, in between.
func cohortStart(k, n int) time.Time {
	last := time.Date(2026, time.January, 19, 0, 0, 0, 0, time.UTC)
	switch {
	case k == n-1:
		return last
	case k == 0:
		return base
	case n == 3:
		return time.Date(2025, time.September, 8, 0, 0, 0, 0, time.UTC)
	}
	weeks := int(last.Sub(base).Hours()) / (24 * 7)
	return base.AddDate(0, 0, 7*(weeks*k/(n-1)))
}

// cohortProgramme returns the programme of cohort k: BLG, SMEC, BLG, masterclass, ...
func cohortProgramme(k int) int { return []int{0, 1, 0, 2}[k%4] }

func build(s Services, o Options) *plan {
	p := &plan{}
	cat := &namer{scope: fmt.Sprintf("seed/%d/catalogue", o.Seed)}
	ids := buildCatalogue(p, s, cat)
	buildKeyFigures(p, s, ids, o.Seed)
	p.report.Programmes, p.report.Entities, p.report.Instruments = len(programmes), len(entities), 1
	for _, pr := range programmes {
		p.report.Modules += len(pr.modules)
	}

	for k := range o.Cohorts {
		scope := fmt.Sprintf("seed/%d/set/%dx%d/cohort/%d", o.Seed, o.Cohorts, o.Participants, k)
		b := &cohortBuilder{
			s: s, ids: ids, k: k, n: &namer{scope: scope}, size: o.Participants,
			rng:  rand.New(rand.NewPCG(o.Seed, 0x5eed0000+uint64(k))), //nolint:gosec // demo data, not security
			prog: programmes[cohortProgramme(k)], pid: ids.programmes[cohortProgramme(k)],
			entity: k % len(entities), start: cohortStart(k, o.Cohorts), report: &p.report,
			running: k == o.Cohorts-1,
			imp:     impactRand(o.Seed, k),
		}
		// The entity orders the programme for the cohort: a command on the
		// entity's stream, which cohorts may share, so it runs with the catalogue.
		orderID := b.n.id("order")
		at := b.start.AddDate(0, 0, -84)
		p.catalogue = append(p.catalogue, newStep(b.n, at, fmt.Sprintf("cohort %d: place order", k+1), func(ctx context.Context, key string) error {
			return errOf(s.Entities.PlaceOrder(ctx, catalogue.PlaceOrder{EntityID: ids.entities[b.entity], OrderID: orderID,
				Kind: catalogue.OrderProgramme, ItemID: b.pid.id, Seats: o.Participants, At: at, Envelope: domain.Envelope{IdempotencyKey: key}}))
		}))
		p.cohorts = append(p.cohorts, b.build())
		if b.running {
			p.report.TryIt = b.tryIt()
			p.people = b.demoPeople(o.Seed)
		}
	}
	slices.SortStableFunc(p.catalogue, func(a, b *step) int { return a.at.Compare(b.at) })

	p.report.Commands = len(p.catalogue)
	for _, c := range p.cohorts {
		for _, ph := range c.phases {
			p.report.Commands += len(ph.cohort)
			for _, js := range ph.journeys {
				p.report.Commands += len(js)
			}
		}
	}
	return p
}

// buildCatalogue plans the instrument, the modules, the programmes, the
// entities and the single-module orders, in October and November 2024, and
// the revision of one module after its first delivery.
func buildCatalogue(p *plan, s Services, n *namer) *catalogueIDs {
	ids := &catalogueIDs{instrument: n.id("instrument")}
	add := func(at time.Time, what string, do func(ctx context.Context, key string) error) {
		p.catalogue = append(p.catalogue, newStep(n, at, what, do))
	}
	t0 := time.Date(2024, time.October, 7, 9, 0, 0, 0, time.UTC)

	var comps []feedback.Competency
	for c, def := range competencies {
		comp := feedback.Competency{ID: n.id("competency/%d", c), Name: def.name}
		var items []string
		for i, text := range def.items {
			item := feedback.Item{ID: n.id("competency/%d/item/%d", c, i), Text: text}
			comp.Items = append(comp.Items, item)
			items = append(items, item.ID)
		}
		comps = append(comps, comp)
		ids.competencies = append(ids.competencies, comp.ID)
		ids.items = append(ids.items, items)
	}
	add(t0, "publish instrument", func(ctx context.Context, key string) error {
		return errOf(s.Instruments.PublishInstrument(ctx, feedback.PublishInstrument{InstrumentID: ids.instrument, Title: instrumentTitle,
			Scale: feedback.Scale{Points: len(scaleLabels), Labels: scaleLabels}, Competencies: comps, At: t0, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})

	for pi, pr := range programmes {
		pid := programmeIDs{id: n.id("programme/%s", pr.code)}
		for mi, m := range pr.modules {
			moduleID := n.id("programme/%s/module/%d", pr.code, mi)
			content := catalogue.Content{Title: m.title, Theme: m.theme, Forms: m.forms, Hours: m.hours}
			var goals []string
			for gi, g := range m.goals {
				goalID := n.id("programme/%s/module/%d/goal/%d", pr.code, mi, gi)
				content.LearningGoals = append(content.LearningGoals, catalogue.LearningGoal{ID: goalID, Behaviour: g})
				goals = append(goals, goalID)
			}
			pid.modules = append(pid.modules, moduleID)
			pid.goals = append(pid.goals, goals)
			at := t0.AddDate(0, 0, 7+pi).Add(time.Duration(mi) * time.Hour)
			add(at, fmt.Sprintf("add module %s %d", pr.code, mi+1), func(ctx context.Context, key string) error {
				return errOf(s.Modules.AddModule(ctx, catalogue.AddModule{ModuleID: moduleID, Content: content, At: at, Envelope: domain.Envelope{IdempotencyKey: key}}))
			})
			if pi == revision.programme && mi == revision.module {
				revised := content
				revised.Hours = content.Hours + 4
				ids.extraGoal = n.id("programme/%s/module/%d/goal/%d", pr.code, mi, len(m.goals))
				revised.LearningGoals = append(slices.Clone(content.LearningGoals),
					catalogue.LearningGoal{ID: ids.extraGoal, Behaviour: revision.extraGoal})
				at := time.Date(2025, time.June, 23, 14, 0, 0, 0, time.UTC)
				add(at, fmt.Sprintf("revise module %s %d", pr.code, mi+1), func(ctx context.Context, key string) error {
					return errOf(s.Modules.ReviseModule(ctx, catalogue.ReviseModule{ModuleID: moduleID, Content: revised,
						Reason: revision.reason, At: at, Envelope: domain.Envelope{IdempotencyKey: key}}))
				})
			}
		}
		at := t0.AddDate(0, 0, 16+pi)
		add(at, "design programme "+pr.code, func(ctx context.Context, key string) error {
			return errOf(s.Programmes.DesignProgramme(ctx, catalogue.DesignProgramme{ProgrammeID: pid.id, Code: pr.code, Title: pr.title,
				ModuleIDs: pid.modules, Emphasis: pr.emphasis, RaterApproval: pr.raterApproval, At: at, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
		ids.programmes = append(ids.programmes, pid)
	}

	for ei, e := range entities {
		id := n.id("entity/%d", ei)
		ids.entities = append(ids.entities, id)
		at := t0.AddDate(0, 0, 28).Add(time.Duration(ei) * time.Hour)
		add(at, "register entity "+e.name, func(ctx context.Context, key string) error {
			return errOf(s.Entities.RegisterEntity(ctx, catalogue.RegisterEntity{EntityID: id, Name: e.name, At: at, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}
	// The last entity also orders single modules of BLG for its own people.
	for i, mi := range []int{1, 4} {
		orderID := n.id("entity/%d/module-order/%d", len(entities)-1, i)
		moduleID := ids.programmes[0].modules[mi]
		at := time.Date(2025, time.March, 10+i, 10, 0, 0, 0, time.UTC)
		add(at, "place module order", func(ctx context.Context, key string) error {
			return errOf(s.Entities.PlaceOrder(ctx, catalogue.PlaceOrder{EntityID: ids.entities[len(entities)-1], OrderID: orderID,
				Kind: catalogue.OrderModule, ItemID: moduleID, Seats: 8 + 4*i, At: at, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}
	return ids
}

type person struct{ id, name, email string }

type goal struct {
	id         string
	competency int
	at         time.Time // formulated
}

// tenure is a manager of a participant from a time on.
type tenure struct {
	id   string
	from time.Time
}

// grant is a section shared with the manager of the time.
type grant struct {
	section journey.Section
	at      time.Time
}

// experimentPlan is an experiment with the times of its first and last step.
type experimentPlan struct {
	id        string
	goal      string
	logged    time.Time
	concluded time.Time // zero when it stops before its next step is set
}

type rater struct {
	person
	group feedback.RaterGroup
}

type participant struct {
	person
	journeyID   string
	manager     person
	engagement  float64   // how active: 0.4 (at risk) to 1.2
	baseline    []float64 // per competency, on the 5-point scale
	focus       []int     // competencies chosen to develop
	goals       []goal
	group       int       // index of the intervision group, -1 when none
	withdrawAt  time.Time // zero when the participant completes
	shared      map[journey.Section]bool
	raters      []rater // colleagues and others who may rate; the manager and self come on top
	steps       []*step
	experiments int

	// What the choice of the Try-it participant looks at, with times, so
	// that it can be judged at the reference date.
	managers []tenure
	grants   []grant
	planned  []experimentPlan
	closing  *step // the completion or withdrawal

	growth  growth          // how behaviour changed by the post round (impact.go)
	present map[string]bool // deliveries attended, by id
}

type delivery struct {
	id       string
	module   int
	version  int
	startsAt time.Time
	endsAt   time.Time
}

type cohortBuilder struct {
	s       Services
	ids     *catalogueIDs
	k       int
	n       *namer
	rng     *rand.Rand
	size    int
	prog    programmeDef
	pid     programmeIDs
	entity  int
	start   time.Time
	report  *Report
	running bool // the last cohort, still running at the reference date
	// imp and impactKeys draw and key the impact data (impact.go), apart
	// from rng and n so that the rest stays as it is.
	imp        *rand.Rand
	impactKeys *namer

	cohortID   string
	trainers   []string
	deliveries []delivery
	people     []*participant
	groups     [][]int
	groupIDs   []string
	cohortOps  []*step
	emails     map[string]bool
	names      map[string]string // person id → name, for the demo sign-in (people.go)
}

func (b *cohortBuilder) cohortStep(at time.Time, what string, do func(ctx context.Context, key string) error) *step {
	st := newStep(b.n, at, fmt.Sprintf("cohort %d: %s", b.k+1, what), do)
	b.cohortOps = append(b.cohortOps, st)
	return st
}

func (b *cohortBuilder) journeyStep(p *participant, at time.Time, what string, do func(ctx context.Context, key string) error) *step {
	st := newStep(b.n, at, fmt.Sprintf("cohort %d, journey %s: %s", b.k+1, p.journeyID, what), do)
	p.steps = append(p.steps, st)
	return st
}

// at returns the day d days after t at the given time of day.
func at(t time.Time, days, hour, minute int) time.Time {
	d := t.AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, time.UTC)
}

// within returns a time in the working hours of a day from lo to hi days after t.
func (b *cohortBuilder) within(t time.Time, lo, hi int) time.Time {
	return at(t, lo+b.rng.IntN(hi-lo+1), 8+b.rng.IntN(10), b.rng.IntN(60))
}

func (b *cohortBuilder) chance(p float64) bool { return b.rng.Float64() < p }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (b *cohortBuilder) newPerson(path string, domain string) person {
	first, last := pick(b.rng, firstNames), pick(b.rng, lastNames)
	local := strings.ToLower(strings.ReplaceAll(asciiFold(first)+"."+asciiFold(last), " ", ""))
	email := local + "@" + domain
	for n := 2; b.emails[email]; n++ {
		email = fmt.Sprintf("%s%d@%s", local, n, domain) // namesakes, as in any organisation
	}
	b.emails[email] = true
	id := b.n.id("%s", path)
	if b.names == nil {
		b.names = map[string]string{}
	}
	b.names[id] = first + " " + last
	return person{id: id, name: first + " " + last, email: email}
}

func asciiFold(s string) string {
	return strings.NewReplacer("é", "e", "ë", "e", "è", "e", "ï", "i").Replace(s)
}

func (b *cohortBuilder) build() *cohortPlan {
	b.emails = map[string]bool{}
	b.cohortID = b.n.id("cohort")
	mailDomain := entities[b.entity].domain
	for t := range 2 {
		b.trainers = append(b.trainers, b.n.id("trainer/%d", t))
	}
	b.report.Cohorts++

	// Deliveries, one per module, weeksApart apart; the masterclass meets for
	// a day, the other programmes for two.
	revisedAt := time.Date(2025, time.June, 23, 14, 0, 0, 0, time.UTC)
	for mi := range b.prog.modules {
		start := at(b.start, 7*b.prog.weeksApart*mi, 8, 30)
		end := at(start, 1, 16, 30)
		if b.prog.code == "MNL" {
			end = at(start, 0, 17, 0)
		}
		version := 1
		if b.prog.code == programmes[revision.programme].code && mi == revision.module && b.start.After(revisedAt) {
			version = 2
		}
		b.deliveries = append(b.deliveries, delivery{id: b.n.id("delivery/%d", mi), module: mi, version: version, startsAt: start, endsAt: end})
	}
	b.report.Deliveries += len(b.deliveries)
	for _, d := range b.deliveries {
		if !d.startsAt.Before(ReferenceDate) {
			b.report.Upcoming++
		}
	}

	planned := at(b.start, -70, 10, 0)
	title := b.title()
	b.cohortStep(planned, "plan", func(ctx context.Context, key string) error {
		return errOf(b.s.Cohorts.PlanCohort(ctx, cohort.PlanCohort{CohortID: b.cohortID, ProgrammeID: b.pid.id, EntityID: b.ids.entities[b.entity],
			Title: title, TrainerIDs: b.trainers, StartsOn: b.start, EndsOn: b.deliveries[len(b.deliveries)-1].endsAt.AddDate(0, 0, 63),
			At: planned, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
	for _, d := range b.deliveries {
		scheduled := at(b.start, -63, 11, d.module*5)
		b.cohortStep(scheduled, "schedule delivery", func(ctx context.Context, key string) error {
			return errOf(b.s.Cohorts.ScheduleDelivery(ctx, cohort.ScheduleDelivery{CohortID: b.cohortID, DeliveryID: d.id, ModuleID: b.pid.modules[d.module],
				ModuleVersion: d.version, StartsAt: d.startsAt, EndsAt: d.endsAt, At: scheduled, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}

	for i := range b.size {
		p := &participant{
			person:     b.newPerson(fmt.Sprintf("participant/%d", i), mailDomain),
			journeyID:  b.n.id("journey/%d", i),
			engagement: b.engagement(),
			group:      -1,
			shared:     map[journey.Section]bool{},
			present:    map[string]bool{},
		}
		p.manager = b.newPerson(fmt.Sprintf("participant/%d/manager", i), mailDomain)
		p.baseline = b.baseline()
		p.focus = b.focus(p.baseline)
		b.colleagues(p, i, mailDomain)
		b.people = append(b.people, p)
	}
	b.report.Journeys += b.size
	b.chooseWithdrawals()
	b.chooseGrowth()
	b.formGroups()

	for i, p := range b.people {
		b.enrol(i, p)
		b.round(p, feedback.RoundPre, at(b.start, -35, 9, 0), at(b.start, -6, 17, 0))
		b.module1(p)
	}
	for _, d := range b.deliveries {
		b.deliver(d)
	}
	b.rateLearning()
	b.intervision()
	for _, p := range b.people {
		b.midway(p)
		last := b.deliveries[len(b.deliveries)-1].startsAt
		if p.withdrawAt.IsZero() {
			b.round(p, feedback.RoundPost, at(last, 21, 9, 0), at(last, 42, 17, 0))
			b.conversation(p, 2, at(last, 49, 10, 0), false)
			if !p.shared[journey.SectionFeedbackResults] && b.chance(0.5) {
				b.share(p, journey.SectionFeedbackResults, at(last, 50, 12, 0))
			}
		}
		b.finish(p)
	}
	b.closeMeasurement()
	return b.phases()
}

// title is the cohort's title: programme, season and year.
func (b *cohortBuilder) title() string {
	return fmt.Sprintf("%s %s %d", b.prog.code, season(b.start), b.start.Year())
}

func season(t time.Time) string {
	switch {
	case t.Month() <= time.March:
		return "winter"
	case t.Month() <= time.June:
		return "spring"
	case t.Month() <= time.August:
		return "summer"
	}
	return "autumn"
}

func (b *cohortBuilder) engagement() float64 {
	switch r := b.rng.Float64(); {
	case r < 0.15:
		return 0.4
	case r < 0.8:
		return 0.8 + 0.2*b.rng.Float64()
	default:
		return 1.2
	}
}

func (b *cohortBuilder) baseline() []float64 {
	mean := 3.2 + 0.25*b.rng.NormFloat64()
	out := make([]float64, len(competencies))
	for c := range out {
		out[c] = clamp(mean+0.4*b.rng.NormFloat64(), 1.8, 4.5)
	}
	return out
}

// focus chooses two or three competencies to develop, mostly among the
// weakest four: what the 360 round showed.
func (b *cohortBuilder) focus(baseline []float64) []int {
	order := make([]int, len(baseline))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(baseline[x], baseline[y]) })
	weak := slices.Clone(order[:4])
	b.rng.Shuffle(len(weak), func(i, j int) { weak[i], weak[j] = weak[j], weak[i] })
	n := 2
	if b.chance(0.4) {
		n = 3
	}
	return weak[:n]
}

func (b *cohortBuilder) colleagues(p *participant, i int, domain string) {
	reports := 3 + b.rng.IntN(4) // beginning and senior managers lead a team
	if b.prog.role == journey.RoleCoordinator {
		reports = 2 + b.rng.IntN(3) // the colleagues a coordinator coordinates
	}
	peers := 3 + b.rng.IntN(3)
	if b.chance(0.1) {
		peers = 2
	}
	others := 1 + b.rng.IntN(2)
	add := func(g feedback.RaterGroup, n int, dom func() string) {
		for range n {
			path := fmt.Sprintf("participant/%d/rater/%d", i, len(p.raters))
			p.raters = append(p.raters, rater{person: b.newPerson(path, dom()), group: g})
		}
	}
	own := func() string { return domain }
	add(feedback.GroupPeer, peers, own)
	add(feedback.GroupDirectReport, reports, own)
	add(feedback.GroupOther, others, func() string { return pick(b.rng, externalDomains) })
}

// chooseWithdrawals lets about one in twelve participants leave during the
// middle modules.
func (b *cohortBuilder) chooseWithdrawals() {
	k := len(b.deliveries)
	if k < 3 {
		return
	}
	n := min(b.size/12+b.rng.IntN(2), b.size)
	for _, i := range b.rng.Perm(b.size)[:n] {
		phase := 2 + b.rng.IntN(k-2) // after module 2 at the earliest
		b.people[i].withdrawAt = b.within(b.deliveries[phase-1].startsAt, 12, 18)
	}
}

// formGroups splits the cohort into intervision groups of four to six.
func (b *cohortBuilder) formGroups() {
	order := b.rng.Perm(b.size)
	sizes := groupSizes(b.size)
	for g, n := range sizes {
		members := order[:n]
		order = order[n:]
		b.groups = append(b.groups, members)
		b.groupIDs = append(b.groupIDs, b.n.id("group/%d", g))
		for _, m := range members {
			b.people[m].group = g
		}
	}
	b.report.Groups += len(sizes)
	if len(b.deliveries) == 0 {
		return
	}
	formed := at(b.deliveries[0].startsAt, 1, 15, 0)
	for g, members := range b.groups {
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = b.people[m].id
		}
		b.cohortStep(formed, "form intervision group", func(ctx context.Context, key string) error {
			return errOf(b.s.Cohorts.FormIntervisionGroup(ctx, cohort.FormIntervisionGroup{CohortID: b.cohortID, GroupID: b.groupIDs[g],
				MemberIDs: ids, At: formed, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}
}

// groupSizes returns sizes of four to six that add up to n, as even as
// possible; participants left over (n of 1 to 3, or 7) join no group.
func groupSizes(n int) []int {
	for g := (n + 5) / 6; g >= 1 && 4*g <= n; g++ {
		if n <= 6*g {
			sizes := make([]int, g)
			for i := range sizes {
				sizes[i] = n / g
				if i < n%g {
					sizes[i]++
				}
			}
			return sizes
		}
	}
	if n >= 4 {
		return []int{min(n, 6)}
	}
	return nil
}

func (b *cohortBuilder) enrol(i int, p *participant) {
	enrolled := at(b.start, -56+i/4, 9+2*(i%4), 15)
	b.cohortStep(enrolled, "enrol participant", func(ctx context.Context, key string) error {
		return errOf(b.s.Cohorts.EnrolParticipant(ctx, cohort.EnrolParticipant{CohortID: b.cohortID, ParticipantID: p.id,
			Name: p.name, Email: p.email, At: enrolled, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
	started := enrolled.Add(2 * time.Hour)
	manager := p.manager.id
	p.managers = append(p.managers, tenure{id: manager, from: started})
	b.journeyStep(p, started, "enrol", func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.Enrol(ctx, journey.Enrol{JourneyID: p.journeyID, ParticipantID: p.id, CohortID: b.cohortID,
			Role: b.prog.role, ManagerID: manager, At: started, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
}

func (b *cohortBuilder) share(p *participant, s journey.Section, when time.Time) {
	if p.shared[s] {
		return
	}
	p.shared[s] = true
	p.grants = append(p.grants, grant{section: s, at: when})
	b.journeyStep(p, when, "grant sharing "+s.String(), func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.GrantSharing(ctx, journey.GrantSharing{JourneyID: p.journeyID, Section: s, At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
}

// round plans a 360 round from open to close: the self rater, the manager,
// peers, direct reports and others nominated, approved by the manager where
// the programme asks for it, most of them answering.
func (b *cohortBuilder) round(p *participant, kind feedback.RoundKind, opened, closed time.Time) {
	roundID := b.n.id("journey/%s/round/%s", p.journeyID, kind)
	b.journeyStep(p, opened, "open "+kind.String()+" round", func(ctx context.Context, key string) error {
		return errOf(b.s.Rounds.OpenRound(ctx, feedback.OpenRound{RoundID: roundID, JourneyID: p.journeyID, InstrumentID: b.ids.instrument,
			Kind: kind, At: opened, Envelope: domain.Envelope{IdempotencyKey: key}}))
	}).tally = &b.report.Rounds
	post := kind == feedback.RoundPost
	raters := []rater{{person: person{id: p.id}, group: feedback.GroupSelf}, {person: p.manager, group: feedback.GroupManager}}
	for _, r := range p.raters {
		if post && b.chance(0.1) {
			continue // changed jobs since the first round
		}
		raters = append(raters, r)
	}
	replacements := 0
	var nominate func(r rater, when time.Time)
	nominate = func(r rater, when time.Time) {
		b.journeyStep(p, when, "nominate rater", func(ctx context.Context, key string) error {
			return errOf(b.s.Rounds.NominateRater(ctx, feedback.NominateRater{RoundID: roundID, RaterID: r.id, Group: r.group,
				Name: r.name, Email: r.email, At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
		}).tally = &b.report.Raters
		ready := when
		if b.prog.raterApproval && r.group != feedback.GroupSelf {
			decided := when.Add(time.Duration(20+b.rng.IntN(28)) * time.Hour)
			manager := p.manager.id
			if r.group != feedback.GroupManager && b.chance(0.04) {
				b.journeyStep(p, decided, "reject rater", func(ctx context.Context, key string) error {
					return errOf(b.s.Rounds.RejectRater(ctx, feedback.RejectRater{RoundID: roundID, RaterID: r.id, ManagerID: manager,
						At: decided, Envelope: domain.Envelope{IdempotencyKey: key}}))
				})
				// The participant nominates someone else of the same group.
				replacements++
				path := fmt.Sprintf("journey/%s/round/%s/replacement/%d", p.journeyID, kind, replacements)
				dom := r.email[strings.IndexByte(r.email, '@')+1:]
				nominate(rater{person: b.newPerson(path, dom), group: r.group}, decided.Add(20*time.Hour))
				return
			}
			b.journeyStep(p, decided, "approve rater", func(ctx context.Context, key string) error {
				return errOf(b.s.Rounds.ApproveRater(ctx, feedback.ApproveRater{RoundID: roundID, RaterID: r.id, ManagerID: manager,
					At: decided, Envelope: domain.Envelope{IdempotencyKey: key}}))
			})
			ready = decided
		}
		respond := map[feedback.RaterGroup]float64{feedback.GroupSelf: 1, feedback.GroupManager: 0.95}[r.group]
		if respond == 0 {
			respond = 0.87
		}
		if !b.chance(respond) {
			return
		}
		answered := ready.Add(time.Duration(4+b.rng.IntN(24*9)) * time.Hour)
		if !answered.Before(closed) {
			answered = closed.Add(-time.Duration(1+b.rng.IntN(30)) * time.Hour)
		}
		answers, comments := b.answers(p, r.group, 0.3*b.rng.NormFloat64(), post)
		b.journeyStep(p, answered, "submit response", func(ctx context.Context, key string) error {
			return errOf(b.s.Rounds.SubmitResponse(ctx, feedback.SubmitResponse{RoundID: roundID, RaterID: r.id, Answers: answers,
				Comments: comments, At: answered, Envelope: domain.Envelope{IdempotencyKey: key}}))
		}).tally = &b.report.Responses
	}
	for i, r := range raters {
		when := opened.Add(time.Duration(1+i%3) * time.Hour)
		if r.group != feedback.GroupSelf {
			when = opened.Add(time.Duration(20+b.rng.IntN(50)) * time.Hour)
		}
		nominate(r, when)
	}
	b.journeyStep(p, closed, "close "+kind.String()+" round", func(ctx context.Context, key string) error {
		return errOf(b.s.Rounds.CloseRound(ctx, feedback.CloseRound{RoundID: roundID, At: closed, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
}

// groupBias is how a rater group scores compared with the participant's
// real behaviour: people see themselves a little more favourably.
var groupBias = map[feedback.RaterGroup]float64{
	feedback.GroupSelf: 0.25, feedback.GroupManager: -0.05, feedback.GroupPeer: 0, feedback.GroupDirectReport: 0.1, feedback.GroupOther: -0.1,
}

var notObserved = map[feedback.RaterGroup]float64{
	feedback.GroupSelf: 0, feedback.GroupManager: 0.04, feedback.GroupPeer: 0.08, feedback.GroupDirectReport: 0.1, feedback.GroupOther: 0.2,
}

// answers scores every item: the participant's level on the competency,
// the group's and the rater's bias and some noise. After the programme the
// competencies the participant developed moved as their growth says (most
// a little, some a lot, a few down); the others a little.
func (b *cohortBuilder) answers(p *participant, g feedback.RaterGroup, lenient float64, post bool) ([]feedback.Answer, []feedback.Comment) {
	var out []feedback.Answer
	for c, items := range b.ids.items {
		level := p.baseline[c] + groupBias[g] + lenient
		if post {
			if slices.Contains(p.focus, c) {
				level += p.growth.focus + 0.15*b.rng.NormFloat64()
			} else {
				level += p.growth.other + 0.1*b.rng.NormFloat64()
			}
		}
		for i, item := range items {
			miss := notObserved[g]
			if g == feedback.GroupDirectReport && competencies[c].theme == catalogue.ThemeEnvironment {
				miss = 0.3 // the team sees little of the political work
			}
			if b.chance(miss) {
				out = append(out, feedback.Answer{ItemID: item, NotObserved: true})
				continue
			}
			score := int(math.Round(clamp(level+0.45*b.rng.NormFloat64()+0.1*float64(i%2), 1, 5)))
			out = append(out, feedback.Answer{ItemID: item, Score: score})
		}
	}
	var comments []feedback.Comment
	if g != feedback.GroupSelf && b.chance(0.25) {
		comment := feedback.Comment{Text: pick(b.rng, raterComments)}
		if b.chance(0.6) {
			comment.CompetencyID = pick(b.rng, b.ids.competencies)
		}
		comments = append(comments, comment)
	}
	return out, comments
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// letGo and dose are behaviours participants temper or drop, with their competency.
var (
	letGo = []struct {
		competency int
		behaviour  string
	}{
		{5, "Taking over work from employees when a deadline comes close."},
		{0, "Answering e-mails during meetings."},
		{1, "Solving problems for people before they ask."},
		{3, "Deciding alone on matters that affect the whole team."},
	}
	dose = []struct {
		competency int
		behaviour  string
	}{
		{6, "Defending the team's interests in every meeting."},
		{5, "Checking the details of every file."},
		{2, "Explaining every decision at length."},
		{4, "Seeking consensus on every decision."},
	}
)

// module1 plans what the first module starts: the measurements, the why,
// the behaviour choices and the learning goals.
func (b *cohortBuilder) module1(p *participant) {
	d1 := b.deliveries[0].startsAt
	for mi, m := range b.prog.measurements {
		d := b.deliveries[m.module].startsAt
		taken := at(d, -7, 20, 0)
		recorded := at(d, 0, 12, 30+mi)
		id := b.n.id("journey/%s/measurement/%d", p.journeyID, mi)
		result := pick(b.rng, m.results)
		b.journeyStep(p, recorded, "record measurement", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.RecordMeasurement(ctx, journey.RecordMeasurement{JourneyID: p.journeyID, MeasurementID: id, Kind: m.kind,
				Instrument: m.instrument, Result: result, TakenOn: taken, At: recorded, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}

	whyAt := b.within(d1, 2, 5)
	why := pick(b.rng, whys)
	vals := make([]string, 0, 3)
	for _, i := range b.rng.Perm(len(values))[:2+b.rng.IntN(2)] {
		vals = append(vals, values[i])
	}
	b.journeyStep(p, whyAt, "state why", func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.StateWhy(ctx, journey.StateWhy{JourneyID: p.journeyID, Why: why, Values: vals, At: whyAt, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})

	type choice struct {
		competency int
		behaviour  string
		choice     journey.Choice
	}
	var choices []choice
	for _, c := range p.focus {
		choices = append(choices, choice{c, pick(b.rng, competencies[c].items), journey.ChoiceDevelop})
	}
	strongest := slices.IndexFunc(p.baseline, func(x float64) bool { return x == slices.Max(p.baseline) })
	if !slices.Contains(p.focus, strongest) {
		choices = append(choices, choice{strongest, pick(b.rng, competencies[strongest].items), journey.ChoiceContinue})
	}
	if b.chance(0.6) {
		d := pick(b.rng, dose)
		choices = append(choices, choice{d.competency, d.behaviour, journey.ChoiceDose})
	}
	if b.chance(0.35) {
		l := pick(b.rng, letGo)
		choices = append(choices, choice{l.competency, l.behaviour, journey.ChoiceLetGo})
	}
	chosenAt := b.within(d1, 3, 6)
	for i, ch := range choices {
		id := b.n.id("journey/%s/choice/%d", p.journeyID, i)
		when := chosenAt.Add(time.Duration(i) * time.Minute)
		competency := b.ids.competencies[ch.competency]
		b.journeyStep(p, when, "choose behaviour", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.ChooseBehaviour(ctx, journey.ChooseBehaviour{JourneyID: p.journeyID, ChoiceID: id, CompetencyID: competency,
				Behaviour: ch.behaviour, Choice: ch.choice, At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}
	if b.chance(0.12) && len(choices) > len(p.focus) {
		// Later on, a behaviour to continue turns out to need tempering.
		i := len(p.focus)
		id := b.n.id("journey/%s/choice/%d", p.journeyID, i)
		next := journey.ChoiceDose
		if choices[i].choice == journey.ChoiceDose {
			next = journey.ChoiceLetGo
		}
		when := b.within(b.deliveries[min(2, len(b.deliveries)-1)].startsAt, 9, 11)
		b.journeyStep(p, when, "revise behaviour choice", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.ReviseBehaviourChoice(ctx, journey.ReviseBehaviourChoice{JourneyID: p.journeyID, ChoiceID: id,
				Choice: next, At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}

	for i, c := range p.focus {
		def := competencies[c]
		kind, text := journey.KindGoal, pick(b.rng, def.goals)
		if b.chance(0.3) {
			kind, text = journey.KindQuestion, pick(b.rng, def.questions)
		}
		var moduleGoals []string
		for mi, m := range b.prog.modules {
			if m.theme == def.theme {
				moduleGoals = append(moduleGoals, pick(b.rng, b.pid.goals[mi]))
				break
			}
		}
		when := b.within(d1, 5, 10)
		g := goal{id: b.n.id("journey/%s/goal/%d", p.journeyID, i), competency: c, at: when}
		p.goals = append(p.goals, g)
		competency := b.ids.competencies[c]
		// A goal (not a question) is SMART: how the participant will see it
		// (the first behaviour of its competency in the post 360) and by when
		// (the end of the last module). Drawn from nothing random, so that
		// the rest of the data set stays as it was.
		var criteria string
		var due time.Time
		if kind == journey.KindGoal {
			criteria = fmt.Sprintf("In the post 360 my colleagues answer often or always to: %s", def.items[0])
			due = b.deliveries[len(b.deliveries)-1].endsAt
		}
		b.journeyStep(p, when, "formulate learning goal", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.FormulateLearningGoal(ctx, journey.FormulateLearningGoal{JourneyID: p.journeyID, GoalID: g.id, Kind: kind,
				Text: text, SuccessCriteria: criteria, DueOn: due, CompetencyIDs: []string{competency}, ModuleGoalIDs: moduleGoals, At: when,
				Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}
	if b.chance(0.7) {
		when := b.within(d1, 11, 13)
		for _, s := range []journey.Section{journey.SectionWhyAndValues, journey.SectionBehaviourChoices, journey.SectionLearningGoals} {
			b.share(p, s, when)
		}
	}
}

// deliver plans a delivery: the attendance, and per participant the
// practice assignment, the evaluation and the experiments of the module.
func (b *cohortBuilder) deliver(d delivery) {
	m := b.prog.modules[d.module]
	recorded := at(d.startsAt, 1, 16, 45)
	if d.endsAt.Before(recorded) {
		recorded = d.endsAt.Add(15 * time.Minute)
	}
	quality := m.quality
	if d.version == 2 {
		quality = revision.quality
	}
	quality = b.deliveryQuality(d, quality)
	for _, p := range b.people {
		if !p.withdrawAt.IsZero() && !p.withdrawAt.After(d.startsAt) {
			continue
		}
		status := cohort.Present
		switch r := b.rng.Float64(); {
		case r < 0.04+0.1*(1.2-p.engagement):
			status = cohort.Absent
		case r < 0.08+0.1*(1.2-p.engagement):
			status = cohort.Excused
		}
		p.present[d.id] = status == cohort.Present
		b.cohortStep(recorded, "record attendance", func(ctx context.Context, key string) error {
			return errOf(b.s.Cohorts.RecordAttendance(ctx, cohort.RecordAttendance{CohortID: b.cohortID, DeliveryID: d.id, ParticipantID: p.id,
				Status: status, At: recorded, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})

		assignmentID := b.n.id("journey/%s/assignment/%d", p.journeyID, d.module)
		given := d.startsAt.Add(90 * time.Minute)
		trainer := b.trainers[d.module%len(b.trainers)]
		b.journeyStep(p, given, "give assignment", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.GiveAssignment(ctx, journey.GiveAssignment{JourneyID: p.journeyID, AssignmentID: assignmentID, ModuleID: b.pid.modules[d.module],
				TrainerID: trainer, Title: m.assignment, DueOn: at(d.startsAt, 21, 0, 0), At: given, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
		if b.chance(0.55 + 0.4*min(p.engagement, 1)) {
			handedIn := b.within(d.startsAt, 8, 20)
			reflection := pick(b.rng, handInReflections)
			b.journeyStep(p, handedIn, "hand in assignment", func(ctx context.Context, key string) error {
				return errOf(b.s.Journeys.HandInAssignment(ctx, journey.HandInAssignment{JourneyID: p.journeyID, AssignmentID: assignmentID,
					Reflection: reflection, At: handedIn, Envelope: domain.Envelope{IdempotencyKey: key}}))
			})
		}
		if status == cohort.Present && b.chance(0.5+0.4*min(p.engagement, 1)) {
			b.evaluate(p, d, quality)
		}
		n := 1
		if b.chance(0.5 * p.engagement) {
			n++
		}
		if d.module > 0 && b.chance(0.5*(1.2-p.engagement)) {
			n-- // at risk: weeks without an experiment
		}
		for range n {
			b.experiment(p, d)
		}
	}
}

func (b *cohortBuilder) evaluate(p *participant, d delivery, quality float64) {
	mood := 0.3 * b.rng.NormFloat64()
	var scores []journey.Score
	for _, q := range journey.Questions() {
		level := quality + mood
		switch q {
		case journey.QuestionTrainer:
			level += 0.25
		case journey.QuestionMethod:
			if quality < 3.7 {
				level -= 0.4
			}
		case journey.QuestionApplicability:
			level -= 0.1
		}
		scores = append(scores, journey.Score{Question: q, Score: int(math.Round(clamp(level+0.55*b.rng.NormFloat64(), 1, 5)))})
	}
	var comments string
	if b.chance(0.3) {
		comments = pick(b.rng, evaluationComments)
	}
	when := b.within(d.startsAt, 2, 6)
	b.journeyStep(p, when, "evaluate module", func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.EvaluateModule(ctx, journey.EvaluateModule{JourneyID: p.journeyID, DeliveryID: d.id, Scores: scores,
			Comments: comments, At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
}

// experiment plans an experiment for one of the participant's learning
// goals, taken through its steps; some stop halfway.
func (b *cohortBuilder) experiment(p *participant, d delivery) {
	g := pick(b.rng, p.goals)
	sc := pick(b.rng, scenarios[g.competency])
	id := b.n.id("journey/%s/experiment/%d", p.journeyID, p.experiments)
	p.experiments++
	logged := b.within(d.startsAt, 2, 9)
	if d.module == 0 {
		logged = b.within(d.startsAt, 11, 14) // once the learning goals are formulated
	}
	plannedFor := at(logged, 2+b.rng.IntN(7), 0, 0)
	b.journeyStep(p, logged, "log experiment", func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.LogExperiment(ctx, journey.LogExperiment{JourneyID: p.journeyID, ExperimentID: id, LearningGoalID: g.id,
			Intention: sc.intention, PlannedFor: plannedFor, At: logged, Envelope: domain.Envelope{IdempotencyKey: key}}))
	}).tally = &b.report.Experiments
	p.planned = append(p.planned, experimentPlan{id: id, goal: g.id, logged: logged})
	stop := b.rng.Float64()
	if stop < 0.08 {
		return
	}
	tried := at(plannedFor, 0, 17, b.rng.IntN(60))
	b.journeyStep(p, tried, "record experiment tried", func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.RecordExperimentTried(ctx, journey.RecordExperimentTried{JourneyID: p.journeyID, ExperimentID: id,
			WhatWasTried: sc.tried, TriedOn: plannedFor, At: tried, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
	if stop < 0.15 {
		return
	}
	reflected := b.within(tried, 1, 3)
	b.journeyStep(p, reflected, "reflect on experiment", func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.ReflectOnExperiment(ctx, journey.ReflectOnExperiment{JourneyID: p.journeyID, ExperimentID: id,
			Outcome: sc.outcome, Reflection: sc.reflection, At: reflected, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
	if stop < 0.25 {
		return
	}
	concluded := reflected.Add(time.Duration(1+b.rng.IntN(48)) * time.Hour)
	p.planned[len(p.planned)-1].concluded = concluded
	b.journeyStep(p, concluded, "set next step", func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.SetNextStep(ctx, journey.SetNextStep{JourneyID: p.journeyID, ExperimentID: id, NextStep: sc.next,
			At: concluded, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
}

// intervision plans a meeting of every group two weeks after each delivery,
// recorded once for the group a few hours later; one of those present
// brings in a case. A meeting needs two members present. The record goes
// in the phase after the delivery's, as a withdrawal from the cohort does,
// so that the cohort's commands stay in time order.
func (b *cohortBuilder) intervision() {
	for g, members := range b.groups {
		for mi, d := range b.deliveries {
			held := at(d.startsAt, 15, 14, 0)
			when := held.Add(time.Duration(3+b.rng.IntN(40)) * time.Hour)
			var present []string
			for _, m := range members {
				p := b.people[m]
				if !p.withdrawAt.IsZero() && !p.withdrawAt.After(when) {
					continue // withdrawn by the time it is recorded: no longer a member
				}
				if b.chance(0.6 + 0.25*min(p.engagement, 1)) {
					present = append(present, p.id)
				}
			}
			if len(present) < cohort.MinSessionAttendees {
				continue
			}
			c := cohort.RecordIntervisionSession{CohortID: b.cohortID, GroupID: b.groupIDs[g], SessionID: b.n.id("group/%d/session/%d", g, mi),
				HeldOn: held, AttendeeIDs: present, CaseBroughtBy: present[b.rng.IntN(len(present))], Method: pick(b.rng, intervisionMethods),
				CaseSummary: pick(b.rng, intervisionCases), At: when}
			st := b.cohortStep(when, "record intervision session", func(ctx context.Context, key string) error {
				c.IdempotencyKey = key
				return errOf(b.s.Cohorts.RecordIntervisionSession(ctx, c))
			})
			st.phase, st.fixed = b.phaseOf(held)+1, true
		}
	}
}

// midway plans the coaching sessions, the first development conversation
// and, for a few, a new manager.
func (b *cohortBuilder) midway(p *participant) {
	k := len(b.deliveries)
	for i, mi := range []int{1, k - 2} {
		if mi < 0 || mi >= k || (i == 1 && mi == 1) {
			continue
		}
		held := at(b.deliveries[mi].startsAt, 18, 10+b.rng.IntN(6), 0)
		id := b.n.id("journey/%s/coaching/%d", p.journeyID, i)
		coach := b.trainers[i%len(b.trainers)]
		notes := pick(b.rng, coachingNotes)
		recorded := held.Add(2 * time.Hour)
		b.journeyStep(p, recorded, "record coaching session", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.RecordCoachingSession(ctx, journey.RecordCoachingSession{JourneyID: p.journeyID, SessionID: id,
				CoachID: coach, HeldOn: held, Notes: notes, At: recorded, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}
	if k >= 2 {
		d := b.deliveries[1].startsAt
		if b.chance(0.5) {
			b.share(p, journey.SectionExperiments, at(d, 14, 20, 0))
			b.share(p, journey.SectionAssignments, at(d, 14, 20, 1))
		}
		b.conversation(p, 1, at(d, 16, 10, 0), b.chance(0.15))
	}
	if k >= 4 && b.chance(0.06) {
		d := b.deliveries[2].startsAt
		changed := at(d, 6, 9, 0)
		p.manager = b.newPerson(fmt.Sprintf("journey/%s/new-manager", p.journeyID), entities[b.entity].domain)
		manager := p.manager.id
		p.managers = append(p.managers, tenure{id: manager, from: changed})
		b.journeyStep(p, changed, "change manager", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.ChangeManager(ctx, journey.ChangeManager{JourneyID: p.journeyID, ManagerID: manager, At: changed, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
		// The new manager sees nothing until the participant shares again.
		was := p.shared
		p.shared = map[journey.Section]bool{}
		if was[journey.SectionLearningGoals] {
			b.share(p, journey.SectionLearningGoals, at(d, 8, 9, 30))
		}
	}
}

// conversation plans a development conversation with the current manager,
// confirmed by both; a few are revised first, which voids a confirmation.
func (b *cohortBuilder) conversation(p *participant, n int, held time.Time, revise bool) {
	id := b.n.id("journey/%s/conversation/%d", p.journeyID, n)
	agreed := pickN(b.rng, agreements, 2+b.rng.IntN(2))
	questions := pickN(b.rng, nextQuestions, 1+b.rng.IntN(2))
	recorded := held.Add(3 * time.Hour)
	manager := p.manager.id
	b.journeyStep(p, recorded, "record development conversation", func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.RecordConversation(ctx, journey.RecordConversation{JourneyID: p.journeyID, ConversationID: id, HeldOn: held,
			Agreements: agreed, NextQuestions: questions, At: recorded, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
	confirm := func(party journey.Party, by string, when time.Time) {
		b.journeyStep(p, when, "confirm conversation as "+party.String(), func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.ConfirmConversation(ctx, journey.ConfirmConversation{JourneyID: p.journeyID, ConversationID: id,
				Party: party, ConfirmedBy: by, At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}
	t := b.within(held, 1, 2)
	confirm(journey.PartyParticipant, p.id, t)
	if revise {
		t = t.Add(22 * time.Hour)
		revised := append(slices.Clone(agreed), pick(b.rng, conversationRevisions))
		when := t
		b.journeyStep(p, when, "revise development conversation", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.ReviseConversation(ctx, journey.ReviseConversation{JourneyID: p.journeyID, ConversationID: id,
				Agreements: revised, NextQuestions: questions, At: when, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
		t = t.Add(3 * time.Hour)
		confirm(journey.PartyParticipant, p.id, t)
	}
	confirm(journey.PartyManager, manager, t.Add(time.Duration(20+b.rng.IntN(50))*time.Hour))
}

func pickN[T any](r *rand.Rand, xs []T, n int) []T {
	out := make([]T, 0, n)
	for _, i := range r.Perm(len(xs))[:min(n, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

// finish ends the journey: a withdrawal drops what would have come after it
// (and the cohort records it in the next phase), a completion comes last.
func (b *cohortBuilder) finish(p *participant) {
	if !p.withdrawAt.IsZero() {
		p.steps = slices.DeleteFunc(p.steps, func(s *step) bool { return !s.at.Before(p.withdrawAt) })
		reason := pick(b.rng, withdrawalReasons)
		wt := p.withdrawAt
		left := wt.Add(24 * time.Hour)
		p.closing = b.journeyStep(p, wt, "withdraw", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.Withdraw(ctx, journey.Withdraw{JourneyID: p.journeyID, Reason: reason, At: wt, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
		// Both records of a withdrawal, or neither, lie before the
		// reference date.
		p.closing.cutAt = left
		st := b.cohortStep(left, "withdraw participant", func(ctx context.Context, key string) error {
			return errOf(b.s.Cohorts.WithdrawParticipant(ctx, cohort.WithdrawParticipant{CohortID: b.cohortID, ParticipantID: p.id, At: left, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
		// After the journey's own withdrawal, so that a run that was cut off
		// never leaves a participant withdrawn from the cohort with a journey
		// still open.
		st.phase, st.fixed = b.phaseOf(wt)+1, true
		return
	}
	last := p.steps[0].at
	for _, s := range p.steps {
		last = maxTime(last, s.at)
	}
	done := at(last, 2, 10, 0)
	// Before the completion the participant closes their first goal as
	// achieved and, with three or more, drops the last: after every
	// experiment, which a closed goal no longer takes.
	closed := at(last, 2, 9, 0)
	for i, g := range p.goals {
		outcome, reflection := journey.OutcomeAchieved, "I do this now without having to think about it."
		switch {
		case i == len(p.goals)-1 && len(p.goals) >= 3:
			outcome, reflection = journey.OutcomeDropped, "Other priorities after the reorganisation; I will pick it up next year."
		case i != 0:
			continue
		}
		b.journeyStep(p, closed, "close learning goal", func(ctx context.Context, key string) error {
			return errOf(b.s.Journeys.CloseLearningGoal(ctx, journey.CloseLearningGoal{JourneyID: p.journeyID, GoalID: g.id, Outcome: outcome,
				Reflection: reflection, At: closed, Envelope: domain.Envelope{IdempotencyKey: key}}))
		})
	}
	p.closing = b.journeyStep(p, done, "complete", func(ctx context.Context, key string) error {
		return errOf(b.s.Journeys.Complete(ctx, journey.Complete{JourneyID: p.journeyID, At: done, Envelope: domain.Envelope{IdempotencyKey: key}}))
	})
}

// afterReference reports whether a step lies after the reference date, and
// so is not part of the data set.
func afterReference(st *step) bool {
	t := st.at
	if !st.cutAt.IsZero() {
		t = st.cutAt
	}
	return !t.Before(ReferenceDate)
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// phaseOf returns the phase of a time: how many deliveries started by then.
func (b *cohortBuilder) phaseOf(t time.Time) int {
	n := 0
	for _, d := range b.deliveries {
		if !d.startsAt.After(t) {
			n++
		}
	}
	return n
}

// phases drops what lies after the reference date, sorts every stream's
// commands by time and splits them by phase. The closing command of each
// journey is its last one; a journey without one is in progress.
func (b *cohortBuilder) phases() *cohortPlan {
	b.cohortOps = slices.DeleteFunc(b.cohortOps, afterReference)
	for _, p := range b.people {
		p.steps = slices.DeleteFunc(p.steps, afterReference)
		switch {
		case afterReference(p.closing):
			b.report.InProgress++
		case p.withdrawAt.IsZero():
			b.report.Completed++
		default:
			b.report.Withdrawn++
		}
	}
	byTime := func(a, b *step) int { return a.at.Compare(b.at) }
	n := len(b.deliveries) + 2
	cp := &cohortPlan{phases: make([]phaseSteps, n)}
	for i := range cp.phases {
		cp.phases[i].journeys = make([][]*step, len(b.people))
	}
	slices.SortStableFunc(b.cohortOps, byTime)
	for _, st := range b.cohortOps {
		if !st.fixed {
			st.phase = b.phaseOf(st.at)
		}
		cp.phases[st.phase].cohort = append(cp.phases[st.phase].cohort, st)
	}
	for i, p := range b.people {
		cp.journeyIDs = append(cp.journeyIDs, p.journeyID)
		slices.SortStableFunc(p.steps, byTime)
		for _, st := range p.steps {
			if st.tally != nil {
				*st.tally++
			}
			st.phase = b.phaseOf(st.at)
			cp.phases[st.phase].journeys[i] = append(cp.phases[st.phase].journeys[i], st)
		}
	}
	return cp
}
