# pm25 seed: a new home gets the bundled data (backfill, a recorded
# feed), a report, a model and the deployments, once; a second seed
# changes nothing; a seed that fails part way leaves no marker, so the
# next one does it all. This is the image's first start (server --seed).
. "$SRC/tests/cli/lib.sh"
mkdir -p d/air4thai
cp -r "$DATA/history" d/
cp "$DATA"/air4thai/*_flattened_*.csv d/air4thai/
pm25 seed --data d --deployments "$SRC/deployments.yaml" > out || die "seed"
sed -e 's/run [0-9A-Za-z-]*:/run ID:/' -e 's/data [0-9a-f]*)/data C)/' \
	-e 's/data [0-9a-f]*:/data C:/' -e "s|$PM25_HOME|HOME|g" \
	-e 's/_[0-9-]*\.json/_DATE.json/' out
[ -f "$PM25_HOME/seeded" ] || die "no marker"
pm25 flow-run ls --json | python3 -c '
import json, sys
runs = json.load(sys.stdin)
print(sorted((r["flow"], r["state"]) for r in runs))'
pm25 model ls | wc -l | sed 's/^/model lines: /'
pm25 deployment ls --json | python3 -c '
import json, sys
print(len(json.load(sys.stdin)), "deployments")'
main=$(pm25 data log -n 1)
pm25 seed --data d --deployments "$SRC/deployments.yaml" | sed "s|$PM25_HOME|HOME|g"
assert_eq "main after a second seed" "$main" "$(pm25 data log -n 1)"

# no marker yet: a bad deployments file fails the last step, exit 1
rm -rf "$PM25_HOME" && mkdir bad
echo 'deployments: [{name: x}]' > bad.yaml
pm25 seed --data d --deployments bad.yaml > out2 2> err2
echo "bad deployments: exit $?"
[ ! -f "$PM25_HOME/seeded" ] || die "marker after a failed seed"
grep -c '^seed: ' out2 | sed 's/^/steps done: /'
pm25 seed --data d --deployments "$SRC/deployments.yaml" | tail -n 1 | sed "s|$PM25_HOME|HOME|g"
rm -rf "$PM25_HOME"
pm25 seed --data nowhere > /dev/null 2> err3
echo "no data: exit $?"
sed "s|$PM25_HOME|HOME|g" err3 | head -n 2
