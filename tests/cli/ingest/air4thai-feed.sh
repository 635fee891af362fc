# Air4Thai current feed: numbers arrive as strings, -1/-999 mean missing,
# color_id 0 means no data, nameTH has a trailing space, forecast is [].
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source air4thai \
	--file "$DATA/air4thai/getNewAQI_JSON_first2stations_2025-05-10.json" \
	-o out.csv --stations-out st.csv --json
cat out.csv st.csv
