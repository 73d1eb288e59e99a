// Package maporder has a test that depends on map iteration order.
package maporder

import "testing"

// TestFirstKey: PLANTED: assumes the first key a range over an 8-key map
// gives is never "alpha"; Go randomizes where iteration starts, so it
// fails in about 1 of 8 executions, under any condition.
func TestFirstKey(t *testing.T) {
	m := map[string]int{"alpha": 1, "bravo": 2, "charlie": 3, "delta": 4,
		"echo": 5, "foxtrot": 6, "golf": 7, "hotel": 8}
	for k := range m {
		if k == "alpha" {
			t.Fatalf("first key is %q: the code assumed it never is", k)
		}
		break
	}
}
