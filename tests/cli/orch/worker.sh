# Workers on SQLite and on PostgreSQL, with the built-in noop flow:
# --run-once runs one run and exits; a pool's runs go to its workers
# only, never past a deployment's concurrency limit; a failing run is
# retried by its policy and every attempt is in its history; a paused
# pool is not served; a run whose process is killed is Crashed; SIGTERM
# lets a short run finish and gives a long one back after --grace.
. "$SRC/tests/cli/lib.sh"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/quick
    parameters: {sleep_s: "0.3"}
    concurrency_limit: 2
  - name: noop/flaky
    parameters: {fail: "transient", retries: "2", retry_delay_s: "0"}
  - name: noop/stage
    work_pool: etl-pool-stage
  - name: noop/slow
    parameters: {sleep_s: "30"}
YAML
states() { # deployment: its runs' states, sorted
	pm25 flow-run ls --json | python3 -c '
import json, sys
print(" ".join(sorted(r["state"] for r in json.load(sys.stdin) if r["deployment"] == sys.argv[1])))' "$1"
}
scenario() {
	pm25 init > /dev/null
	pm25 deployment apply "$DFILE" > /dev/null || die "apply"
	for i in 1 2 3 4 5; do pm25 deployment run noop/quick > /dev/null; done
	pm25 deployment run noop/stage > /dev/null
	pm25 worker start --name w -p etl-pool-dev --run-once --limit 4 2> /dev/null || die "run-once"
	echo "after --run-once: $(states noop/quick)"
	pm25 worker start --name w -p etl-pool-dev --limit 4 2> /dev/null &
	w=$!
	for _ in $(seq 100); do
		[ "$(states noop/quick)" = "Completed Completed Completed Completed Completed" ] && break
		sleep 0.1
	done
	kill -TERM $w; wait $w
	echo "quick: $(states noop/quick)"
	echo "stage, never served by dev: $(states noop/stage)"
	pm25 flow-run ls --json | python3 -c '
import json, sys
runs = [r for r in json.load(sys.stdin) if r["deployment"] == "noop/quick"]
spans = [(r["started_ms"], r["ended_ms"]) for r in runs]
most = max(sum(1 for a, b in spans if a <= t < b) for t, _ in spans)
print("at most", most, "at once (limit 2)")'
	# retries: three attempts, then Failed
	pm25 deployment run noop/flaky > /dev/null
	pm25 worker start --name w -p etl-pool-dev --run-once 2> /dev/null
	pm25 worker start --name w -p etl-pool-dev --run-once 2> /dev/null
	pm25 worker start --name w -p etl-pool-dev --run-once 2> /dev/null
	id=$(pm25 flow-run ls --state failed --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	pm25 flow-run inspect "$id" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("flaky:", r["state"], "attempt", r["attempt"])
for s in r["states"]:
    print("  ", s["state"], s["reason"].split(" (pid")[0])'
	# a paused pool is not served
	pm25 pool pause etl-pool-stage > /dev/null
	pm25 worker start --name w -p etl-pool-stage --run-once 2> /dev/null
	echo "paused pool: $(states noop/stage)"
	pm25 pool resume etl-pool-stage > /dev/null
	# the run's process killed: Crashed
	pm25 deployment run noop/slow > /dev/null
	PM25_PAUSE_AT=noop PM25_PAUSE_FILE=$PWD/pk pm25 worker start --name w -p etl-pool-dev --run-once 2> /dev/null &
	w=$!
	kill -KILL "$(paused pk)"
	wait $w
	pm25 flow-run ls --state crashed --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(len(r), "crashed:", r[0]["state_reason"])'
	# SIGTERM: a long run is given back after the grace period
	pm25 deployment run noop/slow > /dev/null
	pm25 worker start --name w -p etl-pool-dev --grace 1 2> /dev/null &
	w=$!
	for _ in $(seq 100); do
		[ "$(pm25 flow-run ls --state running --json)" != "[]" ] && break
		sleep 0.1
	done
	kill -TERM $w; wait $w
	pm25 flow-run ls --json | python3 -c '
import json, sys
r = [r for r in json.load(sys.stdin) if r["deployment"] == "noop/slow" and r["state"] == "Scheduled"]
print(len(r), "given back:", r[0]["state_reason"])'
	echo "running left: $(pm25 flow-run ls --state running --json)"
}
DFILE=$PWD/d.yaml
both_backends scenario
