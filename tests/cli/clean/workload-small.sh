# The backfill workload on the small dataset: pm25 clean with the
# workload contract writes the pandas peer's daily CSVs byte for byte and
# reports its input/dedup/validation/grid/output numbers exactly.
. "$SRC/tests/cli/lib.sh"
pm25 clean --contract "$SRC/bench/workload-contract.yaml" --out-dir out --json \
	"$FIX/bench/small" > summary.json || die "clean failed"
(cd out && sha256sum -c --quiet "$FIX/bench/peer-small.sha256") || die "daily CSVs differ"
assert_eq "file count" "$(wc -l < "$FIX/bench/peer-small.sha256")" "$(ls out | wc -l)"
python3 "$SRC/tests/cli/same-numbers.py" "$FIX/bench/peer-small.json" summary.json
