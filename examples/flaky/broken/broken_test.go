// Package broken has one test that fails every time.
package broken

import "testing"

func status() string { return "nope" }

// TestAlwaysFails: PLANTED consistent failure: fails in every run under
// every condition (not flaky: the verdict must be "failed").
func TestAlwaysFails(t *testing.T) {
	if got := status(); got != "ok" {
		t.Errorf("expected %q, got %q", "ok", got)
	}
}

// TestBrokenSibling: always passes.
func TestBrokenSibling(t *testing.T) {
	if len(status()) != 4 {
		t.Fatal("status length")
	}
}
