// Package deadline does a little I/O-like waiting plus some CPU work.
package deadline

import (
	"math/rand"
	"sort"
	"time"
)

// Process simulates handling one request: a variable wait (as if for a
// backend) followed by sorting a batch of numbers. It returns a checksum.
func Process(rng *rand.Rand, batch int) int {
	// Backend latency: 6ms plus up to 4ms of jitter.
	time.Sleep(6*time.Millisecond + time.Duration(rng.Int63n(int64(4*time.Millisecond))))

	xs := make([]int, batch)
	for i := range xs {
		xs[i] = rng.Intn(1 << 20)
	}
	sort.Ints(xs)
	sum := 0
	for i, x := range xs {
		sum += i * x
	}
	return sum
}
