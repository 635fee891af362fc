# Three workers, 300 runs, PostgreSQL (the issue's test): one worker is
# killed with -9 halfway. Its runs die with it (their processes are in
# its care), their leases run out, the others' sweep marks them Crashed
# and the retry policy schedules them again. At the end every run has
# completed exactly once, and no run is left Running.
. "$SRC/tests/cli/lib.sh"
[ -n "${PM25_TEST_PG:-}" ] || die "no PostgreSQL cluster (PM25_TEST_PG is empty)"
export PM25_DATABASE_URL
PM25_DATABASE_URL=$("$SRC/scripts/pg-test.sh" createdb "$PM25_TEST_PG" "w300_$$") || die "createdb"
export PM25_NOOP_LOG=$PWD/completed.log
pm25 init > /dev/null
cat > d.yaml <<'YAML'
deployments:
  - name: noop/load
    parameters: {sleep_s: "0.2", retries: "3", retry_delay_s: "0"}
YAML
pm25 deployment apply d.yaml > /dev/null || die "apply"
for i in $(seq 300); do pm25 deployment run noop/load > /dev/null || die "run $i"; done
for w in 1 2 3; do
	pm25 worker start --name w$w -p etl-pool-dev --limit 2 --lease 6 2> w$w.log &
	eval "pid$w=\$!"
done
done_count() { [ -f completed.log ] && wc -l < completed.log || echo 0; }
for _ in $(seq 600); do
	[ "$(done_count)" -ge 150 ] && break
	sleep 0.1
done
kill -KILL "$pid2"
echo "worker w2 killed with -9 after $( [ "$(done_count)" -ge 150 ] && echo "half" || echo "too few") of the runs"
for _ in $(seq 1200); do
	left=$(pm25 flow-run ls --limit 1000 --json | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["state"] != "Completed"))')
	[ "$left" = 0 ] && break
	sleep 0.2
done
kill -TERM "$pid1" "$pid3"
wait "$pid1" "$pid3"
pm25 flow-run ls --limit 1000 --json | python3 -c '
import json, sys, collections
runs = json.load(sys.stdin)
states = collections.Counter(r["state"] for r in runs)
print(len(runs), "runs:", dict(states))
done = collections.Counter(l.split()[0] for l in open("completed.log"))
ids = {r["id"] for r in runs}
print("each completed exactly once:", set(done) == ids and set(done.values()) == {1})
print("still Running:", states.get("Running", 0) + states.get("Pending", 0))'
pm25 flow-run ls --limit 1000 --json | python3 -c '
import json, sys
runs = json.load(sys.stdin)
print("retried after a crash:", sum(1 for r in runs if r["attempt"] > 1) > 0)'
