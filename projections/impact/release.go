package impact

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	view "github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections/impact/stats"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// release is a released cohort, frozen at the position of its
// cohort.measurement_closed: what each cell of it contributes to any
// population. A block with fewer than view.K people behind it keeps its size
// only (to count the cell as suppressed), never its numbers: it contributes
// to no population.
type release struct {
	CohortID    string `json:"cohortId"`
	ProgrammeID string `json:"programmeId"`
	EntityID    string `json:"entityId"`
	Position    uint64 `json:"position"`
	StartsOn    string `json:"startsOn"`
	EndsOn      string `json:"endsOn"`
	Journeys    int    `json:"journeys"`

	Behaviour []behaviourBlock `json:"behaviour"`
	Reaction  []reactionBlock  `json:"reaction"`
	Learning  []learningBlock  `json:"learning"`
	Practice  []practiceBlock  `json:"practice"`
	// Own are the contributing journeys' own paired scores, for their RC.
	Own map[string][]ownScore `json:"own"`
}

// ofModule is the part of r that is about one module: its reaction and
// learning blocks of that module, with the cohort's journeys; nil when the
// cohort did not deliver it (no block of it).
func (r *release) ofModule(moduleID string) *release {
	out := &release{CohortID: r.CohortID, ProgrammeID: r.ProgrammeID, EntityID: r.EntityID, Position: r.Position,
		StartsOn: r.StartsOn, EndsOn: r.EndsOn, Journeys: r.Journeys}
	for _, b := range r.Reaction {
		if b.ModuleID == moduleID {
			out.Reaction = append(out.Reaction, b)
		}
	}
	for _, b := range r.Learning {
		if b.ModuleID == moduleID {
			out.Learning = append(out.Learning, b)
		}
	}
	if len(out.Reaction) == 0 && len(out.Learning) == 0 {
		return nil
	}
	return out
}

type behaviourKey struct{ Competency, Group string }

type behaviourBlock struct {
	CompetencyID string    `json:"competencyId"`
	Name         string    `json:"name"`
	Group        string    `json:"group"`
	N            int       `json:"n"`
	Pre          []float64 `json:"pre,omitempty"`
	Post         []float64 `json:"post,omitempty"`
	// Reliability sums the pre-round rater rows of the cell's participants
	// (the input of Cronbach's α), one entry per row length: the rows
	// themselves are not kept.
	Reliability []stats.ItemSums `json:"reliability,omitempty"`
}

// addRows adds rater rows to the block's reliability sums.
func (b *behaviourBlock) addRows(rows [][]float64) {
	for _, r := range rows {
		i := slices.IndexFunc(b.Reliability, func(s stats.ItemSums) bool { return len(s.Sum) == len(r) })
		if i < 0 {
			i = len(b.Reliability)
			b.Reliability = append(b.Reliability, stats.NewItemSums(len(r)))
		}
		if b.Reliability[i].Add(r) != nil {
			continue // not a whole-number score: cannot be, scores are points of a scale
		}
	}
}

func (b *behaviourBlock) key() behaviourKey { return behaviourKey{b.CompetencyID, b.Group} }

type reactionKey struct {
	Module   string
	Version  int
	Question string
}

type reactionBlock struct {
	ModuleID    string    `json:"moduleId"`
	Version     int       `json:"version"`
	Question    string    `json:"question"`
	N           int       `json:"n"`
	Scores      []float64 `json:"scores,omitempty"`
	Evaluations int       `json:"evaluations"` // participants who evaluated the version
	Attended    int       `json:"attended"`    // participants present at a delivery of the version
}

func (b *reactionBlock) key() reactionKey { return reactionKey{b.ModuleID, b.Version, b.Question} }

type learningKey struct {
	Module  string
	Version int
	Goal    string
}

type learningBlock struct {
	ModuleID string    `json:"moduleId"`
	Version  int       `json:"version"`
	GoalID   string    `json:"goalId"`
	N        int       `json:"n"`
	Before   []float64 `json:"before,omitempty"`
	Now      []float64 `json:"now,omitempty"`
}

func (b *learningBlock) key() learningKey { return learningKey{b.ModuleID, b.Version, b.GoalID} }

type practiceBlock struct {
	GoalID string `json:"goalId"`
	N      int    `json:"n"`
	Yes    int    `json:"yes,omitempty"`
}

// ownScore is one journey's paired scores on a competency by one group.
type ownScore struct {
	CompetencyID string      `json:"competencyId"`
	Name         string      `json:"name"`
	Group        string      `json:"group"`
	Pre          float64     `json:"pre"`
	Post         float64     `json:"post"`
	Rows         [][]float64 `json:"-"` // pre-round rater rows, used while freezing only
}

