package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/leerpad/leerpad/domain/impact"
)

// The impact charts, server-rendered SVG like the gap chart (chart.go):
// a dot chart draws one row per cell, each with its marks (a mean, a pre
// and a post, an effect size) and, where the cell has one, its 95%
// interval as a whisker; a series chart draws the key figures of an
// entity per quarter with the quarters its cohorts ran in marked. Marks
// differ by shape and line style, not by colour alone; every chart has a
// <title> and a <desc>, and the page puts every number in a table beside it.

// dotChart is a chart of rows on one horizontal axis.
type dotChart struct {
	ID            string
	Title, Desc   string
	Width, Height int
	Left          int
	Rows          []dotRow
	Ticks         []chartTick
	// RefX is the x of the reference line (0 of an effect size); 0 when
	// the chart has none.
	RefX   int
	Legend []legendItem
}

type dotRow struct {
	Label  string
	Y      int // the row's middle
	LabelY int
	// CI is drawn from X1 to X2 when HasCI.
	HasCI  bool
	X1, X2 int
	// Join draws a line between the first two marks (pre to post).
	Join  bool
	Marks []dotMark
}

// dotMark is one value: a filled circle, an open square or a filled square.
type dotMark struct {
	X     int
	Shape string // "circle", "square", "open"
}

type legendItem struct {
	Shape, Label string
}

const (
	dotRowHeight = 28
	dotTop       = 12
	// labelRunes is as much of a row's label as fits left of the plot; the
	// chart's <desc> and the table beside it hold the whole name.
	labelRunes = 34
)

// clip is s cut to n runes, with an ellipsis when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// axis maps values in [lo, hi] onto the plotting width of a chart.
type axis struct {
	lo, hi float64
	left   int
	span   int
}

func newAxis(lo, hi float64) axis {
	if hi <= lo {
		hi = lo + 1
	}
	return axis{lo: lo, hi: hi, left: chartLeft, span: chartWidth - chartLeft - chartRight}
}

func (a axis) x(v float64) int {
	v = math.Max(a.lo, math.Min(a.hi, v))
	return a.left + int(math.Round((v-a.lo)/(a.hi-a.lo)*float64(a.span)))
}

// ticks are the axis's ticks at every step.
func (a axis) ticks(step float64) []chartTick {
	var out []chartTick
	for v := math.Ceil(a.lo/step) * step; v <= a.hi+1e-9; v += step {
		out = append(out, chartTick{X: a.x(v), Label: strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)})
	}
	return out
}

func (d *dotChart) finish(a axis, step float64) {
	d.Width, d.Left = chartWidth, chartLeft
	d.Height = dotTop + len(d.Rows)*dotRowHeight + 28
	d.Ticks = a.ticks(step)
}

func (d *dotChart) addRow(label string) *dotRow {
	y := dotTop + len(d.Rows)*dotRowHeight + dotRowHeight/2
	d.Rows = append(d.Rows, dotRow{Label: clip(label, labelRunes), Y: y, LabelY: y + 5})
	return &d.Rows[len(d.Rows)-1]
}

// AxisY is where the chart's axis labels go.
func (d dotChart) AxisY() int { return d.Height - 6 }

// Bottom is where the rows end.
func (d dotChart) Bottom() int { return d.Height - 22 }

