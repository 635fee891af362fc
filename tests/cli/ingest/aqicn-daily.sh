# aqicn.org daily download: a space after every comma, empty fields are a
# space, dates YYYY/M/D, months out of order, values are AQI.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source csv --station bangkok \
	--file "$DATA/waqi/aqicn_bangkok-air-quality_daily_EXCERPT.csv" -o out.csv | sed "s,$SRC,SRC,"
sed -n '2p;$p' out.csv
