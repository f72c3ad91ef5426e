package impact

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/leerpad/leerpad/domain"
	view "github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/impact/stats"
)

// The queries. Each takes asOf, a log position (0: the read model's
// checkpoint), and answers the population as of it: the union of the
// cohorts released at positions up to asOf, each with what it froze at its
// release. Asked again with the same asOf, a query answers the same bytes,
// whatever was written since (docs/decisions/0012-impact-read-model.md).
//
// Incremental recomputation. Released cohorts never change, so the figures
// of levels 1 to 3 of a population depend only on which of its cohorts are
// released: a prefix of its releases in log order. They are cached under
// the population and the lengths of those prefixes; releasing a cohort
// lengthens the prefixes of exactly the populations it belongs to (its
// programme, its entity, its entity within its programme, itself), which
// are computed anew on their next question, from the frozen per-cohort
// blocks, without reading a journey; every other population is answered
// from the cache. Level 4 (key figures, not frozen) is put together on
// every question, for it is a short series.

var questionNames = func() []string {
	var out []string
	for _, q := range journey.Questions() {
		out = append(out, q.String())
	}
	return out
}()

// ErrAhead is wrapped in the error of a query asked as of a position the
// read model has not reached; a caller waits for it first.
var ErrAhead = fmt.Errorf("the impact read model has not reached that position: %w", domain.ErrConflict)

type cacheKey struct {
	kind   view.Kind
	a, b   string
	na, nb int
}

// computed is a population's figures of levels 1 to 3.
type computed struct {
	pop view.Population
}

// prefix returns the releases of rs at positions up to q; rs is in log
// order.
func prefix(rs []*release, q uint64) []*release {
	return rs[:sort.Search(len(rs), func(i int) bool { return rs[i].Position > q })]
}

// at resolves asOf against the checkpoint; the caller holds the lock.
func (m *ReadModel) at(asOf uint64) (uint64, error) {
	pos := projections.CheckpointOf(&m.Frame).Position()
	switch {
	case asOf == 0:
		return pos, nil
	case asOf > pos:
		return 0, fmt.Errorf("as of %d, at %d: %w", asOf, pos, ErrAhead)
	}
	return asOf, nil
}

// Cohort returns a cohort's figures as of asOf; Released is false before
// its measurement was closed. It returns an error wrapping
// domain.ErrNotFound for a cohort it has not seen planned or enrolled in.
func (m *ReadModel) Cohort(cohortID string, asOf uint64) (view.Population, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	q, err := m.at(asOf)
	if err != nil {
		return view.Population{}, err
	}
	c, ok := m.s.Cohorts[cohortID]
	if !ok {
		return view.Population{}, fmt.Errorf("impact of cohort %s: %w", cohortID, domain.ErrNotFound)
	}
	var rs []*release
	if c.Released {
		for _, r := range m.byProgramme[c.ProgrammeID] {
			if r.CohortID == cohortID && r.Position <= q {
				rs = []*release{r}
			}
		}
	}
	base := view.Population{Kind: view.KindCohort, CohortID: cohortID, ProgrammeID: c.ProgrammeID, EntityID: c.EntityID}
	p := m.population(cacheKey{kind: view.KindCohort, a: cohortID, na: len(rs)}, base, rs)
	return m.finish(p, q, rs, []string{c.EntityID}), nil
}

// Programme returns the figures of a programme's released cohorts as of
// asOf.
func (m *ReadModel) Programme(programmeID string, asOf uint64) (view.Population, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	q, err := m.at(asOf)
	if err != nil {
		return view.Population{}, err
	}
	rs := prefix(m.byProgramme[programmeID], q)
	base := view.Population{Kind: view.KindProgramme, ProgrammeID: programmeID}
	p := m.population(cacheKey{kind: view.KindProgramme, a: programmeID, na: len(rs)}, base, rs)
	return m.finish(p, q, rs, entitiesOf(rs)), nil
}

