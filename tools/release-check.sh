#!/bin/sh
# tools/release-check.sh [--tag vX.Y.Z]: what a release needs, checked
# (docs/RELEASING.md).  Without --tag, that the tree is consistent for
# development: core/version.h holds X.Y.Z, CHANGELOG.md starts with an
# [Unreleased] section and has a section for X.Y.Z, LICENSE exists, and
# every action action.yml uses is pinned to a major tag or a commit (never
# a branch).  With --tag vX.Y.Z, that the tree is that release: version.h
# says X.Y.Z, CHANGELOG.md has "## [X.Y.Z] - YYYY-MM-DD".  Exit 1 with one
# line per problem.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tag=
case ${1:-} in
--tag) tag=${2:-}; [ -n "$tag" ] || { echo "usage: $0 [--tag vX.Y.Z]" >&2; exit 2; } ;;
'') ;;
*) echo "usage: $0 [--tag vX.Y.Z]" >&2; exit 2 ;;
esac
bad=0
problem() { echo "release-check: $*"; bad=1; }

ver=$(sed -n 's/^#define FLAKE_VERSION "\(.*\)"$/\1/p' "$top/core/version.h")
echo "$ver" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' ||
	problem "core/version.h: FLAKE_VERSION '$ver' is not X.Y.Z"
[ -s "$top/LICENSE" ] || problem "LICENSE is missing"
cl=$top/CHANGELOG.md
if [ ! -s "$cl" ]; then
	problem "CHANGELOG.md is missing"
else
	grep -q "^## \[$ver\] - [0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$" "$cl" ||
		problem "CHANGELOG.md has no '## [$ver] - YYYY-MM-DD' section for core/version.h's $ver"
	grep -q "^\[$ver\]: " "$cl" || problem "CHANGELOG.md has no link for [$ver]"
	if [ -z "$tag" ]; then
		first=$(grep -m1 '^## ' "$cl")
		[ "$first" = "## [Unreleased]" ] ||
			problem "CHANGELOG.md: the first section is '$first', not '## [Unreleased]'"
	fi
fi
if [ -n "$tag" ]; then
	echo "$tag" | grep -Eq '^v[0-9]+\.[0-9]+\.[0-9]+$' ||
		problem "tag '$tag' is not vX.Y.Z"
	[ "v$ver" = "$tag" ] ||
		problem "tag $tag, but core/version.h says $ver"
fi
# Actions used by the composite action: a major tag (@v4) or a full commit.
grep -n '^[[:space:]]*uses:' "$top/action.yml" | while IFS= read -r l; do
	ref=${l##*@}
	echo "$ref" | grep -Eq '^(v[0-9]+(\.[0-9]+)*|[0-9a-f]{40})$' ||
		echo "release-check: action.yml:${l%%:*}: '${l#*uses:}' is not pinned to a tag or a commit"
done | grep . && bad=1
# The Marketplace listing: a name, and a description of at most 125
# characters (GitHub's limit for an action's description there).
python3 - "$top/action.yml" <<'PY' || bad=1
import sys
try:
    import yaml
except ImportError:
    sys.exit(0)
d = yaml.safe_load(open(sys.argv[1]))
desc = d.get("description") or ""
bad = 0
if not d.get("name"):
    print("release-check: action.yml has no name"); bad = 1
if not desc or len(desc) > 125:
    print("release-check: action.yml: the description has %d characters, the Marketplace shows at most 125" % len(desc)); bad = 1
if not (d.get("branding") or {}).get("icon") or not (d.get("branding") or {}).get("color"):
    print("release-check: action.yml: no branding icon and color (the Marketplace listing)"); bad = 1
sys.exit(bad)
PY
[ $bad -eq 0 ] && echo "release-check: ok (version $ver${tag:+, tag $tag})"
exit $bad
