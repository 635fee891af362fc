# The Rawinann history export: the file name lies (4 stations, data from
# 2023-12-01); CRLF; the last line is one space with no newline; empty
# PM25 cells 02t 20, 03t 6, 05t 4, 08t 6; met sensors write 0 for no
# sensor (03t WS, RH all 0; 05t TEMP, RH all 0), and WD 0 stays.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source csv --file "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" -o out.csv --json |
	sed 's/"origin": "[^"]*"/"origin": ORIGIN/'
awk -F, 'NR > 1 { n[$1]++; if ($3 == "") p[$1]++; if ($9 == "") ws[$1]++;
	if ($12 == "") rh[$1]++; if ($11 == "") tp[$1]++; if ($10 == "0") wd0[$1]++ }
	END { for (s in n) printf "%s rows %d pm25_empty %d ws_empty %d temp_empty %d rh_empty %d wd_zero %d\n",
		s, n[s], p[s], ws[s], tp[s], rh[s], wd0[s] }' out.csv | sort
head -n 2 out.csv | tail -n 1
