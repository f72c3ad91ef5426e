package stats

import (
	"fmt"
	"math/big"
)

// ItemSums are the sufficient statistics of Cronbach's α for a matrix of
// whole-number item scores (a 360 scale's points): the number of rows, and
// per item and for the row sums the sum and the sum of squares, all exact
// integers. Sums of two sets of rows merge by adding, so a population's α
// comes from its cohorts' sums without their rows, in any order, and
// exactly.
type ItemSums struct {
	N       int     `json:"n"`
	Sum     []int64 `json:"sum"`
	SumSq   []int64 `json:"sumSq"`
	Total   int64   `json:"total"`
	TotalSq int64   `json:"totalSq"`
}

// NewItemSums returns the sums of no rows of k items.
func NewItemSums(k int) ItemSums {
	return ItemSums{Sum: make([]int64, k), SumSq: make([]int64, k)}
}

// Add adds one row of whole-number scores, one per item. It returns
// ErrInput for a row of another length or a score that is not a whole
// number from −2³¹ to 2³¹.
func (s *ItemSums) Add(row []float64) error {
	if len(row) != len(s.Sum) {
		return fmt.Errorf("%w: a row of %d items, the sums have %d", ErrInput, len(row), len(s.Sum))
	}
	var t int64
	for j, x := range row {
		v := int64(x)
		if float64(v) != x || v > 1<<31 || v < -(1<<31) {
			return fmt.Errorf("%w: item score %v is not a whole number", ErrInput, x)
		}
		s.Sum[j] += v
		s.SumSq[j] += v * v
		t += v
	}
	s.N++
	s.Total += t
	s.TotalSq += t * t
	return nil
}

// Merge adds the sums of o (of as many items) to s.
func (s *ItemSums) Merge(o ItemSums) {
	s.N += o.N
	for j := range s.Sum {
		s.Sum[j] += o.Sum[j]
		s.SumSq[j] += o.SumSq[j]
	}
	s.Total += o.Total
	s.TotalSq += o.TotalSq
}

// CronbachAlphaOfSums returns Cronbach's α of the rows s sums, as
// CronbachAlpha defines it and with the same nulls (fewer than
// MinReliabilityResponses rows, fewer than 2 items, a variance of the sum
// of 0), computed exactly in rationals and rounded once:
// α = k/(k−1)·(1 − Σⱼ(n·Qⱼ − Sⱼ²)/(n·Q − S²)), the n(n−1) of the sample
// variances cancelling. It agrees with CronbachAlpha on the rows to the
// rounding of the latter's two-pass variances.
func CronbachAlphaOfSums(s ItemSums) *float64 {
	k := len(s.Sum)
	if s.N < MinReliabilityResponses || k < 2 {
		return nil
	}
	n := big.NewInt(int64(s.N))
	spread := func(sum, sumSq int64) *big.Int { // n·Q − S²
		a := new(big.Int).Mul(n, big.NewInt(sumSq))
		return a.Sub(a, new(big.Int).Mul(big.NewInt(sum), big.NewInt(sum)))
	}
	den := spread(s.Total, s.TotalSq)
	if den.Sign() == 0 {
		return nil
	}
	num := new(big.Int)
	for j := range k {
		num.Add(num, spread(s.Sum[j], s.SumSq[j]))
	}
	// α = k·(den − num) / ((k−1)·den)
	top := new(big.Int).Mul(big.NewInt(int64(k)), new(big.Int).Sub(den, num))
	bottom := new(big.Int).Mul(big.NewInt(int64(k-1)), den)
	a, _ := new(big.Rat).SetFrac(top, bottom).Float64()
	return &a
}
