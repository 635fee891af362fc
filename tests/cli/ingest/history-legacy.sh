# Legacy webV2 history: missing is the string "-", numbers mix int and
# float, params order differs per station, labels begin the hour (moved
# one hour later). 816 rows per station; per-parameter missing counts as
# documented: 03t NO2 40, CO 40, O3 48, PM25 14; 05t NO2 41, O3 61, CO 40.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source air4thai-history \
	--file "$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json" \
	-o out.csv > /dev/null || die "ingest failed"
awk -F, 'NR > 1 { n[$1]++; for (i = 3; i <= 7; i++) if ($i == "") m[$1 "," i]++ }
	END { for (s in n) printf "%s rows %d pm25 %d o3 %d co %d no2 %d\n", s, n[s],
		m[s ",3"], m[s ",5"], m[s ",6"], m[s ",7"] }' out.csv | sort
sed -n '2,3p' out.csv
tail -n 1 out.csv
