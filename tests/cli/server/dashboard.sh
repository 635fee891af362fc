# The dashboard as a user meets it: Debian's headless chromium, driven by
# playwright-core (tests/browser/dashboard.mjs), opens every page of a
# server on a home with runs, data, quality reports, a model and the
# shipped deployments. Each page loads with no console error and no
# request leaving the server, axe-core finds no serious or critical
# violation, and a screenshot is kept (build/artefacts/dashboard/). A
# station name and a log line holding markup show as text and run
# nothing. Pause, Resume, Promote and Roll back through clicks (after
# the login page) change the deployment, checked through the API; the
# session cookie from another Origin is refused. A run paused at its
# publish task is followed live: its next lines appear without a reload.
. "$SRC/tests/cli/lib.sh"
shots=${PM25_ARTEFACTS:-$SRC/build/artefacts}/dashboard
XSS='<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2">'
pm25 init > /dev/null
pm25 backfill --input "$DATA/history" -q > /dev/null || die "backfill"
# a station whose name holds markup, and a run whose log line does
python3 - "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" "$XSS" <<'EOF'
import csv, sys
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[1]) if ",02t" in l]
for name, part in (("b.csv", rows[-100:-50]), ("live.csv", rows[-50:])):
    with open(name, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["DATETIMEDATA", "PM25", "stationID", "nameEN", "lat", "long"])
        for r in part:
            w.writerow([r[0], r[1], "x9t", sys.argv[2], "13.7563", "100.5018"])
EOF
pm25 run -q --param source=csv --param file=b.csv > /dev/null || die "the station with markup"
pm25 run -q --param source=csv --param file="$XSS.csv" > /dev/null 2>&1 && die "a missing file ran"
xss_run=$(pm25 flow-run ls --state Failed --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
pm25 run train-model -q > /dev/null || die "train-model"
pm25 run eda -q > /dev/null || die "eda"
pm25 deployment apply "$SRC/deployments.yaml" > /dev/null || die "apply"

# a run that stops at its publish task, for the live log
PM25_PAUSE_AT=publish PM25_PAUSE_FILE=$PWD/paused \
	pm25 run -q --param source=csv --param file=live.csv > live.out 2>&1 &
live_pid=$!
wait_file paused 400 || die "the run did not pause: $(cat live.out)"
live_run=$(pm25 flow-run ls --state Running --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')

PM25_API_TOKEN=dash-token pm25 server --listen 127.0.0.1:0 --port-file port --no-worker \
	> server.out 2> server.err &
server_pid=$!
trap 'kill $server_pid $live_pid 2>/dev/null; kill -CONT $live_pid 2>/dev/null' EXIT
wait_file port 200 || die "the server did not start: $(cat server.err)"
base=http://127.0.0.1:$(cat port)

python3 - "$base" "$shots" "$xss_run" "$live_run" "$XSS" <<'EOF' > dash.json
import json, sys
base, shots, xss_run, live_run, xss = sys.argv[1:]
pages = [("overview", "/", 2), ("runs", "/runs", 0), ("run", "/runs/" + xss_run, 0),
         ("run-completed", "/runs?state=Completed", 0), ("deployments", "/deployments", 0),
         ("deployment", "/deployments/ingest-clean/hourly", 0), ("pools", "/pools", 0),
         ("data", "/data", 0), ("diff", "/data/diff", 0), ("quality", "/quality", 2),
         ("stations", "/stations", 1), ("model", "/model", 1), ("alerts", "/alerts", 0),
         ("login", "/login", 0)]
json.dump({
    "base": base, "token": "dash-token", "shots": shots, "deployment": "eda/daily",
    "pages": [{"name": n, "path": p, "charts": c} for n, p, c in pages],
    "xss": [{"name": "a station name", "path": "/stations", "text": xss},
            {"name": "a log line", "path": "/runs/" + xss_run, "text": xss}],
    "live": {"run": live_run, "pidfile": "paused"},
}, sys.stdout)
EOF
node "$SRC/tests/browser/dashboard.mjs" dash.json 2> dash.err || echo "dashboard.mjs: exit $? ($(tail -n 3 dash.err))"
wait $live_pid || die "the paused run failed once resumed: $(cat live.out)"
pm25 flow-run inspect "$live_run" --json | python3 -c 'import json, sys; print("the live run:", json.load(sys.stdin)["state"])'
ls "$shots"/*.png | wc -l
