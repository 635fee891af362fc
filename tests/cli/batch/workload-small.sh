# pm25 batch runs the whole backfill workload on the small dataset: the
# peer's daily CSVs byte for byte, its counts exactly, its coefficients
# and metrics within 1e-6.
. "$SRC/tests/cli/lib.sh"
pm25 batch --contract "$SRC/bench/workload-contract.yaml" "$FIX/bench/small" out > summary.json ||
	die "batch failed"
(cd out && sha256sum -c --quiet "$FIX/bench/peer-small.sha256") || die "daily CSVs differ"
python3 "$SRC/tests/cli/same-numbers.py" "$FIX/bench/peer-small.json" summary.json all
