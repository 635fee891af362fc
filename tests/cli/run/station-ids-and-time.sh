# Station ids and times the default contract refuses, and CSV that stays
# CSV. An id holding a comma, a quote, a newline or a terminal escape,
# and rows dated 1970 or 9999, are rejected and counted by their own
# rules (station_id, time_utc_range). With a contract whose pattern lets
# such ids through, the day file on main is valid RFC 4180: Python's csv
# module reads back exactly the rows that went in, a rerun changes
# nothing, and the EDA report sees every station.
. "$SRC/tests/cli/lib.sh"
printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,20,02t\n2024-03-01 02:00:00,21,"a,b"\n2024-03-01 03:00:00,22,"q""x"\n2024-03-01 04:00:00,25,"x\ny"\n2024-03-01 05:00:00,26,\033[31mred\n1970-01-02 03:00:00,23,02t\n9999-01-01 03:00:00,24,02t\n2024-03-01 06:00:00,27,\n' > bad.csv
pm25 validate bad.csv | grep -E "rejected|station_id|time_utc_range|score"
echo "exit ${PIPESTATUS[0]}"
pm25 validate --json bad.csv | python3 -c '
import json, sys
r = json.load(sys.stdin)["validation"]["rejected_by_rule"]
print("station_id", r["station_id"], "time_utc_range", r["time_utc_range"])'
# a contract that lets them through
sed 's/pattern: "[^"]*"/pattern: "."/' "$SRC/contracts/pm25.yaml" > any-id.yaml
printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,20,02t\n2024-03-01 02:00:00,21,"a,b"\n2024-03-01 03:00:00,22,"q""x"\n2024-03-01 04:00:00,25,"x\ny"\n' > odd.csv
pm25 init > /dev/null
pm25 run -q --param source=csv --param file=odd.csv --param contract="$PWD/any-id.yaml" | sed -n 1p | cut -d: -f2
pm25 data cat main clean/hourly/date=2024-02-29.csv > day.csv
python3 - day.csv odd.csv <<'PY'
import csv, sys
got = [(r["station_id"], r["pm25"]) for r in csv.DictReader(open(sys.argv[1], newline=""))]
want = [(r["stationID"], r["PM25"]) for r in csv.DictReader(open(sys.argv[2], newline=""))]
print(len(got), "rows read back;", "the same rows" if sorted(got) == sorted(want) else "DIFFERENT: %r" % got)
PY
before=$(pm25 data log -n 1 | cut -d' ' -f1)
pm25 run -q --param source=csv --param file=odd.csv --param contract="$PWD/any-id.yaml" > /dev/null
[ "$(pm25 data log -n 1 | cut -d' ' -f1)" = "$before" ] && echo "a rerun changes nothing"
pm25 eda -o r.html > /dev/null
python3 - r.html <<'PY'
import re, sys
s = open(sys.argv[1]).read()
rows = re.findall(r"<tr><td>([^<]*)</td><td></td><td>1</td>", s, re.S)
print("eda stations:", sorted(rows))
PY
# without time bounds, rows 8,000 years apart make a grid of two rows
# and two day files: the work follows the rows, not the time between
grep -v -e earliest "$SRC/contracts/pm25.yaml" | sed 's/rule: timestamp,/rule: timestamp}/' > no-bounds.yaml
printf 'DATETIMEDATA,PM25,stationID\n1970-01-02 03:00:00,23,02t\n9999-01-01 03:00:00,24,02t\n' > far.csv
pm25 clean --contract no-bounds.yaml far.csv --out-dir days --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("far apart:", d["accepted_rows"], "accepted,", d["grid"]["grid_rows"], "grid rows,", d["output"]["files"], "files")'
