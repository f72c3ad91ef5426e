package stats_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/leerpad/leerpad/projections/impact/stats"
)

// The reference values in reference_values_test.go come from R 4.2.2
// (Debian r-base-core 4.2.2.20221110-2), a second implementation, through
// testdata/reference.R; see that script for how to regenerate them.

type reference struct {
	name      string
	pre, post []float64
	items     [][]float64
	want      stats.Change
}

type cdfReference struct {
	t, df, ncp   float64
	pt, integral float64
}

type quantileReference struct{ df, q975 float64 }

func f(x float64) *float64              { return &x }
func ci(lo, hi float64) *stats.Interval { return &stats.Interval{Lo: lo, Hi: hi} }
func count(n int) *int                  { return &n }

const tol = 1e-9

// close reports whether a and b agree to rel relative (exact zeros compare
// exactly).
func close(a, b, rel float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

func checkFloat(tb testing.TB, field string, got, want, rel float64) {
	tb.Helper()
	if !close(got, want, rel) {
		tb.Errorf("%s = %.17g, want %.17g (relative %.2g)", field, got, want, math.Abs(got-want)/math.Abs(want))
	}
}

func checkOpt(tb testing.TB, field string, got, want *float64, rel float64) {
	tb.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		tb.Errorf("%s = %v, want %v", field, show(got), show(want))
	default:
		checkFloat(tb, field, *got, *want, rel)
	}
}

func checkInterval(tb testing.TB, field string, got, want *stats.Interval, rel float64) {
	tb.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		tb.Errorf("%s = %v, want %v", field, got, want)
	default:
		checkFloat(tb, field+".Lo", got.Lo, want.Lo, rel)
		checkFloat(tb, field+".Hi", got.Hi, want.Hi, rel)
	}
}

func checkCount(tb testing.TB, field string, got, want *int) {
	tb.Helper()
	if (got == nil) != (want == nil) || (got != nil && *got != *want) {
		tb.Errorf("%s = %v, want %v", field, showInt(got), showInt(want))
	}
}

func show(p *float64) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

func showInt(p *int) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

func checkChange(tb testing.TB, got, want stats.Change, rel float64) {
	tb.Helper()
	if got.N != want.N {
		tb.Errorf("N = %d, want %d", got.N, want.N)
	}
	checkFloat(tb, "MeanPre", got.MeanPre, want.MeanPre, rel)
	checkFloat(tb, "MeanPost", got.MeanPost, want.MeanPost, rel)
	checkFloat(tb, "MeanChange", got.MeanChange, want.MeanChange, rel)
	checkFloat(tb, "SDPre", got.SDPre, want.SDPre, rel)
	checkFloat(tb, "SDPost", got.SDPost, want.SDPost, rel)
	checkFloat(tb, "SDChange", got.SDChange, want.SDChange, rel)
	checkOpt(tb, "R", got.R, want.R, rel)
	checkInterval(tb, "MeanChangeCI", got.MeanChangeCI, want.MeanChangeCI, rel)
	checkOpt(tb, "T", got.T, want.T, rel)
	checkOpt(tb, "P", got.P, want.P, rel)
	checkOpt(tb, "DZ", got.DZ, want.DZ, rel)
	checkInterval(tb, "DZCI", got.DZCI, want.DZCI, rel)
	checkOpt(tb, "DAV", got.DAV, want.DAV, rel)
	checkInterval(tb, "DAVCI", got.DAVCI, want.DAVCI, rel)
	checkOpt(tb, "GAV", got.GAV, want.GAV, rel)
	checkOpt(tb, "Reliability", got.Reliability, want.Reliability, rel)
	checkOpt(tb, "SDiff", got.SDiff, want.SDiff, rel)
	checkCount(tb, "ReliablyImproved", got.ReliablyImproved, want.ReliablyImproved)
	checkCount(tb, "ReliablyDeteriorated", got.ReliablyDeteriorated, want.ReliablyDeteriorated)
	checkCount(tb, "NoReliableChange", got.NoReliableChange, want.NoReliableChange)
}

