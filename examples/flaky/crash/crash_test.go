package crash

import (
	"math/rand"
	"strings"
	"testing"
	"time"
)

// TestBeforeCrash: ordinary test before the crasher; always passes and is
// already reported when the binary dies.
func TestBeforeCrash(t *testing.T) {
	if Sum(1, 2, 3) != 6 {
		t.Fatal("Sum(1,2,3) != 6")
	}
}

// TestGoroutinePanic: PLANTED panic in a background goroutine (not the
// test goroutine) in ~28% of executions. The message varies per run
// ("panic: bad state 0x1f3a... at iteration 417"), and the whole test
// binary exits with status 2, so TestAfterCrashA/B never run ("notrun").
func TestGoroutinePanic(t *testing.T) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	if got := Refresh(rng, 28); got < 0 {
		t.Fatalf("Refresh = %d, want >= 0", got)
	}
}

// TestAfterCrashA: always passes, but does not run when the binary died
// in TestGoroutinePanic.
func TestAfterCrashA(t *testing.T) {
	if Sum() != 0 {
		t.Fatal("Sum() != 0")
	}
}

// TestAfterCrashB: always passes, but does not run when the binary died
// in TestGoroutinePanic.
func TestAfterCrashB(t *testing.T) {
	if !strings.HasPrefix("crash-safe", "crash") {
		t.Fatal("prefix")
	}
}
