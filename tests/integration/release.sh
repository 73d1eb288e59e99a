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
[ $fail -eq 0 ] || exit 1
echo "ok: release-check passes on the tree and refuses 5 broken ones"
