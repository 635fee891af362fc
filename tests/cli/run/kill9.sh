# kill -9 in the middle of publish leaves the store readable, and the next
# run succeeds; so does a stale ref lock left by a killed writer.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
f="$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json"
PM25_PAUSE_AT=publish:30 pm25 run -q --param source=air4thai-history --param file="$f" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	pm25 data branches | grep -q '^etl-' && break
	sleep 0.1
done
sleep 0.5
kill -9 $pid
wait $pid 2> /dev/null
git --git-dir="$PM25_HOME/data.git" fsck --no-progress 2>&1 | grep -v '^Checking\|dangling' || true
pm25 data log -n 1 | cut -d' ' -f3-
touch -d '1 minute ago' "$PM25_HOME/data.git/refs/heads/main.lock"
pm25 run -q --param source=air4thai-history --param file="$f" > out.txt 2> err.txt
echo "exit $?"
sed -n 2p out.txt
pm25 data ls main clean/ | wc -l
[ ! -e "$PM25_HOME/data.git/refs/heads/main.lock" ] || die "stale lock left"
