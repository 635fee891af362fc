# WAQI: iaqi values are US AQI sub-indices, kept as AQI (aqi_* columns,
# flag 8); t, h, w are plain units; time.v is local clock as an epoch.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source waqi --file "$DATA/waqi/feed_bangkok_2025-02-11T22_drpafowler.json" -o out.csv > /dev/null
cat out.csv
