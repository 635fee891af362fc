#!/bin/sh
# Build localhost/pm25:test from this tree (Containerfile, through
# scripts/image.sh) for the tests of docker pools.
# Prints nothing; exits non-zero with the reason on stderr.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/scripts/containers.conf}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
IMAGE_TAGS=localhost/pm25:test "$ROOT/scripts/image.sh" > "$tmp/log" 2>&1 ||
	{ tail -n 10 "$tmp/log" >&2; exit 1; }
