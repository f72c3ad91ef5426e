// Package threesixty computes what the read models may show of a 360 round:
// rater-group scores per competency, with the anonymity rule applied, the
// others composite, the self-other gap, and the comments that may be shown.
// The portfolio and the behaviour-change measurement share it, so both apply
// the same rule: the scores of docs IMPACT.md §1 (leerpad.impact/v1).
//
// Scores. A rater's score on a competency is the mean of the rater's
// answered items of it ("not observed" is no answer); a rater who answered
// none of them has no score for it. A group's score is the mean of the
// scores of its raters, each rater weighted equally, however many items each
// answered.
//
// The rule. A group counts only when at least its threshold of raters have a
// score on the competency: self 1, manager 1, peer 3, direct report 3, other
// 3 (see Thresholds; a threshold can be raised, never lowered). Below it the
// group is suppressed: no score, no count, no comment; and it is never merged
// into another group or into the others composite, because its score could
// then be worked out by subtraction.
//
// The others composite is the mean of the scores of every rater other than
// self in the groups that count, each rater weighted equally, and exists only
// with at least MinOtherRaters such raters. The self-other gap is self minus
// the others composite, and exists only when both do.
//
// A rater counts for comments when their response holds answers at all: a
// rater erased by crypto-shredding has none and counts for nothing.
package threesixty

import (
	"cmp"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain/feedback"
)

// MinRaters is the default threshold of the peer, direct-report and other
// groups: the least number of raters with a score whose results are shown.
const MinRaters = 3

// MinOtherRaters is the least number of raters other than self behind an
// others composite.
const MinOtherRaters = 3

// Instrument is what scoring needs of a published instrument.
type Instrument struct {
	ID           string
	Title        string
	Points       int
	Competencies []Competency
	item         map[string]int // item id -> index into Competencies
}

// Competency is a competency of an instrument.
type Competency struct {
	ID    string
	Name  string
	Items int
}

// NewInstrument returns the instrument e publishes.
func NewInstrument(e feedback.InstrumentPublished) *Instrument {
	in := &Instrument{ID: e.InstrumentID, Title: e.Title, Points: e.Scale.Points, item: map[string]int{}}
	for i, c := range e.Competencies {
		in.Competencies = append(in.Competencies, Competency{ID: c.ID, Name: c.Name, Items: len(c.Items)})
		for _, it := range c.Items {
			in.item[it.ID] = i
		}
	}
	return in
}

// CompetencyOf returns the index of the competency of item, or -1.
func (in *Instrument) CompetencyOf(item string) int {
	if i, ok := in.item[item]; ok {
		return i
	}
	return -1
}

// IndexOf returns the index of the competency id, or -1.
func (in *Instrument) IndexOf(id string) int {
	return slices.IndexFunc(in.Competencies, func(c Competency) bool { return c.ID == id })
}

// Response is one rater's response, as a round's read model keeps it.
type Response struct {
	RaterID  string
	Group    feedback.RaterGroup
	Answers  []feedback.Answer
	Comments []feedback.Comment
	At       time.Time
}

// Groups is the number of rater groups.
const Groups = 5

// GroupIndex returns the position of g in feedback.RaterGroups, or -1.
func GroupIndex(g feedback.RaterGroup) int {
	switch g {
	case feedback.GroupSelf:
		return 0
	case feedback.GroupManager:
		return 1
	case feedback.GroupPeer:
		return 2
	case feedback.GroupDirectReport:
		return 3
	case feedback.GroupOther:
		return 4
	}
	return -1
}

// Thresholds are the anonymity thresholds of the rater groups, indexed as
// feedback.RaterGroups: the least number of raters with a score for a group to
// count. A threshold below its default (self 1, manager 1, peer, direct report
// and other MinRaters) is raised to the default, never refused: the zero
// value is the defaults, and a threshold can be configured upwards only.
type Thresholds [Groups]int

// defaults returns the default thresholds.
func defaults() Thresholds { return Thresholds{1, 1, MinRaters, MinRaters, MinRaters} }

// ThresholdsOf returns the default thresholds with those of peer, direct
// report and other raised to min where min is higher: what a read model
// configured with one threshold for those groups applies.
func ThresholdsOf(min int) Thresholds {
	return Thresholds{0, 0, min, min, min}.Raised()
}

// Raised returns t with every threshold below its default raised to it.
func (t Thresholds) Raised() Thresholds {
	d := defaults()
	for g := range t {
		d[g] = max(d[g], t[g])
	}
	return d
}

// Shown reports whether a group g of raters raters counts under thresholds
// t (raised to their defaults where lower).
func (t Thresholds) Shown(g feedback.RaterGroup, raters int) bool {
	i := GroupIndex(g)
	return i >= 0 && raters >= t.Raised()[i]
}

