// Package stable never fails.
package stable

import (
	"strings"
	"testing"
)

func TestUpper(t *testing.T) {
	if strings.ToUpper("go") != "GO" {
		t.Fatal("upper")
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in string
		n  int
	}{{"a,b", 2}, {"", 1}, {"a,b,c", 3}} {
		t.Run(tc.in, func(t *testing.T) {
			if got := len(strings.Split(tc.in, ",")); got != tc.n {
				t.Fatalf("Split(%q) = %d parts, want %d", tc.in, got, tc.n)
			}
		})
	}
}
