# OpenAQ v3 sensor measurements: "value": null with flags is no data, and
# meta.found is the string ">1000".
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source openaq --station sensor-x --file "$DATA/openaq/v3_sensors_measurements_raw_EXCERPT.json" -o a.csv | sed "s,$SRC,SRC,"
pm25 ingest --source openaq --file "$DATA/openaq/v3_measurements_openaq-python-unit.json" -o b.csv > /dev/null
cat a.csv b.csv
