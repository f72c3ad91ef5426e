// Package stats computes the impact statistics of leerpad.impact/v1
// (IMPACT.md sections 2 and 3) for one cell: a population's paired pre and
// post scores of a competency and rater group (level 3), a learning goal's
// retrospective and current ratings (level 2) or a module question's answers
// (level 1). It is pure: numbers in, numbers out, no dependency on the rest
// of Leerpad.
//
// Null is a nil pointer, never NaN, Inf or a division by zero. Sums are
// correctly rounded (see sum), so a result does not depend on the order of
// the participants. Distributions come from gonum (Student's t); the
// noncentral t is written here (see NoncentralTCDF and
// docs/decisions/0010-noncentral-t.md).
package stats

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Definition names the definitions this package implements.
const Definition = "leerpad.impact/v1"

// ErrInput is returned for input the statistics are not defined for: fewer
// than two values, pre and post of different lengths, a ragged item matrix,
// or a value that is not finite.
var ErrInput = errors.New("stats: invalid input")

// Interval is a closed interval [Lo, Hi].
type Interval struct {
	Lo, Hi float64
}

// Summary is a level-1 cell (IMPACT.md section 3): one question's answers.
type Summary struct {
	N      int
	Mean   float64
	SD     float64   // sample standard deviation, denominator n − 1
	MeanCI *Interval // 95% t interval; null when SD is 0
}

// Paired is a level-2 cell (IMPACT.md section 3): paired ratings before and
// after, D = after − before. SDChange and the t statistic are given because
// level 3 builds on them.
type Paired struct {
	N            int
	MeanChange   float64
	SDChange     float64
	MeanChangeCI *Interval // meanChange ± t(0.975; n−1)·sdChange/√n; null when SDChange is 0
	T            *float64  // meanChange/(sdChange/√n); null when SDChange is 0
	DZ           *float64  // meanChange/sdChange; null when SDChange is 0
	DZCI         *Interval // exact through the noncentral t; null when SDChange is 0
}

// Change is a level-3 cell (IMPACT.md section 2): every field of the
// behaviour change of one competency and rater group over a population's n
// paired participants. The JSON names of the fields are those of IMPACT.md;
// the API maps them.
type Change struct {
	N                                      int
	MeanPre, MeanPost, MeanChange          float64
	SDPre, SDPost, SDChange                float64
	R                                      *float64 // null when SDPre or SDPost is 0
	MeanChangeCI                           *Interval
	T, P                                   *float64
	DZ                                     *float64
	DZCI                                   *Interval
	DAV                                    *float64 // null when SDPre + SDPost is 0
	DAVCI                                  *Interval
	GAV                                    *float64 // null when DAV is, and below n = 3
	Reliability                            *float64 // Cronbach's α of the pre-round item responses
	SDiff                                  *float64 // Jacobson–Truax
	ReliablyImproved, ReliablyDeteriorated *int     // null when SDiff is
	NoReliableChange                       *int
}

// RCThreshold is the reliable-change criterion: |D/sdiff| above it is a
// reliable change (Jacobson & Truax 1991).
const RCThreshold = 1.96

func ptr[T any](v T) *T { return &v }

func checkFinite(name string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: %s[%d] is %v", ErrInput, name, i, x)
		}
	}
	return nil
}

// tQuantile975 is t(0.975; df).
func tQuantile975(df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975)
}

// Describe returns the level-1 summary of one question's answers. It returns
// ErrInput for fewer than two answers or an answer that is not finite.
func Describe(x []float64) (Summary, error) {
	if len(x) < 2 {
		return Summary{}, fmt.Errorf("%w: %d values, at least 2 needed", ErrInput, len(x))
	}
	if err := checkFinite("x", x); err != nil {
		return Summary{}, err
	}
	n := len(x)
	s := Summary{N: n, Mean: mean(x)}
	s.SD = sd(x, s.Mean)
	if s.SD > 0 {
		h := tQuantile975(float64(n-1)) * s.SD / math.Sqrt(float64(n))
		s.MeanCI = &Interval{s.Mean - h, s.Mean + h}
	}
	return s, nil
}

func checkPairs(before, after []float64) error {
	if len(before) != len(after) {
		return fmt.Errorf("%w: %d pre and %d post scores", ErrInput, len(before), len(after))
	}
	if len(before) < 2 {
		return fmt.Errorf("%w: %d pairs, at least 2 needed", ErrInput, len(before))
	}
	if err := checkFinite("pre", before); err != nil {
		return err
	}
	return checkFinite("post", after)
}

// PairedChange returns the level-2 statistics of paired ratings; before[i]
// and after[i] belong to one participant. It returns ErrInput for fewer than
// two pairs, slices of different lengths or a value that is not finite.
func PairedChange(before, after []float64) (Paired, error) {
	if err := checkPairs(before, after); err != nil {
		return Paired{}, err
	}
	d := make([]float64, len(before))
	for i := range before {
		d[i] = after[i] - before[i]
	}
	return paired(d), nil
}

