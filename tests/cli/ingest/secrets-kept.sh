# Secrets stay secret and input stays inert. The password of a source
# URL (http://user:password@host/...) shows in no error, no trace and no
# stored run, and a deployment that would store it is refused; control
# bytes of an input file (a terminal escape in a CSV header) reach no
# error message.
. "$SRC/tests/cli/lib.sh"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://pm25:s3cr3tpw@127.0.0.1:$port/forweb/getHistoryData.php?stationID=02t"
PM25_TRACE=http pm25 ingest --source air4thai-history --url "$url" -o out.csv 2> ingest.err
echo "ingest: exit $?, $(grep -c s3cr3tpw ingest.err) lines with the password"
sed "s/$port/PORT/g" ingest.err | grep -m1 "pm25 ingest"
pm25 init > /dev/null
pm25 run -q --param source=air4thai-history --param url="$url" --param station=02t 2> run.err
echo "run: exit $?, $(grep -c s3cr3tpw run.err) lines with the password"
id=$(pm25 flow-run ls --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
pm25 flow-run inspect "$id" --json | python3 -c '
import json, sys
print("stored url:", json.load(sys.stdin)["parameters"]["url"].split("@")[0])'
python3 - "$PM25_HOME/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
hits = 0
for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
    for row in db.execute("SELECT * FROM %s" % t):
        hits += sum("s3cr3tpw" in str(v) for v in row)
print("state database cells with the password:", hits)
PY
printf 'deployments:\n  - name: ingest-clean/x\n    parameters: {url: "%s"}\n' "$url" > d.yaml
pm25 deployment apply d.yaml 2>&1 | grep -c s3cr3tpw | sed 's/^/deployment errors with the password: /'
pm25 deployment apply d.yaml 2>&1 | cut -d: -f4- | cut -c1-60
printf 'site,\033[31mreading\033[0m,when\na,1,x\n' > odd.csv
pm25 ingest --source csv --file odd.csv -o out.csv 2> odd.err
echo "odd header: exit $?, escape bytes in the error: $(grep -c "$(printf '\033')" odd.err)"
