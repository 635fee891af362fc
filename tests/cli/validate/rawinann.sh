# The real export passes the default contract; warnings are reported.
. "$SRC/tests/cli/lib.sh"
pm25 validate "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" --now 2024-02-28T00:00:00Z
