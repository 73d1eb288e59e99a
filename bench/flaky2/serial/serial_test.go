// Package serial has a test that needs a second CPU.
package serial

import (
	"math/rand"
	"sync/atomic"
	"testing"
	"time"
)

// TestNeedsTwoThreads: PLANTED scheduling assumption: spins for 1-16 ms
// waiting for a goroutine to set a flag.  With GOMAXPROCS >= 2 the
// goroutine runs at once; with GOMAXPROCS=1 only when the spinning test
// is preempted (about every 10 ms), so it fails in roughly half of the
// executions at GOMAXPROCS=1 and (on an idle machine) never otherwise.
func TestNeedsTwoThreads(t *testing.T) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	wait := time.Duration(1+rng.Intn(16)) * time.Millisecond
	var flag atomic.Bool
	go flag.Store(true)
	start := time.Now()
	for !flag.Load() {
		if time.Since(start) > wait {
			t.Fatalf("goroutine did not run within %v", wait)
		}
	}
}
