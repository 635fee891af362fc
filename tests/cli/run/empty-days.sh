# Days without data are "no data", not bad data. A backfill over a range
# where most days are empty publishes the days that have rows, counts
# the others, fails no gate and leaves no branch; over 25 years with a
# month of data it reads the recording once. The summary's score is the
# whole run's. Stations with nothing new for longer than the contract's
# freshness limit (2 days), or nothing at all, are named and alerted,
# once per episode.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
f="$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json"
pm25 backfill -q --source air4thai-history --file "$f" --from 2019-01-30 --to 2019-02-10 > out.txt
echo "exit $?"
sed -n 2p out.txt
echo "branches: $(pm25 data branches | tr '\n' ' ')"
pm25 backfill -q --json --source air4thai-history --file "$f" --from 1995-01-01 --to 2019-12-31 | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("25 years:", r["published"], "published,", r["skipped"], "skipped,", r["no_data"], "with no data, passed", r["passed"])'
pm25 backfill -q --json --force --source air4thai-history --url "file://$f" --from 1995-01-01 --to 2019-12-31 | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("the same as a URL, again:", r["published"], "published,", r["unchanged"], "unchanged,", r["no_data"], "with no data")'
echo "-- the score of the run, not of its last day:"
printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,20,02t\n2024-03-01 02:00:00,5000,02t\n2024-03-02 01:00:00,21,02t\n2024-03-02 02:00:00,22,02t\n' > two-days.csv
pm25 backfill -q --input two-days.csv 2> /dev/null | sed -n 1p | cut -d: -f2
echo "-- stale stations:"
pm25 run -q --param source=air4thai-history --param file="$f" --param station=03t,05t,99t | grep stale
pm25 alert ls --json | python3 -c '
import json, sys
a = [x for x in json.load(sys.stdin) if x["kind"] == "stale"]
print(len(a), "stale alerts:", sorted(x["text"].split(" (")[0] for x in a))'
pm25 run -q --param source=air4thai-history --param file="$f" --param station=03t,05t,99t > /dev/null
pm25 alert ls --json | python3 -c '
import json, sys
print("after a second run:", len([x for x in json.load(sys.stdin) if x["kind"] == "stale"]), "stale alerts")'
