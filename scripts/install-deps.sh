#!/bin/sh
# install-deps.sh: the Debian/Ubuntu packages flake-action builds and tests
# with.  Run as root (or with sudo).  Idempotent.
set -eu
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (sudo $0)" >&2
	exit 2
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
	build-essential pkg-config git ca-certificates python3 golang-go \
	libjansson-dev libsqlite3-dev libcurl4-openssl-dev libmicrohttpd-dev \
	libssl-dev zlib1g-dev >/dev/null
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
echo "install-deps.sh: done ($(go version))"
