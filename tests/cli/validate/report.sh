# validate prints a quality report: counts, score, gate, passed, and
# each rule with its severity, failures and sample lines.
. "$SRC/tests/cli/lib.sh"
cat > in.csv <<'CSV'
DATETIMEDATA,PM25,PM10,O3,CO,NO2,SO2,WS,TEMP,RH,WD,stationID
2024-01-01 01:00:00,10,,,,,,1,30,60,90,02t
2024-01-01 02:00:00,-5,,,,,,1,30,60,90,02t
2024-01-01 03:00:00,700,,,,,,1,30,60,90,02t
2024-01-01 04:00:00,12,,,,,,1,30,160,90,02t
2024-01-01 05:00,12,,,,,,1,30,60,90,02t
2024-01-01 06:00:00,12,,,,,,1,30,60,90,
2024-01-01 07:00:00,12,,,,,,1,30,60,90,02t
2024-01-01 08:00:00,12,,,,,,1,30,60,90,02t
2024-01-01 09:00:00,12,,,,,,1,30,60,90,02t
2024-01-01 10:00:00,12,,,,,,1,30,60,90,02t
CSV
pm25 validate in.csv --now 2024-01-01T12:00:00Z
echo "exit $?"
pm25 validate in.csv --json --now 2024-01-01T12:00:00Z > r.json
python3 -c '
import json; r = json.load(open("r.json"))
print(r["input_rows"], r["accepted_rows"], r["score"], r["gate"], r["passed"])
for x in r["rules"]:
    if x["failed"]: print(x["name"], x["severity"], x["failed"], [(s["file"], s["line"]) for s in x["samples"]])'
