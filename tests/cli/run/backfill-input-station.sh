# backfill --input of a CSV that has no station column takes the one
# --station names (the request's stations are set before any fetch).
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
printf 'DATETIMEDATA,PM25\n2024-03-01 01:00:00,20\n2024-03-01 02:00:00,21\n' > a.csv
pm25 backfill --input a.csv --station 02t --json -q > r.json || die "backfill"
python3 -c 'import json; r = json.load(open("r.json")); print(r["input_rows"], r["published"])'
pm25 data cat main clean/hourly/date=2024-02-29.csv | cut -d, -f1,2,3