// Entity returns the figures of an ordering entity's released cohorts as of
// asOf; with programmeID not empty, of those of that programme only, where
// a cell is shown only when its complement in the programme and in the
// entity is 0 or at least impact.K people.
func (m *ReadModel) Entity(entityID, programmeID string, asOf uint64) (view.Population, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	q, err := m.at(asOf)
	if err != nil {
		return view.Population{}, err
	}
	all := prefix(m.byEntity[entityID], q)
	if programmeID == "" {
		base := view.Population{Kind: view.KindEntity, EntityID: entityID}
		p := m.population(cacheKey{kind: view.KindEntity, a: entityID, na: len(all)}, base, all)
		return m.finish(p, q, all, []string{entityID}), nil
	}
	inProgramme := prefix(m.byProgramme[programmeID], q)
	var rs, restOfEntity, restOfProgramme []*release
	for _, r := range all {
		if r.ProgrammeID == programmeID {
			rs = append(rs, r)
		} else {
			restOfEntity = append(restOfEntity, r)
		}
	}
	for _, r := range inProgramme {
		if r.EntityID != entityID {
			restOfProgramme = append(restOfProgramme, r)
		}
	}
	key := cacheKey{kind: view.KindEntityInProgramme, a: entityID, b: programmeID, na: len(all), nb: len(inProgramme)}
	base := view.Population{Kind: view.KindEntityInProgramme, EntityID: entityID, ProgrammeID: programmeID}
	p := m.population(key, base, rs, restOfProgramme, restOfEntity)
	return m.finish(p, q, rs, []string{entityID}), nil
}

// Module returns the figures of levels 1 and 2 of a module as of asOf:
// its evaluations and learning ratings per version, across every released
// cohort that delivered it (IMPACT.md §3), each cohort's part of a cell
// counted only with at least K people as everywhere. Behaviour and results
// belong to cohorts, not modules: they are empty.
func (m *ReadModel) Module(moduleID string, asOf uint64) (view.Population, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	q, err := m.at(asOf)
	if err != nil {
		return view.Population{}, err
	}
	var rs []*release
	for _, r := range prefix(m.s.Releases, q) {
		if mr := r.ofModule(moduleID); mr != nil {
			rs = append(rs, mr)
		}
	}
	base := view.Population{Kind: view.KindModule, ModuleID: moduleID}
	p := m.population(cacheKey{kind: view.KindModule, a: moduleID, na: len(rs)}, base, rs)
	p.Position = q
	p.Results = []view.EntityResults{}
	return p, nil
}

// finish completes a cached population for one question: its position and
// level 4, the key figures of entities as of q with the population's
// cohorts marked. The slices of the cached part are shared: read only.
func (m *ReadModel) finish(p view.Population, q uint64, rs []*release, entities []string) view.Population {
	p.Position = q
	p.Results = []view.EntityResults{}
	if !p.Released {
		return p // no figures at all, key figures neither
	}
	for _, e := range entities {
		if e == "" {
			continue
		}
		p.Results = append(p.Results, m.results(e, q, rs))
	}
	return p
}

func entitiesOf(rs []*release) []string {
	var out []string
	for _, r := range rs {
		if !slices.Contains(out, r.EntityID) {
			out = append(out, r.EntityID)
		}
	}
	slices.Sort(out)
	return out
}

// results is an entity's key figures per quarter as of q (the last record
// of a quarter at or before q), with the quarters in which the cohorts of rs
// of that entity ran, oldest first.
func (m *ReadModel) results(entityID string, q uint64, rs []*release) view.EntityResults {
	byQuarter := map[string]*view.Quarter{}
	get := func(name string) *view.Quarter {
		x, ok := byQuarter[name]
		if !ok {
			x = &view.Quarter{Quarter: name, CohortIDs: []string{}}
			byQuarter[name] = x
		}
		return x
	}
	for _, f := range m.s.Figures[entityID] {
		if f.Position > q {
			break
		}
		x := get(f.Quarter)
		x.AbsenteeismPct, x.TurnoverPct = f.AbsenteeismPct, f.TurnoverPct
	}
	for _, r := range rs {
		if r.EntityID != entityID {
			continue
		}
		for _, name := range quartersBetween(r.StartsOn, r.EndsOn) {
			x := get(name)
			x.CohortIDs = append(x.CohortIDs, r.CohortID)
		}
	}
	out := view.EntityResults{EntityID: entityID, Quarters: make([]view.Quarter, 0, len(byQuarter))}
	for _, x := range byQuarter {
		out.Quarters = append(out.Quarters, *x)
	}
	slices.SortFunc(out.Quarters, func(a, b view.Quarter) int { return cmp.Compare(a.Quarter, b.Quarter) })
	return out
}

