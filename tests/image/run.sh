#!/bin/bash
# make image-test: the image and both stacks, built and run on this
# machine with buildah, podman, podman-compose, skopeo and umoci (no
# Docker engine, no registry). Each check prints "ok - WHAT" or
# "FAIL - WHAT: WHY"; the last line is "N passed, N failed". What it
# measured (sizes, time to healthy, RSS, rollback time) goes to
# build/artefacts/image/report.txt as well.
#
#   1. the image: Containerfile builds; size against the target
#      (30 MB uncompressed, 12 MB as gzip layers); OCI labels and the
#      three tags; no shell; no secret in any layer or in the history;
#      as 65532 on a read-only root it answers version and health and
#      runs a flow on the bundled data; its server refuses a non-loopback
#      address without a token.
#   2. the embedded stack (compose.yaml) comes up, seeds, is healthy; its
#      API has data, runs and a model; a write with the token printed on
#      first start works; it goes down with nothing left.
#   3. the production stack's core (compose.prod.yaml with
#      tests/image/compose.core.yaml): PostgreSQL built here from
#      Debian's package, pm25-server and three workers; a run on
#      etl-pool-dev, promotion to etl-pool-prod and a run there, an image
#      update through the API, make rollback, a worker killed with -9 and
#      its run Crashed then retried.
#   4. docker-compose 1.29 validates all of compose.prod.yaml, whose
#      lakeFS, MinIO, Loki and Prometheus cannot run here (no image can
#      be pulled), and compose.yaml.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
export CONTAINERS_CONF=$ROOT/scripts/containers.conf
PM25=$ROOT/pm25
art=$ROOT/build/artefacts/image
mkdir -p "$art"
report=$art/report.txt
: > "$report"
tmp=$(mktemp -d /tmp/pm25-image-test.XXXXXX)
passed=0
failed=0
emb=pm25itemb
prod=pm25itprod

ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL - $1${2:+: $2}"
}
# check WHAT COMMAND...: ok if the command exits 0
check() {
	local what=$1
	shift
	if "$@" > "$tmp/check.out" 2>&1; then
		ok "$what"
	else
		fail "$what" "$(tail -n 3 "$tmp/check.out" | tr '\n' ' ')"
	fi
}
measure() {
	echo "$*" | tee -a "$report"
}
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# healthy FILE SERVICE CONTAINER TRIES: the service's healthcheck in the
# compose file, run in the container every 0.2 s until it passes. Its
# CMD form runs as Docker runs it (exec, no shell): podman has no systemd
# here to run checks on a timer, and podman-compose 1.0 wraps a CMD
# check in /bin/sh -c, which an image without a shell cannot run (fixed
# in podman-compose 1.0.6).
healthy() {
	local i
	local -a t
	mapfile -t t < <(python3 - "$1" "$2" <<'PY'
import sys, yaml
t = yaml.safe_load(open(sys.argv[1]))["services"][sys.argv[2]]["healthcheck"]["test"]
if t[0] == "CMD-SHELL":
    t = ["CMD", "/bin/sh", "-c", t[1]]
print("\n".join(t[1:]))
PY
)
	[ "${#t[@]}" -gt 0 ] || return 1
	for ((i = 0; i < $4; i++)); do
		podman exec "$3" "${t[@]}" > /dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}
