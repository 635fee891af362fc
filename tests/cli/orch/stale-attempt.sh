# A run's process that outlives its lease cannot end the run's next
# attempt, on SQLite and on PostgreSQL. Worker a is stopped (SIGSTOP)
# while its run sleeps; the lease runs out, worker b's sweep makes the
# run Crashed, retries it and runs attempt 2. When a's process (attempt
# 1) ends, its Completed is refused: the run is completed once, by
# attempt 2. (A container of a docker pool outlives a worker killed
# with -9 the same way.)
. "$SRC/tests/cli/lib.sh"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/stale
    parameters: {sleep_s: "4", retries: "1", retry_delay_s: "0"}
YAML
DFILE=$PWD/d.yaml
scenario() {
	export PM25_NOOP_LOG=$PWD/completed.log
	pm25 init > /dev/null
	pm25 deployment apply "$DFILE" > /dev/null || die "apply"
	pm25 deployment run noop/stale > /dev/null
	pm25 worker start --name a -p etl-pool-dev --lease 3 --run-once 2> a.err &
	wa=$!
	for _ in $(seq 100); do
		[ "$(pm25 flow-run ls --state running --json)" != "[]" ] && break
		sleep 0.05
	done
	kill -STOP $wa
	sleep 3.5
	pm25 worker start --name b -p etl-pool-dev --lease 3 --run-once 2> b.err
	kill -CONT $wa
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
