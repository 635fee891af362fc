# pm25 batch on the real Rawinann export, against the peer.
. "$SRC/tests/cli/lib.sh"
mkdir in && cp "$DATA/history/air4thai_08t_2023-09-01_2024-02-27.csv" in/
pm25 batch --contract "$SRC/bench/workload-contract.yaml" in out > summary.json || die "batch failed"
(cd out && sha256sum -c --quiet "$FIX/bench/peer-real.sha256") || die "daily CSVs differ"
python3 "$SRC/tests/cli/same-numbers.py" "$FIX/bench/peer-real.json" summary.json all