cleanup() {
	(cd "$tmp/emb" 2> /dev/null && podman-compose -p $emb down -v > /dev/null 2>&1)
	(cd "$tmp/prod" 2> /dev/null && podman-compose -p $prod \
		-f compose.prod.yaml -f compose.core.yaml down -v > /dev/null 2>&1)
	podman rm -f -a --filter "label=io.podman.compose.project=$emb" > /dev/null 2>&1
	podman rm -f -a --filter "label=io.podman.compose.project=$prod" > /dev/null 2>&1
	podman volume ls -q | grep -E "^(pm25it-vol|${emb}_|${prod}_)" | xargs -r podman volume rm -f > /dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
# what a run killed before its cleanup left
podman rm -f -a --filter "label=io.podman.compose.project=$emb" > /dev/null 2>&1
podman rm -f -a --filter "label=io.podman.compose.project=$prod" > /dev/null 2>&1
podman volume ls -q | grep -E "^(pm25it-vol|${emb}_|${prod}_)" | xargs -r podman volume rm -f > /dev/null 2>&1

version=$(sed -n 's/^#define PM25_VERSION "\(.*\)"/\1/p' include/pm25/version.h)
day=$(date -u +%Y-%m-%d)
short=$(git rev-parse --short=7 HEAD 2> /dev/null || echo unknown)
img=localhost/pm25:$version

# --- 1. the image -----------------------------------------------------------
t0=$(date +%s)
if IMAGE_NAME=localhost/pm25 scripts/image.sh > "$tmp/build.log" 2>&1; then
	ok "Containerfile builds ($(($(date +%s) - t0)) s; tags $version, $version-$day, sha-$short)"
else
	fail "Containerfile builds" "$(tail -n 5 "$tmp/build.log" | tr '\n' ' ')"
	echo "$passed passed, $failed failed"
	exit 1
fi
for t in "$version" "$version-$day" "sha-$short"; do
	check "tag pm25:$t" podman image exists "localhost/pm25:$t"
done

size=$(podman image inspect --format '{{.Size}}' "$img")
skopeo copy -q --dest-compress --dest-compress-format gzip \
	"containers-storage:$img" "oci:$tmp/oci:pm25" > "$tmp/skopeo.log" 2>&1
gz=$(python3 - "$tmp/oci" <<'PY'
import json, os, sys
d = sys.argv[1]
idx = json.load(open(os.path.join(d, "index.json")))
m = json.load(open(os.path.join(d, "blobs", *idx["manifests"][0]["digest"].split(":"))))
print(m["config"]["size"] + sum(l["size"] for l in m["layers"]))
PY
)
measure "image size: $size bytes uncompressed, ${gz:-?} bytes as gzip layers (target 30000000 and 12000000)"
if [ "$size" -le 30000000 ]; then ok "image ≤ 30 MB uncompressed ($size)"; else fail "image ≤ 30 MB uncompressed" "$size"; fi
if [ -n "$gz" ] && [ "$gz" -le 12000000 ]; then ok "image ≤ 12 MB compressed ($gz)"; else fail "image ≤ 12 MB compressed" "${gz:-skopeo failed: $(tail -n 2 "$tmp/skopeo.log")}"; fi

labels=$(podman image inspect --format '{{json .Labels}}' "$img")
for l in source revision version created licenses; do
	if printf '%s' "$labels" | grep -q "\"org.opencontainers.image.$l\":\"[^\"]"; then
		ok "OCI label org.opencontainers.image.$l"
	else
		fail "OCI label org.opencontainers.image.$l" "$labels"
	fi
done
rev=$(git rev-parse HEAD 2> /dev/null)
check "the revision label is HEAD" grep -q "\"org.opencontainers.image.revision\":\"$rev\"" <<< "$labels"
cfg=$(podman image inspect --format '{{.Config.User}} {{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$img")
check "user 65532, entrypoint pm25, cmd server --listen 0.0.0.0:4200" \
	test "$cfg" = '65532:65532 ["pm25"] ["server","--listen","0.0.0.0:4200"]'

# the layers' files, unpacked with umoci
if umoci raw unpack --rootless --image "$tmp/oci:pm25" "$tmp/rootfs" > "$tmp/umoci.log" 2>&1; then
	ok "umoci unpacks the image"
else
	fail "umoci unpacks the image" "$(tail -n 2 "$tmp/umoci.log")"
fi
shells=$(find "$tmp/rootfs" \( -name sh -o -name bash -o -name dash -o -name busybox \
	-o -name apt -o -name apt-get -o -name dpkg \) 2> /dev/null)
check "no shell nor package manager in the layers" test -z "$shells"
check "sh does not run in the image" bash -c "! podman run --rm --entrypoint sh $img -c true"
# secrets: key files, private keys, tokens and this tree's .env
secrets=$(find "$tmp/rootfs" \( -name '.env' -o -name '*.pem' -o -name '*.key' -o -name 'id_*' \
	-o -name 'api-token' -o -name '.git-credentials' -o -name '.netrc' \) 2> /dev/null)
check "no key or env files in the layers" test -z "$secrets"
# (ELF files hold PEM headers as constants of their TLS code: text only)
check "no private key or access key in the layers' text files" python3 - "$tmp/rootfs" <<'PY'
import os, re, sys
pat = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{12}|xox[bp]-[0-9A-Za-z-]+|ghp_[0-9A-Za-z]{20}")
bad = []
for d, _, names in os.walk(sys.argv[1]):
    for n in names:
        p = os.path.join(d, n)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        b = open(p, "rb").read()
        if not b.startswith(b"\x7fELF") and pat.search(b):
            bad.append(p)
sys.exit("secret-like text in: %s" % bad if bad else 0)
PY
hist=$(podman history --no-trunc --format '{{.CreatedBy}}' "$img"; podman image inspect --format '{{json .Config.Env}}' "$img")
check "no token, password or secret in the history or env" \
	bash -c "! grep -qiE 'token=|password=|secret=|_key=' <<< '$hist'"
files=$(find "$tmp/rootfs" -type f | wc -l)
measure "image files: $files; bundled data $(du -sb "$tmp/rootfs/usr/share/pm25" | cut -f1) bytes"

run_ro() { # podman run as 65532 with a read-only root and a home volume
	podman run --rm --read-only --user 65532 -v pm25it-vol:/var/lib/pm25 "$img" "$@"
}
check "pm25 version (read-only, 65532)" bash -c "[ \"\$(podman run --rm --read-only --user 65532 $img version)\" = 'pm25 $version' ]"
check "pm25 health says not ready without a home (exit 1)" bash -c "podman run --rm --read-only --user 65532 $img health; [ \$? = 1 ]"
check "pm25 init on the volume" run_ro init
check "pm25 health on the initialised home (exit 0)" run_ro health
for feed in data/air4thai/*_flattened_*.csv; do break; done
check "pm25 run on the bundled data (read-only, 65532)" run_ro run ingest-clean -q \
	--param source=csv --param file="/usr/share/pm25/data/air4thai/${feed##*/}"
check "pm25 backfill of the bundled history (read-only, 65532)" run_ro backfill -q \
	--input /usr/share/pm25/data/history
check "their data is on main" bash -c "podman run --rm --read-only --user 65532 -v pm25it-vol:/var/lib/pm25 $img data ls main clean/hourly/ | grep -q date=2023-12-01"
podman run --rm --read-only --user 65532 "$img" > "$tmp/notoken.out" 2>&1
rc=$?
check "the default command refuses 0.0.0.0 without PM25_API_TOKEN (exit 2)" \
	bash -c "[ $rc = 2 ] && grep -q 'PM25_API_TOKEN' '$tmp/notoken.out'"

# --- 2. the embedded stack --------------------------------------------------
mkdir -p "$tmp/emb"
cp compose.yaml "$tmp/emb/"
eport=$(free_port)
printf 'PM25_PORT=%s\nPM25_VERSION=%s\n' "$eport" "$version" > "$tmp/emb/.env"
t0=$(date +%s%N)
(cd "$tmp/emb" && podman-compose -p $emb up -d) > "$tmp/emb.log" 2>&1
ec=${emb}_pm25_1
if healthy compose.yaml pm25 "$ec" 600; then
	t1=$(date +%s%N)
	ok "embedded stack: up and healthy"
	st=$(podman inspect --format '{{.State.StartedAt.UnixNano}}' "$ec")
	measure "embedded stack: podman-compose up to healthy in $(((t1 - t0) / 1000000)) ms, $(((t1 - st) / 1000000)) ms of it from the container's start (first start: seeding included)"
else
	fail "embedded stack: up and healthy" "$(podman logs "$ec" 2>&1 | tail -n 5 | tr '\n' ' ')"
fi
api="http://127.0.0.1:$eport"
curl -fsS "$api/api/flow_runs?state=completed" > "$tmp/runs.json" 2>&1
check "embedded: runs completed (backfill, ingest, eda, train-model)" python3 -c '
import json, sys
runs = json.load(open(sys.argv[1]))["flow_runs"]
flows = {r["flow"] for r in runs}
sys.exit(0 if {"backfill", "ingest-clean", "eda", "train-model"} <= flows else "flows: %s" % flows)' "$tmp/runs.json"
check "embedded: main has day files" bash -c "curl -fsS '$api/api/data/commits' | grep -q '\"id\"'"
check "embedded: a champion model" bash -c "curl -fsS '$api/api/models/champion' | grep -q '\"rmse\"\\|\"metrics\"'"
check "embedded: the dashboard's overview" bash -c "curl -fsS '$api/' | grep -q '<html'"
token=$(podman logs "$ec" 2>&1 | sed -n 's/.*first start: the API token is \([0-9a-f]*\).*/\1/p' | head -n 1)
check "embedded: first start printed a token" test -n "$token"
check "embedded: a write with it (run eda/daily)" bash -c "curl -fsS -X POST -H 'Authorization: Bearer $token' \
	-H 'Content-Type: application/json' -d '{}' '$api/api/deployments/eda/daily/run' | grep -q '\"id\"'"
check "embedded: a write without it is refused (401)" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST \
	-H 'Content-Type: application/json' -d '{}' '$api/api/deployments/eda/daily/run')\" = 401 ]"
