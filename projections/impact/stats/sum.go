package stats

import "math"

// sum returns the correctly rounded sum of xs: Shewchuk's exact summation
// (1997), as in Python's math.fsum. Because it is correctly rounded, it does
// not depend on the order of xs, so every statistic built on it is the same,
// bit for bit, in any order of the participants (IMPACT.md section 5 asks for
// 1e-12). The inputs must be finite and their partial sums must not overflow.
func sum(xs []float64) float64 {
	partials := make([]float64, 0, 8)
	for _, x := range xs {
		i := 0
		for _, y := range partials {
			if math.Abs(x) < math.Abs(y) {
				x, y = y, x
			}
			hi := x + y
			lo := y - (hi - x)
			if lo != 0 {
				partials[i] = lo
				i++
			}
			x = hi
		}
		partials = append(partials[:i], x)
	}
	n := len(partials)
	if n == 0 {
		return 0
	}
	n--
	hi := partials[n]
	var lo float64
	for n > 0 {
		x := hi
		n--
		y := partials[n]
		hi = x + y
		lo = y - (hi - x)
		if lo != 0 {
			break
		}
	}
	// Round half to even: if the rest below lo has lo's sign, the sum is not
	// exactly halfway and rounding hi+2lo decides.
	if n > 0 && ((lo < 0 && partials[n-1] < 0) || (lo > 0 && partials[n-1] > 0)) {
		y := lo * 2
		x := hi + y
		if y == x-hi {
			hi = x
		}
	}
	return hi
}

// mean is the correctly rounded sum of xs divided by len(xs) (len(xs) > 0).
func mean(xs []float64) float64 { return sum(xs) / float64(len(xs)) }

// variance is the sample variance (denominator n − 1) of xs around m, their
// mean, in two passes (len(xs) > 1).
func variance(xs []float64, m float64) float64 {
	sq := make([]float64, len(xs))
	for i, x := range xs {
		sq[i] = (x - m) * (x - m)
	}
	return sum(sq) / float64(len(xs)-1)
}

// sd is the sample standard deviation of xs around m, their mean.
func sd(xs []float64, m float64) float64 { return math.Sqrt(variance(xs, m)) }
