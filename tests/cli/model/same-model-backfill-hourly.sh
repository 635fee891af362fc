# The model trained from the store has the same coefficients, to the
# last bit, whether 11 days of history came by one backfill or by 264
# hourly runs of ingest-clean, one hour each; the day files are the
# same bytes.
. "$SRC/tests/cli/lib.sh"
mkdir in hours
head -n 265 "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" > in/days.csv
tail -n +2 in/days.csv | split -l 1 -d -a 3 - hours/h
# by backfill
export PM25_HOME=$PWD/by-backfill
pm25 init > /dev/null
pm25 backfill --input in -q > /dev/null || die "backfill"
pm25 model train --json > /dev/null 2>&1 || die "train after backfill"
# by the hour
export PM25_HOME=$PWD/by-hour
pm25 init > /dev/null
for h in hours/h*; do
	{ head -n 1 in/days.csv; cat "$h"; } > hour.csv
	pm25 run -q --param source=csv --param file=hour.csv > /dev/null || die "hourly run $h"
done
pm25 model train --json > /dev/null 2>&1 || die "train after hourly runs"
ls hours | wc -l
[ "$(git --git-dir=by-backfill/data.git rev-parse main:clean)" = "$(git --git-dir=by-hour/data.git rev-parse main:clean)" ] ||
	die "the day files differ"
python3 -c '
import json, subprocess
def model(home):
    out = subprocess.run(["git", "--git-dir=%s/model.git" % home, "show",
                          "main:models/champion.json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)
a, b = model("by-backfill"), model("by-hour")
assert a["coefficients"] == b["coefficients"], (a["coefficients"], b["coefficients"])
assert a["intercept"] == b["intercept"]
print(len(a["coefficients"]), "coefficients, the same")'
