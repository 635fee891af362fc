# A failing gate: exit 3, "Validation failed" logged, main unchanged,
# the branch kept, and pm25 data diff main etl-<run> shows what came in.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
before=$(git --git-dir="$PM25_HOME/data.git" rev-parse main)
printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,2000,02t\n2024-03-01 02:00:00,-5,02t\n2024-03-01 03:00:00,12,02t\n' > bad.csv
pm25 run --param source=csv --param file=bad.csv --param to=2024-03-01 > out.txt 2> log.jsonl
echo "exit $?"
after=$(git --git-dir="$PM25_HOME/data.git" rev-parse main)
assert_eq "main" "$before" "$after"
grep -c '"task": "gate", "state": "Failed".*Validation failed' log.jsonl
tail -n 1 log.jsonl | grep -o 'Validation failed: score [0-9.]*'
branch=$(pm25 data branches | grep '^etl-')
[ -n "$branch" ] || die "branch not kept"
pm25 data diff main "$branch" | sed 's/[0-9]\{8\}T[0-9]\{6\}Z-[0-9a-f]\{4\}/RUN/; s/[0-9]\{6\}-RUN/HHMMSS-RUN/'