// onMeasurementClosed releases a cohort: its measurement closes once, and
// what it contributes is frozen here. It returns the release, nil when the
// cohort was released before.
func (m *ReadModel) onMeasurementClosed(pos uint64, e cohort.MeasurementClosed) *release {
	c := m.cohort(e.CohortID)
	if c.Released {
		return nil
	}
	c.Released = true
	listed := map[string]bool{}
	for _, p := range e.ParticipantIDs {
		listed[p] = true
	}
	var js []*journeyState
	for _, id := range c.Journeys {
		j := m.s.Journeys[id]
		if j != nil && j.Enrolled && !j.Withdrawn && listed[j.ParticipantID] {
			js = append(js, j)
			delete(listed, j.ParticipantID) // one journey per participant
		}
	}
	r := &release{CohortID: c.ID, ProgrammeID: c.ProgrammeID, EntityID: c.EntityID, Position: pos, StartsOn: c.StartsOn, EndsOn: c.EndsOn,
		Journeys: len(js), Own: map[string][]ownScore{}}
	m.freezeBehaviour(r, js)
	m.freezeReaction(r, c, js)
	freezeLearning(r, js)
	freezePractice(r, js)
	m.s.Releases = append(m.s.Releases, r)
	m.index(r)
	return r
}

// paired returns a journey's paired scores (IMPACT.md §1): per competency
// of its post round's instrument and per group (the others composite last),
// where its first closed pre round and its last closed post round, of the
// same instrument, both have a score.
func (m *ReadModel) paired(j *journeyState) []ownScore {
	var pre, post *roundState
	for _, id := range j.Rounds {
		r := m.s.Rounds[id]
		switch {
		case r == nil || r.Result == nil:
		case r.Kind == feedback.RoundPre && pre == nil:
			pre = r
		case r.Kind == feedback.RoundPost:
			post = r
		}
	}
	if pre == nil || post == nil || pre.InstrumentID != post.InstrumentID {
		return nil
	}
	groups := feedback.RaterGroups()
	var out []ownScore
	for _, after := range post.Result {
		i := slices.IndexFunc(pre.Result, func(cs threesixty.CompetencyScore) bool { return cs.CompetencyID == after.CompetencyID })
		if i < 0 {
			continue
		}
		before := pre.Result[i]
		counts := [threesixty.Groups]bool{}
		for _, g := range before.Groups {
			if !g.Suppressed {
				counts[threesixty.GroupIndex(g.Group)] = true
			}
		}
		rows := pre.Rows[after.CompetencyID]
		for gi, g := range groups {
			b, a := groupScore(before, g), groupScore(after, g)
			if b == nil || a == nil {
				continue
			}
			var rs [][]float64
			for _, r := range rows {
				if r.Group == gi {
					rs = append(rs, r.Items)
				}
			}
			out = append(out, ownScore{CompetencyID: after.CompetencyID, Name: after.Name, Group: g.String(), Pre: b.Mean, Post: a.Mean, Rows: rs})
		}
		if before.Others != nil && after.Others != nil {
			var rs [][]float64
			for _, r := range rows {
				if r.Group != threesixty.GroupIndex(feedback.GroupSelf) && counts[r.Group] {
					rs = append(rs, r.Items)
				}
			}
			out = append(out, ownScore{CompetencyID: after.CompetencyID, Name: after.Name, Group: view.Others, Pre: before.Others.Mean,
				Post: after.Others.Mean, Rows: rs})
		}
	}
	return out
}

func groupScore(cs threesixty.CompetencyScore, g feedback.RaterGroup) *threesixty.GroupScore {
	for i := range cs.Groups {
		if cs.Groups[i].Group == g && !cs.Groups[i].Suppressed {
			return &cs.Groups[i]
		}
	}
	return nil
}

func (m *ReadModel) freezeBehaviour(r *release, js []*journeyState) {
	index := map[behaviourKey]int{}
	for _, j := range js {
		own := m.paired(j)
		for _, s := range own {
			k := behaviourKey{s.CompetencyID, s.Group}
			i, ok := index[k]
			if !ok {
				i = len(r.Behaviour)
				index[k] = i
				r.Behaviour = append(r.Behaviour, behaviourBlock{CompetencyID: s.CompetencyID, Name: s.Name, Group: s.Group})
			}
			b := &r.Behaviour[i]
			b.N++
			b.Pre, b.Post = append(b.Pre, s.Pre), append(b.Post, s.Post)
			b.addRows(s.Rows)
		}
		if len(own) > 0 {
			for i := range own {
				own[i].Rows = nil
			}
			r.Own[j.ID] = own
		}
	}
	for i := range r.Behaviour {
		if b := &r.Behaviour[i]; b.N < view.K {
			b.Pre, b.Post, b.Reliability = nil, nil, nil
		}
	}
}

