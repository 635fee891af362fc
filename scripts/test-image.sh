#!/bin/sh
# Build localhost/pm25:test from this tree (Containerfile) for the tests
# of docker pools and of the image, on the base of scripts/image-base.sh.
# Prints nothing; exits non-zero with the reason on stderr.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/scripts/containers.conf}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$ROOT/scripts/image-base.sh"
buildah bud --network host -q --layers -t localhost/pm25:test -f "$ROOT/Containerfile" \
	"$ROOT" > "$tmp/log" 2>&1 || { tail -n 10 "$tmp/log" >&2; exit 1; }
