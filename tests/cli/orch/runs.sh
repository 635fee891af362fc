# Flow runs in the state database, on SQLite and on PostgreSQL: a
# foreground run is recorded with every change of state (time, reason)
# and its log lines; ls, inspect and logs read them back (--json too);
# a finished run cannot be cancelled; a gate failure is Failed with why.
. "$SRC/tests/cli/lib.sh"
scenario() {
	pm25 init > /dev/null
	pm25 run -q --param source=air4thai-history \
		--param file="$FIX/history_forweb_02t_2023-12-03.json" > /dev/null || die "run"
	id=$(pm25 flow-run ls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
	pm25 flow-run inspect "$id" --json | python3 -c '
import json, re, sys
r = json.load(sys.stdin)
print(r["flow"], r["state"], r["state_reason"], r["attempt"], r["parameters"]["source"])
print([(s["state"], re.sub(r" \(pid [0-9]+\)", "", s["reason"])) for s in r["states"]])
print(r["started_ms"] <= r["ended_ms"], [s["at_ms"] for s in r["states"]] == sorted(s["at_ms"] for s in r["states"]))'
	pm25 flow-run logs "$id" --json | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin]
print(len(lines), [l["task"] for l in lines][:4], all(json.loads(l["message"])["run"] for l in lines))'
	pm25 flow-run logs "$id" | head -n 1 | cut -c25- | cut -d' ' -f1-6
	pm25 flow-run cancel "$id"; echo "exit $?"
	pm25 flow-run inspect nope; echo "exit $?"
	# a run whose gate fails is Failed, with the reason
	printf 'DATETIMEDATA,PM25,stationID\n2024-03-01 01:00:00,9999,02t\n' > bad.csv
	pm25 run -q --param source=csv --param file=bad.csv > /dev/null 2>&1; echo "exit $?"
	pm25 flow-run ls --state failed --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(len(r), r[0]["state"], r[0]["state_reason"].startswith("Validation failed"))'
	pm25 flow-run ls --state nosuch; echo "exit $?"
	pm25 flow-run ls | sed 1d | awk '{print $2, $4}' | sort
}
both_backends scenario
