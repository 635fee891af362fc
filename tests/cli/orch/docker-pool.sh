# A docker pool on SQLite and on PostgreSQL, with real podman and an
# image built from this tree (scripts/test-image.sh): each run goes in a
# container of the deployment's image (podman run ... flow-run execute
# ID) on the host's network with the home mounted; a run completes, fails
# or times out as in a process pool; a deployment without an image and
# an image that is not there end Crashed with the reason; a container
# that no run needs any more is removed; no container is left behind.
. "$SRC/tests/cli/lib.sh"
export CONTAINERS_CONF=$SRC/scripts/containers.conf PM25_CONTAINER_PULL=never
"$SRC/scripts/test-image.sh" || die "cannot build the test image"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/boxed
    work_pool: box-pool
    image: localhost/pm25:test
    parameters: {sleep_s: "0.2"}
  - name: noop/boxfail
    work_pool: box-pool
    image: localhost/pm25:test
    parameters: {fail: "1"}
  - name: noop/boxslow
    work_pool: box-pool
    image: localhost/pm25:test
    parameters: {sleep_s: "30", timeout_s: "2"}
  - name: noop/noimage
    work_pool: box-pool
  - name: noop/badimage
    work_pool: box-pool
    image: localhost/pm25:not-there
YAML
DFILE=$PWD/d.yaml
final() { # how many runs are final
	pm25 flow-run ls --json | python3 -c '
import json, sys
print(sum(r["state"] in ("Completed", "Failed", "TimedOut", "Crashed") for r in json.load(sys.stdin)))'
}
scenario() {
	pm25 init > /dev/null
	pm25 pool create box-pool --type docker
	pm25 deployment apply "$DFILE" > /dev/null || die "apply"
	for d in boxed boxfail boxslow noimage badimage; do
		pm25 deployment run noop/$d > /dev/null
	done
	# a container left by a worker killed with -9, of a run that is gone
	# (the image has no sleep, nor a shell: the host's, on the image's libc)
	podman run -d --name pm25-run-00000000deadbeef-1 \
		-v "$(command -v sleep)":/usr/bin/sleep:ro --entrypoint /usr/bin/sleep \
		localhost/pm25:test 300 > /dev/null || die "leftover container"
	pm25 worker start --name w -p box-pool --limit 3 > /dev/null 2> worker.err &
	w=$!
	for _ in $(seq 300); do
		[ "$(final)" = 5 ] && break
		sleep 0.1
	done
	kill -TERM $w
	wait $w
	head -n 1 worker.err
	grep -o '"removed": "[^"]*"' worker.err
	pm25 flow-run ls --json | python3 -c '
import json, sys
for r in sorted(json.load(sys.stdin), key=lambda r: r["deployment"]):
    print(r["deployment"], r["state"], "-", r["state_reason"])'
	id=$(pm25 flow-run ls --state completed --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	pm25 flow-run inspect "$id" --json | python3 -c '
import json, re, sys
for s in json.load(sys.stdin)["states"]:
    print("  ", s["state"], re.sub(r"pid [0-9]+", "pid N", s["reason"]))'
	[ -z "$(podman ps -a -q --filter name=pm25-run-)" ] || die "a container was left behind"
	echo "no container left"
}
both_backends scenario
