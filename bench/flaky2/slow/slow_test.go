// Package slow has an expensive test that fails now and then.
package slow

import (
	"crypto/sha256"
	"math/rand"
	"testing"
	"time"
)

// TestSlowChecksum: PLANTED: about 60 ms of CPU per execution (hashing),
// and fails in 10% of executions under any condition.  The planner must
// give it fewer executions than the cheap tests, and still enough.
func TestSlowChecksum(t *testing.T) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	buf := make([]byte, 1<<20)
	sum := sha256.Sum256(buf)
	for i := 0; i < 60; i++ {
		sum = sha256.Sum256(append(buf[:1<<20-32], sum[:]...))
	}
	if rng.Intn(10) == 0 {
		t.Fatalf("checksum %x: mismatch", sum[:4])
	}
}
