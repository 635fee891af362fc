# Task options of ingest-clean (TASK.retries, TASK.retry_delay_s,
# TASK.retry_on, TASK.timeout_s), on SQLite and on PostgreSQL, in the
# foreground and under a worker. tests/helpers/test-server stands in for
# the Air4Thai API on 127.0.0.1. A fetch that cannot connect is retried
# and then Failed (exit 4); a 404 is not transient and is not retried
# unless retry_on=any; a fetch that fails five times (four HTTP tries,
# then one task retry) succeeds on its second attempt; a fetch past its
# time limit ends the run TimedOut, its process group killed under a
# worker, with nothing left running; bad options are refused.
. "$SRC/tests/cli/lib.sh"
mkdir srv
for b in sqlite pg; do cp "$DATA/air4thai/getNewAQI_JSON_record_54t_2024-05-07.json" srv/$b.json; done
start_server "$PWD/srv"
states() { # the fetch task's states in a run's stderr
	grep -o '"task": "fetch", "state": "[A-Za-z]*"' "$1" | sed 's/.*"state": "//; s/"//' | tr '\n' ' '
}
last_run() {
	pm25 flow-run ls --json | python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
print(r["state"], "-", r["state_reason"].split(": GET")[0])'
}
scenario() {
	local me
	me=$(basename "$PWD")
	pm25 init > /dev/null
	echo "-- cannot connect, fetch.retries=2:"
	pm25 run --param source=air4thai --param url=http://127.0.0.1:1/x --param fetch.retries=2 --param fetch.retry_delay_s=0 > /dev/null 2> e1
	echo "exit $?: $(states e1)"
	echo "-- a 404, fetch.retries=2:"
	pm25 run --param source=air4thai --param url="$BASE/status/404" --param fetch.retries=2 --param fetch.retry_delay_s=0 > /dev/null 2> e2
	echo "exit $?: $(states e2)"
	pm25 run --param source=air4thai --param url="$BASE/status/404" --param fetch.retries=2 --param fetch.retry_delay_s=0 --param fetch.retry_on=any > /dev/null 2> e3
	echo "with retry_on=any, exit $?: $(states e3)"
	echo "-- five 503s, fetch.retries=1:"
	pm25 run --param source=air4thai --param url="$BASE/flaky/5/$me.json" --param fetch.retries=1 --param fetch.retry_delay_s=0 > /dev/null 2> e4
	echo "exit $?: $(states e4)"
	last_run
	echo "-- fetch.timeout_s=1 on a server that takes 3 s:"
	pm25 run --param source=air4thai --param url="$BASE/slow/3000/$me.json" --param fetch.timeout_s=1 > /dev/null 2> e5
	echo "exit $?: $(states e5)"
	tail -n 1 e5
	last_run
	pm25 alert ls --status pending | awk '{print $2}' | sort | uniq -c
	sleep 2 # the test server answers one request at a time
	echo "-- the same under a worker:"
	cat > d.yaml <<YAML
deployments:
  - name: ingest-clean/slow
    parameters: {source: air4thai, url: "$BASE/slow/3000/$me.json", fetch.timeout_s: "1"}
YAML
	pm25 deployment apply d.yaml > /dev/null || die "apply"
	pm25 deployment run ingest-clean/slow > /dev/null
	pm25 worker start --name w -p etl-pool-dev --run-once > /dev/null 2> e6
	echo "$(states e6)"
	last_run
	id=$(pm25 flow-run ls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	pm25 flow-run logs "$id" --json | python3 -c '
import json, sys
logs = [json.loads(l) for l in sys.stdin]
print("its logs end with:", logs[-1]["task"], json.loads(logs[-1]["message"])["state"])'
	pgrep -f "flow-run execute" > /dev/null && echo "a process was left behind"
	sleep 2
	echo "-- bad options:"
	pm25 run --param fetch.retires=2 2>&1
	echo "exit $?"
	printf 'deployments:\n  - name: eda/x\n    parameters: {fetch.retries: "2"}\n' > bad.yaml
	pm25 deployment apply bad.yaml 2>&1
	echo "exit $?"
}
both_backends scenario
