# Retention, on SQLite and on PostgreSQL: finished runs and their logs
# older than N days go (PM25_RETENTION_DAYS, default 30, or --days);
# newer ones and unfinished ones stay. The clock is moved with
# PM25_NOW_MS.
. "$SRC/tests/cli/lib.sh"
scenario() {
	pm25 init > /dev/null
	day=86400000
	t0=1780000000000
	for age in 40 35 10; do
		PM25_NOW_MS=$((t0 - age * day)) pm25 run -q --param source=air4thai-history \
			--param file="$FIX/history_forweb_02t_2023-12-03.json" > /dev/null || die "run"
	done
	PM25_NOW_MS=$t0 pm25 flow-run prune --json
	pm25 flow-run ls | sed 1d | wc -l
	PM25_NOW_MS=$t0 PM25_RETENTION_DAYS=5 pm25 flow-run prune
	PM25_NOW_MS=$t0 pm25 flow-run prune --days 1
	pm25 flow-run ls | sed 1d | wc -l
}
both_backends scenario
