# A response larger than --max-body is refused, from a server and from a
# file; nothing is written.
. "$SRC/tests/cli/lib.sh"
start_server "$DATA"
pm25 ingest --source air4thai --url "$BASE/file/air4thai/getNewAQI_JSON_first2stations_2025-05-10.json" \
	--max-body 1000 -o out.csv 2>&1 | sed "s/$PORT/PORT/"
echo "exit ${PIPESTATUS[0]}"
pm25 ingest --source air4thai --file "$DATA/air4thai/getNewAQI_JSON_first2stations_2025-05-10.json" \
	--max-body 1000 -o out.csv 2>&1 | sed "s,$SRC,SRC,"
echo "exit ${PIPESTATUS[0]}"
assert_no_file out.csv
