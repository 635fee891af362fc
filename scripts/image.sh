#!/bin/sh
# make image: build Containerfile. The tags are IMAGE_TAGS (space- or
# newline-separated), by default pm25:VERSION, pm25:VERSION-YYYY-MM-DD
# (the date tag a semantic rollback goes back to) and pm25:sha-SHORT;
# the build args VERSION, REVISION, CREATED and SOURCE fill the OCI
# labels. With docker buildx (CI): the
# labels of IMAGE_LABELS, and with PUSH=1 pushed with an SBOM and
# provenance; the digest goes to $GITHUB_OUTPUT as "digest" when that is
# set. Without docker (this machine): buildah bud --network host.
set -eu
cd "$(dirname "$0")/.."
version=$(sed -n 's/^#define PM25_VERSION "\(.*\)"/\1/p' include/pm25/version.h)
rev=$(git rev-parse HEAD 2>/dev/null || echo unknown)
short=$(git rev-parse --short=7 HEAD 2>/dev/null || echo unknown)
name=${IMAGE_NAME:-pm25}
tags=${IMAGE_TAGS:-$name:$version $name:$version-$(date -u +%Y-%m-%d) $name:sha-$short}
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
set -- --build-arg "VERSION=$version" --build-arg "REVISION=$rev" \
	--build-arg "CREATED=$created"
[ -n "${IMAGE_SOURCE:-}" ] && set -- "$@" --build-arg "SOURCE=$IMAGE_SOURCE"
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
	"$(dirname "$0")/image-base.sh"
	# buildah's layer cache keeps a LABEL whose ARG changed: the labels
	# that change with each build are given as options too
	buildah bud --network host --layers -f Containerfile "$@" \
		--label "org.opencontainers.image.revision=$rev" \
		--label "org.opencontainers.image.version=$version" \
		--label "org.opencontainers.image.created=$created" .
fi
