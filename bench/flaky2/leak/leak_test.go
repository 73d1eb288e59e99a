// Package leak has a test that leaks state into its next execution.
package leak

import "testing"

var registered = map[string]bool{}

func register(name string) bool {
	if registered[name] {
		return false
	}
	registered[name] = true
	return true
}

// TestRegisterOnce: PLANTED state leak: registers a name in a package-level
// registry and never removes it, so the second execution in the same
// process (-count=2 or more) fails every time; a process that runs it
// once always passes.
func TestRegisterOnce(t *testing.T) {
	if !register("handler") {
		t.Fatal("handler already registered")
	}
}
