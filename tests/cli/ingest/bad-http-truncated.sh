# The server promises 1000 bytes and hangs up after 20.
. "$SRC/tests/cli/lib.sh"
start_server "$DATA"
pm25 ingest --source air4thai --url "$BASE/truncated" -o out.csv 2>&1 | sed "s/$PORT/PORT/"
echo "exit ${PIPESTATUS[0]}"
assert_no_file out.csv
