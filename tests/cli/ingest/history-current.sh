# Current getHistoryData.php shape: missing is null; labels end the hour.
# 02t on 2023-12-03 has an outage from 17:00: PM25 null, met sensors 0.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source air4thai-history \
	--file "$FIX/history_forweb_02t_2023-12-03.json" -o out.csv --json |
	sed 's/"origin": "[^"]*"/"origin": ORIGIN/'
sed -n '1,2p;18,20p' out.csv
