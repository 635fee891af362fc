# An HTML error page where JSON was expected, for every JSON source.
. "$SRC/tests/cli/lib.sh"
cp "$FIX/bad/error-page.html" .
for s in air4thai air4thai-history waqi openaq; do
	pm25 ingest --source $s --file error-page.html -o out.csv
	echo "exit $?"
done
assert_no_file out.csv
