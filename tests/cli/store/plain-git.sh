# The local store is a plain bare git repository: git log and git show
# read what pm25 wrote.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
mkdir in
head -n 49 "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" > in/a.csv
pm25 backfill --input in -q > /dev/null || die "backfill failed"
git --git-dir="$PM25_HOME/data.git" log --format='%s' main | sed 's/[0-9]\{8\}T[0-9]\{6\}Z-[0-9a-f]\{4\}/RUN/'
git --git-dir="$PM25_HOME/data.git" show main:clean/hourly/date=2023-11-30.csv > a.csv
pm25 data cat main clean/hourly/date=2023-11-30.csv > b.csv
cmp a.csv b.csv || die "git show and pm25 data cat differ"
head -n 2 a.csv
git --git-dir="$PM25_HOME/data.git" fsck --no-progress 2>&1 | grep -v '^Checking\|dangling' || true
git --git-dir="$PM25_HOME/data.git" log -1 --format=%B main | grep -E "^[a-z0-9-]+: " | sed "s/[0-9]\{8\}T[0-9]\{6\}Z-[0-9a-f]\{4\}/RUN/"
