# The same input twice: the second run finds nothing new, main does not
# move and no day file holds a row twice.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null
f="$DATA/air4thai/history_webV2_03t_05t_2019-01-01_2019-02-03.json"
pm25 run -q --param source=air4thai-history --param file="$f" > /dev/null || die "first run"
one=$(git --git-dir="$PM25_HOME/data.git" rev-parse main)
pm25 run -q --json --param source=air4thai-history --param file="$f" > second.json || die "second run"
two=$(git --git-dir="$PM25_HOME/data.git" rev-parse main)
assert_eq "main" "$one" "$two"
python3 -c 'import json; r = json.load(open("second.json")); print(r["published"], r["unchanged"])'
for p in $(pm25 data ls main clean/); do
	pm25 data cat main "$p" | tail -n +2 | cut -d, -f1,2
done | sort | uniq -d | wc -l
