# The backfill workload on the real Rawinann file, against the peer.
. "$SRC/tests/cli/lib.sh"
mkdir in && cp "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" in/
pm25 clean --contract "$SRC/bench/workload-contract.yaml" --out-dir out --json in > summary.json ||
	die "clean failed"
(cd out && sha256sum -c --quiet "$FIX/bench/peer-real.sha256") || die "daily CSVs differ"
assert_eq "file count" "$(wc -l < "$FIX/bench/peer-real.sha256")" "$(ls out | wc -l)"
python3 "$SRC/tests/cli/same-numbers.py" "$FIX/bench/peer-real.json" summary.json
