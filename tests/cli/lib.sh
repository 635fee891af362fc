# Helpers for CLI cases; source with: . "$SRC/tests/cli/lib.sh"
# Cases run in a scratch directory; $SRC is the source tree and pm25 is
# on PATH.

DATA=$SRC/data
FIX=$SRC/tests/data

die() {
	echo "FAILED: $*" >&2
	exit 1
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || die "$1: expected '$2', got '$3'"
}

# assert_contains FILE TEXT
assert_contains() {
	grep -qF -- "$2" "$1" || die "$1 does not contain '$2'"
}

assert_no_file() {
	[ ! -e "$1" ] || die "$1 should not exist"
}

# Column n (1-based) of line k (1-based, header is 1) of a CSV file.
cell() {
	sed -n "${2}p" "$1" | cut -d, -f"$3"
}

# wait_file FILE N: wait up to N x 50 ms for FILE to be written.
wait_file() {
	for _ in $(seq 1 "$2"); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	[ -s "$1" ]
}

# Start tests/helpers/test-server serving DIR; sets PORT and BASE and
# stops the server when the case ends. It listens on 127.0.0.1 only and
# stands in for the real APIs, which tests never call.
start_server() {
	"$BUILD/test-server" "$1" port.txt 2> server.log &
	SERVER_PID=$!
	trap 'kill $SERVER_PID 2>/dev/null' EXIT
	wait_file port.txt 100 || die "test-server did not start: $(cat server.log)"
	PORT=$(cat port.txt)
	BASE=http://127.0.0.1:$PORT
}

# Start the Air4Thai stand-in (tests/helpers/air4thai-standin.py) with
# its clock in ./clock (set_clock MS), faults in ./faults.json and its
# request log in ./standin.log; points pm25's Air4Thai URLs at it. Extra
# arguments go to the server (--latency-ms, --slow-s).
start_standin() {
	[ -e faults.json ] || echo '{}' > faults.json
	python3 "$SRC/tests/helpers/air4thai-standin.py" --port-file standin.port \
		--clock "$PWD/clock" --faults "$PWD/faults.json" --log "$PWD/standin.log" "$@" \
		2> standin.err &
	STANDIN_PID=$!
	trap 'kill $STANDIN_PID 2>/dev/null' EXIT
	wait_file standin.port 200 || die "the stand-in did not start: $(cat standin.err)"
	STANDIN=http://127.0.0.1:$(cat standin.port)
	STANDIN_CLOCK=$PWD/clock
	export PM25_AIR4THAI_URL=$STANDIN/services/getNewAQI_JSON.php
	export PM25_AIR4THAI_HISTORY_URL=$STANDIN/forweb/getHistoryData.php
}

# set_clock MS: pm25's clock (PM25_NOW_MS) and the stand-in's.
set_clock() {
	export PM25_NOW_MS=$1
	echo "$1" > "${STANDIN_CLOCK:-clock}"
}

# both_backends FN: run FN twice, against SQLite (a fresh PM25_HOME) and
# against PostgreSQL (a fresh database in the suite's throwaway cluster),
# check that both printed the same, and print it once. FN's stderr goes
# to FN.sqlite.err and FN.pg.err.
both_backends() {
	local fn=$1 url
	[ -n "${PM25_TEST_PG:-}" ] || die "no PostgreSQL cluster (PM25_TEST_PG is empty)"
	mkdir -p sqlite pg
	(cd sqlite && export PM25_HOME=$PWD/home && unset PM25_DATABASE_URL && "$fn") \
		> "$fn.sqlite.out" 2> "$fn.sqlite.err" || die "$fn on SQLite: $(tail -n 5 "$fn.sqlite.err")"
	url=$("$SRC/scripts/pg-test.sh" createdb "$PM25_TEST_PG" "t$$_$RANDOM") || die "createdb failed"
	(cd pg && export PM25_HOME=$PWD/home PM25_DATABASE_URL=$url && "$fn") \
		> "$fn.pg.out" 2> "$fn.pg.err" || die "$fn on PostgreSQL: $(tail -n 5 "$fn.pg.err")"
	diff "$fn.sqlite.out" "$fn.pg.out" >&2 || die "$fn: SQLite and PostgreSQL differ"
	cat "$fn.sqlite.out"
}

# paused FILE: wait until a process that reached its pause point
# (PM25_PAUSE_AT, PM25_PAUSE_FILE=FILE) has stopped there; print its pid.
# Send it SIGCONT to go on, or kill it at that exact step.
paused() {
	local pid
	for _ in $(seq 600); do
		if [ -s "$1" ]; then
			pid=$(cut -d' ' -f1 "$1")
			if [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2> /dev/null)" = T ]; then
				echo "$pid"
				return 0
			fi
		fi
		sleep 0.05
	done
	die "nothing stopped at the pause point of $1"
}

# sqlite_lock DB: another process takes DB's write lock and holds it
# until sqlite_unlock (sets LOCKER).
sqlite_lock() {
	rm -f unlock locked
	python3 - "$1" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open("locked", "w").close()
while not os.path.exists("unlock"):
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
	LOCKER=$!
	for _ in $(seq 200); do [ -e locked ] && return 0; sleep 0.05; done
	die "the lock was not taken"
}
sqlite_unlock() { touch unlock; wait "$LOCKER"; rm -f locked; }
