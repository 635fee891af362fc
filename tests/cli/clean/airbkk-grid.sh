# AirBKK has absent hours (gaps up to weeks): the grid adds them, short
# gaps are interpolated and flagged, long ones stay empty.
. "$SRC/tests/cli/lib.sh"
pm25 clean "$DATA/airbkk/station_141_long.csv" -o out.csv --json > s.json
python3 -c '
import json; s = json.load(open("s.json"))
print(s["input_rows"], s["grid"], s["output_rows"])'
