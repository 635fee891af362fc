# ingest-clean: every task logs a JSON line (run id, task, state,
# duration) in order; a passing gate merges into main and removes the
# run's branch; commits carry run, version, source and score.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
pm25 run ingest-clean --param source=air4thai-history \
	--param file="$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json" --json > out.json 2> log.jsonl ||
	die "run failed"
python3 -c '
import json
lines = [json.loads(l) for l in open("log.jsonl")]
print(" ".join(l["task"] + ":" + l["state"] for l in lines))
assert all("run" in l and "duration_ms" in l and l["flow"] == "ingest-clean" for l in lines)
r = json.load(open("out.json"))
print(r["passed"], r["input_rows"], r["published"], r["score"])'
pm25 data branches
pm25 data log -n 1 --json | python3 -c '
import json, sys
c = json.load(sys.stdin)[0]
print(sorted(c["metadata"]))'
pm25 data ls main raw/ | sed 's,date=[0-9-]*/[0-9]\{6\}-.*,date=DATE/FILE,'
pm25 data ls main clean/ | wc -l