// GroupScore is one rater group's result on one competency.
type GroupScore struct {
	Group feedback.RaterGroup
	// Raters is how many raters have a score; 0 when suppressed.
	Raters int
	// Answers is how many item scores those raters gave; 0 when suppressed.
	Answers int
	// Mean is the mean of the raters' scores, each rater weighted equally;
	// 0 when suppressed.
	Mean float64
	// Suppressed is set when too few raters have a score to show the group.
	Suppressed bool
}

// Composite is the others composite on one competency: the mean of the
// scores of every rater other than self in the groups that count.
type Composite struct {
	Mean   float64
	Raters int
}

// Gap is the self-other gap on one competency: Self minus Others, the others
// composite over OtherRaters raters.
type Gap struct {
	Self        float64
	Others      float64
	OtherRaters int
	Gap         float64
}

// CompetencyScore is a round's result on one competency.
type CompetencyScore struct {
	CompetencyID string
	Name         string
	// Groups holds every group with a rater with a score, in the order of
	// feedback.RaterGroups.
	Groups []GroupScore
	// Others is the others composite; nil with fewer than MinOtherRaters
	// raters other than self in the groups that count.
	Others *Composite
	// Gap is set when self counts and Others is set.
	Gap *Gap
}

// tally sums the rater scores of one group on one competency.
type tally struct {
	sum             float64 // of rater scores
	raters, answers int
}

// Score returns the result of responses on every competency of in, each
// response one rater's, under the anonymity thresholds t (raised to their
// defaults where lower).
func Score(in *Instrument, responses []Response, t Thresholds) []CompetencyScore {
	t = t.Raised()
	n := len(in.Competencies)
	acc := make([]tally, n*Groups)
	sum, answered := make([]int, n), make([]int, n) // of the current rater
	for _, r := range responses {
		g := GroupIndex(r.Group)
		if g < 0 {
			continue
		}
		clear(sum)
		clear(answered)
		for _, a := range r.Answers {
			if a.NotObserved || a.Score <= 0 {
				continue
			}
			if c := in.CompetencyOf(a.ItemID); c >= 0 {
				sum[c] += a.Score
				answered[c]++
			}
		}
		for c := range n {
			if answered[c] == 0 {
				continue // no score on c
			}
			x := &acc[c*Groups+g]
			x.sum += float64(sum[c]) / float64(answered[c])
			x.raters++
			x.answers += answered[c]
		}
	}
	groups := feedback.RaterGroups()
	out := make([]CompetencyScore, n)
	for c, comp := range in.Competencies {
		cs := CompetencyScore{CompetencyID: comp.ID, Name: comp.Name}
		var others tally
		self, selfShown := 0.0, false
		for g := range Groups {
			x := acc[c*Groups+g]
			if x.raters == 0 {
				continue
			}
			if x.raters < t[g] {
				cs.Groups = append(cs.Groups, GroupScore{Group: groups[g], Suppressed: true})
				continue
			}
			mean := x.sum / float64(x.raters)
			cs.Groups = append(cs.Groups, GroupScore{Group: groups[g], Raters: x.raters, Answers: x.answers, Mean: mean})
			if groups[g] == feedback.GroupSelf {
				self, selfShown = mean, true
				continue
			}
			others.sum += x.sum
			others.raters += x.raters
		}
		if others.raters >= MinOtherRaters {
			cs.Others = &Composite{Mean: others.sum / float64(others.raters), Raters: others.raters}
			if selfShown {
				cs.Gap = &Gap{Self: self, Others: cs.Others.Mean, OtherRaters: others.raters, Gap: self - cs.Others.Mean}
			}
		}
		out[c] = cs
	}
	return out
}

// Respondents returns per group (indexed as feedback.RaterGroups) how many
// raters responded with answers.
func Respondents(responses []Response) [Groups]int {
	var n [Groups]int
	for _, r := range responses {
		if g := GroupIndex(r.Group); g >= 0 && len(r.Answers) > 0 {
			n[g]++
		}
	}
	return n
}

// Comment is an open comment that may be shown.
type Comment struct {
	Group        feedback.RaterGroup
	CompetencyID string // empty for a general comment
	Text         string
}

// Comments returns the comments of the groups that may be shown, under the
// thresholds t as the scores: a group's comments appear only when at least
// its threshold of raters responded. They are ordered by group, competency
// and text, so that their order reveals nothing of who wrote them or when.
func Comments(responses []Response, t Thresholds) []Comment {
	n := Respondents(responses)
	var out []Comment
	for _, r := range responses {
		g := GroupIndex(r.Group)
		if g < 0 || len(r.Answers) == 0 || !t.Shown(r.Group, n[g]) {
			continue
		}
		for _, c := range r.Comments {
			if c.Text == "" {
				continue
			}
			out = append(out, Comment{Group: r.Group, CompetencyID: c.CompetencyID, Text: c.Text})
		}
	}
	slices.SortFunc(out, func(a, b Comment) int {
		return cmp.Or(cmp.Compare(GroupIndex(a.Group), GroupIndex(b.Group)),
			cmp.Compare(a.CompetencyID, b.CompetencyID), cmp.Compare(a.Text, b.Text))
	})
	return out
}
