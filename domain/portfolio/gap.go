package portfolio

import "fmt"

// The blind-spot rule. A closed round's self-other gap on a competency
// (self minus the others composite, see SelfOtherGap) is flagged:
//
//   - blind spot when self − others ≥ threshold: the participant rates
//     themselves higher than the others do;
//   - hidden strength when others − self ≥ threshold: the others rate the
//     participant higher than they rate themselves;
//   - not at all otherwise, and never when self or the others composite is
//     missing or suppressed: no gap, or a composite of fewer than
//     MinOtherRaters raters (IMPACT §1: the others composite counts only with
//     at least 3 raters who are not self).
//
// The threshold is in points of the instrument's scale: DefaultGapThreshold
// on a 5-point scale, scaled for a scale of other length by its span (see
// GapThreshold), so that it stands for the same share of the scale.

// DefaultGapThreshold is the gap, in points of a 5-point scale, at which a
// competency is flagged when the read model is not configured otherwise.
const DefaultGapThreshold = 1.0

// MinOtherRaters is the least number of raters other than self behind the
// others composite for its gap to be flagged.
const MinOtherRaters = 3

// gapTolerance absorbs the rounding of the means: 4.2 − 3.2 is
// 0.9999999999999996 in floating point, and is a gap of 1 point.
const gapTolerance = 1e-9

// GapThreshold is threshold, given in points of a 5-point scale, in points of
// a scale of points points: threshold × (points − 1) / 4, the scales' spans.
// A scale of fewer than 2 points has no span and gets threshold as it is.
func GapThreshold(threshold float64, points int) float64 {
	if points < 2 {
		return threshold
	}
	return threshold * float64(points-1) / 4
}

// GapFlag classifies a self-other gap by the blind-spot rule. A closed set;
// the zero value is no flag.
type GapFlag struct{ name string }

// The gap flags.
var (
	// FlagBlindSpot: the participant rates themselves higher than others do.
	FlagBlindSpot = GapFlag{"blind-spot"}
	// FlagHiddenStrength: others rate the participant higher than they do.
	FlagHiddenStrength = GapFlag{"hidden-strength"}
)

// GapFlags returns every flag.
func GapFlags() []GapFlag { return []GapFlag{FlagBlindSpot, FlagHiddenStrength} }

// String returns the flag's name; empty for no flag.
func (f GapFlag) String() string { return f.name }

// IsZero reports whether f is no flag.
func (f GapFlag) IsZero() bool { return f == GapFlag{} }

// MarshalText encodes the flag by name.
func (f GapFlag) MarshalText() ([]byte, error) { return []byte(f.name), nil }

// UnmarshalText reads a flag's name; empty is no flag.
func (f *GapFlag) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*f = GapFlag{}
		return nil
	}
	for _, g := range GapFlags() {
		if g.name == string(b) {
			*f = g
			return nil
		}
	}
	return fmt.Errorf("unknown gap flag %q", b)
}

// Classify flags gap g by the blind-spot rule with threshold, in points of
// the round's scale (see GapThreshold). A nil gap, a composite of fewer than
// MinOtherRaters raters or a threshold that is not positive gets no flag.
func Classify(g *SelfOtherGap, threshold float64) GapFlag {
	switch {
	case g == nil || g.OtherRaters < MinOtherRaters || !(threshold > 0):
		return GapFlag{}
	case g.Self-g.Others >= threshold-gapTolerance:
		return FlagBlindSpot
	case g.Others-g.Self >= threshold-gapTolerance:
		return FlagHiddenStrength
	}
	return GapFlag{}
}
