// Package race has a counter with a planted data race and a safe one.
package race

import (
	"sync"
	"sync/atomic"
)

// CountRacy increments a shared int from two goroutines without
// synchronisation (planted DATA RACE) and returns the final value.
func CountRacy(perGoroutine int) int {
	var counter int
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perGoroutine; i++ {
				counter++ // racy read-modify-write
			}
		}()
	}
	wg.Wait()
	return counter
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
