#!/bin/sh
# `make serve`: pm25 server on the home that `make run` built, on
# 127.0.0.1:4200 (PM25_LISTEN). Without PM25_API_TOKEN it makes one for
# this session and prints it, so that the dashboard's buttons work
# after the login page takes it.
set -e
cd "$(dirname "$0")/.."
export PM25_HOME="${PM25_HOME:-$PWD/pm25-home}"
[ -d "$PM25_HOME" ] || { echo "make serve: no home at $PM25_HOME; run make run first" >&2; exit 2; }
if [ -z "${PM25_API_TOKEN:-}" ]; then
	PM25_API_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	export PM25_API_TOKEN
	echo "token for the dashboard's buttons (this session): $PM25_API_TOKEN"
fi
echo "the dashboard: http://${PM25_LISTEN:-127.0.0.1:4200}/   (Ctrl-C stops it)"
exec ./pm25 server
