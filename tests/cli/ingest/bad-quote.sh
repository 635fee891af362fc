# An unterminated quoted field names the file and line.
. "$SRC/tests/cli/lib.sh"
cp "$FIX/bad/bad-quote.csv" .
pm25 ingest --source csv --file bad-quote.csv -o out.csv
