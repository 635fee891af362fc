# A broken contract names the file, line and column.
. "$SRC/tests/cli/lib.sh"
printf 'name: x\ncolumns:\n  - {name: pm25, min: 0, max: [1}\n' > c.yaml
pm25 validate --contract c.yaml "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv"
echo "exit $?"
printf 'name: x\ncolumns:\n  - name: pm25\n    maximum: 5\n' > d.yaml
pm25 validate --contract d.yaml "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv"
echo "exit $?"
