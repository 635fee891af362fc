# The EDA report as a reader sees it: Debian's headless chromium opens it
# offline (playwright-core from npm drives it) and tests/browser/
# eda-report.mjs checks that every chart is drawn with ink, the AQI chart
# paints the official colours, nothing loads or runs, and a station name
# full of markup reads as text. The screenshot is left in the case's
# scratch directory.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
pm25 backfill --input "$DATA/history" -q > /dev/null || die "backfill"
printf 'DATETIMEDATA,PM25,stationID,nameEN\n' > b.csv
grep ',02t' "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" | tail -n 100 | cut -d, -f1,2 |
	sed 's/$/,x9t,<script>alert(1)<\/script> \& co/' >> b.csv
pm25 run -q --param source=csv --param file=b.csv > /dev/null || die "run"
pm25 eda -o report.html > /dev/null || die "eda"
node "$SRC/tests/browser/eda-report.mjs" report.html report.png '<script>alert(1)</script> & co'
