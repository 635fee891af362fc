# The scheduler on SQLite and on PostgreSQL, with the clock moved by
# PM25_NOW_MS: runs are made ahead of their slots, once per (deployment,
# slot) even with four schedulers at once; after six hours down, missed
# slots follow each deployment's policy (all, latest, none); runs that
# did not start in time turn Late with the reason; a paused deployment
# gets no runs. One deployment is in New York, whose clocks go back on
# 1 November 2026: its 01:30 run happens once.
. "$SRC/tests/cli/lib.sh"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/every-15
    schedule: {cron: "*/15 * * * *", timezone: Asia/Bangkok, missed: all}
  - name: noop/hourly
    schedule: {cron: "@hourly", timezone: Asia/Bangkok, missed: latest}
  - name: noop/daily-ny
    schedule: {cron: "30 1 * * *", timezone: America/New_York, missed: none}
  - name: noop/paused
    schedule: {cron: "* * * * *"}
YAML
slots() { # deployment: its slots in UTC, oldest first
	pm25 flow-run ls --limit 1000 --json | python3 -c '
import json, sys, datetime
runs = [r for r in json.load(sys.stdin) if r["deployment"] == sys.argv[1]]
for r in sorted(runs, key=lambda r: r["scheduled_ms"]):
    t = datetime.datetime.fromtimestamp(r["scheduled_ms"] / 1000, datetime.timezone.utc)
    print(" ", t.strftime("%Y-%m-%dT%H:%MZ"), r["state"])' "$1"
}
scenario() {
	t0=1793489400000 # 2026-10-31T23:30:00Z
	pm25 init > /dev/null
	PM25_NOW_MS=$t0 pm25 deployment apply "$DFILE" > /dev/null || die "apply"
	pm25 deployment pause noop/paused > /dev/null
	# all four stop after reading what exists and before making runs,
	# then race on the same slots
	for i in 1 2 3 4; do
		PM25_PAUSE_AT=schedule PM25_PAUSE_FILE=$PWD/p$i PM25_NOW_MS=$t0 pm25 scheduler --once --json > s$i.json &
		eval "sp$i=$!"
	done
	for i in 1 2 3 4; do paused p$i > /dev/null; done
	kill -CONT $sp1 $sp2 $sp3 $sp4
	wait
	cat s?.json | python3 -c '
import json, sys
t = [json.loads(l) for l in sys.stdin]
print("four schedulers made", sum(x["created"] for x in t), "runs;",
      sum(x["existing"] for x in t) // 3, "x 3 found made by another")'
	for d in every-15 hourly daily-ny paused; do echo "noop/$d"; slots noop/$d; done
	# six hours later, nobody scheduled meanwhile
	PM25_NOW_MS=$((t0 + 6 * 3600000)) pm25 scheduler --once --ahead 90 --json
	for d in every-15 hourly daily-ny; do echo "noop/$d"; slots noop/$d | tail -n 4; done
	pm25 flow-run ls --state late --json | python3 -c '
import json, sys
r = sorted(json.load(sys.stdin), key=lambda r: r["scheduled_ms"])
print(len(r), "late; the oldest:", r[0]["state_reason"])'
}
DFILE=$PWD/d.yaml
both_backends scenario