func (m *ReadModel) freezeReaction(r *release, c *cohortState, js []*journeyState) {
	type version struct {
		module  string
		version int
	}
	attended := map[version]map[string]bool{}
	for d, who := range c.Attendance {
		dv, ok := c.Deliveries[d]
		if !ok {
			continue
		}
		v := version{dv.ModuleID, dv.Version}
		for p, status := range who {
			if status == cohort.Present.String() {
				if attended[v] == nil {
					attended[v] = map[string]bool{}
				}
				attended[v][p] = true
			}
		}
	}
	index := map[reactionKey]int{}
	evaluated := map[version]int{}
	for _, j := range js {
		latest := map[version]journey.ModuleEvaluated{}
		var order []version
		for _, e := range j.Evaluations {
			v := version{e.ModuleID, e.ModuleVersion}
			if _, ok := latest[v]; !ok {
				order = append(order, v)
			}
			latest[v] = e
		}
		for _, v := range order {
			evaluated[v]++
			for _, s := range latest[v].Scores {
				k := reactionKey{v.module, v.version, s.Question.String()}
				i, ok := index[k]
				if !ok {
					i = len(r.Reaction)
					index[k] = i
					r.Reaction = append(r.Reaction, reactionBlock{ModuleID: k.Module, Version: k.Version, Question: k.Question})
				}
				b := &r.Reaction[i]
				b.N++
				b.Scores = append(b.Scores, float64(s.Score))
			}
		}
	}
	in := map[string]bool{}
	for _, j := range js {
		in[j.ParticipantID] = true
	}
	for i := range r.Reaction {
		b := &r.Reaction[i]
		v := version{b.ModuleID, b.Version}
		b.Evaluations = evaluated[v]
		for p := range attended[v] {
			if in[p] {
				b.Attended++
			}
		}
		if b.N < view.K {
			b.Scores = nil
		}
	}
	questions := journey.Questions()
	slices.SortFunc(r.Reaction, func(a, b reactionBlock) int {
		return cmp.Or(cmp.Compare(a.ModuleID, b.ModuleID), cmp.Compare(a.Version, b.Version),
			cmp.Compare(slices.IndexFunc(questions, func(q journey.Question) bool { return q.String() == a.Question }),
				slices.IndexFunc(questions, func(q journey.Question) bool { return q.String() == b.Question })))
	})
}

func freezeLearning(r *release, js []*journeyState) {
	index := map[learningKey]int{}
	for _, j := range js {
		type version struct {
			module  string
			version int
		}
		latest := map[version]journey.LearningRated{}
		var order []version
		for _, e := range j.Ratings {
			v := version{e.ModuleID, e.ModuleVersion}
			if _, ok := latest[v]; !ok {
				order = append(order, v)
			}
			latest[v] = e
		}
		for _, v := range order {
			for _, g := range latest[v].Ratings {
				k := learningKey{v.module, v.version, g.LearningGoalID}
				i, ok := index[k]
				if !ok {
					i = len(r.Learning)
					index[k] = i
					r.Learning = append(r.Learning, learningBlock{ModuleID: k.Module, Version: k.Version, GoalID: k.Goal})
				}
				b := &r.Learning[i]
				b.N++
				b.Before, b.Now = append(b.Before, float64(g.Before)), append(b.Now, float64(g.Now))
			}
		}
	}
	for i := range r.Learning {
		if r.Learning[i].N < view.K {
			r.Learning[i].Before, r.Learning[i].Now = nil, nil
		}
	}
	slices.SortFunc(r.Learning, func(a, b learningBlock) int {
		return cmp.Or(cmp.Compare(a.ModuleID, b.ModuleID), cmp.Compare(a.Version, b.Version), cmp.Compare(a.GoalID, b.GoalID))
	})
}

func freezePractice(r *release, js []*journeyState) {
	n, yes := map[string]int{}, map[string]int{}
	for _, j := range js {
		works, did := map[string]bool{}, map[string]bool{}
		for _, mgs := range j.Goals {
			for _, g := range mgs {
				works[g] = true
			}
		}
		for _, x := range j.Experiments {
			if x.Tried && x.Reflected {
				for _, g := range j.Goals[x.GoalID] {
					did[g] = true
				}
			}
		}
		for g := range works {
			n[g]++
			if did[g] {
				yes[g]++
			}
		}
	}
	for g, c := range n {
		b := practiceBlock{GoalID: g, N: c}
		if c >= view.K {
			b.Yes = yes[g]
		}
		r.Practice = append(r.Practice, b)
	}
	slices.SortFunc(r.Practice, func(a, b practiceBlock) int { return cmp.Compare(a.GoalID, b.GoalID) })
}

