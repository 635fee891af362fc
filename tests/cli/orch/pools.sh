# Work pools on SQLite and on PostgreSQL: the three default pools exist
# from the start; create, pause and resume; clear errors for the rest.
. "$SRC/tests/cli/lib.sh"
scenario() {
	pm25 init > /dev/null
	pm25 pool ls
	pm25 pool create gpu-pool --type docker
	pm25 pool create gpu-pool --type docker > /dev/null # again: no error
	pm25 pool pause etl-pool-prod
	pm25 pool ls --json
	pm25 pool resume etl-pool-prod
	pm25 pool pause nope; echo "exit $?"
	pm25 pool create x --type vm; echo "exit $?"
	pm25 pool pause; echo "exit $?"
}
both_backends scenario
