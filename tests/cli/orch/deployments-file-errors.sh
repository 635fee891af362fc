# A deployments file with a mistake names the file, line and column, and
# what is wrong; nothing is applied.
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
try 'other: 1'
pm25 deployment ls
