#!/bin/bash
# Runs every test: the unit tests (TAP), the CLI cases in tests/cli/*/,
# and the fuzz corpora. Prints one line per failure and ends with
# "N passed, N failed". Usage: tests/run.sh [--bless] [PATTERN]
#
# A CLI case is tests/cli/AREA/NAME.sh, run with bash in a scratch
# directory with its own PM25_HOME. Beside it may sit NAME.exit (default
# 0), NAME.stdout.exact, NAME.stdout.glob, NAME.stderr.exact and
# NAME.stderr.glob; a .glob file is a bash pattern for the whole output.
# --bless rewrites the expected files that exist from the actual output.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build/cc-rel}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
bless=0
[ "${1:-}" = --bless ] && { bless=1; shift; }
pattern=${1:-}
passed=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pm25-tests.XXXXXX")
# every variable that the settings table reads
settings_env=$(env -i "$BUILD/pm25" config ls --all --json 2>/dev/null |
	grep -o '"env": "[A-Z0-9_]*"' | cut -d'"' -f4)
[ -n "$settings_env" ] || settings_env="PM25_TRACE PM25_DATABASE_URL LAKEFS_ENDPOINT PM25_SLACK_WEBHOOK_URL PM25_LOKI_URL WAQI_TOKEN OPENAQ_API_KEY"
trap 'rm -rf "$tmp"' EXIT

# A throwaway PostgreSQL cluster for the orchestrator cases, which run
# against SQLite and PostgreSQL both (scripts/pg-test.sh). Stopped at exit.
export PM25_TEST_PG=
if [ -z "$pattern" ] || [[ orch == *$pattern* ]] || [[ $pattern == orch* ]]; then
	chmod 755 "$tmp"
	if "$ROOT/scripts/pg-test.sh" start "$tmp/pg" > "$tmp/pg.url" 2> "$tmp/pg.err"; then
		PM25_TEST_PG=$tmp/pg
		trap '"$ROOT/scripts/pg-test.sh" stop "$tmp/pg"; rm -rf "$tmp"' EXIT
	else
		echo "     PostgreSQL did not start: $(tail -n 3 "$tmp/pg.err")"
	fi
fi

fail() {
	failed=$((failed + 1))
	echo "FAIL $1${2:+: $2}"
}

