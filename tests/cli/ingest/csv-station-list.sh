# A station list (ds525 cleaned_station.csv): no time column, location is
# one quoted "lat,long" field, names keep inner double spaces and lose
# outer ones. GROUND 96, BKK 70, MOBILE 16.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source csv --file "$DATA/air4thai/ds525_JarnJung_cleaned_station.csv" \
	-o out.csv --stations-out st.csv | sed "s,$SRC,SRC,"
tail -n +2 st.csv | wc -l
awk -F, 'NR > 1 { print $(NF-2) }' st.csv | sort | uniq -c
grep '^02t,' st.csv
python3 -c '
import csv, sys
rows = list(csv.reader(open("st.csv")))[1:]
print("names with outer spaces:", sum(1 for r in rows for f in r[1:6] if f != f.strip()))
print("names with double spaces:", sum(1 for r in rows if "  " in r[2]))'
