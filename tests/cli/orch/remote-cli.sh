# The CLI as a client of pm25 server: the same scenario of deployment,
# flow-run, pool and alert commands (reads, writes, and errors) is run
# directly on one home, and through PM25_API_URL and PM25_API_TOKEN on a
# second home served by pm25 server, on SQLite and on PostgreSQL. Once
# run ids and times are masked, what both print and their exit codes are
# the same. Then the errors of the remote mode alone: a server that does
# not answer is exit 4, a refused token exit 1 with a message that says
# so, and a command only the state database does (pool create) is refused.
. "$SRC/tests/cli/lib.sh"
export PM25_API_TOKEN=remote-cli-token

step() { # pm25 ARGS: its output and its exit code
	pm25 "$@" 2>&1
	echo "exit $?"
}

cli_scenario() {
	local id
	printf 'deployments:\n  - name: eda/x\n    cron: "61 * * * *"\n' > bad.yaml
	step deployment apply "$SRC/deployments.yaml"
	step deployment apply bad.yaml
	step deployment apply no-such.yaml
	step deployment ls
	step deployment ls --json
	step deployment inspect ingest-clean/hourly
	step deployment update eda/daily --image ghcr.io/pm25/pm25:0.2.0
	step deployment update eda/daily --image ghcr.io/pm25/pm25:0.2.0
	step deployment update eda/daily --work-pool etl-pool-stage --param note=promoted
	step deployment rollback eda/daily --to 1
	step deployment inspect eda/daily --json
	step deployment pause eda/daily
	step deployment resume eda/daily
	step deployment resume ingest-clean/waqi-bangkok
	step deployment inspect nope/x
	step deployment run eda/daily --param note=first --json
	id=$(pm25 flow-run ls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	step flow-run ls
	step flow-run ls --state scheduled --json
	step flow-run ls --state nonsense
	step flow-run inspect "$id"
	step flow-run cancel "$id"
	step flow-run cancel "$id"
	step flow-run retry "$id"
	step flow-run inspect "$id" --json
	step flow-run logs "$id"
	step flow-run inspect no-such-run
	step pool pause etl-pool-prod
	step pool ls
	step pool resume etl-pool-prod
	step pool pause no-such-pool
	step pool ls --json
	step alert ls
	step alert ls --json -n 5
}

# run ids, times and pids as they are not the same twice
mask() {
	sed -E 's/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}/RUN/g; s/\b[0-9a-f]{16}\b/RUN/g;
		s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g; s/_ms": [0-9]+/_ms": MS/g;
		s/pid [0-9]+/pid N/g'
}

scenario() {
	local pid url2
	pm25 init > /dev/null
	cli_scenario | mask > direct.out
	# a second home, as fresh, that only the server touches
	url2=${PM25_DATABASE_URL:+$("$SRC/scripts/pg-test.sh" createdb "$PM25_TEST_PG" "r$$_$RANDOM")}
	mkdir -p served
	(cd served && export PM25_HOME=$PWD/home PM25_DATABASE_URL=$url2 && pm25 init > /dev/null &&
		exec pm25 server --listen 127.0.0.1:0 --port-file port --no-worker --no-scheduler) \
		2> server.err &
	pid=$!
	wait_file served/port 200 || die "no server: $(cat server.err)"
	(mkdir -p client && cd client && export PM25_HOME=$PWD/nowhere \
		PM25_API_URL=http://127.0.0.1:$(cat ../served/port) && unset PM25_DATABASE_URL &&
		cli_scenario) | mask > remote.out
	kill -TERM "$pid"
	wait "$pid"
	diff direct.out remote.out >&2 && echo "direct and through the server: the same ($(grep -c '^exit' direct.out) commands)"
	grep '^exit' direct.out | sort | uniq -c | sed 's/^ */  /'
}
both_backends scenario

echo "-- through the server only"
pm25 init > /dev/null
PM25_API_URL=http://127.0.0.1:9 step deployment ls | sed 's/does not answer: .*/does not answer: .../'
pm25 server --listen 127.0.0.1:0 --port-file port --no-worker --no-scheduler 2> server.err &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
wait_file port 200 || die "no server: $(cat server.err)"
export PM25_API_URL=http://127.0.0.1:$(cat port)
PM25_API_TOKEN=wrong step deployment pause eda/daily
PM25_API_TOKEN= step pool pause etl-pool-dev
echo "reads need no token:"
PM25_API_TOKEN=wrong step pool ls
step pool create extra
step flow-run prune
