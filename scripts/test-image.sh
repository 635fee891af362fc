#!/bin/sh
# Build localhost/pm25:test from this tree (Containerfile) for the tests
# of docker pools. No image registry is reachable here, so the Debian 12
# base image is made with debootstrap and imported once. Prints nothing;
# exits non-zero with the reason on stderr.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/scripts/containers.conf}"
base=docker.io/library/debian:bookworm-slim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! podman image exists "$base"; then
	debootstrap --variant=minbase bookworm "$tmp/rootfs" > "$tmp/log" 2>&1 ||
		{ tail -n 5 "$tmp/log" >&2; exit 1; }
	tar -C "$tmp/rootfs" -c . | podman import -q - "$base" > /dev/null
fi
buildah bud --network host -q -t localhost/pm25:test -f "$ROOT/Containerfile" \
	"$ROOT" > "$tmp/log" 2>&1 || { tail -n 10 "$tmp/log" >&2; exit 1; }
