package deadline

import (
	"math/rand"
	"testing"
	"time"
)

// TestDeadline: PLANTED wall-clock assertion. Process waits 6-10ms at
// random and then does CPU work; the test asserts the whole call finished
// within a tight 10ms budget measured with time.Since. It fails when the
// jitter is near the top of its range, and more often when the CPU part is
// slow: under -race, with a loaded machine, or with many parallel tests.
func TestDeadline(t *testing.T) {
	const budget = 10 * time.Millisecond
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	start := time.Now()
	Process(rng, 3000)
	if elapsed := time.Since(start); elapsed > budget {
		t.Errorf("took %v, budget %v", elapsed.Round(10*time.Microsecond), budget)
	}
}
