# The workload contract requires the exact export header.
. "$SRC/tests/cli/lib.sh"
mkdir in
printf 'DATETIMEDATA,PM25,stationID\n2021-05-01 01:00:00,5,01t\n' > in/a.csv
pm25 clean --contract "$SRC/bench/workload-contract.yaml" --out-dir out in
