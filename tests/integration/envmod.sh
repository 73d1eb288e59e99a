#!/bin/sh
# The real collector over tests/fixtures/envmod: the classes where a
# collector can disagree with `go test` -- package-level failures (TestMain
# before/after m.Run, init and package-variable panics, os.Exit outside a
# test, a signal, an intermittent one), the test environment (PWD, the
# descriptors a test binary inherits: with_fd9.py), state
# leaks across -count (repeat), a timeout -- and every printed repro
# command run as printed (also from a symlinked working directory).
set -eu
command -v go >/dev/null || { echo "skipped: no go on PATH"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state"
cd "$FLAKE_TOP/tests/fixtures/envmod"
rc=0
# The runner's secrets are set: none may reach a test (./secrets).
secrets="GITHUB_TOKEN GH_TOKEN FLAKE_TOKEN ACTIONS_RUNTIME_TOKEN ACTIONS_RUNTIME_URL"
secrets="$secrets ACTIONS_ID_TOKEN_REQUEST_TOKEN ACTIONS_ID_TOKEN_REQUEST_URL"
secrets="$secrets ACTIONS_CACHE_URL ACTIONS_RESULTS_URL"
ENVMOD_SECRETS=$secrets GITHUB_TOKEN=ghs_x GH_TOKEN=ghs_x FLAKE_TOKEN=flk_x \
ACTIONS_RUNTIME_TOKEN=x ACTIONS_RUNTIME_URL=http://127.0.0.1:9/ \
ACTIONS_ID_TOKEN_REQUEST_TOKEN=x ACTIONS_ID_TOKEN_REQUEST_URL=http://127.0.0.1:9/ \
ACTIONS_CACHE_URL=http://127.0.0.1:9/ ACTIONS_RESULTS_URL=http://127.0.0.1:9/ \
ENVMOD_STATE="$work/state" ENVMOD_FDS=9 python3 "$FLAKE_TOP/tests/tools/with_fd9.py" \
	"$FLAKE_BIN/flake-collector" run --race off \
	--gomaxprocs 1,2 --count 3 --rerun 2 --timeout 4s --no-history \
	--json "$work/results.json" --junit "$work/junit.xml" \
	--comment never >"$work/stdout" 2>"$work/stderr" || rc=$?
cat "$work/stderr"
echo "exit status $rc"
[ $rc -eq 1 ] || { echo "want exit 1 (package failures trip --fail-on failed)"; cat "$work/stdout"; exit 1; }
# The same module through go test -json and analyze: the same package
# failures from a stream.
mkdir -p "$work/state2"
ENVMOD_STATE="$work/state2" ENVMOD_FDS=9 GOMAXPROCS=2 \
	python3 "$FLAKE_TOP/tests/tools/with_fd9.py" go test -json -count=1 -timeout 4s \
	./... >"$work/gotest.json" 2>&1 || true
arc=0
"$FLAKE_BIN/flake-collector" analyze --cell GOMAXPROCS=2 --comment never \
	--json "$work/analyze.json" "$work/gotest.json" >"$work/analyze.out" \
	2>&1 || arc=$?
# From a symlinked working directory: repro paths relative to it.
ln -s "$FLAKE_TOP/tests/fixtures/envmod" "$work/link"
src=0
(cd "$work/link" && "$FLAKE_BIN/flake-collector" run --race off \
	--gomaxprocs 2 --count 3 --rerun 0 --no-history --comment never \
	--json "$work/link.json" ./repeat >"$work/link.out" 2>&1) || src=$?
python3 "$FLAKE_TOP/tests/tools/check_envmod.py" "$work" "$rc" "$arc" "$src"
