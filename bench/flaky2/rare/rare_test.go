// Package rare has a cheap test that fails rarely.
package rare

import (
	"math/rand"
	"testing"
	"time"
)

// TestRareFlake: PLANTED: fails in 6% of executions, under any condition,
// in well under a millisecond.  Three executions catch it 17% of the
// time; a hundred, 99.8%.
func TestRareFlake(t *testing.T) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	if v := rng.Intn(1000); v < 60 {
		t.Fatalf("rare value %d below 60", v)
	}
}

// TestRareNeighbour: never fails.
func TestRareNeighbour(t *testing.T) {
	if len("rare") != 4 {
		t.Fatal("len")
	}
}
