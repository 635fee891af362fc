# Below the gate: exit 3 and "Validation failed" with the score.
. "$SRC/tests/cli/lib.sh"
cat > in.csv <<'CSV'
DATETIMEDATA,PM25,stationID
2024-01-01 01:00:00,10,02t
2024-01-01 02:00:00,-5,02t
2024-01-01 03:00:00,2000,02t
CSV
pm25 validate in.csv > /dev/null
