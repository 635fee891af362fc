# Two simulated days of the shipped deployments.yaml, on SQLite and on
# PostgreSQL: pm25 scheduler and a worker at each of 48 hourly slots,
# the clock moved by PM25_NOW_MS, against the Air4Thai stand-in (187
# real stations, on 127.0.0.1; no test calls the real API) with faults:
# 3 stations answer 500 for 5 hours, one an HTML page, one slower than
# the timeout, the whole source is down for 2 hours, a value is revised
# 3 hours after it was first served, and the scheduler is stopped for 3
# slots. The only change to the shipped file: the waits between retries
# are 1 s, not 30 s and 5 min, so that the test takes minutes.
# A worker takes each run when it is due (the clock moves on to it
# within the hour), so a run that meets the outage fails its three
# attempts, as it would with the shipped 5 minutes between them.
# At the end main holds every hour of every station once, with the
# revised value (the lookback healed every gap); each run's window is
# its own slot's; the outage gave one alert; each fault shows in the
# runs and the quality reports; no run is left Running or Pending.
. "$SRC/tests/cli/lib.sh"
start=$(date -d '2026-11-20 00:00:00 +0700' +%s)000
H=3600000
at() { echo $((start + $1 * H)); }
cat > faults.json <<EOF
{"faults": [
  {"kind": "500", "station": "02t", "from_ms": $(at 5), "to_ms": $(at 10)},
  {"kind": "500", "station": "03t", "from_ms": $(at 5), "to_ms": $(at 10)},
  {"kind": "500", "station": "100t", "from_ms": $(at 5), "to_ms": $(at 10)},
  {"kind": "html", "station": "08t", "from_ms": $(at 12), "to_ms": $(at 13)},
  {"kind": "slow", "station": "101t", "from_ms": $(at 15), "to_ms": $(at 16)},
  {"kind": "down", "station": "all", "from_ms": $(at 30), "to_ms": $(at 32)}],
 "revisions": [{"station": "102t", "hour": "2026-11-20 10:00:00", "pm25": 321.5,
                "from_ms": $(at 13)}]}
EOF
start_standin --slow-s 3
export PM25_FETCH_TIMEOUT_S=1 PM25_FETCH_TRIES=2
next_run() { # now if a run is due, else when the next one is before $1
	pm25 flow-run ls --limit 1000 --json | python3 -c '
import json, sys
now, limit = int(sys.argv[1]), int(sys.argv[2])
t = [r["scheduled_ms"] for r in json.load(sys.stdin)
     if r["state"] in ("Scheduled", "Late") and r["scheduled_ms"] < limit]
print(max(now, min(t)) if t else "")' "$PM25_NOW_MS" "$1"
}
scenario() {
	set_clock $((start - 600000))
	pm25 init > /dev/null
	pm25 deployment apply "$SRC/deployments.yaml" > /dev/null || die "apply"
	pm25 deployment update ingest-clean/hourly --param health_check.retry_delay_s=1 \
		--param retry_delay_s=1 > /dev/null || die "update"
	for s in $(seq 0 47); do
		set_clock $(($(at "$s") + 330000)) # HH:05:30, the slot being :05
		case $s in 19 | 20 | 21) ;; *) pm25 scheduler --once > /dev/null || die "scheduler at $s" ;; esac
		# a worker takes each run when it is due: the clock moves on
		# to retries and to runs later in the hour (EDA at :30)
		for _ in $(seq 1 12); do
			t=$(next_run "$(at $((s + 1)))")
			[ -n "$t" ] || break
			set_clock "$t"
			pm25 worker start --name w -p etl-pool-dev --run-once > /dev/null 2>> worker.err
		done
	done
	python3 "$SRC/tests/cli/orch/hourly-48-check.py" "$SRC" "$start" || die "check"
}
both_backends scenario
