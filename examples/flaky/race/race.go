// Package race has a counter with a planted data race and a safe one.
package race

import (
	"sync"
	"sync/atomic"
)

// calls counts CountRacy calls in this process (see bump).
var calls atomic.Int64

// CountRacy increments a shared int from two goroutines without
// synchronisation (planted DATA RACE) and returns the final value.
func CountRacy(perGoroutine int) int {
	// The race detector reports a race only once per process for a given
	// pair of stacks, so with -count=3 only the first execution would
	// fail. Doing the increments at a call depth that differs on every
	// call gives each execution its own stacks and its own report.
	depth := int(calls.Add(1))
	var counter int
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bump(depth, &counter, perGoroutine)
		}()
	}
	wg.Wait()
	return counter
}

func bump(depth int, counter *int, n int) {
	if depth > 1 {
		bump(depth-1, counter, n)
		return
	}
	for i := 0; i < n; i++ {
		*counter++ // racy read-modify-write
	}
}

// CountAtomic does the same with an atomic counter.
func CountAtomic(perGoroutine int) int64 {
	var counter atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perGoroutine; i++ {
				counter.Add(1)
			}
		}()
	}
	wg.Wait()
	return counter.Load()
}
