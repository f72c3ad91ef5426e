package stats_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/leerpad/leerpad/projections/impact/stats"
)

// TestCronbachAlphaOfSumsAgreesWithRows: α from the merged sums of random
// blocks of whole-number rows equals CronbachAlpha of all the rows, to
// 1e-12, and is null where CronbachAlpha is.
func TestCronbachAlphaOfSumsAgreesWithRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4)) //nolint:gosec // reproducible test data
	for trial := range 200 {
		k := 1 + rng.IntN(6)
		var rows [][]float64
		merged := stats.NewItemSums(k)
		for range 1 + rng.IntN(5) {
			block := stats.NewItemSums(k)
			for range rng.IntN(30) {
				row := make([]float64, k)
				base := 1 + rng.IntN(5)
				for j := range row {
					row[j] = float64(min(5, max(1, base+rng.IntN(3)-1)))
					if trial%17 == 0 {
						row[j] = 3 // no variance at all: null
					}
				}
				rows = append(rows, row)
				if err := block.Add(row); err != nil {
					t.Fatal(err)
				}
			}
			merged.Merge(block)
		}
		want, err := stats.CronbachAlpha(rows)
		if err != nil {
			t.Fatal(err)
		}
		got := stats.CronbachAlphaOfSums(merged)
		switch {
		case (want == nil) != (got == nil):
			t.Fatalf("trial %d (%d rows of %d): α %v from the sums, %v from the rows", trial, len(rows), k, got, want)
		case want != nil && math.Abs(*got-*want) > 1e-12*math.Max(1, math.Abs(*want)):
			t.Fatalf("trial %d: α %v from the sums, %v from the rows", trial, *got, *want)
		}
	}
	s := stats.NewItemSums(2)
	if err := s.Add([]float64{1.5, 2}); err == nil {
		t.Fatal("a score of 1.5 was added")
	}
	if err := s.Add([]float64{1}); err == nil {
		t.Fatal("a short row was added")
	}
}