pid=$(podman inspect --format '{{.State.Pid}}' "$ec")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2> /dev/null)
curl -fsS "$api/" > /dev/null
rss2=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2> /dev/null)
measure "embedded stack RSS: ${rss:-?} kB after seeding, ${rss2:-?} kB after drawing the overview (pm25 server, its scheduler and worker)"
check "embedded: read-only root, user 65532" bash -c "[ \"\$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}' $ec)\" = 'true 65532:65532' ]"
check "embedded: a restart keeps the home and does not seed again" bash -c "
	podman restart -t 45 $ec > /dev/null &&
	for i in \$(seq 300); do podman exec $ec pm25 health --url http://127.0.0.1:4200 > /dev/null 2>&1 && break; sleep 0.2; done &&
	podman exec $ec pm25 health --url http://127.0.0.1:4200 &&
	podman logs $ec 2>&1 | grep -q 'seeded already' &&
	podman logs $ec 2>&1 | grep -q 'the API token is in'"
t0=$(date +%s%N)
(cd "$tmp/emb" && podman-compose -p $emb down -v) >> "$tmp/emb.log" 2>&1
t1=$(date +%s%N)
measure "embedded stack: down in $(((t1 - t0) / 1000000)) ms"
check "embedded: down leaves no container" test -z "$(podman ps -a -q --filter "label=io.podman.compose.project=$emb")"

