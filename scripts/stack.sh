#!/bin/sh
# The production stack's make targets (compose.prod.yaml, its env file):
#   scripts/stack.sh deploy-prod           pull the images, then up -d
#   scripts/stack.sh down                  stop and remove the containers
#   scripts/stack.sh rollback DEPLOYMENT [TO]
# rollback restores the deployment's previous version (or version TO)
# through the server's API, image and parameters both; then the worker
# of the deployment's pool is recreated on that version's image (its
# PM25_IMAGE_* line in the env file is rewritten, so the stack stays
# rolled back), and the data of the deployment's last failed run is
# named: the `pm25 data diff` command for its branch.
#
# PM25_STACK_DIR holds compose.prod.yaml and .env (default: the source
# tree); PM25_COMPOSE is the compose command (default docker compose,
# else docker-compose, else podman-compose); PM25_COMPOSE_FILES are the
# -f files after compose.prod.yaml; PM25_COMPOSE_PROJECT is -p.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
dir=${PM25_STACK_DIR:-$ROOT}
envf=$dir/.env
pm25=$ROOT/pm25

die() {
	echo "make $cmd: $*" >&2
	exit 2
}

# the value of KEY in the env file (KEY=VALUE lines; no shell quoting)
envval() {
	sed -n "s/^$1=//p" "$envf" | tail -n 1
}

# the compose command: PM25_COMPOSE, docker compose, docker-compose (with
# an engine) or podman-compose; found once
tool() {
	if [ -n "${tool_cmd:-}" ]; then
		echo "$tool_cmd"
	elif [ -n "${PM25_COMPOSE:-}" ]; then
		echo "$PM25_COMPOSE"
	elif docker compose version > /dev/null 2>&1; then
		echo "docker compose"
	elif command -v docker-compose > /dev/null && docker info > /dev/null 2>&1; then
		echo docker-compose
	elif command -v podman-compose > /dev/null; then
		echo podman-compose
	else
		die "no docker compose, docker-compose or podman-compose"
	fi
}

# the compose command with its -p and -f options, run in $dir
compose_cmd() {
	c="$(tool)${PM25_COMPOSE_PROJECT:+ -p $PM25_COMPOSE_PROJECT} -f compose.prod.yaml"
	for f in ${PM25_COMPOSE_FILES:-}; do
		c="$c -f $f"
	done
	echo "$c"
}

compose() {
	# shellcheck disable=SC2046 # the tool, -p and -f are split on spaces
	(cd "$dir" && $(compose_cmd) "$@")
}

# recreate SERVICE on what the env file says now, not its dependencies.
# podman-compose 1.0 neither recreates a changed service nor honours
# --no-deps on up: its container is removed, then up starts it (and
# says that the others run already).
recreate() {
	case $(tool) in
	podman-compose*)
		p=${PM25_COMPOSE_PROJECT:-$(basename "$dir")}
		podman rm -f "${p}_$1_1" > /dev/null 2>&1 || true
		compose up -d "$1" > /dev/null 2>&1 || true
		[ "$(podman inspect --format '{{.State.Running}}' "${p}_$1_1" 2> /dev/null)" = true ] ||
			die "$1 did not start"
		;;
	*)
		compose up -d --no-deps --force-recreate "$1"
		;;
	esac
}

cmd=${1:-}
tool_cmd=$(tool)
[ -n "$cmd" ] || die "usage: scripts/stack.sh deploy-prod|down|rollback DEPLOYMENT [TO]"
shift
[ -f "$envf" ] || die "no $envf: cp .env.example .env and set every CHANGE-ME"
if grep -q 'CHANGE-ME' "$envf"; then
	die "$envf still has CHANGE-ME values: set them first"
fi

case $cmd in
deploy-prod)
	compose pull
	compose up -d
	;;
down)
	compose down
	;;
rollback)
	deployment=${1:-}
	to=${2:-}
	[ -n "$deployment" ] || die "DEPLOYMENT=flow/name is needed"
	[ -x "$pm25" ] || die "no $pm25: run make first"
	start=$(date +%s%N)
	PM25_API_URL=${PM25_API_URL:-http://127.0.0.1:$(envval PM25_PORT | grep . || echo 4200)}
	PM25_API_TOKEN=$(envval PM25_API_TOKEN)
	export PM25_API_URL PM25_API_TOKEN
	"$pm25" deployment rollback "$deployment" ${to:+--to "$to"}
	echo "API rollback in $((($(date +%s%N) - start) / 1000000)) ms"
	d=$("$pm25" deployment inspect "$deployment" --json)
	image=$(printf '%s' "$d" | grep -o '"image": "[^"]*"' | head -n 1 | cut -d'"' -f4)
	pool=$(printf '%s' "$d" | grep -o '"work_pool": "[^"]*"' | head -n 1 | cut -d'"' -f4)
	case $pool in
	etl-pool-dev) tier=DEV ;;
	etl-pool-stage) tier=STAGE ;;
	etl-pool-prod) tier=PROD ;;
	*) tier= ;;
	esac
	if [ -n "$tier" ] && [ -n "$image" ]; then
		tierl=$(echo "$tier" | tr '[:upper:]' '[:lower:]')
		was=$(envval "PM25_IMAGE_$tier")
		if [ "$was" != "$image" ]; then
			sed -i "s|^PM25_IMAGE_$tier=.*|PM25_IMAGE_$tier=$image|" "$envf"
			echo "$envf: PM25_IMAGE_$tier=$image (was $was)"
		fi
		since=$(date +%s%N)
		recreate "pm25-worker-$tierl"
		echo "pm25-worker-$tierl runs $image (recreated in $((($(date +%s%N) - since) / 1000000)) ms)"
	else
		echo "no worker of this stack serves pool '$pool': its image is left as it is"
	fi
	end=$(date +%s%N)
	echo "rolled back in $(( (end - start) / 1000000 )) ms"
	auth="Authorization: Bearer $PM25_API_TOKEN"
	q=$(printf '%s' "$deployment" | sed 's|/|%2F|g')
	id=$(curl -fsS -H "$auth" "$PM25_API_URL/api/flow_runs?deployment=$q&state=failed&limit=1" |
		grep -o '"id": "[^"]*"' | head -n 1 | cut -d'"' -f4)
	if [ -z "$id" ]; then
		echo "no failed run of $deployment: no data to look at"
		exit 0
	fi
	branch=$(curl -fsS -H "$auth" "$PM25_API_URL/api/flow_runs/$id" |
		grep -o '"branch": "[^"]*"' | head -n 1 | cut -d'"' -f4)
	if [ -n "$branch" ]; then
		echo "the failed run $id kept its data on $branch; what it would have changed:"
		echo "  (cd $dir && $(compose_cmd) exec pm25-server pm25 data diff main $branch)"
	else
		echo "the failed run $id wrote no branch: main is as it was"
	fi
	;;
*)
	die "unknown target $cmd"
	;;
esac
