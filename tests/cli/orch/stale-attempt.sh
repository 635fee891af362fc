# A run's process that outlives its lease cannot end the run's next
# attempt, on SQLite and on PostgreSQL. Worker a's run is stopped at a
# pause point and worker a itself is stopped (SIGSTOP), so its lease
# runs out; worker b, its clock 10 s ahead, sweeps the run into Crashed,
# retries it and runs attempt 2. Then a and its run's process (attempt
# 1) go on; its Completed is refused: the run is completed once, by
# attempt 2. (A container of a docker pool outlives a worker killed
# with -9 the same way.) No step waits on a timer.
. "$SRC/tests/cli/lib.sh"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/stale
    parameters: {retries: "1", retry_delay_s: "0"}
YAML
DFILE=$PWD/d.yaml
scenario() {
	export PM25_NOOP_LOG=$PWD/completed.log
	pm25 init > /dev/null
	pm25 deployment apply "$DFILE" > /dev/null || die "apply"
	pm25 deployment run noop/stale > /dev/null
	PM25_PAUSE_AT=noop PM25_PAUSE_FILE=$PWD/pa pm25 worker start --name a -p etl-pool-dev --lease 3 --run-once 2> a.err &
	wa=$!
	run1=$(paused pa)
	kill -STOP $wa
	PM25_NOW_MS=$(($(date +%s%3N) + 10000)) pm25 worker start --name b -p etl-pool-dev --lease 3 --run-once 2> b.err
	kill -CONT $wa $run1
	wait $wa
	echo "completed (run attempt): $(awk '{print "attempt", $2}' completed.log | tr '\n' ' ')"
	id=$(pm25 flow-run ls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	pm25 flow-run inspect "$id" --json | python3 -c '
import json, re, sys
r = json.load(sys.stdin)
print(r["state"], "attempt", r["attempt"])
for s in r["states"]:
    print("  ", s["state"], re.sub(r" \(pid [0-9]+\)", "", s["reason"]))'
}
both_backends scenario
