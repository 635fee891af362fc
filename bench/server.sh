#!/bin/bash
# The server's benchmark (not a test), on SQLite or PostgreSQL
# (BACKEND=pg: a throwaway cluster of scripts/pg-test.sh): the state
# database loaded with RUNS runs and LINES log lines (written straight
# into its tables, as a long-lived deployment would leave them), then
# pm25 server (no worker, no scheduler) on 127.0.0.1 measured with wrk:
# the runs list (limit 50), the runs page of the dashboard and /healthz;
# the log search for "Validation failed" over every line (best of 5 with
# curl); what the overview page transfers (its HTML, style sheet and
# script); and the server's RSS idle and after the load.
# Usage: bench/server.sh   (BACKEND=sqlite|pg WORK=/dev/shm/...
# RUNS=100000 LINES=1000000 SECS=10)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PM25=$ROOT/pm25
WORK=${WORK:-/dev/shm/pm25-server-bench}
RUNS=${RUNS:-100000}
LINES=${LINES:-1000000}
SECS=${SECS:-10}
BACKEND=${BACKEND:-sqlite}
command -v wrk > /dev/null || { echo "bench/server.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
make -C "$ROOT" -s pm25
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
export PM25_HOME=$WORK/home
unset PM25_DATABASE_URL
"$PM25" init > /dev/null
"$PM25" deployment apply "$ROOT/deployments.yaml" > /dev/null
if [ "$BACKEND" = pg ]; then
	"$ROOT/scripts/pg-test.sh" start "$WORK/pg" > /dev/null
	PM25_DATABASE_URL=$("$ROOT/scripts/pg-test.sh" createdb "$WORK/pg" bench)
	export PM25_DATABASE_URL
	"$PM25" init > /dev/null
	"$PM25" deployment apply "$ROOT/deployments.yaml" > /dev/null
fi
python3 - "$PM25_HOME/state.db" "$RUNS" "$LINES" "$BACKEND" <<'PY'
import csv, random, sqlite3, sys
db, runs, lines, backend = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
c = sqlite3.connect(db if backend == "sqlite" else ":memory:")
if backend != "sqlite":
    # the same rows, into CSV files for psql's \copy
    c.execute("CREATE TABLE flow_runs (id, flow, deployment, pool, state, state_reason, parameters, "
              "created_ms, scheduled_ms, started_ms, ended_ms, updated_ms, attempt, max_attempts, slot_ms)")
    c.execute("CREATE TABLE run_logs (run_id, seq, at_ms, level, task, message)")
t0 = 1790000000000
random.seed(1)
states = ["Completed"] * 8 + ["Failed", "Crashed"]
deps = ["ingest-clean/hourly", "eda/daily", "train-model/weekly"]
c.executemany(
    "INSERT INTO flow_runs (id, flow, deployment, pool, state, state_reason, parameters, "
    "created_ms, scheduled_ms, started_ms, ended_ms, updated_ms, attempt, max_attempts, slot_ms) "
    "VALUES (?, ?, ?, 'etl-pool-dev', ?, 'bench', '{\"source\": \"air4thai-history\"}', ?, ?, ?, ?, ?, 1, 1, ?)",
    ((("%016x" % random.getrandbits(64)), d.split("/")[0], d, random.choice(states),
      t0 + i * 60000, t0 + i * 60000, t0 + i * 60000 + 500, t0 + i * 60000 + 2500,
      t0 + i * 60000 + 2500, t0 + i * 60000)
     for i, d in ((i, deps[i % 3]) for i in range(runs))))
ids = [r[0] for r in c.execute("SELECT id FROM flow_runs")]
per = max(1, lines // len(ids))
tasks = ["health_check", "fetch", "land_raw", "parse", "validate", "clean", "publish", "gate"]
def rows():
    n = 0
    for k, rid in enumerate(ids):
        for s in range(per):
            if n == lines:
                return
            task = tasks[s % len(tasks)]
            msg = '{"task": "%s", "state": "Completed", "run": "%s"}' % (task, rid)
            if task == "gate" and k % 50 == 0:
                msg = '{"task": "gate", "state": "Failed", "message": "Validation failed: score 0.80 below gate 0.95"}'
            yield (rid, s + 1, t0 + k * 60000 + s, "info", task, msg)
            n += 1
c.executemany("INSERT INTO run_logs (run_id, seq, at_ms, level, task, message) VALUES (?, ?, ?, ?, ?, ?)", rows())
c.commit()
if backend != "sqlite":
    for t in ("flow_runs", "run_logs"):
        with open(t + ".csv", "w", newline="") as f:
            csv.writer(f).writerows(c.execute("SELECT * FROM " + t))
print("loaded", c.execute("SELECT COUNT(*) FROM flow_runs").fetchone()[0], "runs,",
      c.execute("SELECT COUNT(*) FROM run_logs").fetchone()[0], "log lines")
PY
if [ "$BACKEND" = pg ]; then
	psql -q "$PM25_DATABASE_URL" -c "\\copy flow_runs (id, flow, deployment, pool, state, state_reason, parameters, created_ms, scheduled_ms, started_ms, ended_ms, updated_ms, attempt, max_attempts, slot_ms) FROM 'flow_runs.csv' CSV"
	psql -q "$PM25_DATABASE_URL" -c "\\copy run_logs (run_id, seq, at_ms, level, task, message) FROM 'run_logs.csv' CSV"
	# what autovacuum does after a bulk load: the visibility map for
	# index-only scans, and the statistics
	psql -q "$PM25_DATABASE_URL" -c "VACUUM ANALYZE"
fi
"$PM25" server --listen 127.0.0.1:0 --port-file port --no-worker --no-scheduler 2> server.err &
srv=$!
trap 'kill $srv 2>/dev/null; [ "$BACKEND" != pg ] || "$ROOT/scripts/pg-test.sh" stop "$WORK/pg"' EXIT
for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
API=http://127.0.0.1:$(cat port)
curl -s "$API/healthz" > /dev/null
sleep 1
rss() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$srv/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$srv/status"; }
echo "server RSS idle: $(rss) MB"
p99() { # wrk's latency distribution: the 99% line, in ms
	awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub("us", "", v); v /= 1000}
		else if (v ~ /ms$/) sub("ms", "", v); else if (v ~ /s$/) {sub("s", "", v); v *= 1000}
		printf "%.2f", v}' "$1"
}
echo "backend: $BACKEND"
for url in "/api/flow_runs?limit=50" "/runs" "/healthz"; do
	for c in 1 4 8; do
		wrk -t 1 -c "$c" -d "${SECS}s" --latency "$API$url" > wrk.txt
		printf '%-28s %d connections: p99 %s ms, %s req/s\n' "$url" "$c" \
			"$(p99 wrk.txt)" "$(awk '/^Requests\/sec/ {print $2}' wrk.txt)"
	done
done
best=999
for _ in 1 2 3 4 5; do
	t=$(curl -s -o hits.json -w '%{time_total}' "$API/api/logs?q=Validation%20failed&limit=100")
	best=$(awk -v a="$t" -v b="$best" 'BEGIN {print a < b ? a : b}')
done
echo "log search 'Validation failed' over $LINES lines: best $(awk -v t="$best" 'BEGIN {printf "%.1f", t * 1000}') ms ($(python3 -c 'import json; print(len(json.load(open("hits.json"))["hits"]))') hits)"
kb=0
for p in / /static/pm25.css /static/pm25.js; do
	kb=$((kb + $(curl -s -o /dev/null -w '%{size_download}' "$API$p")))
done
echo "the overview page transfers $(awk -v b="$kb" 'BEGIN {printf "%.1f", b / 1024}') KB (HTML, style sheet, script)"
t=$(curl -s -o /dev/null -w '%{time_total}' "$API/")
echo "the overview page: $(awk -v t="$t" 'BEGIN {printf "%.0f", t * 1000}') ms to build and send"
echo "server RSS now: $(rss) MB, peak $(hwm) MB"
