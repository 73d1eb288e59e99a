// Package hang has a request/reply helper that occasionally never replies.
package hang

import "math/rand"

// Ask sends a question to a helper goroutine and returns its answer.
// PLANTED: with probability pct/100 the helper "forgets" to reply, and
// Ask blocks forever on the reply channel (nobody ever writes it).
func Ask(rng *rand.Rand, pct int, q int) int {
	reply := make(chan int)
	forget := rng.Intn(100) < pct
	go func() {
		if forget {
			return // lost reply: the caller waits forever
		}
		reply <- q * 2
	}()
	return <-reply
}
