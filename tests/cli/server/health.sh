# pm25 health, the check a container's health check runs (OCI images
# keep no HEALTHCHECK): on the home, ready when the state database
# answers and the data store has main; through a server (--url or
# PM25_API_URL), ready when its /readyz is. Exit 0 when ready, 1 when
# not, with why; --json says the same.
. "$SRC/tests/cli/lib.sh"
check() { # ARGS: what health says, and its exit code
	pm25 health "$@" 2>&1 | sed -E "s|$PM25_HOME|HOME|g" |
		sed -E 's/:[0-9]+/:PORT/g; s/(does not answer|Failed to connect).*/\1 .../'
	echo "exit ${PIPESTATUS[0]}"
}
echo "-- no home"
check
echo "-- a home"
pm25 init > /dev/null
check
check --json
echo "-- its data repository gone"
mv "$PM25_HOME/data.git" "$PM25_HOME/away.git"
check --json | python3 -c 'import json, sys; l = sys.stdin.read().splitlines(); print(json.loads(l[0])["status"], l[1])'
mv "$PM25_HOME/away.git" "$PM25_HOME/data.git"
echo "-- through a server"
pm25 server --listen 127.0.0.1:0 --port-file port --no-worker --no-scheduler 2> server.err &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
wait_file port 200 || die "no server: $(cat server.err)"
url=http://127.0.0.1:$(cat port)
check --url "$url"
PM25_API_URL=$url check --json
mv "$PM25_HOME/data.git" "$PM25_HOME/away.git"
check --url "$url"
mv "$PM25_HOME/away.git" "$PM25_HOME/data.git"
kill -TERM $pid
wait $pid
check --url "$url"
check --bogus
