# Malformed JSON: one line naming the file, line, column and byte; exit 1;
# no output file left behind.
. "$SRC/tests/cli/lib.sh"
cp "$FIX/bad/malformed.json" .
pm25 ingest --source air4thai --file malformed.json -o out.csv
st=$?
assert_no_file out.csv
ls
exit $st
