# Foreground runs (pm25 run, pm25 backfill) are held the way a worker
# holds its runs, on SQLite and on PostgreSQL: one killed with -9 is
# Crashed as soon as anyone looks (its process is gone), one stopped
# and not heartbeating is Crashed when its lease runs out, SIGTERM and
# SIGINT end one Cancelled, pm25 flow-run cancel ends one before its
# next task; the scratch folders of ended runs are removed, the branches
# they left are listed and pruned after the retention. Each run is
# stopped at a pause point (publish: day files staged on its branch).
. "$SRC/tests/cli/lib.sh"
F="$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json"
ids() { sed -E 's/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}/RUN/g; s/pid [0-9]+ on [^)]+/pid N on HOST/'; }
newest() { pm25 flow-run ls --json | python3 -c 'import json, sys; r = json.load(sys.stdin)[0]; print(r["state"], "-", r["state_reason"])' | ids; }
start_paused() { # start a run stopped at publish; sets RUN_PID
	rm -f p
	PM25_PAUSE_AT=publish PM25_PAUSE_FILE=$PWD/p ${PAUSE_WRAP:-} pm25 run -q --param source=air4thai-history --param file="$F" --param station=05t "$@" > run.out 2> run.err &
	RUN_PID=$!
	paused p > /dev/null
}
scenario() {
	pm25 init > /dev/null
	pm25 run -q --param source=air4thai-history --param file="$F" --param station=03t > /dev/null || die "first run"
	main=$(pm25 data log -n 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	echo "-- kill -9:"
	start_paused
	ls "$PM25_HOME/tmp" | ids
	kill -9 $RUN_PID; wait $RUN_PID 2> /dev/null
	newest
	echo "scratch folders left: $(ls "$PM25_HOME/tmp" | wc -l)"
	echo "-- stopped, its lease run out (as seen from later):"
	start_paused
	PM25_NOW_MS=$(($(date +%s%3N) + 60000)) pm25 flow-run ls > /dev/null
	newest
	kill -9 $RUN_PID; wait $RUN_PID 2> /dev/null
	for sig in TERM INT; do
		echo "-- SIG$sig:"
		# a shell starts a job in the background with SIGINT
		# ignored; this one takes it, as pm25 run in a terminal does
		PAUSE_WRAP="env --default-signal=INT" start_paused
		kill -$sig $RUN_PID; kill -CONT $RUN_PID
		wait $RUN_PID; echo "exit $?"
		ids < run.err
		newest
	done
	echo "-- pm25 flow-run cancel:"
	start_paused
	pm25 flow-run cancel "$(pm25 flow-run ls --state running --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')" | ids
	kill -CONT $RUN_PID
	wait $RUN_PID; echo "exit $?"
	newest
	echo "scratch folders left: $(ls "$PM25_HOME/tmp" | wc -l)"
	now=$(pm25 data log -n 1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	[ "$now" = "$main" ] && echo "main unchanged by the runs that did not end well"
	echo "-- branches they left:"
	pm25 data branches --stale | cut -f1,2 | ids | sort
	PM25_NOW_MS=$(($(date +%s%3N) + 10 * 86400000)) pm25 flow-run prune | ids | sed 's/ and [0-9]* log lines//'
	PM25_NOW_MS=$(($(date +%s%3N) + 31 * 86400000)) pm25 flow-run prune | ids | sed 's/ and [0-9]* log lines//' | sort
	echo "stale branches now: $(pm25 data branches --stale | wc -l)"
}
both_backends scenario

echo "-- SQLite locked when the run ends: its outcome is retried"
export PM25_HOME=$PWD/lite PM25_SQLITE_BUSY_MS=200
pm25 init > /dev/null
lock_on() { sqlite_lock "$PM25_HOME/state.db"; }
lock_off() { sqlite_unlock; }
start_paused
lock_on
kill -CONT $RUN_PID
for _ in $(seq 600); do grep -q "retrying for" run.err && break; sleep 0.05; done
lock_off
wait $RUN_PID; echo "exit $?"
grep "pm25 run:" run.err | ids | sed 's/[0-9]* ms/N ms/'
newest
echo "-- locked longer than PM25_STATE_WAIT_S:"
export PM25_STATE_WAIT_S=1
start_paused
unset PM25_STATE_WAIT_S
lock_on
kill -CONT $RUN_PID
wait $RUN_PID; echo "exit $?"
lock_off
grep "pm25 run:" run.err | ids | sed 's/[0-9]* ms/N ms/'
newest