// num is x with two decimals, as the pages write figures.
func num(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// cellLabel names a behaviour cell: its competency and rater group.
func cellLabel(p *page, c impact.BehaviourCell) string {
	return c.Name + " · " + p.T("group."+c.Group)
}

// rowLabel is cellLabel as it fits left of a chart: the competency cut
// short, the group whole.
func rowLabel(p *page, c impact.BehaviourCell) string {
	return clip(c.Name, 18) + " · " + p.T("group."+c.Group)
}

// newForestChart is the effect size dz with its 95% interval per
// competency and group: a forest plot around 0.
func newForestChart(p *page, cells []impact.BehaviourCell) dotChart {
	lo, hi := -0.5, 1.0
	for _, c := range cells {
		if c.DZCI != nil {
			lo, hi = math.Min(lo, c.DZCI.Lo), math.Max(hi, c.DZCI.Hi)
		}
	}
	lo, hi = math.Floor(lo*2)/2, math.Ceil(hi*2)/2
	a := newAxis(lo, hi)
	d := dotChart{ID: "chart-dz", Title: p.T("impact.chart.dz.title"), RefX: a.x(0)}
	desc := p.T("impact.chart.dz.desc")
	for _, c := range cells {
		if c.DZ == nil {
			continue
		}
		r := d.addRow(rowLabel(p, c))
		r.Marks = []dotMark{{X: a.x(*c.DZ), Shape: "circle"}}
		item := cellLabel(p, c) + ": dz " + num(*c.DZ)
		if c.DZCI != nil {
			r.HasCI, r.X1, r.X2 = true, a.x(c.DZCI.Lo), a.x(c.DZCI.Hi)
			item += " (" + num(c.DZCI.Lo) + " – " + num(c.DZCI.Hi) + ")"
		}
		desc += " " + item + "."
	}
	d.Desc = desc
	d.finish(a, 0.5)
	return d
}

// scaleOf is the axis of means: 1 to the scale's top (5 unless a value
// lies above it).
func scaleOf(values ...float64) axis {
	hi := 5.0
	for _, v := range values {
		hi = math.Max(hi, math.Ceil(v))
	}
	return newAxis(1, hi)
}

// newPrePostChart is the pre and post means per competency and group.
func newPrePostChart(p *page, cells []impact.BehaviourCell) dotChart {
	var vs []float64
	for _, c := range cells {
		vs = append(vs, c.MeanPre, c.MeanPost)
	}
	a := scaleOf(vs...)
	d := dotChart{ID: "chart-prepost", Title: p.T("impact.chart.prepost.title"),
		Legend: []legendItem{{"open", p.T("impact.pre")}, {"circle", p.T("impact.post")}}}
	desc := p.T("impact.chart.prepost.desc")
	for _, c := range cells {
		r := d.addRow(rowLabel(p, c))
		r.Join = true
		r.Marks = []dotMark{{X: a.x(c.MeanPre), Shape: "open"}, {X: a.x(c.MeanPost), Shape: "circle"}}
		desc += " " + p.T("impact.chart.prepost.item", cellLabel(p, c), num(c.MeanPre), num(c.MeanPost))
	}
	d.Desc = desc
	d.finish(a, 1)
	return d
}

// reactionLabel names a level-1 cell: its module version and question.
func reactionLabel(p *page, c impact.ReactionCell, modules map[string]string) string {
	return p.T("impact.moduleversion", moduleName(modules, c.ModuleID), c.ModuleVersion) + " · " + shortID(c.QuestionID)
}

// moduleName is the module's title where it is known, else its id's first block.
func moduleName(modules map[string]string, id string) string {
	if t, ok := modules[id]; ok && t != "" {
		return t
	}
	return shortID(id)
}

// newReactionChart is level 1: the mean with its 95% interval per
// question of each module version.
func newReactionChart(p *page, cells []impact.ReactionCell, modules map[string]string) dotChart {
	var vs []float64
	for _, c := range cells {
		vs = append(vs, c.Mean)
		if c.MeanCI != nil {
			vs = append(vs, c.MeanCI.Hi)
		}
	}
	a := scaleOf(vs...)
	d := dotChart{ID: "chart-reaction", Title: p.T("impact.chart.reaction.title")}
	desc := p.T("impact.chart.reaction.desc")
	for _, c := range cells {
		r := d.addRow(fmt.Sprintf("%s v%d · %s", clip(moduleName(modules, c.ModuleID), 20), c.ModuleVersion, shortID(c.QuestionID)))
		r.Marks = []dotMark{{X: a.x(c.Mean), Shape: "square"}}
		item := reactionLabel(p, c, modules) + ": " + num(c.Mean)
		if c.MeanCI != nil {
			r.HasCI, r.X1, r.X2 = true, a.x(c.MeanCI.Lo), a.x(c.MeanCI.Hi)
			item += " (" + num(c.MeanCI.Lo) + " – " + num(c.MeanCI.Hi) + ")"
		}
		desc += " " + item + "."
	}
	d.Desc = desc
	d.finish(a, 1)
	return d
}

// seriesChart is an entity's key figures per quarter: absenteeism (solid,
// circles) and turnover (dashed, squares), the quarters its cohorts ran in
// shaded and marked with a letter under the axis.
type seriesChart struct {
	ID            string
	Title, Desc   string
	Width, Height int
	Left, Bottom  int
	Quarters      []seriesQuarter
	Absenteeism   string // the polyline's points
	Turnover      string
	AbsPoints     []chartPoint
	TurnPoints    []chartPoint
	Ticks         []seriesTick
	Band          int // the width of a quarter's band
	Legend        []legendItem
}

type seriesQuarter struct {
	X, LabelY int
	Label     string
	Marked    bool
}

type chartPoint struct{ X, Y int }

type seriesTick struct {
	Y     int
	Label string
}

// newSeriesChart draws entity r's quarters.
func newSeriesChart(p *page, r impact.EntityResults) seriesChart {
	const height, top, bottomPad = 260, 12, 48
	s := seriesChart{ID: "chart-results-" + r.EntityID, Title: p.T("impact.chart.results.title", shortID(r.EntityID)), Width: chartWidth, Height: height,
		Left: 60, Bottom: height - bottomPad,
		Legend: []legendItem{{"circle", p.T("impact.absenteeism")}, {"square", p.T("impact.turnover")}, {"band", p.T("impact.cohortperiod")}}}
	hi := 5.0
	for _, q := range r.Quarters {
		for _, v := range []*float64{q.AbsenteeismPct, q.TurnoverPct} {
			if v != nil {
				hi = math.Max(hi, math.Ceil(*v))
			}
		}
	}
	plotH := s.Bottom - top
	y := func(v float64) int { return s.Bottom - int(math.Round(v/hi*float64(plotH))) }
	n := max(len(r.Quarters), 1)
	s.Band = (chartWidth - s.Left - chartRight) / n
	step := math.Max(1, math.Ceil(hi/5))
	for v := 0.0; v <= hi+1e-9; v += step {
		s.Ticks = append(s.Ticks, seriesTick{Y: y(v), Label: strconv.FormatFloat(v, 'f', -1, 64) + "%"})
	}
	desc := p.T("impact.chart.results.desc")
	for i, q := range r.Quarters {
		x := s.Left + i*s.Band + s.Band/2
		s.Quarters = append(s.Quarters, seriesQuarter{X: x, LabelY: s.Bottom + 18, Label: q.Quarter, Marked: len(q.CohortIDs) > 0})
		item := q.Quarter + ":"
		if q.AbsenteeismPct != nil {
			pt := chartPoint{x, y(*q.AbsenteeismPct)}
			s.AbsPoints = append(s.AbsPoints, pt)
			s.Absenteeism += fmt.Sprintf("%d,%d ", pt.X, pt.Y)
			item += " " + p.T("impact.absenteeism") + " " + num(*q.AbsenteeismPct) + "%"
		}
		if q.TurnoverPct != nil {
			pt := chartPoint{x, y(*q.TurnoverPct)}
			s.TurnPoints = append(s.TurnPoints, pt)
			s.Turnover += fmt.Sprintf("%d,%d ", pt.X, pt.Y)
			item += " " + p.T("impact.turnover") + " " + num(*q.TurnoverPct) + "%"
		}
		if len(q.CohortIDs) > 0 {
			item += " (" + p.T("impact.cohortperiod") + ")"
		}
		desc += " " + item + "."
	}
	s.Desc = desc
	return s
}

// BandX is where quarter q's band starts.
func (s seriesChart) BandX(q seriesQuarter) int { return q.X - s.Band/2 }

// BandH is the height of a band.
func (s seriesChart) BandH() int { return s.Bottom - 12 }

// shortID is the first block of an id, for where a thing has no name here.
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}
