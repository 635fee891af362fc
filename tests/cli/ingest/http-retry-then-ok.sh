# 503 twice, then the data: the third try succeeds. The User-Agent is
# pm25's own.
. "$SRC/tests/cli/lib.sh"
start_server "$DATA"
pm25 ingest --source air4thai --url "$BASE/flaky/2/air4thai/getNewAQI_JSON_record_54t_2024-05-07.json" -o out.csv --json |
	sed "s/$PORT/PORT/"
tail -n 1 out.csv
grep -c 'GET /flaky' server.log
grep -c '(pm25/0.1.0)' server.log
