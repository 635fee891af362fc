# A file without a station column needs --station.
. "$SRC/tests/cli/lib.sh"
printf ',DATETIMEDATA,PM25,TEMP\n0,2024-02-01 00:00:00,20.5,28\n1,2024-02-01 01:00:00,,0\n' > in.csv
pm25 ingest --source csv --file in.csv -o out.csv 2> err.txt
assert_eq "exit without --station" 2 $?
assert_contains err.txt "no station column"
assert_no_file out.csv
pm25 ingest --source csv --file in.csv --station 44t -o out.csv
cat out.csv
