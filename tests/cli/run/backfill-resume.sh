# backfill runs one local day at a time as one run, shows progress on
# stderr, and resumes: days already on main are skipped unless --force.
# Each day is validated on its own; the four days go to main in one
# commit (commit_days 31), or one commit and merge each (1).
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
mkdir in
head -n 97 "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" > in/a.csv
pm25 backfill --input in --json > r1.json 2> log1.txt || die "backfill"
grep -c '^backfill: ' log1.txt
grep -c '"task": "validate", "state": "Completed"' log1.txt
grep -c '"task": "gate", "state": "Completed"' log1.txt
pm25 data log | grep -c ': 2023-12-01 to 2023-12-04, 5 day files (score 1.000000)$'
pm25 backfill --input in --json -q > r2.json || die "resume"
pm25 backfill --input in --force --json -q > r3.json || die "force"
python3 -c '
import json
for f in ["r1.json", "r2.json", "r3.json"]:
    r = json.load(open(f))
    print(r["batches"], r["published"], r["unchanged"], r["skipped"])'
# one commit per day, the day-by-day cycle: the same files on main
mkdir h1 && PM25_HOME=$PWD/h1 pm25 init > /dev/null
PM25_HOME=$PWD/h1 pm25 backfill --input in --commit-days 1 -q > /dev/null || die "per day"
PM25_HOME=$PWD/h1 pm25 data log | grep -c ' day files (score '
same=$(git --git-dir="$PM25_HOME/data.git" rev-parse main:clean)
[ "$same" = "$(git --git-dir=h1/data.git rev-parse main:clean)" ] || die "clean differs"
pm25 backfill --input in --commit-days 0 -q 2>&1; echo "exit $?"