# Sanitizer reports go to files, one folder per case, so that a report
# from any process a case starts fails the case, whether or not the case
# looks at that process's exit status or stderr.
san_begin() { # case name
	rm -rf "$tmp/san"
	mkdir -p "$tmp/san"
	export ASAN_OPTIONS="log_path=$tmp/san/asan:detect_leaks=1:abort_on_error=0${PM25_ASAN_OPTIONS:+:$PM25_ASAN_OPTIONS}"
	export UBSAN_OPTIONS="log_path=$tmp/san/ubsan:print_stacktrace=1:halt_on_error=1"
	export LSAN_OPTIONS="log_path=$tmp/san/lsan"
}
san_end() { # case name; 1 if a sanitizer reported
	local f
	for f in "$tmp"/san/*; do
		[ -s "$f" ] || continue
		fail "$1" "sanitizer report from $(basename "$f")"
		grep -m 8 -E 'ERROR|SUMMARY|runtime error|#[0-3] ' "$f" | sed 's/^/     /'
		return 1
	done
	return 0
}

# ---- unit tests
# The runner's exit status and its "1..N" plan are both checked: a
# missing binary, or one that dies halfway, fails the step.
if [ -z "$pattern" ] || [ "$pattern" = unit ]; then
	san_begin unit
	PM25_SRC=$ROOT "$BUILD/unit-tests" > "$tmp/unit.tap" 2>&1
	unit_rc=$?
	unit_ok=0
	unit_skip=0
	unit_bad=0
	unit_plan=
	while IFS= read -r line; do
		case $line in
		"ok "*" # SKIP "*)
			unit_skip=$((unit_skip + 1))
			echo "     skip ${line#ok }" ;;
		"ok "*) unit_ok=$((unit_ok + 1)) ;;
		"not ok "*)
			unit_bad=$((unit_bad + 1))
			fail "unit ${line#not ok }" ;;
		1..*) unit_plan=${line#1..} ;;
		"# "*) echo "     $line" ;;
		esac
	done < "$tmp/unit.tap"
	passed=$((passed + unit_ok))
	if [ -z "$unit_plan" ]; then
		fail "unit" "no 1..N plan (exit $unit_rc): $(tail -n 3 "$tmp/unit.tap")"
	elif [ $((unit_ok + unit_skip + unit_bad)) != "$unit_plan" ]; then
		fail "unit" "$((unit_ok + unit_skip + unit_bad)) results for a plan of $unit_plan"
	elif [ "$unit_rc" != 0 ] && ! grep -q '^not ok ' "$tmp/unit.tap"; then
		fail "unit" "exit $unit_rc with no failing test"
	fi
	san_end unit
fi

# ---- CLI cases
compare() { # kind expected-file actual-file case
	local kind=$1 exp=$2 act=$3 name=$4
	if [ $bless = 1 ] && [ "$kind" = exact ]; then
		cp "$act" "$exp"
		return 0
	fi
	if [ "$kind" = exact ]; then
		cmp -s "$exp" "$act" && return 0
		fail "$name" "$(basename "$exp") differs"
		diff "$exp" "$act" | head -n 10 | sed 's/^/     /'
		return 1
	fi
	local want got
	want=$(cat "$exp")
	got=$(cat "$act")
	# shellcheck disable=SC2053
	[[ $got == $want ]] && return 0
	fail "$name" "$(basename "$exp") does not match"
	head -n 10 "$act" | sed 's/^/     got: /'
	return 1
}

for case in "$ROOT"/tests/cli/*/*.sh; do
	name=${case#"$ROOT"/tests/cli/}
	name=${name%.sh}
	[ -n "$pattern" ] && [[ $name != *$pattern* ]] && continue
	base=${case%.sh}
	dir=$tmp/case
	rm -rf "$dir"
	mkdir -p "$dir/.pm25-home"
	san_begin "$name"
	(
		cd "$dir" || exit 99
		# no setting of the caller's reaches a case (pm25 config)
		unset $settings_env
		export PM25_HOME=$dir/.pm25-home SRC=$ROOT BUILD PATH="$BUILD:$PATH"
		export LC_ALL=C TZ=UTC
		timeout 300 bash "$case" > "$dir/.stdout" 2> "$dir/.stderr" < /dev/null
		echo $? > "$dir/.exit"
	)
	ok=1
	want_exit=0
	[ -f "$base.exit" ] && want_exit=$(cat "$base.exit")
	got_exit=$(cat "$dir/.exit")
	if [ "$got_exit" != "$want_exit" ]; then
		if [ $bless = 1 ] && [ -f "$base.exit" ]; then
			echo "$got_exit" > "$base.exit"
		else
			fail "$name" "exit $got_exit, expected $want_exit"
			tail -n 5 "$dir/.stderr" | sed 's/^/     stderr: /'
			tail -n 5 "$dir/.stdout" | sed 's/^/     stdout: /'
			continue
		fi
	fi
	for kind in stdout stderr; do
		for how in exact glob; do
			f=$base.$kind.$how
			[ -f "$f" ] || continue
			compare "$how" "$f" "$dir/.$kind" "$name" || ok=0
		done
	done
	san_end "$name" || ok=0
	[ $ok = 1 ] && passed=$((passed + 1))
done

# ---- fuzz corpora, replayed
if [ -z "$pattern" ] || [ "$pattern" = fuzz ]; then
	for bin in "$BUILD"/fuzz-replay-*; do
		[ -x "$bin" ] || continue
		t=${bin##*/fuzz-replay-}
		san_begin "fuzz-$t"
		if ! "$bin" "$ROOT/tests/fuzz/corpus/$t" > "$tmp/fuzz.out" 2>&1; then
			fail "fuzz-$t" "$(tail -n 3 "$tmp/fuzz.out")"
		elif san_end "fuzz-$t"; then
			passed=$((passed + 1))
		fi
	done
fi

echo "$passed passed, $failed failed"
[ $failed = 0 ]
