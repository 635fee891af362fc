# The hourly job, one run at a time, against the Air4Thai stand-in (on
# 127.0.0.1; the real API is never called): every station of the live
# feed, the 24 hours before the run's clock, one request per station in
# parallel; the feed down falls back to stations.csv on main; stations
# that answer 500, an HTML page or too slowly do not stop the others and
# are listed in the result and the quality report; a revised value
# replaces the old one on main and the same answer again commits
# nothing; every station failing and the source down are exit 4.
. "$SRC/tests/cli/lib.sh"
start_standin --slow-s 3
t0=$(date -d '2026-11-20 10:05:00 +0700' +%s)000
set_clock "$t0"
pm25 init > /dev/null
export PM25_FETCH_TIMEOUT_S=1 PM25_FETCH_TRIES=2

echo "-- every station, 24 hours"
pm25 run ingest-clean --param lookback=24h --json > r1.json 2> e1 || die "run 1: $(tail -n 3 e1)"
python3 -c '
import json
r = json.load(open("r1.json"))
print(r["passed"], r["input_rows"], r["published"], r["unanswered"], r["stations_from"])'
echo "history requests: $(grep -c ' /forweb/getHistoryData.php [^-]' standin.log)"
echo "feed requests: $(grep -c getNewAQI_JSON standin.log)"
pm25 data cat main stations/stations.csv | sed 1d | wc -l
pm25 data ls main raw/air4thai-history/ | wc -l
# the window: hours that ended after 10:05 yesterday, up to 10:00 today (ICT)
pm25 data cat main clean/hourly/date=2026-11-19.csv | awk -F, 'NR > 1 {print $2}' | sort -u | head -n 1
pm25 data cat main clean/hourly/date=2026-11-20.csv | awk -F, 'NR > 1 {print $2}' | sort -u | tail -n 1

echo "-- the same answers again, with the defaults (24 hours): nothing new on main"
main=$(pm25 data log -n 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
pm25 run ingest-clean -q --json > r2.json || die "run 2"
python3 -c 'import json; r = json.load(open("r2.json")); print(r["published"], r["unchanged"])'
assert_eq "main after the same answers" "$main" \
	"$(pm25 data log -n 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')"

echo "-- an hour later: a revision, 5 stations failing, the feed down"
t1=$((t0 + 3600000))
set_clock "$t1"
cat > faults.json <<EOF
{"faults": [
  {"kind": "500", "station": "02t", "from_ms": $t1, "to_ms": $((t1 + 1))},
  {"kind": "500", "station": "03t", "from_ms": $t1, "to_ms": $((t1 + 1))},
  {"kind": "500", "station": "100t", "from_ms": $t1, "to_ms": $((t1 + 1))},
  {"kind": "html", "station": "08t", "from_ms": $t1, "to_ms": $((t1 + 1))},
  {"kind": "slow", "station": "101t", "from_ms": $t1, "to_ms": $((t1 + 1))},
  {"kind": "down", "station": "feed", "from_ms": $t1, "to_ms": $((t1 + 1))}],
 "revisions": [{"station": "102t", "hour": "2026-11-20 09:00:00", "pm25": 123.4, "from_ms": $t1}]}
EOF
before=$(pm25 data cat main clean/hourly/date=2026-11-20.csv | grep '^102t,2026-11-20T02:00:00Z' | cut -d, -f3)
pm25 run ingest-clean --param lookback=24h --json > r3.json 2> e3 || die "run 3: $(tail -n 3 e3)"
python3 -c '
import json, re
r = json.load(open("r3.json"))
print(r["passed"], r["published"], r["stations_from"])
for u in r["unanswered"]:
    print(re.sub(r"http://127.0.0.1:[0-9]+", "STANDIN", re.sub(r"after [0-9.]+ s", "after N s", u)))'
pm25 data ls main quality/ | tail -n 1 > q.txt
pm25 data cat main "$(cat q.txt)" | python3 -c '
import json, sys
q = json.load(sys.stdin)
print(len(q["unanswered_stations"]), [u.split(":")[0] for u in q["unanswered_stations"]])'
after=$(pm25 data cat main clean/hourly/date=2026-11-20.csv | grep '^102t,2026-11-20T02:00:00Z' | cut -d, -f3)
[ "$before" != "$after" ] || die "the revision did not replace $before"
echo "revised: $after"
pm25 data diff main~1 main | grep -A 3 '^~ clean/hourly/date=2026-11-20.csv'
echo "-- every station failing: exit 4"
t2=$((t1 + 3600000))
set_clock "$t2"
echo "{\"faults\": [{\"kind\": \"500\", \"station\": \"*\", \"from_ms\": $t2, \"to_ms\": $((t2 + 1))}]}" > faults.json
pm25 run ingest-clean --param lookback=24h --param health_check.retries=0 -q 2> e4
echo "exit $?"
sed "s/127.0.0.1:[0-9]*/STANDIN/; s/after [0-9.]* s/after N s/" e4 | tail -n 1

echo "-- the source down: the health check tries 3 times, then exit 4"
echo "{\"faults\": [{\"kind\": \"down\", \"station\": \"-\", \"from_ms\": $t2, \"to_ms\": $((t2 + 1))}]}" > faults.json
n0=$(grep -c "^$t2 /forweb/getHistoryData.php - " standin.log)
pm25 run ingest-clean --param lookback=24h --param health_check.retry_delay_s=0.1 -q 2> e5
echo "exit $?"
echo "probes: $(($(grep -c "^$t2 /forweb/getHistoryData.php - " standin.log) - n0))"
sed "s/127.0.0.1:[0-9]*/STANDIN/" e5 | tail -n 1
