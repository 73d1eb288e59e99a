package pool

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestWorkerPool: PLANTED in "concurrent submissions": Submit loses an
// increment of the queued counter when two Submits run in parallel, so
// Stop may stop the workers with a job still queued and that job is
// dropped: it fails far more often with GOMAXPROCS>=2 than with 1.
// "sequential" is stable and always passes.
func TestWorkerPool(t *testing.T) {
	t.Run("concurrent submissions", func(t *testing.T) {
		const submitters, perSubmitter = 4, 100
		p := New(4, 16)
		var ran int64
		var wg sync.WaitGroup
		for s := 0; s < submitters; s++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perSubmitter; i++ {
					p.Submit(func() { atomic.AddInt64(&ran, 1) })
				}
			}()
		}
		wg.Wait()
		p.Stop()
		want := submitters * perSubmitter
		if got := int(atomic.LoadInt64(&ran)); got != want {
			t.Fatalf("got %d results, want %d", got, want)
		}
	})

	t.Run("sequential", func(t *testing.T) {
		// Unbuffered queue: every Submit returns only once a worker holds
		// the job, so nothing can be queued when Stop runs.
		p := New(2, 0)
		var mu sync.Mutex
		sum := 0
		for i := 1; i <= 10; i++ {
			i := i
			p.Submit(func() { mu.Lock(); sum += i; mu.Unlock() })
		}
		p.Stop()
		mu.Lock()
		defer mu.Unlock()
		if sum != 55 {
			t.Fatalf("sum = %d, want 55", sum)
		}
	})
}
