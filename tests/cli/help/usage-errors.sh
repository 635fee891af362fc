# Bad invocations exit 2 and say what is wrong.
. "$SRC/tests/cli/lib.sh"
pm25 ingest --source air4thai --file x.json 2> e1; assert_eq "no -o" 2 $?
assert_contains e1 "missing -o OUT.csv"
pm25 ingest --source nope -o x.csv 2> e2; assert_eq "bad source" 2 $?
assert_contains e2 "unknown --source nope"
pm25 clean in.csv 2> e3; assert_eq "clean without output" 2 $?
assert_contains e3 "give exactly one of -o and --out-dir"
pm25 validate 2> e4; assert_eq "no files" 2 $?
pm25 ingest --bogus 2> e5; assert_eq "unknown option" 2 $?
assert_contains e5 "unknown option '--bogus'"
pm25 ingest --source csv --file x --from 2024-13-01 -o o.csv 2> e6
assert_eq "bad date" 2 $?
echo ok
