#!/bin/bash
# The hourly job's benchmark (not a test): one run of ingest-clean for
# every station of the Air4Thai stand-in (187, tests/helpers/air4thai-
# standin.py on 127.0.0.1) with a 24-hour lookback, LATENCY ms added to
# each response. The store is warmed first with WARM hourly runs (a day
# of raw files and day files on main), then REPEAT runs, an hour apart,
# are timed under /usr/bin/time; the best wall time, the best CPU time
# and the highest peak RSS are reported.
# Usage: bench/hourly.sh   (WORK=/dev/shm/... LATENCY=50 WARM=24 REPEAT=5)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PM25=$ROOT/pm25
WORK=${WORK:-/dev/shm/pm25-hourly-bench}
LATENCY=${LATENCY:-50}
WARM=${WARM:-24}
REPEAT=${REPEAT:-5}
make -C "$ROOT" -s pm25
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
export PM25_HOME=$WORK/home
python3 "$ROOT/tests/helpers/air4thai-standin.py" --port-file port --clock "$WORK/clock" \
	--latency-ms "$LATENCY" 2> standin.err &
standin=$!
trap 'kill $standin 2>/dev/null' EXIT
for _ in $(seq 1 100); do [ -s port ] && break; sleep 0.05; done
base=http://127.0.0.1:$(cat port)
export PM25_AIR4THAI_URL=$base/services/getNewAQI_JSON.php
export PM25_AIR4THAI_HISTORY_URL=$base/forweb/getHistoryData.php
t0=$(date -d '2026-11-20 00:05:00 +0700' +%s)000
clock() { export PM25_NOW_MS=$(($t0 + $1 * 3600000)); echo "$PM25_NOW_MS" > "$WORK/clock"; }
"$PM25" init > /dev/null
for i in $(seq 1 "$WARM"); do
	clock "$i"
	"$PM25" run ingest-clean --param lookback=24h -q > /dev/null
done
echo "warm: $WARM runs; main has $("$PM25" data ls main raw/ | wc -l) raw files"
printf '| run | wall s | CPU s (user+sys) | peak RSS MB | stations | rows |\n|---|---|---|---|---|---|\n'
best_wall=999 best_cpu=999 max_rss=0
for i in $(seq 1 "$REPEAT"); do
	clock $((WARM + i))
	/usr/bin/time -f '%e %U %S %M' -o t.txt "$PM25" run ingest-clean --param lookback=24h -q --json > r.json
	read -r wall user sys rss < t.txt
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')
	rows=$(python3 -c 'import json; r = json.load(open("r.json")); print(r["input_rows"], r["input_rows"] // 24)')
	printf '| %d | %.2f | %.3f | %.1f | %s | %s |\n' "$i" "$wall" "$cpu" "$(awk -v r="$rss" 'BEGIN {print r / 1024}')" \
		"${rows#* }" "${rows% *}"
	best_wall=$(awk -v a="$wall" -v b="$best_wall" 'BEGIN {print a < b ? a : b}')
	best_cpu=$(awk -v a="$cpu" -v b="$best_cpu" 'BEGIN {print a < b ? a : b}')
	[ "$rss" -gt "$max_rss" ] && max_rss=$rss
done
printf '\nbest wall %.2f s (target 2), best CPU %.3f s (target 0.250), highest peak RSS %.1f MB (target 30); latency %s ms per response\n' \
	"$best_wall" "$best_cpu" "$(awk -v r="$max_rss" 'BEGIN {print r / 1024}')" "$LATENCY"
