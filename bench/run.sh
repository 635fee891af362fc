#!/bin/bash
# Times pm25 against the pandas peer on the backfill workload datasets.
# A benchmark, not a test. Usage: bench/run.sh [small|medium|large ...]
# (default: small medium). Needs /usr/bin/python3 with pandas and
# scikit-learn (apt-get install python3-pandas python3-sklearn) and the
# course's bench folder (BENCH, default ../shared/bench).
#
# For each set it generates the data once, runs each program once
# untimed (warm cache) and then timed under /usr/bin/time -v, checks that
# pm25 wrote the peer's daily CSVs byte for byte with the same counts, and
# prints wall time, peak RSS, rows/s and the ratios. pm25 clean does the
# peer's read, normalise, validate, grid and write stages, so the peer's
# own timings of those stages are the like-for-like figure.
#
# The third mode is the real job: pm25 init, pm25 backfill --input into
# the versioned store (a branch, a gate and a merge per local day) and
# pm25 model train from the store's main. Its figures are the sum of the
# three commands' wall times and the largest peak RSS; it prints where
# the backfill's time goes, task by task, from its own log.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
WORK=${WORK:-/tmp/pm25-bench}
PM25=$ROOT/pm25
CONTRACT=$ROOT/bench/workload-contract.yaml
sets=("$@")
[ ${#sets[@]} = 0 ] && sets=(small medium)
mkdir -p "$WORK"
make -C "$ROOT" -s pm25
# Old outputs go first, then a pause: ext4 scans recently freed inodes
# when it creates files, which would slow down whichever program writes
# its thousand day files right after a delete.
rm -rf "$WORK"/peer_*/ "$WORK"/pm25_*/
sync
sleep "${SETTLE:-40}"

field() { # /usr/bin/time -v output file, label
	grep -F "$2" "$1" | sed 's/.*: //'
}
seconds() { # h:mm:ss.ss or m:ss.ss
	echo "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}

clean_table=$WORK/clean-table.md
batch_table=$WORK/batch-table.md
printf '| set | rows | peer wall s | peer clean stages s | peer RSS MB | pm25 clean wall s | pm25 RSS MB | speed-up (clean stages) | memory ratio | verdict |\n|---|---|---|---|---|---|---|---|---|---|\n' > "$clean_table"
printf '| set | rows | peer wall s | peer RSS MB | pm25 batch wall s | pm25 RSS MB | rows/s | speed-up | memory ratio | verdict |\n|---|---|---|---|---|---|---|---|---|---|\n' > "$batch_table"
store_table=$WORK/store-table.md
printf '| set | rows | peer wall s | peer RSS MB | pm25 backfill s | train s | total s | pm25 RSS MB | rows/s | speed-up | memory ratio | verdict |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n' > "$store_table"
for set in "${sets[@]}"; do
	data=$WORK/$set
	if [ ! -f "$data/MANIFEST.json" ]; then
		python3 "$BENCH/make_dataset.py" --preset "$set" "$data" > /dev/null
	fi
	rows=$(python3 -c "import json; print(json.load(open('$data/MANIFEST.json'))['data_rows'])")
	# the peer
	if [ ! -f "$WORK/peer_$set.json" ] || [ -n "${FRESH:-}" ]; then
		/usr/bin/time -v /usr/bin/python3 "$BENCH/peer_pandas.py" "$data" "$WORK/peer_$set" \
			> "$WORK/peer_$set.json" 2> "$WORK/peer_$set.err"
	else
		/usr/bin/time -v /usr/bin/python3 "$BENCH/peer_pandas.py" "$data" "$WORK/peer_$set" \
			> /dev/null 2> "$WORK/peer_$set.err"
	fi
	pw=$(seconds "$(field "$WORK/peer_$set.err" 'Elapsed (wall')")
	prss=$(field "$WORK/peer_$set.err" 'Maximum resident')
	pclean=$(awk '/^stage (read|normalise|validate|grid|write) / { s += $3 } END { print s }' "$WORK/peer_$set.err")
	# pm25: a warm-up that reads everything (validate writes nothing),
	# then the timed run
	"$PM25" validate -q --contract "$CONTRACT" "$data" > /dev/null
	/usr/bin/time -v "$PM25" -v -v clean -q --contract "$CONTRACT" --out-dir "$WORK/pm25_$set" --json "$data" \
		> "$WORK/pm25_$set.json" 2> "$WORK/pm25_$set.err"
	cw=$(seconds "$(field "$WORK/pm25_$set.err" 'Elapsed (wall')")
	crss=$(field "$WORK/pm25_$set.err" 'Maximum resident')
	verdict=AGREE
	python3 "$ROOT/tests/cli/same-numbers.py" "$WORK/peer_$set.json" "$WORK/pm25_$set.json" > /dev/null || verdict=DISAGREE
	diff -rq "$WORK/peer_$set" "$WORK/pm25_$set" > /dev/null || verdict=DISAGREE
	awk -v set="$set" -v rows="$rows" -v pw="$pw" -v pc="$pclean" -v pr="$prss" \
		-v cw="$cw" -v cr="$crss" -v v="$verdict" 'BEGIN {
		printf "| %s | %d | %.2f | %.2f | %.0f | %.3f | %.1f | %.1fx | 1/%.0f | %s |\n",
			set, rows, pw, pc, pr / 1024, cw, cr / 1024, pc / cw, pr / cr, v }' >> "$clean_table"
	# pm25 batch: the peer's whole job, compared with its whole wall time
	/usr/bin/time -v "$PM25" -v -v batch --contract "$CONTRACT" "$data" "$WORK/batch_$set" \
		> "$WORK/batch_$set.json" 2> "$WORK/batch_$set.err"
	bw=$(seconds "$(field "$WORK/batch_$set.err" 'Elapsed (wall')")
	brss=$(field "$WORK/batch_$set.err" 'Maximum resident')
	verdict=AGREE
	python3 "$ROOT/tests/cli/same-numbers.py" "$WORK/peer_$set.json" "$WORK/batch_$set.json" all > /dev/null ||
		verdict=DISAGREE
	diff -rq "$WORK/peer_$set" "$WORK/batch_$set" > /dev/null || verdict=DISAGREE
	awk -v set="$set" -v rows="$rows" -v pw="$pw" -v pr="$prss" \
		-v bw="$bw" -v br="$brss" -v v="$verdict" 'BEGIN {
		printf "| %s | %d | %.2f | %.0f | %.3f | %.1f | %.0f | %.1fx | 1/%.0f | %s |\n",
			set, rows, pw, pr / 1024, bw, br / 1024, rows / bw, pw / bw, pr / br, v }' >> "$batch_table"
	# pm25 backfill into the store, then training: the real job
	home=$WORK/home_$set
	rm -rf "$home"
	PM25_HOME=$home "$PM25" init > /dev/null
	PM25_HOME=$home /usr/bin/time -v "$PM25" backfill --input "$data" --contract "$CONTRACT" --json \
		> "$WORK/store_$set.json" 2> "$WORK/store_$set.err" || true
	PM25_HOME=$home /usr/bin/time -v "$PM25" model train --json \
		> "$WORK/train_$set.json" 2> "$WORK/train_$set.err" || true
	sw=$(seconds "$(field "$WORK/store_$set.err" 'Elapsed (wall')")
	srss=$(field "$WORK/store_$set.err" 'Maximum resident')
	tw=$(seconds "$(field "$WORK/train_$set.err" 'Elapsed (wall')")
	trss=$(field "$WORK/train_$set.err" 'Maximum resident')
	git --git-dir="$home/model.git" show main:models/champion.json > "$WORK/model_$set.json" 2> /dev/null || true
	verdict=$(python3 "$ROOT/bench/store-verdict.py" "$WORK/peer_$set.json" "$WORK/store_$set.json" \
		"$WORK/model_$set.json" 2> /dev/null) || verdict=${verdict:-DISAGREE}
	awk -v set="$set" -v rows="$rows" -v pw="$pw" -v pr="$prss" -v sw="$sw" -v tw="$tw" \
		-v sr="$srss" -v tr="$trss" -v v="$verdict" 'BEGIN {
		r = sr > tr ? sr : tr; w = sw + tw
		printf "| %s | %d | %.2f | %.0f | %.2f | %.2f | %.2f | %.1f | %.0f | %.1fx | 1/%.0f | %s |\n",
			set, rows, pw, pr / 1024, sw, tw, w, r / 1024, rows / w, pw / w, pr / r, v }' >> "$store_table"
	echo "where the $set backfill's time goes (seconds per task, from its log):"
	python3 -c '
import collections, json, sys
t = collections.Counter()
for line in open(sys.argv[1]):
    if line.startswith("{"):
        e = json.loads(line)
        t[e["task"]] += e.get("duration_ms", 0) / 1000
for k, v in t.most_common():
    print("  %-12s %7.2f" % (k, v))
print("  %-12s %7.2f  (wall %.2f less the tasks: listing, staging, slicing)"
      % ("other", float(sys.argv[2]) - sum(t.values()), float(sys.argv[2])))' "$WORK/store_$set.err" "$sw"
done
echo "pm25 clean (the peer's read, normalise, validate, grid and write stages):"
cat "$clean_table"
echo
echo "pm25 batch (the peer's whole job):"
cat "$batch_table"
echo
echo "pm25 backfill into the store, then model train (the real job):"
cat "$store_table"
