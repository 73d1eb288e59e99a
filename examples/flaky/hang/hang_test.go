package hang

import (
	"math/rand"
	"testing"
	"time"
)

// TestOccasionalHang: PLANTED hang in ~7% of executions: Ask waits on a
// reply channel that is never written. Otherwise it passes in well under a
// millisecond. When it hangs, the binary dies at -test.timeout with
// "panic: test timed out after 20s" and TestHangNeighbour never runs.
func TestOccasionalHang(t *testing.T) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	if got := Ask(rng, 7, 21); got != 42 {
		t.Fatalf("Ask(21) = %d, want 42", got)
	}
}

// TestHangNeighbour: always passes; "notrun" when the binary hung before
// it.
func TestHangNeighbour(t *testing.T) {
	if 6*7 != 42 {
		t.Fatal("arithmetic")
	}
}
