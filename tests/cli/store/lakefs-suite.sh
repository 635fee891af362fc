# The store test suite against the lakefs driver. lakeFS cannot run here,
# so this runs a lakeFS-compatible test server on 127.0.0.1
# (tests/helpers/lakefs-server.py) that checks every request and its own
# every response against the lakeFS OpenAPI spec; the suite passes only
# if no exchange broke the spec.
. "$SRC/tests/cli/lib.sh"
export LAKEFS_ACCESS_KEY=AKIAPM25TEST LAKEFS_SECRET_KEY=pm25-test-secret
: > violations.log
python3 "$SRC/tests/helpers/lakefs-server.py" "$FIX/lakefs-swagger.yml" lf.port violations.log 2> lf.log &
lf=$!
trap 'kill $lf 2>/dev/null' EXIT
for _ in $(seq 1 100); do [ -s lf.port ] && break; sleep 0.05; done
[ -s lf.port ] || die "lakefs test server did not start: $(cat lf.log)"
export LAKEFS_ENDPOINT=http://127.0.0.1:$(cat lf.port)
PM25_TEST_STORE=lakefs PM25_SRC="$SRC" "$BUILD/unit-tests" $(sed -n 's/.*X(\(store_[a-z_]*\)).*/\1/p' "$SRC/tests/unit/test-list.h") |
	grep -v '^#'
echo "violations: $(wc -l < violations.log)"
cat violations.log
# and the whole flow on lakeFS: a passing run merges, a failing one is
# refused by the gate and by the pre-merge hook alike
export PM25_STORE=lakefs
pm25 init > /dev/null || die "init on lakefs"
pm25 run -q --param source=air4thai-history \
	--param file="$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json" | sed -n 2p
pm25 data ls main clean/ | wc -l
printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,2000,02t\n' > bad.csv
pm25 run -q --param source=csv --param file=bad.csv > /dev/null 2>&1
echo "exit $?"
pm25 data branches | sed 's/[0-9]\{8\}T[0-9]\{6\}Z-[0-9a-f]\{4\}/RUN/'
echo "violations: $(wc -l < violations.log)"
# a backfill on lakeFS: days in commits of three, a refused day on its
# own branch, and the same clean files as the local store's
mkdir in
head -n 241 "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" > in/a.csv
printf '2023-12-05 03:00:00,-5,,,,,,0,29,63,39,02t\n2023-12-05 04:00:00,-5,,,,,,0,29,63,39,02t\n' >> in/a.csv
pm25 backfill --input in --commit-days 3 --json > lf.json 2> lf.err
echo "backfill exit $?"
python3 -c '
import json
r = json.load(open("lf.json"))
print(r["batches"], r["published"], r["failed"])'
pm25 data log | grep -c 'backfill .*: 2023-12-'
mkdir local && PM25_STORE=local PM25_HOME=$PWD/local pm25 init > /dev/null
PM25_STORE=local PM25_HOME=$PWD/local pm25 backfill --input in -q > /dev/null 2>&1
for f in $(pm25 data ls main clean/hourly/date=2023); do
	pm25 data cat main "$f" | cmp -s - <(PM25_STORE=local PM25_HOME=$PWD/local pm25 data cat main "$f") ||
		die "$f differs from the local store's"
done
[ "$(pm25 data ls main clean/hourly/date=2023 | wc -l)" = "$(PM25_STORE=local PM25_HOME=$PWD/local pm25 data ls main clean/hourly/ | wc -l)" ] ||
	die "not the local store's day files"
pm25 data branches | grep -c 'etl-.*-20231205$'
echo "violations: $(wc -l < violations.log)"
cat violations.log