// quartersBetween names the quarters ("2025-Q1") a period touches, in UTC.
func quartersBetween(from, to string) []string {
	a, err1 := time.Parse(timeLayout, from)
	b, err2 := time.Parse(timeLayout, to)
	if err1 != nil || err2 != nil || b.Before(a) {
		return nil
	}
	var out []string
	y, qn := a.Year(), (int(a.Month())-1)/3
	for ; y < b.Year() || (y == b.Year() && qn <= (int(b.Month())-1)/3); qn++ {
		if qn == 4 {
			y, qn = y+1, 0
			if y > b.Year() {
				break
			}
		}
		out = append(out, fmt.Sprintf("%04d-Q%d", y, qn+1))
	}
	return out
}

// maxCached bounds the cache: past it, the cache starts afresh (answers as
// of old positions are computed again when asked).
const maxCached = 4096

// Warm computes the current figures of every population that has a
// released cohort: each programme, entity, entity within a programme and
// cohort. The runner calls it once the read models have caught up with the
// log (projections.Warmer), so that the first question about a population
// after a start is answered from the cache, as every later one is; from
// then on refresh keeps every population a release touches computed.
func (m *ReadModel) Warm(ctx context.Context) {
	m.mu.RLock()
	var cohorts, programmes, entities []string
	var pairs [][2]string
	for _, rs := range m.byProgramme {
		for _, r := range rs {
			cohorts = append(cohorts, r.CohortID)
			if !slices.Contains(pairs, [2]string{r.EntityID, r.ProgrammeID}) {
				pairs = append(pairs, [2]string{r.EntityID, r.ProgrammeID})
			}
		}
	}
	for id := range m.byProgramme {
		programmes = append(programmes, id)
	}
	for id := range m.byEntity {
		entities = append(entities, id)
	}
	m.mu.RUnlock()
	m.warm.Store(true) // a release from here on refreshes what it touches
	for _, id := range programmes {
		if ctx.Err() != nil {
			return
		}
		_, _ = m.Programme(id, 0)
	}
	for _, id := range entities {
		if ctx.Err() != nil {
			return
		}
		_, _ = m.Entity(id, "", 0)
	}
	for _, p := range pairs {
		if ctx.Err() != nil {
			return
		}
		_, _ = m.Entity(p[0], p[1], 0)
	}
	for _, id := range cohorts {
		if ctx.Err() != nil {
			return
		}
		_, _ = m.Cohort(id, 0)
	}
}

// refresh computes the current figures of the populations release r
// touches, so that their next question finds them in the cache: after
// Warm, all of them; before, only those in the cache (someone asked them
// before), so that a read model rebuilt from the log does not compute
// figures nobody reads while it catches up.
func (m *ReadModel) refresh(r *release) {
	var programme, entity bool
	var pairs [][2]string
	if m.warm.Load() {
		programme, entity = true, true
		pairs = append(pairs, [2]string{r.EntityID, r.ProgrammeID})
		_, _ = m.Cohort(r.CohortID, 0)
	}
	m.cacheMu.Lock()
	for k := range m.cache {
		switch k.kind {
		case view.KindProgramme:
			programme = programme || k.a == r.ProgrammeID
		case view.KindEntity:
			entity = entity || k.a == r.EntityID
		case view.KindEntityInProgramme:
			if (k.a == r.EntityID || k.b == r.ProgrammeID) && !slices.Contains(pairs, [2]string{k.a, k.b}) {
				pairs = append(pairs, [2]string{k.a, k.b})
			}
		case view.KindCohort, view.KindModule:
		}
	}
	m.cacheMu.Unlock()
	if programme {
		_, _ = m.Programme(r.ProgrammeID, 0)
	}
	if entity {
		_, _ = m.Entity(r.EntityID, "", 0)
	}
	for _, p := range pairs {
		_, _ = m.Entity(p[0], p[1], 0)
	}
}

