package stats

import (
	"fmt"
	"math"
)

// MinReliabilityResponses is the least number of complete rater responses
// behind a reliability (IMPACT.md section 2).
const MinReliabilityResponses = 10

// CronbachAlpha returns α = k/(k−1)·(1 − Σ item variances / variance of the
// item sum), with sample variances, over items: one row per rater response,
// one column per item, listwise complete. It is null (nil) with fewer than
// MinReliabilityResponses rows, fewer than 2 items, or a sum of variance 0.
// α may be negative or 1; SDiff decides what it accepts. It returns ErrInput
// for a ragged matrix or a value that is not finite.
func CronbachAlpha(items [][]float64) (*float64, error) {
	if len(items) == 0 {
		return nil, nil
	}
	k := len(items[0])
	for i, row := range items {
		if len(row) != k {
			return nil, fmt.Errorf("%w: item row %d has %d items, row 0 has %d", ErrInput, i, len(row), k)
		}
		for _, x := range row { // named only when wrong: a cell has tens of thousands of rows
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, checkFinite(fmt.Sprintf("items[%d]", i), row)
			}
		}
	}
	if len(items) < MinReliabilityResponses || k < 2 {
		return nil, nil
	}
	col := make([]float64, len(items))
	itemVar := make([]float64, k)
	for j := range k {
		for i, row := range items {
			col[i] = row[j]
		}
		itemVar[j] = variance(col, mean(col))
	}
	for i, row := range items {
		col[i] = sum(row)
	}
	varSum := variance(col, mean(col))
	if varSum == 0 {
		return nil, nil
	}
	a := float64(k) / float64(k-1) * (1 - sum(itemVar)/varSum)
	return &a, nil
}

// SDiff returns the Jacobson–Truax standard error of a difference,
// sdPre·√(2·(1 − reliability)); null when reliability is null or outside
// (0, 1), or sdPre is 0.
func SDiff(sdPre float64, reliability *float64) *float64 {
	if reliability == nil || *reliability <= 0 || *reliability >= 1 || sdPre == 0 {
		return nil
	}
	s := sdPre * math.Sqrt(2*(1-*reliability))
	return &s
}

// ReliableChangeIndex returns a participant's reliable change index
// (post − pre)/sdiff (Jacobson & Truax 1991); null when sdiff is null or not
// positive. Only the participant may see it (IMPACT.md section 4).
func ReliableChangeIndex(pre, post float64, sdiff *float64) *float64 {
	if sdiff == nil || !(*sdiff > 0) {
		return nil
	}
	rc := (post - pre) / *sdiff
	return &rc
}
