# backfill runs one local day at a time as one run, shows progress on
# stderr, and resumes: days already on main are skipped unless --force.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
mkdir in
head -n 97 "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" > in/a.csv
pm25 backfill --input in --json > r1.json 2> log1.txt || die "backfill"
grep -c '^backfill: ' log1.txt
grep -c '"task": "gate", "state": "Completed"' log1.txt
pm25 backfill --input in --json -q > r2.json || die "resume"
pm25 backfill --input in --force --json -q > r3.json || die "force"
python3 -c '
import json
for f in ["r1.json", "r2.json", "r3.json"]:
    r = json.load(open(f))
    print(r["batches"], r["published"], r["unchanged"], r["skipped"])'
