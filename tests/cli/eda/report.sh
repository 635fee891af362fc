# The EDA report is one self-contained page: inline SVG, no scripts, no
# external assets, every section present; the eda flow commits it.
# A station named <script>... is shown escaped.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
src="$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv"
mkdir in
head -n 1 "$src" > in/a.csv
grep ',02t' "$src" | head -n 200 >> in/a.csv
pm25 backfill --input in -q > /dev/null || die "backfill"
# a second station whose name carries markup
printf 'DATETIMEDATA,PM25,stationID,nameEN\n' > b.csv
grep ',02t' "$src" | head -n 100 | cut -d, -f1,2 | sed 's/$/,x9t,<script>alert(1)<\/script> \& co/' >> b.csv
pm25 run -q --param source=csv --param file=b.csv > /dev/null || die "run"
pm25 eda -o report.html > /dev/null || die "eda"
grep -c '<svg' report.html
grep -ci '<script\|src=\|href=\|@import\|url(' report.html || true
grep -c '&lt;script&gt;alert(1)&lt;/script&gt; &amp; co' report.html
for h in Stations 'Missing data' Profiles 'Monthly trend' Distribution 'Thai AQI' Correlations; do
	grep -q "<h2>$h</h2>" report.html || die "no section $h"
done
pm25 run eda --json | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["published"])'
pm25 data ls main reports/ | sed 's/[0-9-]*.html/DATE.html/'
