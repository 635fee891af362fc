# Deployments on SQLite and on PostgreSQL: the repository's
# deployments.yaml applies (twice changes nothing); update --work-pool
# promotes, --image and --param change what runs; each change is a new
# version with its reason; rollback restores an earlier version in one
# command; run schedules a flow run in the deployment's pool; pause and
# resume; a deployment whose source needs a token starts paused and
# does not resume without it; unknown names and pools are clear errors.
. "$SRC/tests/cli/lib.sh"
scenario() {
	pm25 init > /dev/null
	pm25 deployment apply "$SRC/deployments.yaml"
	pm25 deployment apply "$SRC/deployments.yaml" --json
	d=ingest-clean/hourly
	pm25 deployment update $d --work-pool etl-pool-stage
	pm25 deployment update $d --work-pool etl-pool-prod
	pm25 deployment update $d --image ghcr.io/pm25/pm25:0.2.0 --param station=05t
	pm25 deployment update $d --work-pool etl-pool-prod # no change
	pm25 deployment rollback $d
	pm25 deployment inspect $d --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["version"], d["work_pool"], d["image"], d["parameters"])
for v in d["versions"]:
    print(" ", v["version"], v["change"], v["work_pool"], v["image"], sorted(v["parameters"].items()))'
	pm25 deployment rollback $d --to 1
	pm25 deployment inspect $d | sed -n '1p;4,6p'
	pm25 deployment run $d --param station=08t --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["deployment"], r["version"], r["pool"], r["state"])'
	# a list carries no parameters; inspect has them
	pm25 flow-run ls --json | python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
print("parameters" in r)'
	pm25 flow-run inspect "$(pm25 flow-run ls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["flow"], r["deployment"], r["pool"], r["state"], r["parameters"])'
	pm25 deployment pause eda/daily
	pm25 deployment ls | awk '{print $1, $2, $3, $4}'
	pm25 deployment resume eda/daily
	# the WAQI and OpenAQ deployments start paused: no token, no resume
	pm25 deployment resume ingest-clean/waqi-bangkok 2>&1; echo "exit $?"
	pm25 deployment resume ingest-clean/openaq-rayong 2>&1; echo "exit $?"
	WAQI_TOKEN=t pm25 deployment resume ingest-clean/waqi-bangkok; echo "exit $?"
	pm25 deployment apply "$SRC/deployments.yaml" > /dev/null # keeps it resumed
	pm25 deployment ls | awk '$1 ~ /waqi|openaq/ {print $1, $3}'
	pm25 deployment update $d --work-pool nope; echo "exit $?"
	pm25 deployment update $d --cron "61 * * * *"; echo "exit $?"
	pm25 deployment inspect nope/x; echo "exit $?"
	pm25 deployment rollback train-model/weekly; echo "exit $?"
	pm25 deployment pause; echo "exit $?"
}
both_backends scenario
