# HTTP 500 is retried with backoff, then fails with exit 4 (a dependency
# is unreachable), naming the URL; the server saw every try.
. "$SRC/tests/cli/lib.sh"
start_server "$DATA"
pm25 ingest --source air4thai --url "$BASE/status/500" --retries 3 -o out.csv 2>&1 | sed "s/$PORT/PORT/"
echo "exit ${PIPESTATUS[0]}"
curl -s "$BASE/hits"
assert_no_file out.csv
