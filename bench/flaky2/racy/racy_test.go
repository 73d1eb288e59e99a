// Package racy has a data race on a rare path.
package racy

import (
	"math/rand"
	"sync"
	"testing"
	"time"
)

type stats struct {
	mu    sync.Mutex
	hits  int
	cache int
}

// TestRareRace: PLANTED data race on a path taken in 20% of executions:
// the goroutine writes s.cache without the lock while the test reads it.
// The result is right either way, so without -race it never fails; under
// -race it fails with "race detected during execution of test" in about
// 20% of executions.
func TestRareRace(t *testing.T) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	s := &stats{}
	slow := rng.Intn(5) == 0
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.mu.Lock()
		s.hits++
		s.mu.Unlock()
		if slow {
			s.cache = 1
		}
	}()
	v := 0
	if slow {
		v = s.cache
	}
	wg.Wait()
	_ = v
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hits != 1 {
		t.Fatalf("hits = %d", s.hits)
	}
}
