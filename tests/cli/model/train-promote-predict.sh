# train-model: the first model becomes champion; a challenger that does
# not beat it on the same test hours stays on its branch and the log says
# why; promote makes it champion by hand; predict forecasts each hour
# with its Thai AQI category; the artefact carries features,
# coefficients, window, data commit, metrics and version.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
pm25 backfill --input "$DATA/history" -q > /dev/null || die "backfill"
pm25 model train --json 2> log1.txt | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["promoted"], r["reason"], round(r["metrics"]["rmse"], 4), round(r["persistence"]["rmse"], 4))'
grep -c '"promoted": true' log1.txt
pm25 model train --json 2> log2.txt | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["promoted"], r["branch"].startswith("train-"), r["reason"])'
pm25 model ls | sed 's/train-[0-9TZ]*-[0-9a-f]*/train-RUN/; s/pm25_[0-9-]*/pm25_DATE/'
data=$(git --git-dir="$PM25_HOME/data.git" rev-parse main)
git --git-dir="$PM25_HOME/model.git" show main:models/champion.json | python3 -c '
import json, sys
a = json.load(sys.stdin)
print(sorted(a), len(a["features"]), len(a["coefficients"]))
print(a["data_commit"] == sys.argv[1], a["training_window"]["from_utc"], a["training_window"]["test_start_utc"])' "$data"
pm25 model predict --station 05t --hours 24 --json | python3 -c '
import json, sys
f = json.load(sys.stdin)
print(len(f), f[0]["time_utc"], all(x["category"] and x["colour"].startswith("#") and x["aqi"] > 0 for x in f))'
pm25 model predict --station nope 2>&1; echo "exit $?"
pm25 model promote "$(pm25 model ls | sed -n 's/^challenger //p')" | sed 's/train-[0-9TZ]*-[0-9a-f]*/train-RUN/; s/pm25_[0-9-]*/pm25_DATE/'
pm25 model evaluate --json | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["test_rows"], round(r["champion"]["rmse"], 4))'
# the train-model flow runs the same training
pm25 run train-model --json 2> /dev/null | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["promoted"])'
# ridge through the flow's parameters; a bad alpha is a usage error
pm25 run train-model --param alpha=50 --json 2> /dev/null | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["estimator"], r["alpha"])'
git --git-dir="$PM25_HOME/model.git" log --all --format=%H | while read -r c; do
	git --git-dir="$PM25_HOME/model.git" ls-tree -r --name-only "$c" | grep linreg | while read -r f; do
		git --git-dir="$PM25_HOME/model.git" show "$c:$f"
	done
done | grep -c '"estimator": "ridge"' | sed 's/^[1-9][0-9]*$/ridge artefact stored/'
pm25 model train --alpha -1 2>&1; echo "exit $?"
pm25 run train-model --param alhpa=1 2>&1; echo "exit $?"
# weather features: the artefact lists them, the champion comparison runs
# on the rows both models can score, and predict holds the last weather
pm25 model train --weather --json > weather.json 2> /dev/null || die "train --weather"
python3 -c 'import json, sys; r = json.load(open("weather.json")); print(r["reason"].split(" ")[0:2], r["metrics"]["rmse"] > 0)'
b=$(python3 -c 'import json; r = json.load(open("weather.json")); print("" if r["promoted"] else r["branch"])')
[ -z "$b" ] || pm25 model promote "$b" > /dev/null || die "promote the weather model"
git --git-dir="$PM25_HOME/model.git" show main:models/champion.json | python3 -c '
import json, sys
a = json.load(sys.stdin)
print(a["features"][-3:], len(a["coefficients"]))'
pm25 model predict --station 05t --hours 3 --json | python3 -c 'import json, sys; f = json.load(sys.stdin); print(len(f), all(x["pm25"] > 0 for x in f))'
pm25 model evaluate --json | python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["test_rows"] > 0, r["champion"]["rmse"] > 0)'
