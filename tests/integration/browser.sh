#!/bin/sh
# The reporter's HTML pages in a real browser: Debian's chromium driven by
# playwright-core (tests/browser/pages.test.mjs).  Skipped (77) without
# /usr/bin/chromium, node, or node_modules/playwright-core (a fresh clone
# before `npm ci`).  Screenshots: tests/out/browser/.
set -eu
chromium=${FLAKE_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "skipped: no $chromium (apt-get install chromium)"; exit 77; }
command -v node >/dev/null || { echo "skipped: no node (apt-get install nodejs npm)"; exit 77; }
[ -d "$FLAKE_TOP/node_modules/playwright-core" ] ||
	{ echo "skipped: no node_modules/playwright-core (run npm ci in $FLAKE_TOP)"; exit 77; }
export FLAKE_BIN FLAKE_CHROMIUM="$chromium"
exec node "$FLAKE_TOP/tests/browser/pages.test.mjs"
