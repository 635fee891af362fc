# Too little data gives a clear error, not NaN coefficients.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
mkdir in
head -n 40 "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" > in/a.csv
pm25 backfill --input in -q > /dev/null || die "backfill"
pm25 model train
