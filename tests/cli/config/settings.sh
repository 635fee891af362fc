# Settings come from the environment, else pm25.yaml in the home, else
# the default; pm25 config ls says which, and masks secrets; a bad value
# is an error that names the setting and where it came from.
. "$SRC/tests/cli/lib.sh"
pm25 init > /dev/null || die "init"
# the sample file that init writes sets nothing
pm25 config ls > ls0.txt || die "config ls"
grep -v '^home ' ls0.txt | awk '{print $1, $2, $3}'
assert_eq "only home from env" 1 "$(grep -c ' env ' ls0.txt)"
grep -q '^# store: local$' "$PM25_HOME/pm25.yaml" || die "sample has no store line"

echo "-- file, then env over file"
printf 'store: lakefs\nretention_days: 7\nsource: waqi\n' > "$PM25_HOME/pm25.yaml"
pm25 config ls | awk '$1 ~ /^(store|retention_days|source)$/ {print $1, $2, $3}'
PM25_STORE=local pm25 config get store --json |
	sed 's/.*"value": "\([a-z]*\)", "from": "\([a-z]*\)".*/store \1 \2/'
pm25 config get retention_days
# the file's store is the one used: lakefs without its endpoint
pm25 data log > /dev/null 2> e1; assert_eq "lakefs from the file" 2 $?
assert_contains e1 "the lakefs store needs LAKEFS_ENDPOINT"
PM25_STORE=local pm25 data log > /dev/null || die "env store=local did not win"
pm25 config get contract > c.txt; assert_eq "unset get" 1 $?
assert_eq "unset get prints nothing" "" "$(cat c.txt)"

echo "-- secrets"
secret=pw-Zq81 token=tok-Xy77 hook=T0/B0/hk-Kp33
printf 'store: local\nlakefs_secret_key: %s\nwaqi_token: %s\n' \
	"$secret" "$token" > "$PM25_HOME/pm25.yaml"
PM25_DATABASE_URL="postgresql://pm:$secret@db.example:5432/pm25" \
PM25_SLACK_WEBHOOK_URL="https://hooks.example/services/$hook" \
PM25_LOKI_URL="http://user:$secret@loki.example:3100" \
	pm25 config ls --json > ls.json || die "ls --json"
PM25_DATABASE_URL="host=db user=pm password='$secret' dbname=x" \
	pm25 config ls > ls1.txt || die "ls kv"
for s in "$secret" "$token" hk-Kp33; do
	! grep -qF "$s" ls.json ls1.txt || die "secret $s shown"
done
grep -o '"name": "[a-z_]*", "value": "[^"]*", "from": "[a-z]*"' ls.json |
	grep -E 'database_url|slack|loki_url|secret_key|waqi_token'
grep '^database_url' ls1.txt | awk '{print $1, $2, $3, $4, $5}'
node -e 'const j = JSON.parse(require("fs").readFileSync("ls.json"));
	if (!j.file.endsWith("/pm25.yaml")) throw "file";
	if (j.settings.some(s => s.test_hook)) throw "test hooks listed";
	console.log(j.settings.length, "settings")'
pm25 config ls --all --json | grep -o '"test_hook": true' | wc -l

echo "-- bad values"
printf 'store: local\n' > "$PM25_HOME/pm25.yaml"
PM25_SQLITE_BUSY_MS=abc pm25 config ls > /dev/null 2> e2; echo "exit $?"
cat e2
PM25_CONTAINER_PULL=sometimes pm25 flow-run ls > /dev/null 2> e3; echo "exit $?"
cat e3
LAKEFS_ENDPOINT=ftp://x pm25 data log > /dev/null 2> e4
echo "exit $?"
cat e4
printf 'store: local\nstroe: lakefs\n' > "$PM25_HOME/pm25.yaml"
pm25 data log > /dev/null 2> e5; echo "exit $?"
sed "s|$PM25_HOME|HOME|" e5
printf 'retention_days: -3\n' > "$PM25_HOME/pm25.yaml"
pm25 flow-run ls > /dev/null 2> e6; echo "exit $?"
sed "s|$PM25_HOME|HOME|" e6
printf 'home: /elsewhere\n' > "$PM25_HOME/pm25.yaml"
pm25 flow-run ls > /dev/null 2> e7; echo "exit $?"
sed "s|$PM25_HOME|HOME|" e7
printf -- '- store\n- local\n' > "$PM25_HOME/pm25.yaml"
pm25 flow-run ls > /dev/null 2> e8; echo "exit $?"
sed "s|$PM25_HOME|HOME|" e8
printf 'slack_webhook_url: hooks.example/%s\n' "$hook" > "$PM25_HOME/pm25.yaml"
pm25 flow-run ls > /dev/null 2> e9; echo "exit $?"
sed "s|$PM25_HOME|HOME|" e9
! grep -qF hk-Kp33 e9 || die "a bad secret is shown"
# help and the version answer whatever the file says
pm25 run -h > /dev/null || die "run -h with a bad pm25.yaml"
pm25 version > /dev/null || die "version with a bad pm25.yaml"
