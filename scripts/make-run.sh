#!/bin/sh
# `make run`: the main job on the embedded defaults with bundled real
# data. It initialises ./pm25-home (or $PM25_HOME), backfills the Air4Thai
# history export in data/history (4 stations, 89 days) one day at a time
# through write-audit-publish, replays one recorded hourly ingest and one
# recorded feed of every station (their names and places), runs
# the EDA report and the model's training, applies deployments.yaml,
# and prints where things are and how to look (make serve).
set -e
cd "$(dirname "$0")/.."
export PM25_HOME="${PM25_HOME:-$PWD/pm25-home}"
./pm25 init
echo
echo "== backfill data/history (one WAP cycle per local day)"
./pm25 backfill --input data/history -q
echo
echo "== one replayed ingest (tests/data/history_forweb_02t_2023-12-03.json)"
./pm25 run ingest-clean -q --param source=air4thai-history \
	--param file=tests/data/history_forweb_02t_2023-12-03.json
echo
echo "== one recorded feed of every station (data/air4thai/dsi321_..., 4 days): names and places"
feed=$(./pm25 run ingest-clean -q --param source=csv \
	--param file=data/air4thai/dsi321_panggpb_getNewAQI_flattened_2025-05-15_2025-05-18.csv)
# the recorded feed is old: every station is stale, said once here
printf '%s\n' "$feed" | grep -v '^stale station'
echo "($(printf '%s\n' "$feed" | grep -c '^stale station') stations stale: the recording is from May 2025)"
echo
echo "== the EDA report and the model"
./pm25 run eda -q
./pm25 run train-model -q
echo
echo "== the deployments of deployments.yaml"
./pm25 deployment apply deployments.yaml
echo
main=$(./pm25 data log -n 1 | cut -c1-12)
days=$(./pm25 data ls main clean/hourly/ | wc -l)
raws=$(./pm25 data ls main raw/ | wc -l)
echo "== summary"
echo "home:        $PM25_HOME"
echo "main:        $main ($days day files, $raws raw files)"
./pm25 data cat main "$(./pm25 data ls main quality/ | tail -n 1)" |
	sed -n 's/^  "input_rows": \([0-9]*\), "accepted_rows": \([0-9]*\), "score": \([0-9.]*\).*/last run:    \1 rows in, \2 accepted, score \3/p'
echo
echo "Look next:"
echo "  make serve            # pm25 server on this home: the dashboard at http://127.0.0.1:4200/"
echo "  ./pm25 data log -n 5"
echo "  ./pm25 data ls main clean/hourly/ | head"
echo "  git --git-dir=$PM25_HOME/data.git log --stat -3 main"
echo "  ./pm25 data cat main clean/hourly/date=2024-01-01.csv | head"