// population returns the figures of levels 1 to 3 of the union of rs, from
// the cache when they were computed before, named as base. A cell is shown only when the
// blocks of at least K people it is made of, and no complement in
// complements holds 1 to K−1 people of it.
func (m *ReadModel) population(key cacheKey, base view.Population, rs []*release, complements ...[]*release) view.Population {
	m.cacheMu.Lock()
	c, ok := m.cache[key]
	m.cacheMu.Unlock()
	if !ok {
		c = &computed{pop: compute(rs, complements...)}
		m.cacheMu.Lock()
		if len(m.cache) >= maxCached {
			m.cache = map[cacheKey]*computed{}
		}
		m.cache[key] = c
		m.cacheMu.Unlock()
	}
	p := c.pop
	p.Kind, p.CohortID, p.ProgrammeID, p.EntityID, p.ModuleID = base.Kind, base.CohortID, base.ProgrammeID, base.EntityID, base.ModuleID
	return p
}

// compute puts a population together from the frozen blocks of its
// released cohorts.
func compute(rs []*release, complements ...[]*release) view.Population {
	p := view.Population{Definition: view.Definition}
	p.Cohorts = []string{}
	p.Reaction, p.Learning, p.Behaviour, p.Practice = []view.ReactionCell{}, []view.LearningCell{}, []view.BehaviourCell{}, []view.PracticeCell{}
	for _, r := range rs {
		p.Cohorts = append(p.Cohorts, r.CohortID)
		p.Journeys += r.Journeys
	}
	p.Released = len(rs) > 0
	if !p.Released {
		return p
	}
	// allowed reports whether every complement holds 0 or at least K
	// people of a cell, given the size of its shown blocks there.
	allowed := func(n func(r *release) int) bool {
		for _, rest := range complements {
			total := 0
			for _, r := range rest {
				total += n(r)
			}
			if total > 0 && total < view.K {
				return false
			}
		}
		return true
	}
	p.Behaviour = behaviourCells(rs, allowed, &p.SuppressedCells)
	p.Reaction = reactionCells(rs, allowed, &p.SuppressedCells)
	p.Learning = learningCells(rs, allowed, &p.SuppressedCells)
	p.Practice = practiceCells(rs, allowed, &p.SuppressedCells)
	return p
}

// shown is the size of a block that counts: at least K people, else 0.
func shown(n int) int {
	if n < view.K {
		return 0
	}
	return n
}

func behaviourCells(rs []*release, allowed func(func(*release) int) bool, suppressed *int) []view.BehaviourCell {
	type acc struct {
		name      string
		n         int
		pre, post []float64
		rel       []stats.ItemSums // one per row length
	}
	accs := map[behaviourKey]*acc{}
	var order []behaviourKey
	for _, r := range rs { // sizes first: one allocation per cell
		for i := range r.Behaviour {
			b := &r.Behaviour[i]
			k := b.key()
			a, ok := accs[k]
			if !ok {
				a = &acc{name: b.Name}
				accs[k] = a
				order = append(order, k)
			}
			if b.N >= view.K {
				a.n += b.N
			}
		}
	}
	for _, k := range order {
		a := accs[k]
		a.pre, a.post = make([]float64, 0, a.n), make([]float64, 0, a.n)
	}
	for _, r := range rs {
		for i := range r.Behaviour {
			b := &r.Behaviour[i]
			if b.N < view.K {
				continue
			}
			a := accs[b.key()]
			a.pre, a.post = append(a.pre, b.Pre...), append(a.post, b.Post...)
			for _, s := range b.Reliability {
				j := slices.IndexFunc(a.rel, func(x stats.ItemSums) bool { return len(x.Sum) == len(s.Sum) })
				if j < 0 {
					j = len(a.rel)
					a.rel = append(a.rel, stats.NewItemSums(len(s.Sum)))
				}
				a.rel[j].Merge(s)
			}
		}
	}
	out := []view.BehaviourCell{}
	for _, k := range order {
		a := accs[k]
		ok := a.n >= view.K && allowed(func(r *release) int {
			for i := range r.Behaviour {
				if r.Behaviour[i].key() == k {
					return shown(r.Behaviour[i].N)
				}
			}
			return 0
		})
		if !ok {
			*suppressed++
			continue
		}
		c, err := stats.BehaviourChangeWithReliability(a.pre, a.post, reliability(a.rel))
		if err != nil {
			*suppressed++ // not defined for these numbers (not finite): not shown
			continue
		}
		out = append(out, view.BehaviourCell{CompetencyID: k.Competency, Name: a.name, Group: k.Group, N: c.N,
			MeanPre: c.MeanPre, MeanPost: c.MeanPost, MeanChange: c.MeanChange, SDPre: c.SDPre, SDPost: c.SDPost, SDChange: c.SDChange,
			R: c.R, MeanChangeCI: interval(c.MeanChangeCI), T: c.T, P: c.P, DZ: c.DZ, DZCI: interval(c.DZCI), DAV: c.DAV, DAVCI: interval(c.DAVCI),
			GAV: c.GAV, Reliability: c.Reliability, SDiff: c.SDiff,
			ReliablyImproved: c.ReliablyImproved, ReliablyDeteriorated: c.ReliablyDeteriorated, NoReliableChange: c.NoReliableChange})
	}
	return out
}

