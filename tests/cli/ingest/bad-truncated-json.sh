# A truncated body (the first 700 bytes of a real feed response).
. "$SRC/tests/cli/lib.sh"
cp "$FIX/bad/truncated.json" .
pm25 ingest --source air4thai --file truncated.json -o out.csv
st=$?
assert_no_file out.csv
exit $st
