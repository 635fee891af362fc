#!/bin/sh
# docker.io/library/debian:bookworm-slim for local image builds: no
# registry can be reached here, so it is made with debootstrap (minbase)
# and imported, with the apt sources of the real image (bookworm,
# bookworm-updates, bookworm-security) so that the Containerfile's
# pinned versions resolve as they do there. Once: a base imported by
# this script (its history says so) is kept, and so is one pulled from a
# registry (its history names bookworm); another import is replaced.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/scripts/containers.conf}"
base=docker.io/library/debian:bookworm-slim
mark="pm25 image-base 2: debootstrap minbase bookworm, three suites"
if podman image exists "$base"; then
	h=$(podman history --no-trunc --format '{{.CreatedBy}} {{.Comment}}' "$base")
	case $h in
	*"$mark"* | *bookworm*) exit 0 ;;
	esac
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
debootstrap --variant=minbase bookworm "$tmp/rootfs" > "$tmp/log" 2>&1 ||
	{ tail -n 5 "$tmp/log" >&2; exit 1; }
rm -f "$tmp/rootfs/etc/apt/sources.list"
cat > "$tmp/rootfs/etc/apt/sources.list.d/debian.sources" <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -rf "$tmp/rootfs/var/cache/apt/archives/"*.deb "$tmp/rootfs/var/lib/apt/lists/"*
tar -C "$tmp/rootfs" -c . | podman import -q --message "$mark" - "$base" > /dev/null
