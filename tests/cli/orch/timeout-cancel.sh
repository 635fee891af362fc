# Timeouts and cancels on SQLite and on PostgreSQL: a run past its
# timeout_s has its whole process group killed and ends TimedOut (and is
# retried if its policy says so); pm25 flow-run cancel on a Running run
# makes it Cancelling, and its worker stops it: Cancelled.
. "$SRC/tests/cli/lib.sh"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/stuck
    parameters: {sleep_s: "60", timeout_s: "1", retries: "1", retry_delay_s: "0"}
  - name: noop/long
    parameters: {sleep_s: "60"}
YAML
scenario() {
	pm25 init > /dev/null
	pm25 deployment apply "$DFILE" > /dev/null || die "apply"
	pm25 deployment run noop/stuck > /dev/null
	pm25 worker start --name w -p etl-pool-dev --run-once --lease 3 2> /dev/null
	pm25 worker start --name w -p etl-pool-dev --run-once --lease 3 2> /dev/null
	pm25 flow-run ls --json | python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
print(r["state"], "attempt", r["attempt"], "-", r["state_reason"])'
	pgrep -f "sleep_s" > /dev/null && echo "a process was left behind"
	pm25 deployment run noop/long > /dev/null
	pm25 worker start --name w -p etl-pool-dev --lease 3 2> /dev/null &
	w=$!
	for _ in $(seq 100); do
		id=$(pm25 flow-run ls --state running --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r[0]["id"] if r else "")')
		[ -n "$id" ] && break
		sleep 0.1
	done
	pm25 flow-run cancel "$id" | cut -d' ' -f2
	for _ in $(seq 100); do
		[ "$(pm25 flow-run ls --state cancelled --json)" != "[]" ] && break
		sleep 0.1
	done
	kill -TERM $w; wait $w
	pm25 flow-run inspect "$id" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["state"], [s["state"] for s in r["states"]])'
}
DFILE=$PWD/d.yaml
both_backends scenario
