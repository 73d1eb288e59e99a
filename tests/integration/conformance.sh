#!/bin/sh
# Differential conformance against `go test` itself: real test suites --
# standard-library packages and Debian's Go library packages -- run once by
# `go test -json` (the reference) and once by the collector with one
# matching cell (GOMAXPROCS=2, -count 1, no reruns), without and with
# -race, for each Go toolchain here (the go on PATH, and Debian's
# /usr/lib/go-1.19/bin/go when installed).  tests/tools/conformance.py
# compares every package's pass/fail and every test's (subtests too)
# terminal result, with a short list of documented allowed differences and
# the pins of tests/fixtures/conformance/pins.txt.
#
# Under bin-san (the ASan build) it does less: fewer std packages, -race
# for two of them only, x/sync without semaphore.  CONFORMANCE_LITE=0/1
# overrides; CONFORMANCE_KEEP=DIR keeps the workspace (every stream and
# results document) in DIR.  Prints the elapsed time per toolchain.
#
# The standard library is tested by import path from inside a scratch
# module: `go list` resolves std patterns from any module, the collector
# builds them with `go test -c` and runs each binary in $GOROOT/src/PKG,
# exactly where `go test` runs it -- no copy, so the packages are the
# toolchain's own.  The scratch module's go line is the toolchain's
# version: its GODEBUG defaults are the ones std's tests are written for.
set -u
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
[ -x "$FLAKE_BIN/flake-collector" ] ||
	{ echo "skipped: no $FLAKE_BIN/flake-collector"; exit 77; }
t0=$(date +%s)
if [ -n "${CONFORMANCE_KEEP:-}" ]; then
	work=$CONFORMANCE_KEEP
	rm -rf "$work" && mkdir -p "$work" || exit 1
else
	work=$(mktemp -d) || exit 1
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM HUP
fi
case ${CONFORMANCE_LITE:-} in
'') case $FLAKE_BIN in *bin-san | *bin-san/) lite=1 ;; *) lite=0 ;; esac ;;
*) lite=$CONFORMANCE_LITE ;;
esac

# Nothing may touch the network, pick another toolchain, or read a
# workspace or settings from the machine's environment.
export GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod \
	GOWORK=off GO111MODULE=on
unset GOOS GOARCH GOEXPERIMENT GODEBUG GOMAXPROCS GOTRACEBACK 2>/dev/null
N=2

# Fast std packages (seconds each).  The race pass keeps the ones whose
# -race runs take ~1-2 s (measured here: -race os/exec 26 s, time 38 s,
# sort 18 s, bytes 7 s, encoding/json 6-11 s, strings 3.5 s: too slow for
# make test, which runs this script twice).
STD_ALL="os/exec context sync time encoding/json net/http/httptest strings
bytes errors sort container/list path/filepath bufio io unicode/utf8"
STD_RACE="context sync net/http/httptest errors container/list bufio io
unicode/utf8 path/filepath"
STD_LITE="os/exec context sync time encoding/json net/http/httptest errors
container/list bufio io unicode/utf8"
# Under bin-san only this much -race: the sanitizer build still parses race
# reports, within the ~2 minute budget of that pass.
STD_RACE_LITE="context sync"
# Debian's Go library packages (scripts/install-deps.sh), each copied into
# a scratch module of its own (go 1.19, no requirements: none needs one).
GOCODE=/usr/share/gocode/src
DEB_MODS="golang.org/x/sync github.com/hashicorp/golang-lru
github.com/patrickmn/go-cache github.com/cenkalti/backoff"
# x/sync/semaphore takes 5.5 s (plain and -race): only in the full plain pass.
XSYNC_FAST="./errgroup ./singleflight ./syncmap"

nrun=0
# run_set LABEL DIR RACE(on|off) PKGS...: the reference and the collector
# over PKGS from DIR, into $work/runs/NN.  Both run as they are used: go
# test with its default vet, the collector without build flags.  With
# vetoff=1, both without vet (go test -vet=off; the collector's
# `-- -vet=off` goes to its go test -c).
vetoff=0
run_set() {
	label=$1 dir=$2 race=$3
	shift 3
	nrun=$((nrun + 1))
	out=$work/runs/$(printf %02d $nrun)
	mkdir -p "$out"
	rflag= cflag=
	[ "$race" = on ] && rflag=-race
	[ "$vetoff" = 1 ] && rflag="$rflag -vet=off" cflag="-- -vet=off"
	{
		echo "label=$label"
		echo "go=$gover"
		echo "race=$race"
		echo "dir=$dir"
		echo "pkgs=$*"
		echo "vetoff=$vetoff"
		echo "gomaxprocs=$N"
		echo "gobin=$(dirname "$(command -v go)")"
	} >"$out/meta"
	s=$(date +%s)
	# shellcheck disable=SC2086
	(cd "$dir" && GOMAXPROCS=$N go test $rflag -json -count=1 -timeout 5m \
		"$@" >"$out/ref.json" 2>"$out/ref.stderr"
	echo $? >"$out/ref.rc")
	m=$(date +%s)
	# shellcheck disable=SC2086
	(cd "$dir" && "$FLAKE_BIN/flake-collector" run --race "$race" \
		--gomaxprocs $N --count 1 --rerun 0 --timeout 5m --no-history \
		--comment never --fail-on none --json "$out/col.json" "$@" \
		$cflag >"$out/col.stdout" 2>"$out/col.stderr"
	echo $? >"$out/col.rc")
	e=$(date +%s)
	echo "ref_secs=$((m - s))" >>"$out/meta"
	echo "col_secs=$((e - m))" >>"$out/meta"
	printf '  %-34s go test %3ss, collector %3ss (exit %s/%s)\n' \
		"$label" $((m - s)) $((e - m)) "$(cat "$out/ref.rc")" \
		"$(cat "$out/col.rc")"
}