// frozenFigures is what a released cohort contributes to every population,
// as recorded in the log (cohort.FiguresFrozen): its blocks without a
// journey id, and with the values of each block sorted, so that no order
// links a value to the participant enrolled in that place. The figures do
// not depend on the order (exact sums).
type frozenFigures struct {
	Journeys  int              `json:"journeys"`
	Behaviour []behaviourBlock `json:"behaviour"`
	Reaction  []reactionBlock  `json:"reaction"`
	Learning  []learningBlock  `json:"learning"`
	Practice  []practiceBlock  `json:"practice"`
}

// frozenOf returns r's figures as the log records them.
func frozenOf(r *release) frozenFigures {
	f := frozenFigures{Journeys: r.Journeys, Behaviour: slices.Clone(r.Behaviour), Reaction: slices.Clone(r.Reaction),
		Learning: slices.Clone(r.Learning), Practice: slices.Clone(r.Practice)}
	for i := range f.Behaviour {
		b := &f.Behaviour[i]
		b.Pre, b.Post = sortedPairs(b.Pre, b.Post)
	}
	for i := range f.Reaction {
		b := &f.Reaction[i]
		b.Scores = slices.Sorted(slices.Values(b.Scores))
	}
	for i := range f.Learning {
		b := &f.Learning[i]
		b.Before, b.Now = sortedPairs(b.Before, b.Now)
	}
	return f
}

// sortedPairs returns copies of a and b with the pairs (a[i], b[i]) sorted.
func sortedPairs(a, b []float64) ([]float64, []float64) {
	if len(a) == 0 {
		return a, b
	}
	idx := make([]int, len(a))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := cmp.Compare(a[i], a[j]); c != 0 {
			return c
		}
		return cmp.Compare(b[i], b[j])
	})
	sa, sb := make([]float64, len(a)), make([]float64, len(b))
	for k, i := range idx {
		sa[k], sb[k] = a[i], b[i]
	}
	return sa, sb
}

// Frozen returns a released cohort's figures for the log
// (cohort.FreezeFigures): the blocks every population counts it by, without
// journey ids. ErrNotFound while the read model has not released it.
func (m *ReadModel) Frozen(cohortID string) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, r := range m.s.Releases {
		if r.CohortID == cohortID {
			return json.Marshal(frozenOf(r))
		}
	}
	return nil, fmt.Errorf("released figures of cohort %s: %w", cohortID, domain.ErrNotFound)
}

// onFiguresFrozen takes a released cohort's blocks from the log. They are
// the blocks computed at the release, so nothing changes; but a read model
// rebuilt after an erasure computed the release without the erased
// person's answers (they no longer decrypt), and the log's figures put
// them back: released figures never change.
func (m *ReadModel) onFiguresFrozen(e cohort.FiguresFrozen) {
	var f frozenFigures
	if err := json.Unmarshal(e.Figures, &f); err != nil {
		return // not figures this read model wrote: keep the computed ones
	}
	for _, r := range m.s.Releases {
		if r.CohortID != e.CohortID {
			continue
		}
		same, _ := json.Marshal(frozenOf(r))
		r.Journeys, r.Behaviour, r.Reaction, r.Learning, r.Practice = f.Journeys, f.Behaviour, f.Reaction, f.Learning, f.Practice
		if !bytes.Equal(same, e.Figures) {
			m.cacheMu.Lock()
			m.cache = map[cacheKey]*computed{} // computed from other blocks
			m.cacheMu.Unlock()
		}
		return
	}
}

// onErased forgets what the read model holds of an erased participant's
// journey: their own paired scores and the 360 answers about them. Released
// figures keep them (frozen in the log); a release still to come counts
// them no more, as a rebuild, which cannot decrypt them, would not.
func (m *ReadModel) onErased(journeyID string) {
	for _, r := range m.s.Releases {
		delete(r.Own, journeyID)
	}
	j := m.s.Journeys[journeyID]
	if j == nil {
		return
	}
	for _, id := range j.Rounds {
		if rs := m.s.Rounds[id]; rs != nil {
			rs.Responses, rs.Result, rs.Rows = nil, nil, nil
		}
	}
}
