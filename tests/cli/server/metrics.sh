# GET /metrics in the Prometheus text format: promtool (Debian's
# prometheus) finds nothing to say about it, no label holds a run id,
# and a real Prometheus on 127.0.0.1 scrapes the server and answers a
# query with the run counts the API reports.
. "$SRC/tests/cli/lib.sh"
command -v prometheus > /dev/null || die "no prometheus (make test installs it)"
pm25 init > /dev/null
pm25 deployment apply "$SRC/deployments.yaml" > /dev/null || die "apply"
for i in 1 2 3; do pm25 deployment run eda/daily > /dev/null; done
pm25 deployment run train-model/weekly > /dev/null
pm25 server --listen 127.0.0.1:0 --port-file port --no-scheduler --no-worker 2> server.err &
srv=$!
trap 'kill $srv $prom 2>/dev/null' EXIT
wait_file port 100 || die "no server: $(cat server.err)"
API=http://127.0.0.1:$(cat port)
curl -s "$API/healthz" > /dev/null
curl -s "$API/nope" > /dev/null
curl -s "$API/metrics" > m1.txt
promtool check metrics < m1.txt > promtool.out 2>&1
echo "promtool: exit $?, $(wc -l < promtool.out) lines"
grep -c '^# TYPE' m1.txt
grep '^pm25_flow_runs_total' m1.txt
grep '^pm25_http_requests_total' m1.txt | grep -c 'route="/healthz",code="200"'
grep '^pm25_http_requests_total' m1.txt | grep -c 'route="none",code="404"'
ids=$(pm25 flow-run ls --json | python3 -c 'import json, sys; print("|".join(r["id"] for r in json.load(sys.stdin)))')
grep -Ec "$ids" m1.txt
echo "-- a real Prometheus scrapes it"
cat > prom.yml <<YAML
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: pm25
    static_configs: [{targets: ["127.0.0.1:$(cat port)"]}]
YAML
promtool check config prom.yml > /dev/null || die "prom.yml"
prometheus --config.file=prom.yml --storage.tsdb.path=tsdb --web.listen-address=127.0.0.1:0 \
	> prom.log 2>&1 &
prom=$!
# its port: Prometheus logs the address it listens on
for _ in $(seq 100); do
	pport=$(sed -n 's/.*Listening on.*address=127.0.0.1:\([0-9]*\).*/\1/p' prom.log | head -n 1)
	[ -n "$pport" ] && break
	sleep 0.1
done
[ -n "$pport" ] || die "prometheus did not start: $(tail -n 5 prom.log)"
q() { curl -s "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"; }
for _ in $(seq 150); do
	q 'sum(pm25_flow_runs_total)' | grep -q '"value"' && break
	sleep 0.2
done
scraped=$(q 'sum(pm25_flow_runs_total)' | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])')
api=$(curl -s "$API/api/flow_runs?limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])')
echo "runs: prometheus $scraped, the API $api"
[ "$scraped" = "$api" ] || die "prometheus says $scraped, the API $api"
q 'pm25_flow_runs_total{deployment="eda/daily"}' | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print("eda/daily:", [(x["metric"]["state"], x["value"][1]) for x in r])'
q 'up{job="pm25"}' | python3 -c 'import json, sys; print("up:", json.load(sys.stdin)["data"]["result"][0]["value"][1])'
