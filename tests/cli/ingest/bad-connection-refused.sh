# Nothing listens on the port: exit 4 at once (no retry).
. "$SRC/tests/cli/lib.sh"
start_server "$DATA"
kill $SERVER_PID; wait $SERVER_PID 2>/dev/null
pm25 ingest --source air4thai --url "$BASE/file/x.json" -o out.csv 2>&1 | sed "s/$PORT/PORT/"
echo "exit ${PIPESTATUS[0]}"