// reliability is Cronbach's α of a cell's rater rows, from their sums: of
// the rows of the most common length (the longer one on a tie), for a
// competency id shared by instruments of different item counts would
// otherwise make a ragged matrix.
func reliability(sums []stats.ItemSums) *float64 {
	best := -1
	for i, s := range sums {
		if best < 0 || s.N > sums[best].N || (s.N == sums[best].N && len(s.Sum) > len(sums[best].Sum)) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	return stats.CronbachAlphaOfSums(sums[best])
}

func interval(i *stats.Interval) *view.Interval {
	if i == nil {
		return nil
	}
	return &view.Interval{Lo: i.Lo, Hi: i.Hi}
}

func reactionCells(rs []*release, allowed func(func(*release) int) bool, suppressed *int) []view.ReactionCell {
	type acc struct {
		scores                []float64
		evaluations, attended int
	}
	accs := map[reactionKey]*acc{}
	var order []reactionKey
	size := map[reactionKey]int{}
	for _, r := range rs { // sizes first: one allocation per cell
		for i := range r.Reaction {
			if b := &r.Reaction[i]; b.N >= view.K {
				size[b.key()] += len(b.Scores)
			}
		}
	}
	for _, r := range rs {
		for i := range r.Reaction {
			b := &r.Reaction[i]
			k := b.key()
			a, ok := accs[k]
			if !ok {
				a = &acc{scores: make([]float64, 0, size[k])}
				accs[k] = a
				order = append(order, k)
			}
			if b.N < view.K {
				continue
			}
			a.scores = append(a.scores, b.Scores...)
			a.evaluations += b.Evaluations
			a.attended += b.Attended
		}
	}
	sortReaction(order)
	out := []view.ReactionCell{}
	for _, k := range order {
		a := accs[k]
		ok := len(a.scores) >= view.K && allowed(func(r *release) int {
			for i := range r.Reaction {
				if r.Reaction[i].key() == k {
					return shown(r.Reaction[i].N)
				}
			}
			return 0
		})
		s, err := stats.Describe(a.scores)
		if !ok || err != nil {
			*suppressed++
			continue
		}
		c := view.ReactionCell{ModuleID: k.Module, ModuleVersion: k.Version, QuestionID: k.Question, N: s.N, Mean: s.Mean, SD: s.SD,
			MeanCI: interval(s.MeanCI)}
		if a.attended > 0 {
			rate := float64(a.evaluations) / float64(a.attended)
			c.ResponseRate = &rate
		}
		out = append(out, c)
	}
	return out
}

func sortReaction(keys []reactionKey) {
	slices.SortFunc(keys, func(a, b reactionKey) int {
		return cmp.Or(cmp.Compare(a.Module, b.Module), cmp.Compare(a.Version, b.Version), cmp.Compare(questionIndex(a.Question), questionIndex(b.Question)))
	})
}

func learningCells(rs []*release, allowed func(func(*release) int) bool, suppressed *int) []view.LearningCell {
	type acc struct{ before, now []float64 }
	accs := map[learningKey]*acc{}
	var order []learningKey
	for _, r := range rs {
		for i := range r.Learning {
			b := &r.Learning[i]
			k := b.key()
			a, ok := accs[k]
			if !ok {
				a = &acc{}
				accs[k] = a
				order = append(order, k)
			}
			if b.N < view.K {
				continue
			}
			a.before, a.now = append(a.before, b.Before...), append(a.now, b.Now...)
		}
	}
	slices.SortFunc(order, func(a, b learningKey) int {
		return cmp.Or(cmp.Compare(a.Module, b.Module), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Goal, b.Goal))
	})
	out := []view.LearningCell{}
	for _, k := range order {
		a := accs[k]
		ok := len(a.before) >= view.K && allowed(func(r *release) int {
			for i := range r.Learning {
				if r.Learning[i].key() == k {
					return shown(r.Learning[i].N)
				}
			}
			return 0
		})
		if !ok {
			*suppressed++
			continue
		}
		pc, err1 := stats.PairedChange(a.before, a.now)
		before, err2 := stats.Describe(a.before)
		now, err3 := stats.Describe(a.now)
		if err1 != nil || err2 != nil || err3 != nil {
			*suppressed++
			continue
		}
		out = append(out, view.LearningCell{ModuleID: k.Module, ModuleVersion: k.Version, LearningGoalID: k.Goal, N: pc.N,
			MeanBefore: before.Mean, MeanNow: now.Mean, MeanChange: pc.MeanChange, MeanChangeCI: interval(pc.MeanChangeCI), DZ: pc.DZ, DZCI: interval(pc.DZCI)})
	}
	return out
}