func paired(d []float64) Paired {
	n := len(d)
	rn := math.Sqrt(float64(n))
	p := Paired{N: n, MeanChange: mean(d)}
	p.SDChange = sd(d, p.MeanChange)
	if p.SDChange == 0 {
		return p
	}
	se := p.SDChange / rn
	h := tQuantile975(float64(n-1)) * se
	p.MeanChangeCI = &Interval{p.MeanChange - h, p.MeanChange + h}
	t := p.MeanChange / se
	p.T = &t
	p.DZ = ptr(p.MeanChange / p.SDChange)
	p.DZCI = ptr(DZInterval(t, n))
	return p
}

// DZInterval returns the exact 95% interval of dz for a paired t statistic t
// over n pairs (n ≥ 2): [λL, λU]/√n with P(T(n−1, λL) ≤ t) = 0.975 and
// P(T(n−1, λU) ≤ t) = 0.025 (Cumming 2012).
func DZInterval(t float64, n int) Interval {
	df := float64(n - 1)
	rn := math.Sqrt(float64(n))
	return Interval{noncentralityFor(t, df, 0.975) / rn, noncentralityFor(t, df, 0.025) / rn}
}

// TwoSidedP returns the two-sided p of a t statistic with df degrees of
// freedom, 2·P(T > |t|), from the upper tail so that a small p keeps its
// digits.
func TwoSidedP(t, df float64) float64 {
	return math.Min(1, 2*distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t)))
}

// HedgesJ returns the exact small-sample correction
// J = Γ(m/2)/(√(m/2)·Γ((m−1)/2)) for m > 1, through log-gamma so that it
// stays finite for a large m.
func HedgesJ(m float64) float64 {
	return math.Exp(lgamma(m/2) - lgamma((m-1)/2) - 0.5*math.Log(m/2))
}

// BehaviourChange returns every field of IMPACT.md section 2 for one cell:
// pre[i] and post[i] are participant i's scores (x1, x2), and items holds
// the pre-round rater-level item responses for the reliability, one row per
// rater and one column per item of the competency, listwise complete (rows
// with a missing item left out by the caller). It returns ErrInput for fewer
// than two participants, pre and post of different lengths, a ragged items
// matrix or a value that is not finite.
func BehaviourChange(pre, post []float64, items [][]float64) (Change, error) {
	if err := checkPairs(pre, post); err != nil {
		return Change{}, err
	}
	rel, err := CronbachAlpha(items)
	if err != nil {
		return Change{}, err
	}
	return BehaviourChangeWithReliability(pre, post, rel)
}

// BehaviourChangeWithReliability is BehaviourChange with the reliability
// given (nil: null), for a caller that computes it from sufficient
// statistics (CronbachAlphaOfSums) rather than from the rater rows.
func BehaviourChangeWithReliability(pre, post []float64, rel *float64) (Change, error) {
	if err := checkPairs(pre, post); err != nil {
		return Change{}, err
	}
	n := len(pre)
	d := make([]float64, n)
	for i := range pre {
		d[i] = post[i] - pre[i]
	}
	pc := paired(d)
	c := Change{
		N: n, MeanPre: mean(pre), MeanPost: mean(post), MeanChange: pc.MeanChange,
		SDChange: pc.SDChange, MeanChangeCI: pc.MeanChangeCI, T: pc.T, DZ: pc.DZ, DZCI: pc.DZCI,
		Reliability: rel,
	}
	c.SDPre, c.SDPost = sd(pre, c.MeanPre), sd(post, c.MeanPost)
	if c.SDPre > 0 && c.SDPost > 0 {
		xy := make([]float64, n)
		for i := range pre {
			xy[i] = (pre[i] - c.MeanPre) * (post[i] - c.MeanPost)
		}
		r := sum(xy) / float64(n-1) / (c.SDPre * c.SDPost)
		c.R = ptr(math.Max(-1, math.Min(1, r)))
	}
	if c.T != nil {
		c.P = ptr(TwoSidedP(*c.T, float64(n-1)))
	}
	if s := (c.SDPre + c.SDPost) / 2; s > 0 {
		c.DAV = ptr(c.MeanChange / s)
		if c.DZCI != nil {
			f := c.SDChange / s
			c.DAVCI = &Interval{c.DZCI.Lo * f, c.DZCI.Hi * f}
		}
		if n >= 3 {
			c.GAV = ptr(*c.DAV * HedgesJ(float64(n-1)))
		}
	}
	c.SDiff = SDiff(c.SDPre, rel)
	if c.SDiff != nil {
		var up, down int
		for i := range pre {
			switch rc := *ReliableChangeIndex(pre[i], post[i], c.SDiff); {
			case rc > RCThreshold:
				up++
			case rc < -RCThreshold:
				down++
			}
		}
		c.ReliablyImproved, c.ReliablyDeteriorated, c.NoReliableChange = &up, &down, ptr(n-up-down)
	}
	return c, nil
}
