#!/bin/sh
# `make run`: the main job on the embedded defaults with bundled real
# data. pm25 seed (cli/cmd-seed.c, as the image's first start) initialises
# ./pm25-home (or $PM25_HOME), backfills the Air4Thai history export in
# data/history (4 stations, 89 days) one day at a time through
# write-audit-publish, ingests one recorded feed of every station (their
# names and places), runs the EDA report and the model's training and
# applies deployments.yaml. Then one recorded hourly ingest is replayed,
# and where things are and how to look (make serve) is printed.
set -e
cd "$(dirname "$0")/.."
export PM25_HOME="${PM25_HOME:-$PWD/pm25-home}"
echo "== pm25 seed: the bundled data through write-audit-publish (once per home)"
./pm25 seed --data data --deployments deployments.yaml
echo
echo "== one replayed ingest (tests/data/history_forweb_02t_2023-12-03.json)"
./pm25 run ingest-clean -q --param source=air4thai-history \
	--param file=tests/data/history_forweb_02t_2023-12-03.json
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
