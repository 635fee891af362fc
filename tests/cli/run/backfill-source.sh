# backfill --source: one fetch per local day (here a replayed recording,
# filtered to that day), each day its own WAP cycle with its own raw file.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
pm25 backfill --source air4thai-history --station 03t,05t --from 2019-01-01 --to 2019-01-03 \
	--file "$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json" --json -q > r.json || die "backfill"
python3 -c '
import json
r = json.load(open("r.json"))
print(r["batches"], r["published"], r["input_rows"])'
pm25 data ls main raw/ | sed 's,/[0-9]\{6\}-.*,,'
pm25 backfill --source air4thai-history --from 2019-01-01 --to 2019-01-04 \
	--file "$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json" --json -q |
	python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["skipped"], r["published"])'
