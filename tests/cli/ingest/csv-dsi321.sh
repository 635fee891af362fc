# Flattened getNewAQI snapshots: quoted fields with commas, Thai names
# with stray spaces, 251 keys repeated with different AQI (ingest keeps
# them; clean decides), color_id 0 means the AQI is no data.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source csv --file "$DATA/air4thai/dsi321_panggpb_getNewAQI_flattened_2025-05-15_2025-05-18.csv" \
	-o out.csv --stations-out st.csv --json | sed 's/"origin": "[^"]*"/"origin": ORIGIN/'
cut -d, -f1,2 out.csv | sort | uniq -d | wc -l
grep -c '^' st.csv
grep '^05t\|^10t' st.csv | wc -l
grep 'National Housing  Huaykwang' st.csv | cut -d, -f1,3
