#!/bin/sh
# A throwaway PostgreSQL cluster for the tests, from Debian's postgresql
# package: initdb in a temporary directory owned by postgres, listening
# on 127.0.0.1 only, on a free port.
#   scripts/pg-test.sh start DIR   prints the cluster's base URL
#   scripts/pg-test.sh stop DIR
#   scripts/pg-test.sh createdb DIR NAME   prints the URL of a new database
#   scripts/pg-test.sh down DIR    stop the server, keeping its data
#   scripts/pg-test.sh up DIR      start it again, on the same port
# PostgreSQL refuses to run as root, so as root it runs as postgres.
set -e
cmd=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "pg-test: no PostgreSQL server installed" >&2; exit 1; }
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $cmd in
start)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync > "$dir/initdb.log" 2>&1
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start > /dev/null
	echo "$port" > "$dir/port"
	echo "postgresql://postgres@127.0.0.1:$port"
	;;
stop)
	[ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop > /dev/null 2>&1 || true
	rm -rf "$dir"
	;;
down)
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null
	;;
up)
	port=$(cat "$dir/port")
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
		-o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start > /dev/null
	;;
createdb)
	port=$(cat "$dir/port")
	"$bin/../bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$3" 2>/dev/null ||
		psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE \"$3\"" > /dev/null
	echo "postgresql://postgres@127.0.0.1:$port/$3"
	;;
*)
	echo "usage: pg-test.sh start|stop|down|up|createdb DIR [NAME]" >&2
	exit 2
	;;
esac
