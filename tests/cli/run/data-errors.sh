# pm25 data: unknown refs and paths give a clear error and exit 1, paths
# with .. are refused, every subcommand answers --json.
. "$SRC/tests/cli/lib.sh"
pm25 data log 2>&1 | sed "s,$PM25_HOME,HOME,"; echo "exit ${PIPESTATUS[0]}"
pm25 init > /dev/null
pm25 data log nope 2>&1; echo "exit $?"
pm25 data cat main nothing.csv 2>&1; echo "exit $?"
pm25 data cat main ../../etc/passwd 2>&1; echo "exit $?"
pm25 data ls main a/../b 2>&1; echo "exit $?"
pm25 data diff main nope 2>&1; echo "exit $?"
pm25 data merge nope main 2>&1; echo "exit $?"
pm25 data frob 2>&1; echo "exit $?"
pm25 data branches --json
pm25 data ls main --json
pm25 data diff main main --json