func practiceCells(rs []*release, allowed func(func(*release) int) bool, suppressed *int) []view.PracticeCell {
	type acc struct{ n, yes int }
	accs := map[string]*acc{}
	var order []string
	for _, r := range rs {
		for _, b := range r.Practice {
			a, ok := accs[b.GoalID]
			if !ok {
				a = &acc{}
				accs[b.GoalID] = a
				order = append(order, b.GoalID)
			}
			if b.N < view.K {
				continue
			}
			a.n += b.N
			a.yes += b.Yes
		}
	}
	slices.Sort(order)
	out := []view.PracticeCell{}
	for _, g := range order {
		a := accs[g]
		ok := a.n >= view.K && allowed(func(r *release) int {
			for _, b := range r.Practice {
				if b.GoalID == g {
					return shown(b.N)
				}
			}
			return 0
		})
		if !ok {
			*suppressed++
			continue
		}
		out = append(out, view.PracticeCell{LearningGoalID: g, N: a.n, Share: float64(a.yes) / float64(a.n)})
	}
	return out
}

// Own returns a journey's own change per competency and group: as frozen at
// its cohort's release, with the reliable-change index against the
// cohort's cell where that cell is shown and has an sdiff; before the
// release, as it stands, without an index. Only the participant may see it.
// It returns an error wrapping domain.ErrNotFound for a journey it has not
// seen enrolled.
func (m *ReadModel) Own(journeyID string) ([]view.OwnChange, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	j, ok := m.s.Journeys[journeyID]
	if !ok || !j.Enrolled {
		return nil, fmt.Errorf("own change of journey %s: %w", journeyID, domain.ErrNotFound)
	}
	out := []view.OwnChange{}
	var rel *release
	for _, r := range m.byProgramme[m.s.Cohorts[j.CohortID].ProgrammeID] {
		if r.CohortID == j.CohortID {
			rel = r
		}
	}
	own := m.paired(j)
	var sdiff map[behaviourKey]float64
	if rel != nil {
		own = rel.Own[journeyID]
		base := view.Population{Kind: view.KindCohort, CohortID: rel.CohortID}
		p := m.population(cacheKey{kind: view.KindCohort, a: rel.CohortID, na: 1}, base, []*release{rel})
		sdiff = map[behaviourKey]float64{}
		for _, c := range p.Behaviour {
			if c.SDiff != nil {
				sdiff[behaviourKey{c.CompetencyID, c.Group}] = *c.SDiff
			}
		}
	}
	for _, s := range own {
		o := view.OwnChange{CompetencyID: s.CompetencyID, Name: s.Name, Group: s.Group, Pre: s.Pre, Post: s.Post, Change: s.Post - s.Pre}
		if sd, ok := sdiff[behaviourKey{s.CompetencyID, s.Group}]; ok {
			o.RC = stats.ReliableChangeIndex(s.Pre, s.Post, &sd)
			if o.RC != nil {
				reliable := *o.RC > stats.RCThreshold || *o.RC < -stats.RCThreshold
				o.Reliable = &reliable
			}
		}
		out = append(out, o)
	}
	return out, nil
}

func questionIndex(q string) int {
	for i, x := range questionNames {
		if x == q {
			return i
		}
	}
	return len(questionNames)
}
