# The source rules the compiler does not check (scripts/checksrc): no //
# comments or banned calls, compat.h first, no function over 150 lines,
# no command file over 300, and cli/ includes only pm25/ headers. A
# finding fails the case and is printed.
. "$SRC/tests/cli/lib.sh"
out=$(cd "$SRC" && scripts/checksrc) || die "checksrc: $out"
# the rules do find what they look for
mkdir -p t/cli && cd t
printf '#include "pm25/compat.h"\n#include "../lib/limits.h"\n' > cli/cmd-x.c
{ printf 'int f(void)\n{\n'; for i in $(seq 160); do echo "	(void)$i;"; done; printf '}\n'; } >> cli/cmd-x.c
for i in $(seq 150); do echo "/* $i */"; done >> cli/cmd-x.c
mkdir -p scripts lib include tests && cp "$SRC/scripts/checksrc" scripts/
scripts/checksrc > found.txt && die "checksrc passed a bad file"
grep -c 'cli/cmd-x.c' found.txt
sort found.txt
