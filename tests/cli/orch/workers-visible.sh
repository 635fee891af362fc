# Workers you can see, on SQLite and on PostgreSQL: a worker registers
# and heartbeats in the state database (pm25 worker ls: pool, status,
# runs held); killed with -9 it shows offline once its last beat is
# three intervals old, its pool not_ready (and the deployments in it say
# so), and the sweep Crashes the run it held. A Late run says why: no
# worker online, or its pool paused. max_late_runs keeps a paused pool's
# Late runs from piling up: the oldest above it are Cancelled.
. "$SRC/tests/cli/lib.sh"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/long
    parameters: {sleep_s: "60"}
  - name: noop/dev-hourly
    schedule: {cron: "@hourly", missed: all}
  - name: noop/stage-hourly
    schedule: {cron: "@hourly", missed: all}
    work_pool: etl-pool-stage
    parameters: {max_late_runs: "2"}
YAML
workers() {
	pm25 worker ls --json | python3 -c '
import json, sys
for w in json.load(sys.stdin):
    print(" ", w["name"], w["pool"], w["status"], "runs", w["runs"], w["pid"] > 0, w["version"] is not None)'
}
pools() { pm25 pool ls | awk '{print " ", $1, $3, $4, $5}'; }
state_of() { # deployment: state and reason of each run, by slot
	pm25 flow-run ls --limit 100 --json | python3 -c '
import json, sys
for r in sorted((r for r in json.load(sys.stdin) if r["deployment"] == sys.argv[1]),
                key=lambda r: r["scheduled_ms"]):
    print(" ", r["state"], "-", r["state_reason"].split(": ", 1)[-1] if r["state"] in ("Late", "Cancelled", "Crashed") else "")' "$1"
}
scenario() {
	local t0=1795000000000 w kid id
	export PM25_NOW_MS=$t0
	pm25 init > /dev/null
	pm25 deployment apply "$DFILE" > /dev/null || die "apply"
	pm25 pool pause etl-pool-stage > /dev/null
	echo "-- no worker yet"
	pools
	pm25 worker start --name w1 -p etl-pool-dev --lease 30 2> w1.err &
	w=$!
	for _ in $(seq 100); do
		[ "$(pm25 worker ls --json)" != "[]" ] && break
		sleep 0.1
	done
	pm25 deployment run noop/long > /dev/null
	for _ in $(seq 100); do
		pm25 flow-run ls --state running --json | grep -q noop/long && break
		sleep 0.1
	done
	echo "-- w1 holds a run"
	workers
	pools
	kid=$(pgrep -P "$w" | head -n 1)
	kill -9 "$w"
	wait "$w" 2> /dev/null
	[ -n "$kid" ] && kill -9 -- "-$kid" 2> /dev/null
	echo "-- killed; 20 s later (2 intervals): still online"
	PM25_NOW_MS=$((t0 + 20000)) workers
	echo "-- 40 s later (4 intervals): offline, the pool not_ready"
	export PM25_NOW_MS=$((t0 + 40000))
	workers
	pools
	pm25 deployment inspect noop/long | grep '^work pool'
	echo "-- the sweep: the run it held"
	pm25 scheduler --once > /dev/null || die "scheduler"
	state_of noop/long
	echo "-- four hours on: Late runs say why; max_late_runs 2 holds"
	for h in 1 2 3 4; do
		PM25_NOW_MS=$((t0 + h * 3600000)) pm25 scheduler --once --ahead 0 --json > tick$h.json || die "tick $h"
	done
	cat tick4.json
	echo "noop/dev-hourly:"
	state_of noop/dev-hourly
	echo "noop/stage-hourly:"
	state_of noop/stage-hourly
	id=$(pm25 flow-run ls --state late --json | python3 -c '
import json, sys
print([r for r in json.load(sys.stdin) if r["deployment"] == "noop/stage-hourly"][0]["id"])')
	pm25 flow-run inspect "$id" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("inspect says:", r["states"][-1]["reason"].split(": ", 1)[-1])'
}
DFILE=$PWD/d.yaml both_backends scenario