func TestBehaviourChangeMatchesR(t *testing.T) {
	for _, tc := range references {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stats.BehaviourChange(tc.pre, tc.post, tc.items)
			if err != nil {
				t.Fatal(err)
			}
			checkChange(t, got, tc.want, tol)
		})
	}
}

// Every number is finite: null is nil, never NaN or Inf.
func TestBehaviourChangeNeverNaN(t *testing.T) {
	for _, tc := range references {
		got, err := stats.BehaviourChange(tc.pre, tc.post, tc.items)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []*float64{f(got.MeanPre), f(got.MeanPost), f(got.MeanChange), f(got.SDPre), f(got.SDPost), f(got.SDChange),
			got.R, got.T, got.P, got.DZ, got.DAV, got.GAV, got.Reliability, got.SDiff} {
			if x != nil && (math.IsNaN(*x) || math.IsInf(*x, 0)) {
				t.Errorf("%s: a field is %v", tc.name, *x)
			}
		}
	}
}

// IMPACT.md section 5: another summation order agrees to 1e-12 relative.
// The sums are correctly rounded, so in fact it agrees bit for bit.
func TestBehaviourChangeDoesNotDependOnOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 2025))
	for _, tc := range references {
		want, err := stats.BehaviourChange(tc.pre, tc.post, tc.items)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			n := len(tc.pre)
			pre, post := make([]float64, n), make([]float64, n)
			for i, j := range rng.Perm(n) {
				pre[i], post[i] = tc.pre[j], tc.post[j]
			}
			items := make([][]float64, len(tc.items))
			for i, j := range rng.Perm(len(tc.items)) {
				items[i] = tc.items[j]
			}
			got, err := stats.BehaviourChange(pre, post, items)
			if err != nil {
				t.Fatal(err)
			}
			checkChange(t, got, want, 1e-12)
		}
	}
}

func TestPairedChangeIsLevelThreesPart(t *testing.T) {
	for _, tc := range references {
		got, err := stats.PairedChange(tc.pre, tc.post)
		if err != nil {
			t.Fatal(err)
		}
		w := tc.want
		if got.N != w.N {
			t.Errorf("%s: N = %d, want %d", tc.name, got.N, w.N)
		}
		checkFloat(t, tc.name+" MeanChange", got.MeanChange, w.MeanChange, tol)
		checkFloat(t, tc.name+" SDChange", got.SDChange, w.SDChange, tol)
		checkInterval(t, tc.name+" MeanChangeCI", got.MeanChangeCI, w.MeanChangeCI, tol)
		checkOpt(t, tc.name+" T", got.T, w.T, tol)
		checkOpt(t, tc.name+" DZ", got.DZ, w.DZ, tol)
		checkInterval(t, tc.name+" DZCI", got.DZCI, w.DZCI, tol)
	}
}

func TestDescribe(t *testing.T) {
	// The level-1 t interval: R's t.test(x)$conf.int, here from the paired
	// references (a one-sample interval of D is the paired interval).
	for _, tc := range references {
		d := make([]float64, len(tc.pre))
		for i := range d {
			d[i] = tc.post[i] - tc.pre[i]
		}
		got, err := stats.Describe(d)
		if err != nil {
			t.Fatal(err)
		}
		checkFloat(t, tc.name+" Mean", got.Mean, tc.want.MeanChange, tol)
		checkFloat(t, tc.name+" SD", got.SD, tc.want.SDChange, tol)
		checkInterval(t, tc.name+" MeanCI", got.MeanCI, tc.want.MeanChangeCI, tol)
	}
	// One question, R 4.2.2: x <- c(4, 5, 3, 4, 4, 5, 2, 4); mean(x); sd(x); t.test(x)$conf.int
	got, err := stats.Describe([]float64{4, 5, 3, 4, 4, 5, 2, 4})
	if err != nil {
		t.Fatal(err)
	}
	checkFloat(t, "Mean", got.Mean, 3.875, tol)
	checkFloat(t, "SD", got.SD, 0.99103120896511487, tol)
	checkInterval(t, "MeanCI", got.MeanCI, ci(3.04647717531717754, 4.70352282468282201), tol)
}

