package stable

import "testing"

// TestAdd: nothing planted; always passes.
func TestAdd(t *testing.T) {
	if got := Add(2, 3); got != 5 {
		t.Fatalf("Add(2, 3) = %d, want 5", got)
	}
}

// TestTableDriven: nothing planted; three subtests that always pass.
func TestTableDriven(t *testing.T) {
	for _, tc := range []struct {
		name    string
		a, b, w int
	}{
		{"zero", 0, 0, 0},
		{"positive", 1, 2, 3},
		{"negative", -4, 1, -3},
	} {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			if got := Add(tc.a, tc.b); got != tc.w {
				t.Fatalf("Add(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.w)
			}
		})
	}
}

// TestSkipped: nothing planted; always skipped.
func TestSkipped(t *testing.T) {
	t.Skip("needs network")
}
