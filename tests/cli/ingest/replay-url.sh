# Every driver reads file:// URLs, so recordings replay without network.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source air4thai --url "file://$DATA/air4thai/getNewAQI_JSON_record_54t_2024-05-07.json" -o out.csv > /dev/null
tail -n 1 out.csv
pm25 ingest --source air4thai --url "file:///nonexistent/x.json" -o out2.csv 2>&1
echo "exit $?"
assert_no_file out2.csv
