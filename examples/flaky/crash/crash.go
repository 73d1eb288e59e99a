// Package crash runs background work that can panic outside the test
// goroutine, which takes the whole test binary down.
package crash

import (
	"fmt"
	"math/rand"
	"sync"
)

// Refresh runs a background refresh. With probability pct/100 the
// background goroutine hits a "bad state" and panics; nothing recovers a
// panic in a goroutine, so the process dies.
func Refresh(rng *rand.Rand, pct int) int {
	var wg sync.WaitGroup
	state := rng.Uint32()
	iter := rng.Intn(1000)
	fail := rng.Intn(100) < pct
	result := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		if fail {
			panic(fmt.Sprintf("bad state 0x%x at iteration %d", state, iter))
		}
		result = int(state%97) + iter
	}()
	wg.Wait()
	return result
}

// Sum adds numbers.
func Sum(xs ...int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
