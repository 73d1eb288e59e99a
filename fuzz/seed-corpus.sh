#!/bin/sh
# fuzz/seed-corpus.sh: fills the fuzzers' seed corpora, DIR/<target>/, from
# the project's fixtures (tests/fixtures/streams, tests/golden), the shared
# test2json captures (../shared/test2json, when present) and results
# documents written by the collector from those streams.  Idempotent: files
# are named by content hash, so re-running adds nothing twice.
#
# Usage: sh fuzz/seed-corpus.sh DIR [COLLECTOR]
#   COLLECTOR: a built flake-collector (default bin/flake-collector); without
#   one the in_json corpus gets only the hand-written documents below.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: seed-corpus.sh DIR [COLLECTOR]}
collector=${2:-$top/bin/flake-collector}
shared=${FLAKE_SHARED:-$top/../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

for t in gtest_event gtest_agg in_json json_pull sig md_escape buf_html; do
	mkdir -p "$dir/$t"
done

# put TARGET FILE: copies FILE into the corpus under its content hash.
put() {
	h=$(cksum <"$2" | tr ' ' '_')
	[ -e "$dir/$1/seed-$h" ] || cp "$2" "$dir/$1/seed-$h"
}
# puts TARGET STRING
puts() {
	printf '%s' "$2" >"$tmp/s"
	put "$1" "$tmp/s"
}

# The go test -json streams.
# Only directories that exist are searched: a find over a missing one
# fails, and under set -e that silently ended the list after the first.
streams=$(
	for d in "$top/tests/fixtures/streams" "$shared/test2json"; do
		[ -d "$d" ] || continue
		find "$d" \( -name '*.json' -o -name '*.jsonl' \) -type f
	done | grep -v '/expected' | sort
)
raw=$(
	[ -d "$shared/test2json" ] &&
		find "$shared/test2json" -name '*.test' 2>/dev/null | sort
) || true

n=0
for s in $streams; do
	n=$((n + 1))
	# gtest_agg: a 4-byte header (flags/exit, 3 chunk sizes), then the
	# stream: once whole, once in 7/64/1-byte chunks as a killed -race run.
	{ printf '\000\000\000\000'; cat "$s"; } >"$tmp/a"
	put gtest_agg "$tmp/a"
	{ printf '\031\007\100\001'; cat "$s"; } >"$tmp/a"
	put gtest_agg "$tmp/a"
	# gtest_event and json_pull: the stream's lines, one per seed (the
	# first 150 of each stream: the corpora stay small and varied).
	rm -rf "$tmp/lines" && mkdir "$tmp/lines"
	head -n 150 "$s" | awk -v d="$tmp/lines" \
		'{ f = d "/" NR; printf "%s", $0 > f; close(f) }'
	for l in "$tmp"/lines/*; do
		[ -f "$l" ] || continue
		put gtest_event "$l"
		put json_pull "$l"
	done
	# in_json: the results document the collector writes for the stream.
	if [ -x "$collector" ] &&
		"$collector" analyze --no-history --quiet --fail-on none \
			--json "$tmp/r.json" "$s" >/dev/null 2>&1; then
		put in_json "$tmp/r.json"
		put json_pull "$tmp/r.json"
	fi
done

# sig, md_escape, buf_html: raw test output (the converter's input) and
# output lines, which carry the paths, durations, addresses and markup
# those functions exist for.
for s in $raw; do
	head -c 4096 "$s" >"$tmp/r"
	put sig "$tmp/r"
	{ printf 'g'; cat "$tmp/r"; } >"$tmp/m"
	put md_escape "$tmp/m"
	put buf_html "$tmp/r"
done

for t in sig md_escape buf_html; do
	p=
	[ $t = md_escape ] && p=c
	puts $t "${p}panic: runtime error: index out of range [5] with length 3 [recovered]"
	puts $t "${p}    x_test.go:42: got 0xc000123456, want <nil> after 1.5s (took 300ms, 2m3s, 45µs)"
	puts $t "${p}open /tmp/TestFoo123/001/file: no such file or directory"
	puts $t "${p}goroutine 17 [running]: @alice fixes #123 see https://x.io/a_b*c*"
	puts $t "${p}\`\`\`\` fence \`\`\` inside <script>alert('x')</script> & \"q\""
	puts $t "${p}bidi ‮ override, invalid \377\300 utf-8, tab	and CR
LF"
	puts $t "${p}日本語 ☃ 🙂 0123456789 www.example.com ftp://host |a|b| ~~x~~ \$1 !img"
done
puts json_pull '{"a":[1,-2.5e+10,true,false,null,"\u00e9\ud83d\ude00\n"],"b":{}}'
puts json_pull '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'
puts in_json '{"schema_version":1}'
puts gtest_event '{"Action":"output","Package":"p","Test":"T\u0000x","Output":"a\tb\\n\"q\"\n","Elapsed":0.5,"Extra":[1,{"k":null}]}'
echo "seeded $dir: $n streams; $(for t in gtest_event gtest_agg in_json json_pull sig md_escape buf_html; do printf '%s=%s ' $t "$(ls "$dir/$t" | wc -l)"; done)"
