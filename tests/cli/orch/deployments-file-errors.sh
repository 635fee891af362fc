# A deployments file with a mistake names the file, line and column, and
# what is wrong; nothing is applied. So does a file that deployments
# would misread: unknown parameters, an hour_label that is neither begin
# nor end, a key twice, a second document, names with control bytes or
# spaces at the end, numbers that overflow, a NUL in a time zone, and an
# image that is not an image reference (it would be an engine option).
# A file nested too deep is refused before libyaml builds it, at once.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
try() {
	printf '%s\n' "$@" > d.yaml
	pm25 deployment apply d.yaml 2>&1
	echo "exit $?"
}
try 'deployments:' '  - name: ingest-clean/x' '    flow: ingest-clean' '    schedule: {cron: "5 * * *"}'
try 'deployments:' '  - name: noflow/x'
try 'deployments:' '  - name: eda/x' '    schedule: {cron: "@daily", timezone: Mars/Base}'
try 'deployments:' '  - name: eda/x' '    schedule: {cron: "@daily", missed: some}'
try 'deployments:' '  - name: eda/x' '    concurrency_limit: -1'
try 'deployments:' '  - name: eda/x' '    colour: blue'
try 'deployments:' '  - name: eda/x' '  - name: eda/x'
try 'deployments:' '  - name: eda'
try 'deployments:' '  - name: eda/x' '    flow: train-model'
try 'deployments:' '  - name: eda/x' '    work_pool: etl-pool-qa'
try 'deployments: [' 
try 'deployments:' '  - name: ingest-clean/x' '    parameters: {source: csv, statoin: 02t}'
try 'deployments:' '  - name: ingest-clean/x' '    parameters: {hour_label: start}'
try 'deployments:' '  - name: eda/x' '    parameters: {retries: "1e999"}'
try 'deployments:' '  - name: noop/x' '    work_pool: etl-pool-dev' '    work_pool: etl-pool-prod'
try 'deployments:' '  - name: noop/x' '---' 'deployments:' '  - name: noop/y'
try 'deployments:' '  - name: "noop/x\ty"'
try 'deployments:' '  - name: "noop/x "'
try 'deployments:' '  - name: noop/x' '    concurrency_limit: 99999999999999999999999'
try 'deployments:' '  - name: noop/x' '    schedule: {cron: "@daily", timezone: "Asia/Bangkok\0Mars"}'
try 'deployments:' '  - name: noop/x' '    image: "--privileged"'
try 'deployments:' '  - name: noop/x' '    image: "-v=/:/host"'
try 'deployments:' '  - &a {name: noop/x}' '  - *a'
python3 -c 'print("deployments:\n  - name: noop/x\n    parameters: {a: " + "[" * 100000 + "]" * 100000 + "}")' > deep.yaml
pm25 deployment apply deep.yaml 2>&1 | cut -c1-60; echo "exit ${PIPESTATUS[0]}"
printf 'deployments:\n  - name: noop/x\n' > ok.yaml
pm25 deployment apply ok.yaml > /dev/null
pm25 deployment update noop/x --image=--privileged 2>&1; echo "exit $?"
pm25 deployment update noop/x --param sleep_s=forever 2>&1; echo "exit $?"
pm25 deployment update noop/x --param colour=blue 2>&1; echo "exit $?"
pm25 deployment rollback noop/x > /dev/null 2>&1
pm25 deployment inspect noop/x --json | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["name"], len(d["versions"]), "version")' 
try 'other: 1'
pm25 deployment ls
