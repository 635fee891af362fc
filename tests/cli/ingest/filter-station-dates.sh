# --station and --from/--to keep only those stations and local dates.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source csv --file "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" \
	--station 05t --station 08t --from 2024-01-01 --to 2024-01-02 -o out.csv | sed "s,$SRC,SRC,"
cut -d, -f1 out.csv | sort | uniq -c
sed -n '2p;$p' out.csv
