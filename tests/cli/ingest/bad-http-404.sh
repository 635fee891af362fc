# A 4xx is not retried: one try, exit 1.
. "$SRC/tests/cli/lib.sh"
start_server "$DATA"
pm25 ingest --source air4thai --url "$BASE/status/404" -o out.csv 2>&1 | sed "s/$PORT/PORT/"
echo "exit ${PIPESTATUS[0]}"
curl -s "$BASE/hits"