func TestNoncentralTCDF(t *testing.T) {
	for _, r := range cdfReferences {
		want := r.pt
		if math.Abs(r.ncp) > 37 { // R's pt is a normal approximation there
			want = r.integral
		}
		got := stats.NoncentralTCDF(r.t, r.df, r.ncp)
		checkFloat(t, fmt.Sprintf("F(%v; %v, %v)", r.t, r.df, r.ncp), got, want, tol)
		checkFloat(t, fmt.Sprintf("F(%v; %v, %v) vs integral", r.t, r.df, r.ncp), got, r.integral, tol)
	}
}

func TestNoncentralTCDFEdges(t *testing.T) {
	for _, tc := range []struct {
		name       string
		t, df, ncp float64
		want       float64
	}{
		{"t = -Inf", math.Inf(-1), 5, 1, 0},
		{"t = +Inf", math.Inf(1), 5, 1, 1},
		{"ncp = 0 is Student's t", 2, 4, 0, 0.94194173824159222}, // R: pt(2, 4)
		{"t = 0 is Φ(−ncp)", 0, 7, 1, 0.15865525393145705},       // R: pnorm(-1)
		{"far ncp", 1, 10, 200, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkFloat(t, "F", stats.NoncentralTCDF(tc.t, tc.df, tc.ncp), tc.want, tol)
		})
	}
	if p := stats.NoncentralTCDF(1, 0, 1); !math.IsNaN(p) {
		t.Errorf("df 0: %v, want NaN", p)
	}
}

// The CDF falls as the noncentrality rises, which the interval relies on.
func TestNoncentralTCDFFallsInNoncentrality(t *testing.T) {
	for _, df := range []float64{1, 2, 5, 30, 199} {
		for _, q := range []float64{-3, -0.5, 0.7, 4, 12} {
			prev := 2.0
			for l := -20.0; l <= 20; l += 0.25 {
				p := stats.NoncentralTCDF(q, df, l)
				if p > prev+1e-13 || // the CDF is accurate to about 1e-13 absolute
					p < 0 || p > 1 {
					t.Fatalf("F(%v; %v, %v) = %v after %v", q, df, l, p, prev)
				}
				prev = p
			}
		}
	}
}

func TestDZIntervalInvertsTheCDF(t *testing.T) {
	for _, n := range []int{2, 5, 30, 1000} {
		for _, q := range []float64{-4, 0, 1.3, 25} {
			ci := stats.DZInterval(q, n)
			rn := math.Sqrt(float64(n))
			lo := stats.NoncentralTCDF(q, float64(n-1), ci.Lo*rn)
			hi := stats.NoncentralTCDF(q, float64(n-1), ci.Hi*rn)
			if math.Abs(lo-0.975) > 1e-12 || math.Abs(hi-0.025) > 1e-12 || !(ci.Lo < ci.Hi) {
				t.Errorf("n %d t %v: %v gives F %v and %v", n, q, ci, lo, hi)
			}
		}
	}
}

func TestTQuantileMatchesR(t *testing.T) {
	// The meanChangeCI's t(0.975; df), through a one-sample interval's half-width.
	for _, r := range quantileReferences {
		n := int(r.df) + 1
		x := make([]float64, n)
		x[0] = 1 // mean 1/n, sd √(1/n)
		s, err := stats.Describe(x)
		if err != nil {
			t.Fatal(err)
		}
		half := (s.MeanCI.Hi - s.MeanCI.Lo) / 2
		checkFloat(t, fmt.Sprintf("t(0.975; %v)", r.df), half*math.Sqrt(float64(n))/s.SD, r.q975, tol)
	}
}

func TestHedgesJ(t *testing.T) {
	// R 4.2.2: m <- c(2, 9, 199); gamma(m/2) / (sqrt(m/2) * gamma((m-1)/2)), and
	// for m = 1e4 exp(lgamma(m/2) - lgamma((m-1)/2)) / sqrt(m/2) (gamma overflows).
	for _, tc := range []struct{ m, want float64 }{
		{2, 0.56418958354775628},
		{9, 0.91387489179255232},
		{199, 0.99622562302479367},
		{1e4, 0.9999249978139646},
	} {
		checkFloat(t, fmt.Sprintf("J(%v)", tc.m), stats.HedgesJ(tc.m), tc.want, tol)
	}
}

