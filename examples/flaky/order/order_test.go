package order

import "testing"

// TestOrderSetup: not a failure by itself; it (re)configures the
// package-level state that TestOrderDepends silently relies on. Always
// passes.
func TestOrderSetup(t *testing.T) {
	Configure()
	if n, ok := Lookup("handler"); !ok || n < 1 {
		t.Fatalf("Configure did not register the handler (n=%d ok=%v)", n, ok)
	}
}

// TestOrderDepends: PLANTED order dependence. It passes only if
// TestOrderSetup ran before it in the same process, and it consumes the
// registration, so it needs Setup before EACH of its runs. In file order
// (also with -count=3: Setup, Depends, Setup, Depends, ...) it passes.
// It FAILS when run alone (-run '^TestOrderDepends$') and, under -shuffle,
// whenever the shuffled order puts it first (about half the seeds; with
// -count=3 only the first of the three runs then fails).
func TestOrderDepends(t *testing.T) {
	n, ok := Lookup("handler")
	if !ok {
		t.Fatalf("handler not registered: package not configured (did TestOrderSetup run first?)")
	}
	if n < 1 {
		t.Fatalf("handler registered %d times, want at least 1", n)
	}
	Release("handler")
}
