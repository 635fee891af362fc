# Too little data for a fit gives a clear error, not NaN coefficients.
. "$SRC/tests/cli/lib.sh"
mkdir in
head -n 30 "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" > in/a.csv
pm25 batch in out
