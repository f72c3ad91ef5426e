package stats_test

import (
	"testing"

	"github.com/leerpad/leerpad/projections/impact/stats"
)

func BenchmarkBehaviourChange200(b *testing.B) {
	r := references[len(references)-1]
	for b.Loop() {
		if _, err := stats.BehaviourChange(r.pre, r.post, r.items); err != nil {
			b.Fatal(err)
		}
	}
}
