// Package crash runs background work that can panic outside the test
// goroutine, which takes the whole test binary down.
package crash

import (
	"fmt"
	"math/rand"
)

// Refresh runs a background refresh. With probability pct/100 the
// background goroutine hits a "bad state" and panics; nothing recovers a
// panic in a goroutine, so the process dies.
func Refresh(rng *rand.Rand, pct int) int {
	state := rng.Uint32()
	iter := rng.Intn(1000)
	fail := rng.Intn(100) < pct
	result := make(chan int)
	go func() {
		if fail {
			panic(fmt.Sprintf("bad state 0x%x at iteration %d", state, iter))
		}
		// Not deferred: a panic must not let the test goroutine go on
		// and report PASS before the runtime kills the process.
		result <- int(state%97) + iter
	}()
	return <-result
}

// Sum adds numbers.
func Sum(xs ...int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
