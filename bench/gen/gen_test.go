// Package gen produces a large, realistic `go test -json` stream for the
// parser benchmark (bench/run.sh): many tests with subtests that t.Log
// lines of varied length (some with characters JSON must escape), a few
// failures with file:line messages, some skips, and parallel tests whose
// output interleaves.  Deterministic: the same -count gives the same
// shape.  Size scales with -count (about 5 MB per count).
package gen

import (
	"fmt"
	"strings"
	"testing"
)

const (
	topTests = 60
	subTests = 12
)

var words = []string{
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
	"hotel", "india", "juliet", "kilo", "lima", "mike", "november",
	"connection reset", "deadline exceeded", "retrying", "ok", "key=value",
	`quoted "string"`, "tab\there", "path/to/file.go:42", "héllo wörld",
	"0x7f3a2c", "elapsed=12.5ms", "{\"json\":true}", "back\\slash",
}

// rng is a tiny xorshift so output is deterministic without math/rand.
type rng uint64

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*r = rng(x)
	return x
}

func line(r *rng) string {
	n := 1 + int(r.next()%uint64(2+r.next()%40)) // 1..41 words, skewed short
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.next()%uint64(len(words))])
	}
	return b.String()
}

func body(t *testing.T, seed uint64) {
	r := rng(seed*0x9E3779B97F4A7C15 + 1)
	n := 4 + int(r.next()%12)
	for i := 0; i < n; i++ {
		t.Logf("step %d: %s", i, line(&r))
	}
	switch r.next() % 100 {
	case 0:
		t.Errorf("unexpected result: got %d, want %d (%s)", r.next()%1000, r.next()%1000, line(&r))
	case 1:
		t.Skip("skipping: " + line(&r))
	}
}

func run(t *testing.T, top int, parallel bool) {
	if parallel {
		t.Parallel()
	}
	for s := 0; s < subTests; s++ {
		s := s
		t.Run(fmt.Sprintf("case_%02d/%s", s, words[(top+s)%14]), func(t *testing.T) {
			if parallel && s%3 == 0 {
				t.Parallel()
			}
			body(t, uint64(top*1000+s))
		})
	}
}

func TestGenerated(t *testing.T) {
	for i := 0; i < topTests; i++ {
		i := i
		t.Run(fmt.Sprintf("T%03d", i), func(t *testing.T) { run(t, i, false) })
	}
}

func TestGeneratedParallel(t *testing.T) {
	for i := 0; i < topTests; i++ {
		i := i
		t.Run(fmt.Sprintf("P%03d", i), func(t *testing.T) { run(t, 10000+i, true) })
	}
}

func TestPlain(t *testing.T) {
	t.Log("a top-level test with no subtests")
}
