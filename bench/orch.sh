#!/bin/bash
# Orchestrator benchmarks (not tests), on SQLite and on a throwaway
# PostgreSQL cluster: idle worker RSS, claim-to-running latency, no-op
# runs per minute with 3 workers, and the state database's size after
# many runs with retention. Usage: bench/orch.sh [N_LATENCY N_THROUGHPUT]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PM25=$ROOT/pm25
WORK=${WORK:-/tmp/pm25-orch-bench}
NLAT=${1:-100}
NRUN=${2:-600}
make -C "$ROOT" -s pm25
rm -rf "$WORK"
mkdir -p "$WORK"
chmod 755 "$WORK"
"$ROOT/scripts/pg-test.sh" start "$WORK/pg" > /dev/null
trap '"$ROOT/scripts/pg-test.sh" stop "$WORK/pg"' EXIT

count() { # state: how many runs are in it
	"$PM25" flow-run ls --state "$1" --limit 1000000 --json |
		python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}
busy() { # whether any run waits or runs (a cheap poll: one row at most)
	local s
	for s in scheduled pending running; do
		[ "$("$PM25" flow-run ls --state $s --limit 1 --json)" != "[]" ] && return 0
	done
	return 1
}
wait_done() { # n: wait until n runs are Completed
	while busy; do sleep 0.2; done
	[ "$(count completed)" -ge "$1" ] || { echo "orch.sh: runs did not complete" >&2; exit 1; }
}

table=$WORK/table.md
printf '| backend | idle worker RSS MB (private, PSS) | claim to running, median ms (p90) | no-op runs/min, 3 workers | state size after %s runs |\n|---|---|---|---|---|\n' "$((NLAT + NRUN))" > "$table"
for backend in sqlite postgres; do
	export PM25_HOME=$WORK/$backend/home
	unset PM25_DATABASE_URL
	if [ $backend = postgres ]; then
		PM25_DATABASE_URL=$("$ROOT/scripts/pg-test.sh" createdb "$WORK/pg" bench)
		export PM25_DATABASE_URL
	fi
	"$PM25" init > /dev/null
	printf 'deployments:\n  - name: noop/bench\n' > "$WORK/d.yaml"
	"$PM25" deployment apply "$WORK/d.yaml" > /dev/null
	"$PM25" pool create idle-pool > /dev/null

	# 1. an idle worker's memory
	"$PM25" worker start --name idle -p idle-pool 2> /dev/null &
	w=$!
	sleep 2
	rss=$(awk '/VmHWM/ { print $2 }' /proc/$w/status)
	anon=$(awk '/RssAnon/ { print $2 }' /proc/$w/status)
	pss=$(awk '/^Pss:/ { print $2 }' /proc/$w/smaps_rollup)
	kill -TERM $w
	wait $w || true

	# 2. claim (Pending) to the run's process running (Running)
	for _ in $(seq "$NLAT"); do "$PM25" deployment run noop/bench > /dev/null; done
	"$PM25" worker start --name lat -p etl-pool-dev --limit 1 2> /dev/null &
	w=$!
	wait_done "$NLAT"
	kill -TERM $w
	wait $w || true
	lat=$("$PM25" flow-run ls --limit 1000000 --json | python3 -c '
import json, subprocess, sys, statistics
d = []
for r in json.load(sys.stdin):
    h = json.loads(subprocess.run([sys.argv[1], "flow-run", "inspect", r["id"], "--json"],
                                  capture_output=True, text=True).stdout)["states"]
    at = {s["state"]: s["at_ms"] for s in h}
    d.append(at["Running"] - at["Pending"])
d.sort()
print("%.0f (%.0f)" % (statistics.median(d), d[int(len(d) * 0.9)]))' "$PM25")

	# 3. throughput: NRUN no-op runs, 3 workers of 2 slots each
	for _ in $(seq "$NRUN"); do "$PM25" deployment run noop/bench > /dev/null; done
	t0=$(date +%s.%N)
	for n in 1 2 3; do
		"$PM25" worker start --name t$n -p etl-pool-dev --limit 2 2> /dev/null &
	done
	wait_done $((NLAT + NRUN))
	t1=$(date +%s.%N)
	# shellcheck disable=SC2046 # one argument per job's pid
	kill -TERM $(jobs -p) 2> /dev/null || true
	wait || true
	rate=$(awk -v n="$NRUN" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n * 60 / (b - a) }')

	# 4. the state's size: every run kept (retention 30 days), then all
	# of them older than the retention and pruned
	if [ $backend = sqlite ]; then
		size_kept=$(du -k "$PM25_HOME/state.db" | cut -f1)
		PM25_NOW_MS=$(( $(date +%s) * 1000 + 31 * 86400000 )) "$PM25" flow-run prune > /dev/null
		size=$(du -k "$PM25_HOME/state.db" | cut -f1)
		size="$size_kept KB kept, $size KB after pruning (file not shrunk; pages reused)"
	else
		size=$(psql "$PM25_DATABASE_URL" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")
	fi
	printf '| %s | %.1f (%.1f, %.1f) | %s | %s | %s |\n' "$backend" "$(echo "$rss / 1024" | bc -l)" \
		"$(echo "$anon / 1024" | bc -l)" "$(echo "$pss / 1024" | bc -l)" "$lat" "$rate" "$size" >> "$table"
done
cat "$table"
