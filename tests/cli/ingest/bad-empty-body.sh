# An empty body, from a file and from a server.
. "$SRC/tests/cli/lib.sh"
cp "$FIX/bad/empty.json" .
pm25 ingest --source air4thai-history --file empty.json -o out.csv
echo "exit $?"
start_server "$DATA"
pm25 ingest --source waqi --url "$BASE/empty" -o out.csv 2>&1 | sed "s/$PORT/PORT/"
echo "exit ${PIPESTATUS[0]}"
assert_no_file out.csv
