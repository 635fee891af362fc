# AirBKK long layout (Parameter, Value) with a UTF-8 BOM: empty Value is
# missing, absent hours are simply not there, the station name is Thai.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source csv --file "$DATA/airbkk/station_139_long.csv" -o out.csv --stations-out st.csv --json |
	sed 's/"origin": "[^"]*"/"origin": ORIGIN/'
awk -F, 'NR > 1 && $3 == "" { e++ } END { print "empty", e }' out.csv
cat st.csv