# One toolchain: its bin dir first in PATH (the collector runs the go on
# PATH); TAG names its workspace.
pass_toolchain() {
	gobin=$1 tag=$2
	PATH=$gobin:$PATH
	export PATH
	gover=$(go env GOVERSION 2>/dev/null) || {
		echo "note: $gobin/go does not run: skipped"
		return 1
	}
	ts=$(date +%s)
	echo "== $gover ($gobin/go)"
	minor=$(echo "$gover" | sed -n 's/^go1\.\([0-9][0-9]*\).*/\1/p')
	[ -n "$minor" ] || minor=19
	tw=$work/$tag
	mkdir -p "$tw/std"
	printf 'module conformance.example/std\n\ngo 1.%s\n' "$minor" \
		>"$tw/std/go.mod"
	if [ "$lite" = 1 ]; then std=$STD_LITE; else std=$STD_ALL; fi
	# shellcheck disable=SC2086
	run_set "$gover std" "$tw/std" off $std
	mods= vetmods=
	if [ -d "$GOCODE" ]; then
		for imp in $DEB_MODS; do
			src=$GOCODE/$imp
			if [ ! -d "$src" ]; then
				echo "note: $src absent (scripts/install-deps.sh): skipped"
				continue
			fi
			d=$tw/mod/$imp
			mkdir -p "$d" && cp -R "$src/." "$d/" && chmod -R u+w "$d" || {
				echo "note: cannot copy $src: skipped"
				continue
			}
			# the module's own path (cenkalti/backoff is .../v4), else
			# the directory's import path
			mp=$(sed -n 's/^module[[:space:]]*//p' "$d/go.mod" 2>/dev/null |
				tr -d '"\r' | head -n 1)
			[ -n "$mp" ] || mp=$imp
			printf 'module %s\n\ngo 1.19\n' "$mp" >"$d/go.mod"
			rm -f "$d/go.sum"
			mods="$mods $d"
			pk=./...
			[ "$lite" = 1 ] && [ "$imp" = golang.org/x/sync ] &&
				pk=$XSYNC_FAST
			# shellcheck disable=SC2086
			run_set "$gover $mp" "$d" off $pk
			# A package go test did not build (Go 1.26's vet fails
			# cenkalti/backoff: "ExampleRetryContext refers to unknown
			# identifier") has no test to compare: once more, both
			# without vet, so its tests are compared too.
			if grep -q '\[build failed\]' "$out/ref.json"; then
				vetmods="$vetmods $d"
				vetoff=1
				# shellcheck disable=SC2086
				run_set "$gover $mp (vet off)" "$d" off $pk
				vetoff=0
			fi
		done
	else
		echo "note: $GOCODE absent (Debian's Go library packages): skipped"
	fi
	if [ "$lite" = 1 ]; then
		echo "  (lite under $FLAKE_BIN: -race only for $STD_RACE_LITE)"
		# shellcheck disable=SC2086
		run_set "$gover std -race" "$tw/std" on $STD_RACE_LITE
	else
		# shellcheck disable=SC2086
		run_set "$gover std -race" "$tw/std" on $STD_RACE
		for d in $mods; do
			mp=$(sed -n 's/^module[[:space:]]*//p' "$d/go.mod")
			pk=./...
			[ "$mp" = golang.org/x/sync ] && pk=$XSYNC_FAST
			# shellcheck disable=SC2086
			run_set "$gover $mp -race" "$d" on $pk
			case " $vetmods " in *" $d "*)
				vetoff=1
				# shellcheck disable=SC2086
				run_set "$gover $mp -race (vet off)" "$d" on $pk
				vetoff=0 ;;
			esac
		done
	fi
	echo "  $gover: $(($(date +%s) - ts))s"
	times="$times, $gover $(($(date +%s) - ts))s"
}

base_path=$PATH
ntool=0 times=
if command -v go >/dev/null; then
	first=$(dirname "$(command -v go)")
	pass_toolchain "$first" go-path && ntool=$((ntool + 1))
fi
old=/usr/lib/go-1.19/bin
if [ ! -x "$old/go" ]; then
	echo "note: no $old/go (Debian's golang-1.19-go): Go 1.19 pass skipped"
elif [ "$(cd "${first:-/nonexistent}" 2>/dev/null && pwd -P)" = \
	"$(cd "$old" && pwd -P)" ]; then
	echo "note: the go on PATH is $old/go: one pass"
else
	PATH=$base_path
	pass_toolchain "$old" go-1.19 && ntool=$((ntool + 1))
fi
PATH=$base_path
[ $ntool -gt 0 ] || { echo "skipped: no go on PATH"; exit 77; }

python3 "$FLAKE_TOP/tests/tools/conformance.py" \
	--pins "$FLAKE_TOP/tests/fixtures/conformance/pins.txt" \
	--elapsed "$(($(date +%s) - t0))s (${times#, })" "$work"/runs/*
[ $? -eq 0 ] || exit 1
exit 0
