#!/bin/sh
# bench/mkmod.sh DIR: creates the scratch Go module the matrix benchmark
# runs: real standard-library packages with their own tests (copied from
# $(go env GOROOT)/src, import paths rewritten), plus two synthetic
# packages whose tests are sleep-bound (I/O-like waits) and CPU-bound.
set -eu
dir=$1
goroot=$(go env GOROOT)
rm -rf "$dir"
mkdir -p "$dir"
printf 'module bench.local/std\n\ngo 1.19\n' > "$dir/go.mod"
# Six packages whose copies build here: a newer Go's copy may use
# internal packages or language features past go 1.19 (Go 1.26's bufio
# and unicode/utf8 do); those are skipped, so that nothing fails.
n=0
for p in container/list container/ring text/tabwriter unicode/utf8 encoding/csv bufio \
	encoding/hex encoding/base32 path html; do
	[ "$n" -lt 6 ] || break
	mkdir -p "$dir/$p"
	cp "$goroot/src/$p"/*.go "$dir/$p/"
	# "bufio" -> "bench.local/std/bufio" (the external _test packages import it)
	sed -i "s#\"$p\"#\"bench.local/std/$p\"#" "$dir/$p"/*.go
	[ -d "$goroot/src/$p/testdata" ] && cp -r "$goroot/src/$p/testdata" "$dir/$p/" || :
	if (cd "$dir" && go vet "./$p" >/dev/null 2>&1); then
		n=$((n + 1))
	else
		echo "bench/mkmod.sh: $p does not build as a copy with $(go env GOVERSION): skipped" >&2
		rm -rf "${dir:?}/$p"
		rmdir "$dir/${p%/*}" 2>/dev/null || :
	fi
done

mkdir -p "$dir/sleepy" "$dir/cpu"
cat > "$dir/sleepy/sleepy_test.go" <<'GO'
package sleepy

import (
	"sync"
	"testing"
	"time"
)

// Waits like tests of network clients, retries and timers.
func TestWaitSequential(t *testing.T) {
	for i := 0; i < 5; i++ {
		time.Sleep(40 * time.Millisecond)
	}
}

func TestWaitParallel(t *testing.T) {
	for i := 0; i < 8; i++ {
		t.Run("sub", func(t *testing.T) {
			t.Parallel()
			time.Sleep(60 * time.Millisecond)
		})
	}
}

func TestGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i%5) * 10 * time.Millisecond)
			ch <- i
		}(i)
	}
	go func() { wg.Wait(); close(ch) }()
	sum := 0
	for v := range ch {
		sum += v
	}
	if sum != 1225 {
		t.Fatalf("sum %d", sum)
	}
}
GO
cat > "$dir/cpu/cpu_test.go" <<'GO'
package cpu

import (
	"crypto/sha256"
	"sort"
	"sync"
	"testing"
)

func primes(n int) int {
	sieve := make([]bool, n)
	c := 0
	for i := 2; i < n; i++ {
		if !sieve[i] {
			c++
			for j := i * i; j < n; j += i {
				sieve[j] = true
			}
		}
	}
	return c
}

func TestPrimes(t *testing.T) {
	if got := primes(20_000_000); got != 1270607 {
		t.Fatalf("primes: %d", got)
	}
}

func TestHashParallel(t *testing.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[[32]byte]bool{}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			h := sha256.Sum256([]byte{byte(w)})
			for i := 0; i < 200000; i++ {
				h = sha256.Sum256(h[:])
			}
			mu.Lock()
			seen[h] = true
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	if len(seen) != 4 {
		t.Fatal("collision")
	}
}

func TestSort(t *testing.T) {
	x := make([]int, 300000)
	s := uint32(1)
	for i := range x {
		s = s*1664525 + 1013904223
		x[i] = int(s >> 8)
	}
	sort.Ints(x)
	if !sort.IntsAreSorted(x) {
		t.Fatal("not sorted")
	}
}
GO
