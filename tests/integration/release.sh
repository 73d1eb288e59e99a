#!/bin/sh
# tools/release-check.sh: the tree is consistent for development, and the
# check refuses what a release must not have (docs/RELEASING.md).
set -u
top=$FLAKE_TOP
sh "$top/tools/release-check.sh" || { echo "FAIL: the tree fails release-check"; exit 1; }
ver=$(sed -n 's/^#define FLAKE_VERSION "\(.*\)"$/\1/p' "$top/core/version.h")
sh "$top/tools/release-check.sh" --tag "v$ver" || { echo "FAIL: --tag v$ver"; exit 1; }
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
fail=0
# expect_fail NAME WANT: a copy of the tree changed by the caller fails
# with a line containing WANT.
copy() {
	rm -rf "$work/t" && mkdir -p "$work/t/core" "$work/t/tools" &&
		cp "$top/core/version.h" "$work/t/core/" &&
		cp "$top/CHANGELOG.md" "$top/LICENSE" "$top/action.yml" "$work/t/" &&
		cp "$top/tools/release-check.sh" "$work/t/tools/"
}
expect_fail() {
	if sh "$work/t/tools/release-check.sh" ${3:-} >"$work/out" 2>&1; then
		echo "FAIL: $1: passed"; fail=1
	elif ! grep -q "$2" "$work/out"; then
		cat "$work/out"; echo "FAIL: $1: no '$2'"; fail=1
	fi
}
copy && expect_fail "wrong tag" "but core/version.h says" "--tag v99.0.0"
copy && rm "$work/t/LICENSE" && expect_fail "no LICENSE" "LICENSE is missing"
copy && sed -i 's/^## \[Unreleased\]$/## Next/' "$work/t/CHANGELOG.md" &&
	expect_fail "no Unreleased" "not '## \[Unreleased\]'"
copy && sed -i 's/actions\/upload-artifact@v4/actions\/upload-artifact@main/' \
	"$work/t/action.yml" && expect_fail "a branch ref" "not pinned"
copy && sed -i 's/^#define FLAKE_VERSION ".*"$/#define FLAKE_VERSION "7.7.7"/' \
	"$work/t/core/version.h" && expect_fail "no CHANGELOG section" "no '## \[7.7.7\]"
# The release's notes: its CHANGELOG section, nothing of the next one or
# of the link definitions; a tag without a section is refused.
notes=$(sh "$top/tools/release-notes.sh" "v$ver" "$top/CHANGELOG.md") || {
	echo "FAIL: release-notes v$ver"; fail=1; }
case $notes in
"### "*) ;;
*) echo "FAIL: release-notes: the section should start with a ### heading: $notes" | head -3; fail=1 ;;
esac
case $notes in
*"## ["*|*"]: https://"*) echo "FAIL: release-notes: past the section"; fail=1 ;;
esac
printf '## [Unreleased]\n\n## [2.0.0] - 2027-01-02\n\n### Changed\n- New.\n\n## [1.0.0] - 2026-01-01\n\n- Old.\n\n[2.0.0]: https://x/2\n' >"$work/cl.md"
[ "$(sh "$top/tools/release-notes.sh" v2.0.0 "$work/cl.md")" = "$(printf '### Changed\n- New.')" ] || {
	sh "$top/tools/release-notes.sh" v2.0.0 "$work/cl.md"; echo "FAIL: release-notes v2.0.0"; fail=1; }
[ "$(sh "$top/tools/release-notes.sh" v1.0.0 "$work/cl.md")" = "- Old." ] || {
	echo "FAIL: release-notes v1.0.0 (the last section, before the links)"; fail=1; }
if sh "$top/tools/release-notes.sh" v3.0.0 "$work/cl.md" >/dev/null 2>&1; then
	echo "FAIL: release-notes: a tag without a section passed"; fail=1
fi
if python3 -c 'import yaml' 2>/dev/null; then
	copy && python3 - "$work/t/action.yml" <<'PY' && expect_fail "a long description" "at most 125"
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"(?m)^description: >-\n(  .*\n)+", "description: " + "x" * 126 + "\n", s, count=1)
open(p, "w").write(s)
PY
fi
[ $fail -eq 0 ] || exit 1
echo "ok: release-check passes on the tree and refuses 6 broken ones; release notes from the changelog"
