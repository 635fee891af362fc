# A webhook that takes the connection and never answers holds up
# nothing: alerts go out on a thread of their own. With a 3 s lease
# (a heartbeat each second), a 6 s run completes while the alert for an
# earlier run hangs, and SIGTERM stops the worker within its grace
# (1 s) and the alert drain (5 s), not after every request's timeout.
# The webhook is a local receiver on 127.0.0.1 (push-receiver.py) that
# stands in for Slack, scripted to be silent.
. "$SRC/tests/cli/lib.sh"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/broken
    parameters: {fail: "1"}
  - name: noop/long
    parameters: {sleep_s: "6"}
YAML
printf 'silent\nsilent\nsilent\nsilent\nsilent\nsilent\n' > script
python3 "$SRC/tests/helpers/push-receiver.py" slack port rec script 2> receiver.err &
rpid=$!
trap 'kill $rpid 2> /dev/null' EXIT
for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || die "receiver did not start: $(cat receiver.err)"
export PM25_SLACK_WEBHOOK_URL="http://127.0.0.1:$(cat port)/services/T000/B000/s3cr3tw3bh00k"
pm25 init > /dev/null
pm25 deployment apply d.yaml > /dev/null || die "apply"
pm25 deployment run noop/broken > /dev/null
pm25 worker start --name w -p etl-pool-dev --lease 3 --grace 1 2> worker.err &
w=$!
for _ in $(seq 200); do [ -s rec.silent ] && break; sleep 0.05; done
[ -s rec.silent ] || die "the alert was never sent"
echo "the webhook holds the alert's request"
pm25 deployment run noop/long > /dev/null
for _ in $(seq 200); do
	s=$(pm25 flow-run ls --json | python3 -c '
import json, sys
print([r["state"] for r in json.load(sys.stdin) if r["deployment"] == "noop/long"][0])')
	case $s in Completed|Crashed|Failed) break ;; esac
	sleep 0.1
done
echo "the 6 s run: $s"
t0=$(date +%s%N)
kill -TERM $w
wait $w; echo "worker exit $?"
t1=$(date +%s%N)
secs=$(( (t1 - t0) / 1000000000 ))
[ "$secs" -le 10 ] && echo "stopped within grace and drain" || echo "stopped after $secs s"
pm25 alert ls --json | python3 -c '
import json, sys
a = json.load(sys.stdin)
print(len(a), "alert:", a[0]["status"], "-", a[0]["error"][:40])'
