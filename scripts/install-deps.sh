#!/bin/sh
# install-deps.sh: the Debian/Ubuntu packages flake-action builds and tests
# with.  Idempotent.  As root it installs directly (a root container has no
# sudo); as another user it re-runs itself through sudo.
set -eu
export DEBIAN_FRONTEND=noninteractive
# Go: a go already on the caller's PATH that is new enough (1.19+; e.g.
# /usr/local/go, actions/setup-go) is kept, never shadowed by Debian's
# older one.  Decided before sudo, whose PATH may not have it.
go_ok=${FLAKE_HAVE_GO:-}
if [ -z "$go_ok" ] && command -v go >/dev/null 2>&1; then
	minor=$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9][0-9]*\).*/\1/p')
	[ -n "$minor" ] && [ "$minor" -ge 19 ] && go_ok=1
fi
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo DEBIAN_FRONTEND=noninteractive FLAKE_HAVE_GO="$go_ok" \
			sh "$0" "$@"
	fi
	echo "install-deps.sh: needs root to install packages, and there is no sudo: run it as root" >&2
	exit 2
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential pkg-config git ca-certificates python3 \
	libjansson-dev libsqlite3-dev libcurl4-openssl-dev libmicrohttpd-dev \
	libssl-dev zlib1g-dev >/dev/null
[ -n "$go_ok" ] || apt-get install -y -qq --no-install-recommends golang-go >/dev/null
# The oldest Go the collector supports, beside the current one (it does not
# shadow it: /usr/lib/go-1.19/bin), and Debian's Go library packages the
# conformance test (tests/integration/conformance.sh) runs against go test.
# Optional: a release without them only skips those parts.
apt-get install -y -qq --no-install-recommends golang-1.19-go \
	>/dev/null 2>&1 || echo "install-deps.sh: no golang-1.19-go here (skipped)"
apt-get install -y -qq --no-install-recommends golang-golang-x-sync-dev \
	golang-github-patrickmn-go-cache-dev \
	golang-github-hashicorp-golang-lru-dev \
	golang-github-cenkalti-backoff-dev >/dev/null 2>&1 ||
	echo "install-deps.sh: Debian's Go library packages not found (skipped)"
# The fuzzing smoke (tests/integration/fuzz.sh; skipped without them):
# clang and its libFuzzer runtime (libclang-rt-14-dev on Debian 12; on
# other releases the runtime comes with clang itself).
apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev \
	>/dev/null 2>&1 ||
	apt-get install -y -qq --no-install-recommends clang >/dev/null
# The browser tests (tests/integration/browser.sh): Debian's chromium at
# /usr/bin/chromium, driven by playwright-core from npm (.ci/run: npm ci;
# playwright-core never downloads a browser).
apt-get install -y -qq --no-install-recommends chromium >/dev/null
# Node.js and npm: the machine's own when present (a nodesource nodejs
# bundles npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "install-deps.sh: done ($(go version 2>/dev/null || echo "go not on root's PATH"))"
