// Package random has a test that fails at random.
package random

import (
	"math/rand"
	"testing"
	"time"
)

// TestRandomFailure: PLANTED pure random failure in ~30% of executions,
// independent of race detector, GOMAXPROCS and load (math/rand seeded
// from the clock; Go 1.19's global source is NOT seeded, so use our own).
func TestRandomFailure(t *testing.T) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	if v := rng.Intn(1000); v < 300 {
		t.Fatalf("random value %d below threshold 300", v)
	}
}
