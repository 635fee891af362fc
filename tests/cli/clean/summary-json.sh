# The --json summary reports input_rows, duplicates_dropped,
# rejected_rows, interpolated_cells and output_rows.
. "$SRC/tests/cli/lib.sh"
cat > in.csv <<'CSV'
DATETIMEDATA,PM25,PM10,O3,CO,NO2,SO2,WS,TEMP,RH,WD,stationID
2024-01-01 01:00:00,10,,,,,,1,30,60,90,02t
2024-01-01 01:00:00,10,,,,,,1,30,60,90,02t
2024-01-01 02:00:00,1500,,,,,,1,30,60,90,02t
2024-01-01 04:00:00,16,,,,,,1,30,60,90,02t
2024-01-01 04:00:00,17,,,,,,1,30,60,90,02t
CSV
pm25 clean in.csv -o out.csv --json --now 2024-01-02T00:00:00Z > s.json
echo "exit $?"
python3 -c '
import json; s = json.load(open("s.json"))
for k in ["input_rows", "duplicates_dropped", "rejected_rows", "interpolated_cells", "output_rows", "passed"]:
    print(k, s[k])
print([(r["name"], r["failed"], [x["line"] for x in r["samples"]]) for r in s["rules"] if r["failed"]])'
cat out.csv
