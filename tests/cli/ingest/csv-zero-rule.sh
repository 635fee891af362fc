# The met-zero rule is configurable: by default WS/TEMP/RH = 0 is missing.
. "$SRC/tests/cli/lib.sh"
printf 'DATETIMEDATA,PM25,WS,TEMP,RH,WD,stationID\n2024-02-01 01:00:00,0,0,0,0,0,x\n' > in.csv
pm25 ingest --source csv --file in.csv -o a.csv > /dev/null
pm25 ingest --source csv --file in.csv --zero-missing none -o b.csv > /dev/null
pm25 ingest --source csv --file in.csv --zero-missing ws -o c.csv > /dev/null
tail -n 1 a.csv; tail -n 1 b.csv; tail -n 1 c.csv
pm25 ingest --source csv --file in.csv --zero-missing wind -o d.csv 2>&1
echo "exit $?"
