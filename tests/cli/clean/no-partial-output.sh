# When one input is bad, nothing is written: no day file, no temporary
# directory.
. "$SRC/tests/cli/lib.sh"
mkdir in
cp "$FIX/bench/small/air4thai_01t_2021-01-01_2021-03-31.csv" in/a.csv
printf 'DATETIMEDATA,PM25,stationID\n2021-05-01 01:00:00,"oops,01t\n' > in/b.csv
mkdir out && echo old > out/date=2020-01-01.csv
pm25 clean --out-dir out in
echo "exit $?"
ls -A out
