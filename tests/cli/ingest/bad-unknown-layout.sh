# A CSV whose header pm25 cannot map (the station list): a clear error
# naming the file, the line and the header.
. "$SRC/tests/cli/lib.sh"
cp "$DATA/air4thai/ds525_JarnJung_cleaned_station.csv" stations.csv
pm25 ingest --source csv --file stations.csv -o out.csv
