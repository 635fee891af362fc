# Row order and float formatting do not depend on input order or runs:
# the same rows in other files and another order give the same bytes.
. "$SRC/tests/cli/lib.sh"
src="$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv"
mkdir a b
cp "$src" a/all.csv
head -n 1 "$src" > b/2.csv; tail -n +4000 "$src" >> b/2.csv
head -n 4000 "$src" > b/1.csv
pm25 clean a -o one.csv -q > /dev/null
pm25 clean b -o two.csv -q > /dev/null
cmp one.csv two.csv || die "different output for the same rows"
pm25 clean a --out-dir d1 -q > /dev/null
pm25 clean a --out-dir d2 -q > /dev/null
diff -r d1 d2 || die "two runs differ"
ls d1 | wc -l
head -n 3 d1/date=2023-11-30.csv
