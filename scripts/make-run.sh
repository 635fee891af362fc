#!/bin/sh
# `make run`: the main job on the bundled real data. Ingests each kind of
# source, validates and cleans the Air4Thai history export (4 stations,
# 89 days), and prints the summaries.
set -e
cd "$(dirname "$0")/.."
out=${PM25_RUN_DIR:-pm25-run}
rm -rf "$out"
mkdir -p "$out"
echo "== ingest (replayed recordings, no network)"
./pm25 ingest --source air4thai --file data/air4thai/getNewAQI_JSON_first2stations_2025-05-10.json \
	-o "$out/air4thai-latest.csv" --stations-out "$out/stations.csv"
./pm25 ingest --source air4thai-history --file data/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json \
	-o "$out/history-2019.csv"
./pm25 ingest --source waqi --file data/waqi/feed_bangkok_2025-02-11T22_drpafowler.json -o "$out/waqi.csv"
./pm25 ingest --source openaq --file data/openaq/v3_sensors_measurements_raw_EXCERPT.json -o "$out/openaq.csv"
./pm25 ingest --source csv --file data/history/air4thai_08t_2023-09-01_2024-02-27.csv -o "$out/history.csv"
for f in data/airbkk/*.csv; do
	./pm25 ingest --source csv --file "$f" -o "$out/airbkk-$(basename "$f")"
done
echo
echo "== validate (contracts/pm25.yaml)"
./pm25 validate --contract contracts/pm25.yaml "$out/history.csv" --now 2024-02-28T00:00:00Z
echo
echo "== clean: one file per UTC day in $out/clean/"
./pm25 clean --contract contracts/pm25.yaml --out-dir "$out/clean" "$out/history.csv" "$out"/airbkk-*.csv \
	--now 2026-03-20T00:00:00Z
echo
echo "Next: ls $out/clean | head; pm25 clean -h; pm25 validate --json ..."
