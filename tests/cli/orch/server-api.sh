# pm25 server's JSON API on SQLite and on PostgreSQL, on 127.0.0.1:
# /healthz and /readyz; /api/openapi.json (made from the routes table)
# is valid OpenAPI 3.1 to a real validator from npm; every route that
# changes state, walked from it, answers 401 without
# the token and with a wrong one, and every answer of the case validates
# against the document's schemas (ajv); unknown paths 404, wrong methods 405,
# a body where none is taken 400, a body over 1 MiB 413; runs come in
# keyset pages with a count and no parameters; a run, its logs and a
# cancel; a log search across runs; a deployment paused and resumed
# through the API is so for the CLI, one whose source lacks a token
# stays paused (422); promotion (PATCH), rollback and apply (a YAML
# body, errors as LINE:COL); the data repository's commits, branches,
# paths and files; pools paused and resumed; the
# quality reports, models, a forecast, a diff with rows, an ended run's
# log stream and its tasks; /readyz 503 while the data repository is
# gone; the embedded worker registers; SIGTERM stops it. A non-loopback address
# without a token is refused (exit 2).
. "$SRC/tests/cli/lib.sh"
export PM25_API_TOKEN=t0ken-for-tests
# METHOD PATH [curl args]: the status. Every answer is kept in answers/
# for tests/browser/api-responses.mjs, which validates them all against
# /api/openapi.json at the end.
code() {
	local m=$1 p=$2 st n
	shift 2
	st=$(curl -s -o body.json -w '%{http_code} %{content_type}' -X "$m" "$@" "$API$p")
	mkdir -p answers
	n=$(($(find answers -name '*.meta' | wc -l) + 1))
	printf '%s %s %s\n' "$m" "$p" "$st" > "answers/$(printf %04d "$n").meta"
	cp body.json "answers/$(printf %04d "$n").body"
	echo "${st%% *}"
}
A="Authorization: Bearer $PM25_API_TOKEN"
scenario() {
	local pid id next
	pm25 init > /dev/null
	pm25 deployment apply "$SRC/deployments.yaml" > /dev/null || die "apply"
	for i in 1 2 3; do pm25 deployment run eda/daily > /dev/null; done
	# a run whose gate fails, and one that passes: lines to search
	printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,2000,02t\n2024-03-01 02:00:00,-5,02t\n' > bad.csv
	pm25 run -q --param source=csv --param file=bad.csv --param to=2024-03-01 > /dev/null 2>&1
	pm25 run -q --param source=air4thai-history \
		--param file="$FIX/history_forweb_02t_2023-12-03.json" > /dev/null || die "run"
	pm25 server --listen 127.0.0.1:0 --port-file port --no-scheduler --no-worker 2> server.err &
	pid=$!
	wait_file port 100 || die "no server: $(cat server.err)"
	API=http://127.0.0.1:$(cat port)
	echo "healthz $(code GET /healthz) readyz $(code GET /readyz)"
	curl -s "$API/api/openapi.json" > openapi.json
	echo "openapi.json: $(node "$SRC/tests/browser/openapi-check.mjs" "$PWD/openapi.json")"
	echo "-- every write route: 401 without the token, 401 with a wrong one"
	python3 -c '
import json
d = json.load(open("openapi.json"))
assert d["openapi"].startswith("3.1")
for path, ops in d["paths"].items():
    for m, op in ops.items():
        if op.get("security"):
            print(m.upper(), path.replace("{flow}", "eda").replace("{name}", "daily").replace("{id}", "x"))' > writes.txt
	while read -r m p; do
		echo "  $m $p $(code "$m" "$p") $(code "$m" "$p" -H 'Authorization: Bearer nope')"
	done < writes.txt
	echo "-- the generic checks"
	echo "  404 $(code GET /api/nope) 405 $(code DELETE /api/flow_runs)"
	echo "  400 $(code POST /api/deployments/eda/daily/pause -H "$A" -d x)"
	head -c 1100000 /dev/zero | tr '\0' x > big
	echo "  413 $(code POST /api/deployments/eda/daily/pause -H "$A" --data-binary @big)"
	python3 -c 'import json; e = json.load(open("body.json"))["error"]; print("  error:", e["code"])'
	echo "-- runs: pages of 2"
	code GET "/api/flow_runs?limit=2" > /dev/null
	python3 -c '
import json
d = json.load(open("body.json"))
print("  count", d["count"], "page", len(d["flow_runs"]), "parameters in a list:", any("parameters" in r for r in d["flow_runs"]))
open("next", "w").write(d["next"])
open("ids", "w").write(" ".join(r["id"] for r in d["flow_runs"]))'
	code GET "/api/flow_runs?limit=2&cursor=$(cat next)" > /dev/null
	python3 -c '
import json
d = json.load(open("body.json"))
first = open("ids").read().split()
print("  page 2:", len(d["flow_runs"]), "more:", d["next"] is not None, "new:", not set(first) & {r["id"] for r in d["flow_runs"]})'
	echo "  bad cursor $(code GET '/api/flow_runs?cursor=zz') bad limit $(code GET '/api/flow_runs?limit=0')"
	id=$(cut -d' ' -f1 ids)
	echo "  a run $(code GET "/api/flow_runs/$id") $(python3 -c 'import json; d = json.load(open("body.json")); print(d["state"], "parameters" in d, len(d["states"]))')"
	echo "  its logs $(code GET "/api/flow_runs/$id/logs")"
	echo "  no such run $(code GET /api/flow_runs/nope)"
	echo "  cancel a finished run $(code POST "/api/flow_runs/$id/cancel" -H "$A")"
	id=$(pm25 flow-run ls --state scheduled --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	echo "  cancel a scheduled run $(code POST "/api/flow_runs/$id/cancel" -H "$A") $(python3 -c 'import json; print(json.load(open("body.json"))["state"])')"
	pm25 flow-run inspect "$id" --json | python3 -c 'import json, sys; r = json.load(sys.stdin); print("  the CLI sees:", r["state"], "-", r["state_reason"])'
	echo "  retry it $(code POST "/api/flow_runs/$id/retry" -H "$A") $(python3 -c 'import json; d = json.load(open("body.json")); print(d["state"], d["attempt"], d["state_reason"])')"
	echo "  retry a run not ended $(code POST "/api/flow_runs/$id/retry" -H "$A")"
	echo "-- log search across runs"
	echo "  $(code GET '/api/logs?q=Validation%20failed') $(python3 -c '
import json
h = json.load(open("body.json"))["hits"]
print(len(h), sorted({x["flow"] for x in h}), all("Validation failed" in x["line"]["message"] for x in h))')"
	echo "  case as given: $(code GET '/api/logs?q=validation%20FAILED') $(python3 -c 'import json; print(len(json.load(open("body.json"))["hits"]))')"
	echo "  no q: $(code GET /api/logs)"
	echo "-- deployments"
	echo "  list $(code GET /api/deployments) $(python3 -c 'import json; print(len(json.load(open("body.json"))["deployments"]))')"
	echo "  pause $(code POST /api/deployments/eda/daily/pause -H "$A")"
	pm25 deployment ls | awk '$1 == "eda/daily" {print "  the CLI sees:", $1, $3}'
	echo "  resume $(code POST /api/deployments/eda/daily/resume -H "$A")"
	echo "  resume without a token $(code POST /api/deployments/ingest-clean/waqi-bangkok/resume -H "$A")"
	python3 -c 'import json; print("  ", json.load(open("body.json"))["error"]["message"])'
	echo "  run $(code POST /api/deployments/eda/daily/run -H "$A")"
	echo "  no such deployment $(code GET /api/deployments/eda/nope)"
	echo "-- promotion, rollback and apply through the API"
	echo "  promote $(code PATCH /api/deployments/ingest-clean/hourly -H "$A" -d '{"work_pool": "etl-pool-stage", "parameters": {"lookback": "6h"}}')"
	python3 -c 'import json; d = json.load(open("body.json")); print("  ", d["version"], d["work_pool"], d["parameters"]["lookback"])'
	pm25 deployment inspect ingest-clean/hourly | sed -n 1p | sed 's/^/  the CLI sees: /'
	echo "  no such pool $(code PATCH /api/deployments/ingest-clean/hourly -H "$A" -d '{"work_pool": "nope"}')"
	echo "  not a string $(code PATCH /api/deployments/ingest-clean/hourly -H "$A" -d '{"image": 5}')"
	echo "  not JSON $(code PATCH /api/deployments/ingest-clean/hourly -H "$A" -d '{')"
	echo "  rollback $(code POST /api/deployments/ingest-clean/hourly/rollback -H "$A")"
	python3 -c 'import json; d = json.load(open("body.json")); print("  ", d["version"], d["work_pool"], d["parameters"]["lookback"])'
	echo "  rollback to 1 $(code POST /api/deployments/ingest-clean/hourly/rollback -H "$A" -d '{"to": 1}')"
	printf 'deployments:\n  - name: noop/api\n    schedule: "@daily"\n' > api.yaml
	echo "  apply $(code POST /api/deployments/apply -H "$A" --data-binary @api.yaml) $(cat body.json)"
	printf 'deployments:\n  - name: noop/api\n    schedule: "@sometimes"\n' > bad.yaml
	echo "  apply a bad file $(code POST /api/deployments/apply -H "$A" --data-binary @bad.yaml)"
	python3 -c 'import json; print("  ", json.load(open("body.json"))["error"]["message"])'
	echo "-- data"
	echo "  commits $(code GET '/api/data/commits?limit=5') $(python3 -c 'import json; c = json.load(open("body.json"))["commits"]; print(len(c), sorted(c[0]["metadata"]))')"
	echo "  branches $(code GET /api/data/branches) $(sed 's/etl-[0-9TZ-]*[0-9a-f]\{4\}/etl-RUN/' body.json)"
	echo "  tree $(code GET '/api/data/tree?prefix=clean/') $(cat body.json)"
	echo "  object $(code GET '/api/data/object?path=clean/hourly/date=2023-12-02.csv') $(head -n 1 body.json)"
	echo "  no such object $(code GET '/api/data/object?path=nope.csv')"
	echo "  stations $(code GET /api/stations) $(python3 -c '
import json
s = json.load(open("body.json"))["stations"]
print(len(s), [(x["id"], x["time_utc"], x["pm25"], x["aqi"], x["category"], x["colour"]) for x in s])')"
	echo "-- pools"
	echo "  pause $(code POST /api/work_pools/etl-pool-prod/pause -H "$A") $(python3 -c 'import json; print(json.load(open("body.json"))["status"])')"
	echo "  resume $(code POST /api/work_pools/etl-pool-prod/resume -H "$A") $(python3 -c 'import json; print(json.load(open("body.json"))["status"])')"
	echo "  no such pool $(code POST /api/work_pools/nope/pause -H "$A")"
	code GET /api/work_pools > /dev/null
	python3 -c 'import json; print(" ", [(p["name"], p["status"]) for p in json.load(open("body.json"))["work_pools"]])'
	echo "  alerts $(code GET /api/alerts)"
	echo "-- reports, a log stream, readiness"
	echo "  quality $(code GET /api/quality) $(python3 -c 'import json; r = json.load(open("body.json"))["runs"]; print(len(r), sorted({x["passed"] for x in r}))')"
	echo "  quality since the future $(code GET "/api/quality?since=9999999999999") $(python3 -c 'import json; print(len(json.load(open("body.json"))["runs"]))')"
	echo "  models $(code GET /api/models) champion $(code GET /api/models/champion)"
	echo "  forecast without a station $(code GET /api/forecast) of one not there $(code GET '/api/forecast?station=zz')"
	echo "  diff of main and its parent $(code GET /api/data/diff) $(python3 -c 'import json; d = json.load(open("body.json")); print(len(d["files"]) > 0, any("rows" in f for f in d["files"]))')"
	echo "  diff from a ref not there $(code GET '/api/data/diff?from=nope')"
	id=$(pm25 flow-run ls --state Completed --json | python3 -c 'import json, sys; print([r["id"] for r in json.load(sys.stdin) if r["flow"] == "ingest-clean"][0])')
	echo "  an ended run's stream $(code GET "/api/flow_runs/$id/logs/stream") $(grep -c '^event: line' body.json) lines, then $(grep -A1 '^event: end' body.json | tail -n 1)"
	echo "  a run's tasks $(code GET "/api/flow_runs/$id") $(python3 -c 'import json; r = json.load(open("body.json")); print([t["name"] for t in r["tasks"]][-2:], r["data"]["commit"] is not None)')"
	mv "$PM25_HOME/data.git" "$PM25_HOME/data.away"
	echo "  readyz without the data repository $(code GET /readyz)"
	mv "$PM25_HOME/data.away" "$PM25_HOME/data.git"
	echo "  readyz again $(code GET /readyz)"
	curl -s "$API/api/openapi.json" > openapi.json
	echo "  $(node "$SRC/tests/browser/api-responses.mjs" openapi.json answers | tail -n 5 | sed 's/^[0-9]* answers/every answer/')"
	kill -TERM "$pid"
	wait "$pid"
	echo "-- SIGTERM: exit $?"
	grep -c '"server": "stopped"' server.err
	echo "-- the embedded worker (its pool paused: it takes no run here)"
	pm25 pool pause etl-pool-dev > /dev/null
	rm -f port
	pm25 server --listen 127.0.0.1:0 --port-file port --no-scheduler 2> server2.err &
	pid=$!
	wait_file port 100 || die "no server: $(cat server2.err)"
	API=http://127.0.0.1:$(cat port)
	for _ in $(seq 50); do
		code GET /api/workers > /dev/null
		grep -q online body.json && break
		sleep 0.1
	done
	python3 -c 'import json; print(" ", [(w["pool"], w["status"], w["name"].startswith("server-")) for w in json.load(open("body.json"))["workers"]])'
	kill -TERM "$pid"
	wait "$pid"
	pm25 worker ls --json | python3 -c 'import json, sys; print("  after SIGTERM:", [w["status"] for w in json.load(sys.stdin)])'
}
both_backends scenario
pm25 init > /dev/null
PM25_API_TOKEN= pm25 server --listen 0.0.0.0:0 2>&1
echo "exit $?"
pm25 server --listen nonsense 2>&1
echo "exit $?"
