# A CSV whose header pm25 cannot map: a clear error naming the file, the
# line and the header.
. "$SRC/tests/cli/lib.sh"
printf 'site,reading,when\na,1,x\n' > odd.csv
pm25 ingest --source csv --file odd.csv -o out.csv
