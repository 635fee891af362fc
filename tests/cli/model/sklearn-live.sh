# Live check against scikit-learn (python3-sklearn, installed by make
# test): OLS, ridge and OLS with weather features fitted by pm25 match
# LinearRegression and Ridge(alpha=10) on the same hourly grid to 1e-6,
# counts exactly.
. "$SRC/tests/cli/lib.sh"
PY=/usr/bin/python3
$PY -c "import sklearn, pandas" || die "python3-sklearn and python3-pandas are needed"
pm25 batch --contract "$SRC/bench/workload-contract.yaml" "$FIX/bench/small" ols > ols.json ||
	die "batch failed"
$PY "$SRC/tests/cli/sklearn-fit.py" ols > sk-ols.json || die "sklearn fit failed"
python3 "$SRC/tests/cli/same-numbers.py" sk-ols.json ols.json fit || die "OLS differs"
pm25 batch --alpha 10 --contract "$SRC/bench/workload-contract.yaml" "$FIX/bench/small" ridge > ridge.json ||
	die "batch --alpha failed"
assert_contains ridge.json '"estimator": "ridge", "alpha": 10'
$PY "$SRC/tests/cli/sklearn-fit.py" ridge 10 > sk-ridge.json || die "sklearn ridge failed"
python3 "$SRC/tests/cli/same-numbers.py" sk-ridge.json ridge.json fit || die "ridge differs"
# ridge shrinks: the coefficients are not OLS's
python3 - ols.json ridge.json <<'PY' || die "ridge gave the OLS coefficients"
import json, sys
a, b = (json.load(open(f))["model"]["coefficients"] for f in sys.argv[1:])
sys.exit(0 if any(abs(a[k] - b[k]) > 1e-6 * abs(a[k]) for k in a) else 1)
PY
# weather features: the hour's temp, rh and ws on top of the workload's
pm25 batch --weather --contract "$SRC/bench/workload-contract.yaml" "$FIX/bench/small" weather > weather.json ||
	die "batch --weather failed"
assert_contains weather.json '"weather_features": true'
assert_contains weather.json '"ws": '
$PY "$SRC/tests/cli/sklearn-fit.py" weather 0 weather > sk-weather.json || die "sklearn weather fit failed"
python3 "$SRC/tests/cli/same-numbers.py" sk-weather.json weather.json fit || die "weather fit differs"
