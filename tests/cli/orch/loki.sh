# Logs pushed to Loki, on SQLite and on PostgreSQL. Loki cannot run here:
# a local receiver on 127.0.0.1 (tests/helpers/push-receiver.py) stands
# in for its push API and checks the wire format of every push (gzipped
# JSON, only the labels app, env, flow and level, nanosecond timestamp
# strings, structured metadata of strings).
# A foreground run pushes its task lines with its run id; a worker pushes
# its own lines and, passed through a pipe, its runs'; a Loki that
# answers 503 twice gets every line once it is back; with Loki gone the
# bounded buffer drops its oldest lines, says so, and the runs end as
# they would without Loki.
. "$SRC/tests/cli/lib.sh"
printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,2000,02t\n2024-03-01 02:00:00,-5,02t\n2024-03-01 03:00:00,12,02t\n' > bad.csv
cat > d.yaml <<YAML
deployments:
  - name: noop/broken
    parameters: {fail: "1"}
    work_pool: etl-pool-prod
  - name: noop/quick
    work_pool: etl-pool-prod
  - name: ingest-clean/bad
    parameters: {source: csv, file: "$PWD/bad.csv", to: "2024-03-01"}
    work_pool: etl-pool-prod
YAML
DFILE=$PWD/d.yaml BAD=$PWD/bad.csv
receiver() { # receiver SCRIPT: start one; sets LOKI
	# what the last phase's receiver found wrong fails the case
	[ ! -e rec.violations ] || die "wire format: $(cat rec.violations)"
	rm -f port rec rec.violations rec.refused
	printf "$1" > script
	python3 "$SRC/tests/helpers/push-receiver.py" loki port rec script 2> receiver.err &
	RPID=$!
	for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
	[ -s port ] || die "receiver did not start: $(cat receiver.err)"
	LOKI=http://127.0.0.1:$(cat port)
}
# what Loki holds: one line per stream, then a check of every value
summary() {
	python3 - rec "$1" <<'PY'
import json, sys
pushes = [json.loads(l) for l in open(sys.argv[1])]
t0, t1 = (int(x) for x in sys.argv[2].split(","))
streams = {}
for p in pushes:
    for s in p["streams"]:
        k = tuple(sorted(s["stream"].items()))
        streams.setdefault(k, []).extend(s["values"])
for k, vs in sorted(streams.items()):
    runs = sorted({v[2]["run_id"] for v in vs if len(v) == 3})
    print("  ", " ".join("%s=%s" % kv for kv in k), len(vs), "lines,", len(runs), "run ids")
    for v in vs:
        assert t0 <= int(v[0]) <= t1, "timestamp out of the test's span"
        if v[1].startswith("{") and len(v) == 3:
            j = json.loads(v[1])
            if "run" in j and j["flow"] != "noop":
                assert j["run"] == v[2]["run_id"], (j["run"], v[2])
PY
}
ns() { date +%s%N; }
scenario() {
	pm25 init > /dev/null
	pm25 deployment apply "$DFILE" > /dev/null || die "apply"
	echo "-- a foreground run:"
	receiver ""
	t0=$(ns)
	PM25_ENV=stage PM25_LOKI_TENANT=team-a PM25_LOKI_URL=$LOKI pm25 run --param source=csv --param file="$BAD" --param to=2024-03-01 > /dev/null 2> run.err
	echo "exit $?"
	summary "$t0,$(ns)"
	echo "tenant: $(python3 -c 'import json; print({json.loads(l).get("_tenant") for l in open("rec")})')"
	echo "stderr lines: $(wc -l < run.err); pushed: $(python3 -c '
import json, sys
print(sum(len(s["values"]) for l in open("rec") for s in json.loads(l)["streams"]))')"
	kill $RPID
	echo "-- a worker, Loki answering 503 twice:"
	receiver '503\n503\n'
	t0=$(ns)
	pm25 deployment run noop/broken > /dev/null
	pm25 deployment run ingest-clean/bad > /dev/null
	PM25_LOKI_URL=$LOKI/loki/api/v1/push PM25_LOKI_FLUSH_MS=60000 pm25 worker start --name w -p etl-pool-prod --limit 2 > /dev/null 2> worker.err &
	w=$!
	for _ in $(seq 200); do
		[ "$(pm25 flow-run ls --state failed --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 3 ] && break
		sleep 0.1
	done
	kill -TERM $w; wait $w
	summary "$t0,$(ns)"
	tail -n 1 worker.err | sed 's/"w", //'
	echo "refused: $(tr '\n' ' ' < rec.refused)"
	kill $RPID
	echo "-- Loki down for three pushes, a buffer of 3 lines:"
	receiver '503\n503\n503\n'
	pm25 deployment run ingest-clean/bad > /dev/null
	pm25 deployment run noop/quick > /dev/null
	PM25_LOKI_URL=$LOKI PM25_LOKI_MAX_LINES=3 PM25_LOKI_FLUSH_MS=60000 pm25 worker start --name w -p etl-pool-prod --limit 2 > /dev/null 2> gone.err &
	w=$!
	for _ in $(seq 200); do
		[ "$(pm25 flow-run ls --state completed --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 1 ] &&
			[ "$(pm25 flow-run ls --state failed --json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 4 ] && break
		sleep 0.1
	done
	kill -TERM $w; wait $w
	tail -n 1 gone.err | python3 -c '
import json, sys
s = json.load(sys.stdin)["loki"]
print("sent:", s["sent"], "failed pushes:", s["failed_pushes"], "the rest dropped:", s["dropped"] == s["lines"] - 3)
open("dropped", "w").write(str(s["dropped"]))'
	python3 -c '
import json, sys
vs = [v for l in open("rec") for s in json.loads(l)["streams"] for v in s["values"]]
warn = [json.loads(v[1])["msg"] for v in vs if "dropped" in v[1]]
print(len(vs), "lines reached Loki; it was told:", warn[0].replace(open("dropped").read(), "N", 1))'
	echo "refused: $(tr '\n' ' ' < rec.refused)"
	pm25 flow-run ls --json | python3 -c '
import json, sys
print("runs:", sorted((r["deployment"] or r["flow"], r["state"]) for r in json.load(sys.stdin)))'
	[ ! -e rec.violations ] || die "wire format: $(cat rec.violations)"
	kill $RPID
}
both_backends scenario
