// Package threesixty computes what the read models may show of a 360 round:
// rater-group means per competency, with the anonymity rule applied, the
// self-other gap, and the comments that may be shown. The portfolio and the
// behaviour-change measurement share it, so both apply the same rule.
//
// The rule. Self and manager are shown as such, whatever their number. Peers,
// direct reports and others are shown only when at least MinRaters raters of
// that group contribute, otherwise suppressed: no mean, no count, no comment.
// A suppressed group is never merged into another group or into the "others"
// of the self-other gap, because its mean could then be worked out by
// subtraction.
//
// Scores. A rater contributes to a competency when they scored at least one of
// its items; "not observed" is no score. A group's mean is the mean of every
// item score its raters gave on the competency (the mean of answered items).
// A rater counts for comments when their response holds answers at all: a
// rater erased by crypto-shredding has none and counts for nothing.
package threesixty

import (
	"cmp"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain/feedback"
)

// MinRaters is the least number of raters of a peer, direct-report or other
// group whose results are shown.
const MinRaters = 3

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

// Shown reports whether a group of raters raters may be shown under the
// anonymity rule with threshold min.
func Shown(g feedback.RaterGroup, raters, min int) bool {
	if raters <= 0 {
		return false
	}
	if g == feedback.GroupSelf || g == feedback.GroupManager {
		return true
	}
	return raters >= min
}

// GroupScore is one rater group's result on one competency.
type GroupScore struct {
	Group feedback.RaterGroup
	// Raters is how many raters contributed; 0 when suppressed.
	Raters int
	// Answers is how many item scores the mean is over; 0 when suppressed.
	Answers int
	// Mean is the mean of the answered items; 0 when suppressed.
	Mean float64
	// Suppressed is set when too few raters contributed to show the group.
	Suppressed bool
}

// Gap is the self-other gap on one competency: Self minus Others, where
// Others pools every answered item of the shown groups other than self.
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
	// Groups holds every group with a contributing rater, in the order of
	// feedback.RaterGroups.
	Groups []GroupScore
	// Gap is set when self and at least one shown other group contributed.
	Gap *Gap
}

type tally struct {
	sum, answers, raters int
}

// Score returns the result of responses on every competency of in, under the
// anonymity rule with threshold min.
func Score(in *Instrument, responses []Response, min int) []CompetencyScore {
	n := len(in.Competencies)
	acc := make([]tally, n*Groups)
	touched := make([]bool, n)
	for _, r := range responses {
		g := GroupIndex(r.Group)
		if g < 0 {
			continue
		}
		clear(touched)
		for _, a := range r.Answers {
			if a.NotObserved || a.Score <= 0 {
				continue
			}
			c := in.CompetencyOf(a.ItemID)
			if c < 0 {
				continue
			}
			t := &acc[c*Groups+g]
			t.sum += a.Score
			t.answers++
			if !touched[c] {
				touched[c] = true
				t.raters++
			}
		}
	}
	groups := feedback.RaterGroups()
	out := make([]CompetencyScore, n)
	for c, comp := range in.Competencies {
		cs := CompetencyScore{CompetencyID: comp.ID, Name: comp.Name}
		var others tally
		for g := range Groups {
			t := acc[c*Groups+g]
			if t.raters == 0 {
				continue
			}
			if !Shown(groups[g], t.raters, min) {
				cs.Groups = append(cs.Groups, GroupScore{Group: groups[g], Suppressed: true})
				continue
			}
			cs.Groups = append(cs.Groups, GroupScore{Group: groups[g], Raters: t.raters, Answers: t.answers, Mean: float64(t.sum) / float64(t.answers)})
			if g > 0 {
				others.sum += t.sum
				others.answers += t.answers
				others.raters += t.raters
			}
		}
		if self := acc[c*Groups]; self.answers > 0 && others.answers > 0 {
			s, o := float64(self.sum)/float64(self.answers), float64(others.sum)/float64(others.answers)
			cs.Gap = &Gap{Self: s, Others: o, OtherRaters: others.raters, Gap: s - o}
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
// same rule as the scores: a group's comments appear only when at least min of
// its raters responded (self and manager always). They are ordered by group,
// competency and text, so that their order reveals nothing of who wrote them
// or when.
func Comments(responses []Response, min int) []Comment {
	n := Respondents(responses)
	groups := feedback.RaterGroups()
	var out []Comment
	for _, r := range responses {
		g := GroupIndex(r.Group)
		if g < 0 || len(r.Answers) == 0 || !Shown(groups[g], n[g], min) {
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
