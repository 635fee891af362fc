# AirBKK has absent hours (gaps up to weeks): the grid adds them, short
# gaps are interpolated and flagged, longer ones stay empty, and a hole
# of more than a day (the contract's grid.max_hole) is left out, so the
# grid grows with the rows, not with the time between them. Without the
# limit (max_hole removed) every hour from first to last is there.
. "$SRC/tests/cli/lib.sh"
pm25 clean "$DATA/airbkk/station_141_long.csv" -o out.csv --json > s.json
python3 -c '
import json; s = json.load(open("s.json"))
print(s["input_rows"], s["grid"], s["output_rows"])'
grep -v max_hole "$SRC/contracts/pm25.yaml" > full-grid.yaml
pm25 clean --contract full-grid.yaml "$DATA/airbkk/station_141_long.csv" -o out2.csv --json > s2.json
python3 -c '
import json; s = json.load(open("s2.json"))
print(s["input_rows"], s["grid"], s["output_rows"])'
