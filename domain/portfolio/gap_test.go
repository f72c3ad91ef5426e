package portfolio_test

import (
	"math"
	"testing"

	"github.com/leerpad/leerpad/domain/portfolio"
)

func TestClassify(t *testing.T) {
	gap := func(self, others float64, raters int) *portfolio.SelfOtherGap {
		return &portfolio.SelfOtherGap{Self: self, Others: others, OtherRaters: raters, Gap: self - others}
	}
	none := portfolio.GapFlag{}
	for _, tc := range []struct {
		name      string
		gap       *portfolio.SelfOtherGap
		threshold float64
		want      portfolio.GapFlag
	}{
		{"self higher by the threshold: blind spot", gap(4, 3, 3), 1, portfolio.FlagBlindSpot},
		{"self higher by the threshold, rounded", gap(4.2, 3.2, 3), 1, portfolio.FlagBlindSpot},
		{"others higher by the threshold: hidden strength", gap(2.5, 3.5, 5), 1, portfolio.FlagHiddenStrength},
		{"within the threshold", gap(4, 3.1, 3), 1, none},
		{"no self or no composite", nil, 1, none},
		{"a composite of two raters is suppressed", gap(5, 1, 2), 1, none},
		{"no threshold flags nothing", gap(5, 1, 3), 0, none},
		{"NaN threshold flags nothing", gap(5, 1, 3), math.NaN(), none},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := portfolio.Classify(tc.gap, tc.threshold); got != tc.want {
				t.Fatalf("Classify = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestGapThreshold(t *testing.T) {
	for _, tc := range []struct {
		points int
		want   float64
	}{{5, 1}, {7, 1.5}, {3, 0.5}, {4, 0.75}, {1, 1}, {0, 1}} {
		if got := portfolio.GapThreshold(1, tc.points); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("GapThreshold(1, %d) = %v, want %v", tc.points, got, tc.want)
		}
	}
}

func TestGapFlagText(t *testing.T) {
	for _, f := range append(portfolio.GapFlags(), portfolio.GapFlag{}) {
		b, _ := f.MarshalText()
		var back portfolio.GapFlag
		if err := back.UnmarshalText(b); err != nil || back != f {
			t.Fatalf("%q: back %q, %v", f, back, err)
		}
	}
	var f portfolio.GapFlag
	if err := f.UnmarshalText([]byte("blindspot")); err == nil {
		t.Fatal("an unknown flag was read")
	}
}
