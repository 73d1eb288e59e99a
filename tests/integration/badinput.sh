#!/bin/sh
# Bad input to the collector: each case must exit 2 with a message naming
# what is wrong, never crash, and leave no half-written output file.
set -u
C="$FLAKE_BIN/flake-collector"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

# expect STATUS PATTERN -- command...: exit STATUS, stderr matching PATTERN.
expect() {
	want=$1 pat=$2
	shift 3
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -q -- "$pat" "$work/err"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $*"
		echo "  want exit $want and stderr ~ '$pat'; got exit $rc:"
		sed 's/^/    /' "$work/err" | head -5
	fi
	if grep -q "AddressSanitizer\|runtime error" "$work/err"; then
		fail=$((fail + 1))
		echo "FAIL: sanitizer report for: $*"
	fi
}

mkdir -p "$work/notmod" "$work/emptymod"
printf 'module example.com/empty\n\ngo 1.19\n' >"$work/emptymod/go.mod"
printf '\000\001\002\377binary\n' >"$work/binary.bin"
printf 'hello\nworld\n' >"$work/text.txt"
: >"$work/unreadable"
chmod 000 "$work/unreadable"
head -c 3000 "$FLAKE_TOP/tests/fixtures/streams/flip.json" 2>/dev/null >"$work/trunc.json"

expect 2 "unknown command 'frobnicate'" -- "$C" frobnicate
expect 2 "usage: flake-collector" -- "$C"
expect 2 "option '--count' wants a whole number, not 'abc'" -- "$C" run --count abc
expect 2 "option '--count' must be between 1 and" -- "$C" run --count 0
expect 2 "option '--race' wants off, on or both, not 'maybe'" -- "$C" run --race maybe
expect 2 "option '--gomaxprocs' wants a list like 1,2,4" -- "$C" run --gomaxprocs 1,,2
expect 2 "option '--gomaxprocs': 2 given twice" -- "$C" run --gomaxprocs 2,2
expect 2 "option '--timeout' wants a duration like 90s" -- "$C" run --timeout soon
expect 2 "option '--shuffle' wants on or off, not 'sometimes'" -- "$C" run --shuffle sometimes
expect 2 "option '--jobs' must be between 1 and 256" -- "$C" run --jobs 1000
expect 2 "option '--fail-on' takes a list of failed, new-flaky, regressed, flaky, repeat or none, not 'everything'" -- "$C" run --fail-on everything
expect 2 "option '--count' needs a value" -- "$C" run --count
expect 2 "unknown option '--frobnicate'" -- "$C" run --frobnicate
expect 2 "option '--shard' wants I/N" -- "$C" analyze --shard 3/2 x
expect 2 "option '--repository' wants OWNER/NAME" -- "$C" analyze --repository noslash x
expect 2 "option '--pr' wants a whole number" -- "$C" analyze --pr twelve x
expect 2 "not in a Go module" -- sh -c "cd '$work/notmod' && exec '$C' run --no-history"
expect 2 "'go' not found on PATH" -- env PATH=/nonexistent "$C" run --no-history
expect 2 "'definitely-not-go' not found on PATH" -- "$C" run --go definitely-not-go --no-history
expect 2 "found no packages to test" -- sh -c "cd '$work/emptymod' && exec '$C' run --no-history"
expect 2 "no files to analyze" -- "$C" analyze
expect 2 "cannot open '$work/missing.json': No such file or directory" -- "$C" analyze --no-history "$work/missing.json"
expect 2 "is a directory" -- "$C" analyze --no-history "$work"
expect 2 "is not a go test -json stream (no JSON event in 1 line)" -- "$C" analyze --no-history "$work/binary.bin"
expect 2 "is not a go test -json stream (no JSON event in 2 lines)" -- "$C" analyze --no-history "$work/text.txt"
if [ "$(id -u)" -ne 0 ]; then
	expect 2 "cannot open '$work/unreadable': Permission denied" -- "$C" analyze --no-history "$work/unreadable"
fi
expect 2 "no history at" -- "$C" history --db "$work/none.db"
expect 2 "option '--pass-env': 'HOME' is not one of the runner's secrets" -- "$C" run --pass-env HOME
expect 2 "option '--changed-since' wants a git revision" -- "$C" run --changed-since --output=x
expect 2 "option '--only-changed' needs --changed-since REF" -- "$C" run --only-changed
expect 2 "option '--budget' wants at least 1s" -- "$C" run --budget 10ms
expect 2 "option '--cell' wants a name" -- "$C" analyze --cell "" x
# A failed write leaves nothing half-written behind.
printf '{"Action":"pass","Package":"p","Test":"TestX"}\n' >"$work/ok.json"
expect 2 "cannot write '$work/nodir/r.json.tmp" -- "$C" analyze --no-history --quiet --json "$work/nodir/r.json" "$work/ok.json"
[ ! -e "$work/nodir" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: partial output"; }

# Not errors: an empty stream and a truncated one give verdicts.
: >"$work/empty.json"
"$C" analyze --no-history --quiet --json "$work/e.json" "$work/empty.json"
[ $? -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: empty stream"; }
printf '{"Action":"run","Package":"p","Test":"TestCut"}\n{"Action":"output","Package":"p","Test":"TestCut","Output":"=== RUN   TestCut\\n"}\n{"Action":"out' >"$work/cut.json"
"$C" analyze --no-history --quiet --fail-on none --json "$work/c.json" "$work/cut.json" 2>"$work/err"
rc=$?
if [ $rc -eq 0 ] && grep -q '"status": "failed"' "$work/c.json" && grep -q 'stream ended' "$work/c.json"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL: truncated stream verdict (exit $rc)"; cat "$work/err"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
