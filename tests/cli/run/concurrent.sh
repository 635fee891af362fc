# Two runs on one home both end correctly and main is consistent: fsck
# is clean, both runs' data is there, no row twice. The first is stopped
# just before its merge while the second publishes the same day file,
# so its merge conflicts and is done again on the new main.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
mkdir a b
printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,20,02t\n2024-03-01 02:00:00,21,02t\n' > a/x.csv
printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,30,03t\n2024-03-02 02:00:00,31,03t\n' > b/y.csv
PM25_PAUSE_AT=merge PM25_PAUSE_FILE=$PWD/pa pm25 run --param source=csv --param file=a/x.csv > ra.txt 2> ea.txt &
pa=$!
paused pa > /dev/null
pm25 run -q --param source=csv --param file=b/y.csv > rb.txt 2>&1 &
pb=$!
wait $pb; eb=$?
kill -CONT $pa
wait $pa; ea=$?
echo "exits $ea $eb"
grep -c '"task": "gate", "state": "Retrying"' ea.txt
git --git-dir="$PM25_HOME/data.git" fsck --no-progress 2>&1 | grep -v '^Checking\|dangling' || true
pm25 data cat main clean/hourly/date=2024-02-29.csv | tail -n +2 | cut -d, -f1-3
pm25 data ls main raw/ | wc -l
pm25 data branches
