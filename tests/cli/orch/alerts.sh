# Alerts on SQLite and on PostgreSQL. Slack cannot run here: a local
# receiver on 127.0.0.1 (tests/helpers/push-receiver.py) stands in for
# its incoming webhook and checks the wire format of every message
# (Block Kit JSON, length limits, mrkdwn escaping).
# Alerts wait in the state database while no webhook is set; a 500 and
# a 429 are retried with a backoff; a run alerts once (a retried run only
# when it ends for good, and a non-transient failure is not retried); a
# group's alerts are throttled and folded into one digest; Crashed,
# TimedOut, Late and a quality gate below its threshold alert too; a 404
# fails an alert for good; an unreachable webhook is exit 4, and after
# PM25_ALERT_TRIES tries the alert is failed; the webhook
# URL never shows up in any output or in the database.
. "$SRC/tests/cli/lib.sh"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/broken
    parameters: {fail: "1", retries: "2", retry_delay_s: "0"}
  - name: noop/flaky
    parameters: {fail: "transient", retries: "1", retry_delay_s: "0"}
  - name: noop/killed
    parameters: {sleep_s: "30"}
  - name: noop/stuck
    parameters: {sleep_s: "30", timeout_s: "1"}
  - name: noop/hourly
    schedule: {cron: "0 * * * *", timezone: UTC, missed: none}
YAML
printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,2000,02t\n2024-03-01 02:00:00,-5,02t\n2024-03-01 03:00:00,12,02t\n' > bad.csv
DFILE=$PWD/d.yaml BAD=$PWD/bad.csv
SECRET=s3cr3tw3bh00k
T0=1800001800000 # 2027-01-15T08:30:00Z
at() { # at SECONDS CMD...: run CMD with the clock at T0 + SECONDS
	local s=$1
	shift
	PM25_NOW_MS=$((T0 + s * 1000)) "$@"
}
worker() { at "$1" pm25 worker start --name w -p etl-pool-dev --run-once 2>> worker.err; }
scenario() {
	printf '500\n429\n-\n-\n-\n-\n-\n-\n-\n404\n' > script
	python3 "$SRC/tests/helpers/push-receiver.py" slack port rec script 2> receiver.err &
	rpid=$!
	for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
	[ -s port ] || die "receiver did not start: $(cat receiver.err)"
	local url="http://127.0.0.1:$(cat port)/services/T000/B000/$SECRET"
	unset PM25_SLACK_WEBHOOK_URL
	export PM25_ALERT_THROTTLE_S=300
	pm25 init > /dev/null
	at 0 pm25 deployment apply "$DFILE" > /dev/null || die "apply"
	at 0 pm25 deployment run noop/broken > /dev/null
	at 0 pm25 deployment run noop/flaky > /dev/null
	worker 0; worker 0; worker 0
	echo "runs: $(pm25 flow-run ls --json | python3 -c '
import json, sys
print(sorted((r["deployment"], r["state"], r["attempt"]) for r in json.load(sys.stdin)))')"
	echo "-- no webhook yet:"
	pm25 alert ls | cut -c1-40 | sort
	export PM25_SLACK_WEBHOOK_URL=$url
	echo "-- 500, then 429:"
	at 0 pm25 alert flush 2>> alert.err; echo "exit $?"
	at 0 pm25 alert flush 2>> alert.err; echo "exit $? (not due yet)"
	at 5 pm25 alert flush; echo "exit $?"
	at 6 pm25 alert flush; echo "exit $? (each sent once)"
	echo "-- three more failures of one deployment:"
	unset PM25_SLACK_WEBHOOK_URL
	for i in 1 2 3; do at 10 pm25 deployment run noop/broken > /dev/null; worker 10; done
	export PM25_SLACK_WEBHOOK_URL=$url
	at 10 pm25 alert flush
	at 306 pm25 alert flush
	echo "-- Crashed, TimedOut, Late, quality:"
	unset PM25_SLACK_WEBHOOK_URL
	at 400 pm25 deployment run noop/killed > /dev/null
	(export PM25_PAUSE_AT=noop PM25_PAUSE_FILE=$PWD/pk; worker 400) &
	w=$!
	kill -KILL "$(paused pk)"
	wait $w
	at 400 pm25 deployment run noop/stuck > /dev/null
	worker 400
	at 0 pm25 scheduler --once > /dev/null
	at 10800 pm25 scheduler --once > /dev/null
	# (no freshness rule: its stale-station alert is not this test's)
	grep -v freshness "$SRC/contracts/pm25.yaml" > nofresh.yaml
	at 10800 pm25 run --param source=csv --param file="$BAD" --param to=2024-03-01 --param contract="$PWD/nofresh.yaml" > /dev/null 2>> run.err
	echo "quality run: exit $?"
	export PM25_SLACK_WEBHOOK_URL=$url
	at 10800 pm25 alert flush
	python3 - rec <<'PY'
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
print(len(msgs), "messages:")
for m in msgs:
    print("  ", m["blocks"][0]["text"]["text"])
    sec = m["blocks"][1]["text"]["text"]
    if "quality" in m["blocks"][0]["text"]["text"].lower():
        assert "quality score 0." in sec, sec
    if "3 runs" in m["text"]:
        assert sec.count("• *Run*") == 3, sec
PY
	echo "-- a 404:"
	at 10800 pm25 alert test 2>> alert.err; echo "exit $?"
	pm25 alert ls --status failed --json | python3 -c '
import json, sys
a = json.load(sys.stdin)
print(len(a), "failed:", a[0]["kind"], a[0]["tries"], a[0]["error"])'
	echo "-- an unreachable webhook:"
	PM25_SLACK_WEBHOOK_URL=http://127.0.0.1:1/services/T000/B000/$SECRET at 10900 pm25 alert test 2> down.err
	echo "exit $?"
	cat down.err
	pm25 alert ls --status pending --json | python3 -c '
import json, sys
a = json.load(sys.stdin)
print(len(a), "pending:", a[0]["kind"], a[0]["error"].split(" port 1")[0])'
	echo "-- still unreachable on its second try, with PM25_ALERT_TRIES=2:"
	PM25_ALERT_TRIES=2 PM25_SLACK_WEBHOOK_URL=http://127.0.0.1:1/services/T000/B000/$SECRET at 11900 pm25 alert flush 2>> down.err
	echo "exit $?"
	pm25 alert ls --status failed | awk '{print $1, $2, $3, $4}'
	echo "-- what the receiver refused: $(tr '\n' ' ' < rec.refused)"
	[ ! -e rec.violations ] || die "wire format: $(cat rec.violations)"
	kill $rpid
	# the secret part of the URL is nowhere: outputs, logs, alerts, runs
	pm25 alert ls --json > alerts.json
	for id in $(pm25 flow-run ls --json | python3 -c 'import json, sys; print(" ".join(r["id"] for r in json.load(sys.stdin)))'); do
		pm25 flow-run logs "$id" --json; pm25 flow-run inspect "$id" --json
	done > runs.json
	! grep -rl "$SECRET" ./*.err alerts.json runs.json home > leaks 2>/dev/null || die "the webhook URL leaked into $(cat leaks)"
	echo "the webhook URL is in no output"
}
both_backends scenario
