# The Air4Thai web report: No,date,time,... where time is an interval;
# "00:00 - 01:00" is labelled 01:00 local. Units in headers are dropped,
# "-" is missing, the trailing summary row is skipped.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source csv --file "$FIX/web_report_05t.csv" --station 05t -o out.csv | sed "s,$SRC,SRC,"
sed -n '1,3p;$p' out.csv
