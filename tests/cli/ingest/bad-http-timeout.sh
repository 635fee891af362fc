# A server that does not answer in time: each try times out, exit 4.
. "$SRC/tests/cli/lib.sh"
start_server "$DATA"
pm25 ingest --source air4thai --url "$BASE/slow/3000/air4thai/getNewAQI_JSON_record_54t_2024-05-07.json" \
	--timeout 1 --retries 2 -o out.csv 2>&1 | sed "s/$PORT/PORT/; s/after [0-9.]* s/after N s/"
echo "exit ${PIPESTATUS[0]}"
assert_no_file out.csv
