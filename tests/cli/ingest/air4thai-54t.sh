# 54t Din Daeng: PM10 "73" (an integer string), CO "1.20", O3/NO2/SO2 "-1".
# PM25.value is a 24-hour mean, so it lands in pm25_24h, never in pm25.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source air4thai \
	--file "$DATA/air4thai/getNewAQI_JSON_record_54t_2024-05-07.json" -o out.csv
cat out.csv
