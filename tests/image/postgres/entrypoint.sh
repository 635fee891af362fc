#!/bin/sh
# First start: a cluster owned by POSTGRES_USER with its password and
# database POSTGRES_DB, taking password logins from anywhere. Then the
# server in the foreground (SIGTERM is a smart shutdown).
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	pw=$(mktemp)
	printf '%s\n' "$POSTGRES_PASSWORD" > "$pw"
	initdb -U "$POSTGRES_USER" --pwfile="$pw" --auth-local=trust \
		--auth-host=scram-sha-256 -D "$PGDATA" > /dev/null
	rm -f "$pw"
	echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
	pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start > /dev/null
	createdb -U "$POSTGRES_USER" "$POSTGRES_DB"
	pg_ctl -D "$PGDATA" -w stop > /dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
