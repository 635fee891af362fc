# OpenAQ v3 latest: -9999 and 9999 are no data, 0.0 is a value, "local"
# given with Z is ignored (utc is used); meta.found is a number.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source openaq --file "$DATA/openaq/v3_parameters_2_latest_EXCERPT.json" -o out.csv --json 2> /dev/null |
	sed 's/"origin": "[^"]*"/"origin": ORIGIN/'
grep -E '^openaq-(2868409|2623414|2953982|2608457),' out.csv
