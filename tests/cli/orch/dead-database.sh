# A dead state database: PostgreSQL that does not answer gives exit 4
# and a clear message that never shows the URL's password, and the data
# repository is left as it was.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
before=$(git --git-dir="$PM25_HOME/data.git" rev-parse main)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PM25_DATABASE_URL="postgresql://pm25:s3cret@127.0.0.1:$port/pm25?connect_timeout=2"
pm25 run -q --param source=air4thai-history --param file="$FIX/history_forweb_02t_2023-12-03.json" 2> err.txt
echo "exit $?"
grep -c "cannot connect" err.txt
grep -c s3cret err.txt
after=$(git --git-dir="$PM25_HOME/data.git" rev-parse main)
[ "$before" = "$after" ] && echo "data untouched"
pm25 flow-run ls 2>&1 | grep -c "cannot connect"; echo "exit ${PIPESTATUS[0]}"
