# A failed ingest leaves the previous output untouched and no temporary
# file behind.
. "$SRC/tests/cli/lib.sh"
echo previous > out.csv
pm25 ingest --source air4thai --file "$FIX/bad/truncated.json" -o out.csv 2> /dev/null
echo "exit $?"
cat out.csv
ls
