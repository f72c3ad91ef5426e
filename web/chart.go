package web

import (
	"fmt"

	"github.com/leerpad/leerpad/domain/portfolio"
)

// The self-other gap of a 360 round as a chart: server-rendered SVG, one
// pair of bars per competency (self, and the others composite), on the
// instrument's scale. The SVG carries a <title> and a <desc> that say what
// it shows in words, and the page puts the same figures in a table beside
// it, so that nobody depends on seeing the chart. Colours come from the
// theme's tokens through classes (the CSP allows no inline style).

// gapChart is the drawing of one round's chart.
type gapChart struct {
	ID            string
	Title, Desc   string
	Width, Height int
	Left          int // where the bars start: the labels are to their left
	Bars          []gapBar
	Ticks         []chartTick
}

type gapBar struct {
	Label                  string
	LabelY, SelfY, OthersY int
	SelfW, OthersW         int
	SelfText, OthersText   string
	SelfTextX, OthersTextX int
	Flag                   string
	BarHeight              int
}

type chartTick struct {
	X     int
	Label string
}

const (
	chartWidth = 760
	chartLeft  = 300
	chartRight = 40
	chartRow   = 64
	chartBar   = 20
	chartTop   = 16
)

// newGapChart draws round r's gap chart in the page's language: only the
// competencies with a gap (self and an others composite that counts).
func newGapChart(p *page, r portfolio.FeedbackRound) gapChart {
	points := r.Points
	if points < 2 {
		points = 5
	}
	span := chartWidth - chartLeft - chartRight
	x := func(v float64) int { return int(v / float64(points) * float64(span)) }
	ch := gapChart{ID: "gap-" + r.RoundID, Width: chartWidth, Left: chartLeft, Title: p.T("feedback.chart.title", r.InstrumentTitle)}
	desc := p.T("feedback.chart.desc", points)
	for _, comp := range r.Competencies {
		if comp.Gap == nil {
			continue
		}
		y := chartTop + len(ch.Bars)*chartRow
		b := gapBar{Label: comp.Name, LabelY: y + chartBar + 4, SelfY: y, OthersY: y + chartBar + 2, BarHeight: chartBar,
			SelfW: x(comp.Gap.Self), OthersW: x(comp.Gap.Others),
			SelfText: fmt.Sprintf("%.1f", comp.Gap.Self), OthersText: fmt.Sprintf("%.1f", comp.Gap.Others), Flag: comp.Gap.Flag.String()}
		b.SelfTextX, b.OthersTextX = chartLeft+b.SelfW+6, chartLeft+b.OthersW+6
		ch.Bars = append(ch.Bars, b)
		desc += " " + p.T("feedback.chart.item", comp.Name, comp.Gap.Self, comp.Gap.Others, comp.Gap.Gap)
	}
	ch.Desc = desc
	ch.Height = chartTop + len(ch.Bars)*chartRow + 24
	for v := 0; v <= points; v++ {
		ch.Ticks = append(ch.Ticks, chartTick{X: chartLeft + x(float64(v)), Label: fmt.Sprint(v)})
	}
	return ch
}

// AxisY is where the chart's axis labels go.
func (g gapChart) AxisY() int { return g.Height - 6 }

// Bottom is where the bars end.
func (g gapChart) Bottom() int { return g.Height - 22 }
