# kill -9 in the middle of publish leaves the store readable, and the next
# run succeeds; so does a stale ref lock left by a killed writer.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
f="$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json"
# stopped inside publish: day files and the quality report are staged on
# the run's branch, the commit not yet made
PM25_PAUSE_AT=publish PM25_PAUSE_FILE=$PWD/p pm25 run -q --param source=air4thai-history --param file="$f" > /dev/null 2>&1 &
pid=$!
[ "$(paused p)" = $pid ] || die "another process paused"
pm25 data branches | grep -q '^etl-' || die "no run branch at the pause point"
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
