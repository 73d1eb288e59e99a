#!/bin/sh
# tools/release-notes.sh vX.Y.Z [CHANGELOG]: prints the CHANGELOG.md
# section of release X.Y.Z (the lines under "## [X.Y.Z] - DATE" up to the
# next "## [" heading or the link definitions), the notes of the GitHub
# release (.github/workflows/release.yml).  Exit 1 with a message when
# the section is missing or empty.
set -u
tag=${1:-}
cl=${2:-$(cd "$(dirname "$0")/.." && pwd)/CHANGELOG.md}
case $tag in
v[0-9]*.[0-9]*.[0-9]*) ;;
*) echo "usage: $0 vX.Y.Z [CHANGELOG.md]" >&2; exit 2 ;;
esac
ver=${tag#v}
notes=$(awk -v v="$ver" '
	index($0, "## [" v "] - ") == 1 { on = 1; next }
	on && (/^## \[/ || /^\[[^]]*\]: /) { exit }
	on { print }' "$cl" | sed -e '/./,$!d')
if [ -z "$(printf '%s' "$notes" | tr -d ' \n')" ]; then
	echo "release-notes: $cl has no section '## [$ver] - DATE', or it is empty" >&2
	exit 1
fi
printf '%s\n' "$notes"
