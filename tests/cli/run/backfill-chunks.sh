# A backfill publishes many days per commit, yet main ends as the
# day-by-day cycle leaves it: the same clean files and stations byte for
# byte, the same raw records in each day's folder, the same quality
# reports (run ids and scratch paths aside). A day that fails its gate
# stays off main on a branch of its own, and the days after it are
# published. Killed with -9 at each step of a chunk's publication, or
# after some chunks, main stays at a whole commit and the rerun ends
# where an unbroken run does, with no duplicate rows.
. "$SRC/tests/cli/lib.sh"
mkdir in
cp "$SRC"/tests/data/bench/small/*.csv in/
# 2021-06-15, local: 200 rows out of range, a day the gate refuses
python3 -c '
print("DATETIMEDATA,PM25,PM10,O3,CO,NO2,SO2,WS,TEMP,RH,WD,stationID")
for i in range(200):
    print("2021-06-15 %02d:00:00,-5,-,-,-,-,-,1,30,70,90,%02dx" % (i % 24, i // 24))
' > in/bad-day.csv
contract=$SRC/bench/workload-contract.yaml

# main of home $1 as lines: clean and stations files by blob, raw files
# by day folder and blob, quality reports by day folder and text with
# the run's id and scratch folder taken out
dump() {
	git --git-dir="$1/data.git" ls-tree -r main | python3 -c '
import re, subprocess, sys
home = sys.argv[1]
out = []
for line in sys.stdin:
    meta, path = line.rstrip("\n").split("\t")
    blob = meta.split()[2]
    top = path.split("/")[0]
    if top in ("clean", "stations"):
        out.append("%s %s" % (path, blob))
    elif top == "raw":
        out.append("%s %s" % (path.rsplit("/", 1)[0], blob))
    elif top == "quality":
        text = subprocess.run(["git", "--git-dir=" + home + "/data.git",
                               "cat-file", "blob", blob],
                              capture_output=True, text=True).stdout
        text = re.sub(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}", "RUN", text)
        text = text.replace(home, "HOME")
        out.append("%s %d %s" % (path.rsplit("/", 1)[0], len(text), hash(text)))
for l in sorted(out):
    print(l)' "$1"
}

backfill() { # home, more options
	h=$1
	shift
	PM25_HOME=$h pm25 backfill --input in --contract "$contract" "$@"
}

new_home() {
	rm -rf "$1"
	PM25_HOME=$1 pm25 init > /dev/null
}

# the day-by-day cycle, and the default of 31 days per commit
new_home "$PWD/day"
backfill "$PWD/day" --commit-days 1 --json > day.json 2> day.err
echo "day by day: exit $?"
new_home "$PWD/chunk"
backfill "$PWD/chunk" --json > chunk.json 2> chunk.err
echo "31 days per commit: exit $?"
python3 -c '
import json, sys
for f in sys.argv[1:]:
    r = json.load(open(f))
    print(r["batches"], r["published"], r["failed"], r["input_rows"], r["accepted_rows"], r["output_rows"])' day.json chunk.json
export PYTHONHASHSEED=0
dump "$PWD/day" > day.txt
dump "$PWD/chunk" > chunk.txt
[ "$(wc -l < day.txt)" -gt 700 ] || die "too few files on main: $(wc -l < day.txt)"
cmp day.txt chunk.txt || die "main differs from the day-by-day cycle"
grep -c '^raw/csv/date=' chunk.txt
grep -c '^quality/date=' chunk.txt
# the refused day: off main, on its branch, logged, and diffable
! grep -q '^raw/csv/date=2021-06-15\|^quality/date=2021-06-15' chunk.txt || die "the refused day reached main"
grep -c '"task": "gate", "state": "Failed".*Validation failed' chunk.err
branch=$(PM25_HOME=$PWD/chunk pm25 data branches | grep '^etl-')
echo "$branch" | sed 's/[0-9]\{8\}T[0-9]\{6\}Z-[0-9a-f]\{4\}/RUN/'
PM25_HOME=$PWD/chunk pm25 data diff main "$branch" | grep -c 'date=2021-06-1[45]'
# the days after it were published too, in commits of up to 31 days
PM25_HOME=$PWD/chunk pm25 data log | grep -c 'backfill .*: 2021-0[6-9].* to '
PM25_HOME=$PWD/chunk pm25 data log | grep -c 'backfill '
[ "$(git --git-dir=day/data.git rev-parse main:clean)" = "$(git --git-dir=chunk/data.git rev-parse main:clean)" ] ||
	die "clean trees differ"

# killed -9 at a point of a chunk (7 days each), then run again
for point in publish merge; do
	h=$PWD/kill-$point
	new_home "$h"
	PM25_PAUSE_AT=$point PM25_PAUSE_FILE=$PWD/p-$point PM25_HOME=$h \
		pm25 backfill --input in --contract "$contract" --commit-days 7 -q > /dev/null 2>&1 &
	pid=$!
	[ "$(paused "p-$point")" = $pid ] || die "another process paused"
	kill -9 $pid
	wait $pid 2> /dev/null
	git --git-dir="$h/data.git" log --format=%s main | sed 's/[0-9]\{8\}T[0-9]\{6\}Z-[0-9a-f]\{4\}/RUN/'
	git --git-dir="$h/data.git" fsck --no-progress 2>&1 | grep -v '^Checking\|dangling' || true
	backfill "$h" --commit-days 7 > /dev/null 2>&1
	echo "$point: rerun exit $?"
	dump "$h" > "kill-$point.txt"
	cmp day.txt "kill-$point.txt" || die "killed at $point, then rerun: main differs"
done
# killed after some chunks: the first half done, then killed at a merge
h=$PWD/kill-later
new_home "$h"
backfill "$h" --to 2021-05-31 > /dev/null 2>&1 || die "first half"
PM25_PAUSE_AT=merge PM25_PAUSE_FILE=$PWD/p-later PM25_HOME=$h \
	pm25 backfill --input in --contract "$contract" -q > /dev/null 2>&1 &
pid=$!
[ "$(paused p-later)" = $pid ] || die "another process paused"
kill -9 $pid
wait $pid 2> /dev/null
git --git-dir="$h/data.git" log --format=%s main | grep -c '^backfill '
backfill "$h" --json > later.json 2> /dev/null
echo "later: rerun exit $?"
python3 -c '
import json
r = json.load(open("later.json"))
print(r["skipped"], r["published"], r["failed"])'
dump "$h" > kill-later.txt
cmp day.txt kill-later.txt || die "killed after some chunks, then rerun: main differs"
# no row twice in any day file
for f in $(git --git-dir="$h/data.git" ls-tree -r --name-only main clean/hourly/); do
	git --git-dir="$h/data.git" show "main:$f" | cut -d, -f1,2 | sort | uniq -d
done | wc -l
