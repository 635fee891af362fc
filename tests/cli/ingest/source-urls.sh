# Each source's endpoint is a setting (PM25_AIR4THAI_URL, ...) whose
# default is the real API, so that a stand-in or a proxy goes in front
# by configuration alone: here the test server, on 127.0.0.1, stands in
# for the feed and the history, from the environment and from pm25.yaml.
. "$SRC/tests/cli/lib.sh"
mkdir srv
cp "$DATA/air4thai/getNewAQI_JSON_first2stations_2025-05-10.json" srv/feed.json
cp "$FIX/history_forweb_02t_2023-12-03.json" srv/hist.json
start_server srv
pm25 config get air4thai_url
pm25 config get air4thai_history_url
pm25 config get waqi_url
pm25 config get openaq_url
echo "-- the feed, from the environment"
PM25_AIR4THAI_URL=$BASE/file/feed.json pm25 ingest --source air4thai -o a.csv > /dev/null ||
	die "ingest from the stand-in feed"
pm25 ingest --source air4thai --file srv/feed.json -o b.csv > /dev/null || die "ingest the file"
cmp a.csv b.csv || die "the stand-in's rows differ from the file's"
echo "$(($(wc -l < a.csv) - 1)) rows"
grep -c 'GET /file/feed.json ' server.log
echo "-- the history, from pm25.yaml"
pm25 init > /dev/null
printf 'air4thai_history_url: %s/file/hist.json\n' "$BASE" >> "$PM25_HOME/pm25.yaml"
pm25 config ls | awk '$1 == "air4thai_history_url" {print $1, $3}'
pm25 ingest --source air4thai-history --station 02t --from 2023-12-03 \
	--to 2023-12-03 -o h.csv > /dev/null || die "ingest from the stand-in history"
pm25 ingest --source air4thai-history --station 02t --from 2023-12-03 \
	--to 2023-12-03 --file srv/hist.json -o i.csv > /dev/null || die "ingest the file"
cmp h.csv i.csv || die "the stand-in's history differs from the file's"
echo "$(($(wc -l < h.csv) - 1)) rows"
sed -n 's/.*GET \/file\/hist.json?\([^ ]*\) .*/\1/p' server.log
echo "-- a stand-in that is down is named"
PM25_AIR4THAI_URL=http://127.0.0.1:1/feed.json pm25 ingest --source air4thai -o c.csv 2> e1
echo "exit $?"
assert_contains e1 "127.0.0.1:1"
echo "-- not a URL"
PM25_AIR4THAI_URL=ftp://example/feed pm25 ingest --source air4thai -o d.csv 2> e2
echo "exit $?"
cat e2