# --- 3. the production stack's core -----------------------------------------
if buildah bud --network host --layers -q -t localhost/pm25-test-postgres:15 \
	-f tests/image/postgres/Containerfile tests/image/postgres > "$tmp/pg.log" 2>&1; then
	ok "PostgreSQL 15 image from Debian's package"
else
	fail "PostgreSQL 15 image from Debian's package" "$(tail -n 3 "$tmp/pg.log")"
fi
d=$tmp/prod
mkdir -p "$d/deploy"
cp compose.prod.yaml tests/image/compose.core.yaml "$d/"
cp deploy/prometheus.yml "$d/deploy/"
pport=$(free_port)
tok=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
{
	sed -e "s/^PM25_IMAGE_\([A-Z]*\)=.*/PM25_IMAGE_\1=localhost\/pm25:$version/" \
		-e "s/^PM25_API_TOKEN=.*/PM25_API_TOKEN=$tok/" \
		-e "s/=CHANGE-ME$/=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')/" \
		-e "s/^PM25_PORT=.*/PM25_PORT=$pport/" \
		-e "s/^PG_PORT=.*/PG_PORT=$(free_port)/" .env.example
} > "$d/.env"
check "the test's env file has no CHANGE-ME left" bash -c "! grep -q CHANGE-ME '$d/.env'"
pc() { (cd "$d" && podman-compose -p $prod -f compose.prod.yaml -f compose.core.yaml "$@"); }
# podman-compose 1.0 starts services in order but does not wait on
# depends_on conditions: the core comes up in the order they name
pc up -d --no-deps postgres > "$tmp/prod.log" 2>&1
check "prod: postgres healthy" healthy compose.prod.yaml postgres ${prod}_postgres_1 300
t0=$(date +%s%N)
pc up -d --no-deps pm25-server >> "$tmp/prod.log" 2>&1
if healthy compose.prod.yaml pm25-server ${prod}_pm25-server_1 300; then
	t1=$(date +%s%N)
	ok "prod: pm25-server healthy"
	st=$(podman inspect --format '{{.State.StartedAt.UnixNano}}' ${prod}_pm25-server_1)
	measure "prod core: pm25-server healthy $(((t1 - st) / 1000000)) ms after its container started, $(((t1 - t0) / 1000000)) ms after up (podman-compose 1.0 first tries to pull the services that cannot run here)"
