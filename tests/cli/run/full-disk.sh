# A home on a disk that fills up (a 2 MB tmpfs): the backfill fails
# saying the disk is full and naming the folder, whatever write hit it
# (libgit2's own message hides why); the store stays consistent (git
# fsck: the days published before are whole); once the disk has room
# the dead run is found and ended, and the same backfill, redoing every
# day (--force: how many the first one published depends on where the
# disk filled), finishes with every row of the file.
. "$SRC/tests/cli/lib.sh"
mkdir small
mount -t tmpfs -o size=2m tmpfs small || die "cannot mount a tmpfs (this test runs as root)"
trap 'umount small 2> /dev/null' EXIT
export PM25_HOME=$PWD/small/h
pm25 init > /dev/null
f="$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv"
pm25 backfill -q --input "$f" > out.txt 2> err.txt
echo "exit $?"
grep -o "no space left on the disk holding [^ ]*" err.txt | sed "s#small/h/.*#small/h/...#" | sed "s#$PWD#CASE#" | sort -u
git --git-dir="$PM25_HOME/data.git" fsck --no-progress 2>&1 | grep -v '^Checking\|dangling' || true
mount -o remount,size=64m small
pm25 flow-run ls --json | python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
print(r["flow"], r["state"])'
pm25 backfill -q --force --input "$f" | sed -n 1p | cut -d: -f2
echo "exit ${PIPESTATUS[0]}"
