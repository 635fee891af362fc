# Every command listed by `pm25 -h` answers -h with its usage, exit 0.
. "$SRC/tests/cli/lib.sh"
pm25 -h > top.txt
cmds=$(sed -n 's/^    \([a-z-]*\)  .*/\1/p' top.txt)
[ -n "$cmds" ] || die "no commands in pm25 -h"
for c in $cmds; do
	pm25 "$c" -h > out.txt || die "pm25 $c -h exited $?"
	head -n 1 out.txt | grep -q "^usage: pm25 $c" ||
		[ "$c" = version ] || die "pm25 $c -h: $(head -n 1 out.txt)"
	pm25 "$c" --help > /dev/null || die "pm25 $c --help failed"
done
echo "$cmds" | tr '\n' ' '
echo
