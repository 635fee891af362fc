# The state database goes away while a worker and a scheduler run, and
# comes back: on PostgreSQL the server is stopped, on SQLite another
# process holds the write lock past the busy timeout. Neither the worker
# nor the scheduler exits; the run whose process ended meanwhile keeps
# its outcome until the database answers, then records it (Completed,
# once); the worker claims and runs again; CLI commands exit 4 while the
# database does not answer. The run is stopped at a pause point just
# before it records its outcome, so the outage falls exactly there.
. "$SRC/tests/cli/lib.sh"
cat > d.yaml <<'YAML'
deployments:
  - name: noop/first
  - name: noop/after
YAML
wait_for() { # wait_for FILE TEXT: until FILE holds TEXT (60 s)
	for _ in $(seq 600); do grep -qF -- "$2" "$1" 2> /dev/null && return 0; sleep 0.1; done
	die "$1 never said '$2': $(tail -n 3 "$1")"
}
state_of() { # the state of the newest run of deployment $1
	pm25 flow-run ls --json | python3 -c '
import json, sys
print([r["state"] for r in json.load(sys.stdin) if r["deployment"] == sys.argv[1]][0])' "$1"
}
# outage DOWN UP: the scenario, with commands that take the database
# away and bring it back
outage() {
	local down=$1 up=$2 w s child
	pm25 init > /dev/null
	pm25 deployment apply d.yaml > /dev/null || die "apply"
	pm25 deployment run noop/first > /dev/null
	PM25_PAUSE_AT=execute-end PM25_PAUSE_FILE=$PWD/pe pm25 worker start --name w -p etl-pool-dev 2> worker.err &
	w=$!
	pm25 scheduler --interval 1 > /dev/null 2> scheduler.err &
	s=$!
	child=$(paused pe)
	$down
	kill -CONT "$child"
	wait_for worker.err '"outcome": "Completed", "waiting"'
	pm25 deployment run noop/after > /dev/null 2> cli.err
	echo "a command meanwhile: exit $?"
	wait_for scheduler.err '"scheduler": "pass failed"'
	$up
	wait_for worker.err '"recorded": "late'
	echo "first: $(state_of noop/first)"
	pm25 deployment run noop/after > /dev/null || die "run after"
	for _ in $(seq 300); do [ "$(state_of noop/after)" = Completed ] && break; sleep 0.1; done
	echo "after: $(state_of noop/after)"
	kill -0 $w && kill -0 $s && echo "worker and scheduler still up"
	kill -TERM $w $s
	wait $w; echo "worker exit $?"
	wait $s; echo "scheduler exit $?"
	pm25 flow-run ls --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("runs:", sorted((x["deployment"], x["state"], x["attempt"]) for x in r))'
	echo "worker: $(grep -c '"waiting": "the state database' worker.err) waiting, $(grep -c '"recorded": "late' worker.err) recorded late"
	rm -f pe
}

echo "-- PostgreSQL stopped"
"$SRC/scripts/pg-test.sh" start "$PWD/pgo" > pg.url || die "no PostgreSQL"
trap '"$SRC/scripts/pg-test.sh" stop "$PWD/pgo"' EXIT
export PM25_DATABASE_URL=$(cat pg.url)/postgres
pg_down() { "$SRC/scripts/pg-test.sh" down "$PWD/pgo"; }
pg_up() { "$SRC/scripts/pg-test.sh" up "$PWD/pgo"; }
outage pg_down pg_up
unset PM25_DATABASE_URL

echo "-- SQLite locked past the busy timeout"
export PM25_HOME=$PWD/lite PM25_SQLITE_BUSY_MS=300
lock_on() { sqlite_lock "$PM25_HOME/state.db"; }
lock_off() { sqlite_unlock; }
outage lock_on lock_off
grep -h "pm25 deployment" cli.err | sed 's/[0-9]* ms/N ms/'