func TestCronbachAlphaNulls(t *testing.T) {
	row := []float64{1, 2}
	nine := make([][]float64, 9)
	for i := range nine {
		nine[i] = []float64{float64(i % 5), float64((i * 3) % 5)}
	}
	same := make([][]float64, 12)
	for i := range same {
		same[i] = row
	}
	single := make([][]float64, 12)
	for i := range single {
		single[i] = []float64{float64(i % 5)}
	}
	for _, tc := range []struct {
		name  string
		items [][]float64
	}{
		{"no responses", nil},
		{"fewer than 10 responses", nine},
		{"fewer than 2 items", single},
		{"variance of the sum 0", same},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := stats.CronbachAlpha(tc.items)
			if err != nil || a != nil {
				t.Errorf("α = %v, %v; want null", show(a), err)
			}
		})
	}
}

func TestSDiffNulls(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sdPre float64
		rel   *float64
		want  *float64
	}{
		{"reliability null", 1, nil, nil},
		{"reliability 0", 1, f(0), nil},
		{"reliability negative", 1, f(-0.3), nil},
		{"reliability 1", 1, f(1), nil},
		{"sdPre 0", 0, f(0.8), nil},
		{"ordinary", 0.5, f(0.82), f(0.5 * math.Sqrt(0.36))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOpt(t, "SDiff", stats.SDiff(tc.sdPre, tc.rel), tc.want, tol)
		})
	}
}

// Jacobson & Truax (1991): RC = (x2 − x1)/sdiff, sdiff = √(2·SE²), SE = s1·√(1 − rxx).
func TestReliableChangeIndex(t *testing.T) {
	sdiff := stats.SDiff(7.5, f(0.88)) // s1 = 7.5, rxx = 0.88
	se := 7.5 * math.Sqrt(1-0.88)
	checkFloat(t, "sdiff", *sdiff, math.Sqrt(2*se*se), 1e-15)
	checkOpt(t, "RC", stats.ReliableChangeIndex(30, 20, sdiff), f(-10/math.Sqrt(2*se*se)), 1e-15)
	if rc := stats.ReliableChangeIndex(30, 20, nil); rc != nil {
		t.Errorf("RC with null sdiff = %v, want null", *rc)
	}
	// Without item responses there is no reliability, so no counts.
	c, err := stats.BehaviourChange([]float64{1, 2, 3, 4}, []float64{1, 2, 3, 4}, nil)
	if err != nil || c.ReliablyImproved != nil {
		t.Errorf("no items: %+v, %v", c, err)
	}
}

func TestInputErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		pre, post []float64
		items     [][]float64
	}{
		{"one participant", []float64{1}, []float64{2}, nil},
		{"none", nil, nil, nil},
		{"lengths differ", []float64{1, 2}, []float64{2}, nil},
		{"NaN", []float64{1, math.NaN()}, []float64{2, 3}, nil},
		{"Inf", []float64{1, 2}, []float64{2, math.Inf(1)}, nil},
		{"ragged items", []float64{1, 2}, []float64{2, 3}, [][]float64{{1, 2}, {1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := stats.BehaviourChange(tc.pre, tc.post, tc.items); !errors.Is(err, stats.ErrInput) {
				t.Errorf("err = %v, want ErrInput", err)
			}
		})
	}
	if _, err := stats.Describe([]float64{3}); !errors.Is(err, stats.ErrInput) {
		t.Errorf("Describe of one value: err = %v", err)
	}
}

// TestDZIntervalOfRoundingNoise: a change whose standard deviation is
// rounding noise (all participants changed by the same amount, computed as
// a difference of means) gives a t near 1e16; the interval comes back, in
// order, around dz, rather than the series running without end.
func TestDZIntervalOfRoundingNoise(t *testing.T) {
	for _, tv := range []float64{2e4, 1e8, 2.1e16, -3e12} {
		iv := stats.DZInterval(tv, 14)
		dz := tv / math.Sqrt(14)
		if !(iv.Lo < dz && dz < iv.Hi) || math.IsNaN(iv.Lo) || math.IsInf(iv.Hi, 0) {
			t.Errorf("t %g: interval %v around dz %g", tv, iv, dz)
		}
	}
}
