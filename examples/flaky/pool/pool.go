// Package pool is a small worker pool with a planted concurrency bug:
// Stop can drop jobs that are still queued when it is called.
package pool

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// traceRounds sets the size of the window (tuned on a 2-CPU machine).
const traceRounds = 100

// Pool runs submitted jobs on a fixed number of worker goroutines.
type Pool struct {
	jobs     chan func()
	done     chan struct{}
	queued   atomic.Int64 // jobs submitted
	finished atomic.Int64 // jobs that have run
	wg       sync.WaitGroup
	once     sync.Once

	lastTrace atomic.Uint64 // last trace id handed out (see traceID)
}

// New starts a pool with the given number of workers and queue capacity.
func New(workers, queue int) *Pool {
	if workers < 1 {
		workers = 1
	}
	p := &Pool{
		jobs: make(chan func(), queue),
		done: make(chan struct{}),
	}
	p.wg.Add(workers)
	for i := 0; i < workers; i++ {
		go p.worker()
	}
	return p
}

// Submit queues a job; it blocks while the queue is full.
func (p *Pool) Submit(job func()) {
	// BUG (planted): a load followed by a store is not an atomic
	// increment. Two Submits running in parallel can both load the same
	// value and one increment is lost. On a single P the two calls never
	// interleave, so the bug needs GOMAXPROCS>=2 to show.
	n := p.queued.Load() + 1
	p.lastTrace.Store(traceID(n)) // bookkeeping between the load and the store
	p.queued.Store(n)
	p.jobs <- job
}

// traceID derives a trace id from a job number by hashing it through a
// lookup table (a microsecond or so of CPU; it widens the window in which
// two Submits can interleave).
func traceID(n int64) uint64 {
	h := uint64(n)
	for i := 0; i < traceRounds; i++ {
		h = h*1099511628211 ^ traceTable[(h^uint64(i))%uint64(len(traceTable))]
	}
	return h
}

var traceTable = func() []uint64 {
	t := make([]uint64, 256)
	for i := range t {
		t[i] = uint64(i)*0x9E3779B97F4A7C15 + 1
	}
	return t
}()

// Stop is meant to let the workers finish all queued jobs, then wait for
// them to exit. It is called after the last Submit has returned.
func (p *Pool) Stop() {
	p.once.Do(func() {
		// Wait until every submitted job has finished...
		for p.finished.Load() < p.queued.Load() {
			runtime.Gosched()
		}
		// ...then tell the workers to exit.
		close(p.done)
		p.wg.Wait()
	})
}

func (p *Pool) worker() {
	defer p.wg.Done()
	for {
		// When Stop closed done too early (lost increment above) and a job
		// is still queued, select picks a case at random: the worker may
		// return and the queued job never runs.
		select {
		case job := <-p.jobs:
			job()
			p.finished.Add(1)
		case <-p.done:
			return
		}
	}
}