else
	fail "prod: pm25-server healthy" "$(podman logs ${prod}_pm25-server_1 2>&1 | tail -n 5 | tr '\n' ' ')"
fi
pc up -d --no-deps pm25-worker-dev pm25-worker-stage pm25-worker-prod >> "$tmp/prod.log" 2>&1
for w in dev stage prod; do
	check "prod: pm25-worker-$w healthy" healthy compose.prod.yaml pm25-worker-$w ${prod}_pm25-worker-${w}_1 300
done
export PM25_API_URL=http://127.0.0.1:$pport PM25_API_TOKEN=$tok
cat > "$tmp/e2e.yaml" <<EOF
deployments:
  - name: noop/e2e
    flow: noop
    work_pool: etl-pool-dev
    image: localhost/pm25:$version
    parameters: {sleep_s: "0.2", retries: "1"}
  - name: noop/long
    flow: noop
    work_pool: etl-pool-prod
    image: localhost/pm25:$version
    parameters: {sleep_s: "40", retries: "1", retry_delay_s: "1"}
  - name: ingest-clean/strict
    flow: ingest-clean
    work_pool: etl-pool-prod
    image: localhost/pm25:$version
    parameters: {source: csv, file: /usr/share/pm25/data/air4thai/${feed##*/}, contract: /var/lib/pm25/strict.yaml}
EOF
# a contract whose gate the recorded snapshot does not pass: only
# station ids like 02t (about half of them) are valid
sed 's/pattern: "^\[A-Za-z0-9\]\[A-Za-z0-9_.@-\]{0,63}\$"/pattern: "^[0-9]+t$"/' \
	contracts/pm25.yaml > "$tmp/strict.yaml"
grep -q 'pattern: "^\[0-9\]+t\$"' "$tmp/strict.yaml" || fail "the strict contract" "contracts/pm25.yaml changed its station_id pattern"
podman cp "$tmp/strict.yaml" ${prod}_pm25-server_1:/var/lib/pm25/strict.yaml
check "prod: apply deployments through the API" "$PM25" deployment apply "$tmp/e2e.yaml"
# wait_run ID STATE: until the run is in STATE (60 s); the worker that
# claimed it last on stdout
wait_run() {
	local i s
	for ((i = 0; i < 300; i++)); do
		s=$("$PM25" flow-run inspect "$1" --json 2> /dev/null)
		if printf '%s' "$s" | grep -q "^{[^[]*\"state\": \"$2\""; then
			printf '%s' "$s" | grep -o 'claimed by worker [^" ]*' | tail -n 1 | cut -d' ' -f4
			return 0
		fi
		sleep 0.2
	done
	return 1
}
# podman-compose 1.0 neither recreates a changed service nor honours
# --no-deps on up (scripts/stack.sh does the same): remove, then up
recreate() {
	podman rm -f "${prod}_$1_1" > /dev/null 2>&1
	pc up -d "$1" >> "$tmp/prod.log" 2>&1
}
run_id() { sed -n 's/^flow run \([0-9a-f]*\) .*/\1/p'; }
id=$("$PM25" deployment run noop/e2e | run_id)
wk=$(wait_run "$id" Completed)
check "prod: a run on etl-pool-dev completes on worker-dev ($wk)" test "$wk" = worker-dev
check "prod: promotion to etl-pool-stage" "$PM25" deployment update noop/e2e --work-pool etl-pool-stage
check "prod: promotion to etl-pool-prod" "$PM25" deployment update noop/e2e --work-pool etl-pool-prod
id=$("$PM25" deployment run noop/e2e | run_id)
wk=$(wait_run "$id" Completed)
check "prod: a run on etl-pool-prod completes on worker-prod ($wk)" test "$wk" = worker-prod
# a release: the new image through the API, worker-prod on it; its run
# fails the quality gate and keeps its data on a branch
podman tag "$img" "localhost/pm25:sha-e2e0001"
check "prod: an image update through the API" "$PM25" deployment update ingest-clean/strict --image localhost/pm25:sha-e2e0001
sed -i "s|^PM25_IMAGE_PROD=.*|PM25_IMAGE_PROD=localhost/pm25:sha-e2e0001|" "$d/.env"
recreate pm25-worker-prod
healthy compose.prod.yaml pm25-worker-prod ${prod}_pm25-worker-prod_1 300
check "prod: worker-prod runs the new image" bash -c "[ \"\$(podman inspect --format '{{.ImageName}}' ${prod}_pm25-worker-prod_1)\" = localhost/pm25:sha-e2e0001 ]"
id=$("$PM25" deployment run ingest-clean/strict | run_id)
check "prod: the release's run fails (its gate)" wait_run "$id" Failed
branch=$(curl -fsS "$PM25_API_URL/api/flow_runs/$id" | grep -o '"branch": "[^"]*"' | head -n 1 | cut -d'"' -f4)
check "prod: the release's run fails its gate and keeps a branch ($branch)" test -n "$branch"
t0=$(date +%s%N)
PM25_STACK_DIR=$d PM25_COMPOSE=podman-compose PM25_COMPOSE_FILES=compose.core.yaml \
	PM25_COMPOSE_PROJECT=$prod make -s rollback DEPLOYMENT=ingest-clean/strict > "$tmp/rollback.out" 2>&1
rc=$?
t1=$(date +%s%N)
sed 's/^/     /' "$tmp/rollback.out"
measure "make rollback: $(((t1 - t0) / 1000000)) ms in all, $(sed -n 's/^API rollback in \([0-9]*\) ms.*/\1/p' "$tmp/rollback.out") ms of it the API's (podman-compose 1.0 tries to pull the services it cannot run before it recreates the worker)"
check "prod: make rollback exits 0" test "$rc" = 0
check "prod: the deployment's image is back" bash -c "'$PM25' deployment inspect ingest-clean/strict --json | grep -o '\"image\": \"[^\"]*\"' | head -n 1 | grep -q 'localhost/pm25:$version\"'"
check "prod: the env file pins worker-prod to it" grep -q "^PM25_IMAGE_PROD=localhost/pm25:$version$" "$d/.env"
check "prod: worker-prod was recreated on it" bash -c "[ \"\$(podman inspect --format '{{.ImageName}}' ${prod}_pm25-worker-prod_1)\" = localhost/pm25:$version ]"
check "prod: make rollback names the failed run's branch" grep -q "data diff main $branch" "$tmp/rollback.out"
check "prod: that diff runs in pm25-server" bash -c "podman exec ${prod}_pm25-server_1 pm25 data diff main $branch | grep -q 'clean/hourly/'"
healthy compose.prod.yaml pm25-worker-prod ${prod}_pm25-worker-prod_1 300
id=$("$PM25" deployment run noop/e2e | run_id)
wk=$(wait_run "$id" Completed)
check "prod: a run after the rollback completes on worker-prod ($wk)" test "$wk" = worker-prod

# a worker killed with -9 mid-run: its run Crashed when the lease ends,
# then retried (retries: 1) on the restarted worker
id=$("$PM25" deployment run noop/long | run_id)
wait_run "$id" Running > /dev/null
check "prod: a long run is Running on worker-prod" test -n "$id"
podman kill -s KILL ${prod}_pm25-worker-prod_1 > /dev/null 2>&1
check "prod: worker-prod killed with -9" bash -c "[ \"\$(podman inspect --format '{{.State.Running}}' ${prod}_pm25-worker-prod_1)\" = false ] || sleep 1"
podman start ${prod}_pm25-worker-prod_1 > /dev/null 2>&1
crashed=
for ((i = 0; i < 450; i++)); do
	"$PM25" flow-run inspect "$id" --json > "$tmp/run.json" 2> /dev/null
	if grep -q '"state": "Crashed"' "$tmp/run.json"; then crashed=1; fi
	grep -q '"attempt": 2\|"state": "Completed"' "$tmp/run.json" && [ -n "$crashed" ] && break
	sleep 0.2
done
check "prod: the killed run was Crashed" grep -q 'Crashed' "$tmp/run.json"
wait_run "$id" Completed > /dev/null
check "prod: and retried to Completed" grep -q '"state": "Completed"' <<< "$("$PM25" flow-run inspect "$id" --json)"
unset PM25_API_URL PM25_API_TOKEN
t0=$(date +%s%N)
pc down -v >> "$tmp/prod.log" 2>&1
t1=$(date +%s%N)
measure "prod core: down in $(((t1 - t0) / 1000000)) ms"
check "prod: down leaves no container" test -z "$(podman ps -a -q --filter "label=io.podman.compose.project=$prod")"

# --- 4. what cannot run here --------------------------------------------------
echo "     not run here (no registry to pull from): lakefs, minio, minio-bucket, loki, prometheus;"
echo "     docker-compose 1.29 validates the whole file instead"
cp .env.example "$tmp/example.env"
check "docker-compose config -q: compose.prod.yaml with .env.example" \
	docker-compose -f compose.prod.yaml --env-file "$tmp/example.env" config -q
check "docker-compose config -q: compose.yaml" docker-compose -f compose.yaml config -q
check "docker-compose config -q: the core override" \
	docker-compose -f compose.prod.yaml -f tests/image/compose.core.yaml --env-file "$tmp/example.env" config -q
docker-compose -f compose.prod.yaml --env-file "$tmp/example.env" config > "$tmp/prod.config" 2>&1
check "compose.prod.yaml: ports published on 127.0.0.1 only" python3 - "$tmp/prod.config" <<'PY'
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["services"]
bad = [(n, p) for n, v in s.items() for p in v.get("ports", [])
       if not (p.get("host_ip") == "127.0.0.1" if isinstance(p, dict) else str(p).startswith("127.0.0.1:"))]
sys.exit("published beyond 127.0.0.1: %s" % bad if bad else 0)
PY
check "compose.prod.yaml: every service has a healthcheck but the one-shot bucket" python3 - compose.prod.yaml <<'PY'
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["services"]
missing = [n for n, v in s.items() if "healthcheck" not in v and n != "minio-bucket"]
sys.exit("no healthcheck: %s" % missing if missing else 0)
PY
check "compose.prod.yaml: no secret in the file" bash -c "! grep -nE '(PASSWORD|SECRET|TOKEN|_KEY)[A-Z_]*: [^\$]' compose.prod.yaml"
check "compose files: pinned image tags (no :latest)" bash -c "! grep -nE 'image: [^ ]*(:latest)?\$' compose.prod.yaml | grep -vE ':[0-9A-Za-z.-]+\$|\\$\\{'"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
