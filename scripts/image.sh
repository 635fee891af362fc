#!/bin/sh
# make image: build Containerfile. With docker buildx (CI): the tags of
# IMAGE_TAGS (space- or newline-separated; default pm25:VERSION), the
# labels of IMAGE_LABELS, and with PUSH=1 pushed with an SBOM and
# provenance; the digest goes to $GITHUB_OUTPUT as "digest" when that is
# set. Without docker (this machine): buildah bud --network host.
set -eu
cd "$(dirname "$0")/.."
version=$(sed -n 's/^#define PM25_VERSION "\(.*\)"/\1/p' include/pm25/version.h)
tags=${IMAGE_TAGS:-pm25:$version}
set --
for t in $tags; do
	set -- "$@" -t "$t"
done
if command -v docker > /dev/null && docker buildx version > /dev/null 2>&1; then
	old_ifs=$IFS
	IFS='
'
	for l in ${IMAGE_LABELS:-}; do
		set -- "$@" --label "$l"
	done
	IFS=$old_ifs
	if [ "${PUSH:-0}" = 1 ]; then
		set -- "$@" --push --sbom=true --provenance=mode=max --metadata-file image-meta.json
	fi
	docker buildx build -f Containerfile "$@" .
	if [ "${PUSH:-0}" = 1 ] && [ -n "${GITHUB_OUTPUT:-}" ]; then
		python3 -c 'import json; print("digest=" + json.load(open("image-meta.json"))["containerimage.digest"])' \
			>> "$GITHUB_OUTPUT"
	fi
else
	[ "${PUSH:-0}" = 1 ] && { echo "make image: PUSH=1 needs docker buildx" >&2; exit 2; }
	buildah bud --network host -f Containerfile "$@" .
fi
