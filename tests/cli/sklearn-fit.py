#!/usr/bin/env python3
"""Fit the baseline model with scikit-learn on pm25's daily CSVs.

    sklearn-fit.py OUT_DIR [ALPHA [weather]] > fit.json

Reads the hourly grid that pm25 wrote (OUT_DIR/date=*.csv), builds the
backfill workload's features with pandas, splits by time and fits
LinearRegression (or Ridge(alpha) when ALPHA > 0), with the hour's
temp, rh and ws as three more features when asked. Prints features,
model and metrics in the shape of pm25's batch summary, so that
same-numbers.py can compare the two. This is the live check against
scikit-learn: it shares no code with pm25.
"""
import glob
import json
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

FEATURES = ["pm25", "pm25_lag1", "pm25_lag2", "pm25_lag3", "pm25_lag24",
            "pm25_roll24", "hour_sin", "hour_cos", "dow_tue", "dow_wed",
            "dow_thu", "dow_fri", "dow_sat", "dow_sun"]


def main(out_dir, alpha, weather):
    features = FEATURES + (["temp", "rh", "ws"] if weather else [])
    files = sorted(glob.glob(out_dir + "/date=*.csv"))
    grid = pd.concat([pd.read_csv(f, dtype={"station_id": str}) for f in files])
    grid["t"] = pd.to_datetime(grid["time_utc"]).astype("int64") // 3600 // 10**9
    frames = []
    for sid, g in grid.groupby("station_id", sort=True):
        # reindex to every hour so that shifts are shifts in time
        hours = range(g["t"].min(), g["t"].max() + 1)
        p = g.set_index("t")["pm25"].reindex(hours)
        local = p.index.to_numpy() + 7
        hour = local % 24
        dow = (local // 24 + 3) % 7
        f = pd.DataFrame({"t": p.index, "pm25": p.values,
                          "pm25_lag1": p.shift(1).values,
                          "pm25_lag2": p.shift(2).values,
                          "pm25_lag3": p.shift(3).values,
                          "pm25_lag24": p.shift(24).values,
                          "pm25_roll24": p.rolling(24, min_periods=24).mean().values,
                          "hour_sin": np.sin(2 * np.pi * hour / 24),
                          "hour_cos": np.cos(2 * np.pi * hour / 24)})
        for k, name in enumerate(["tue", "wed", "thu", "fri", "sat", "sun"]):
            f["dow_" + name] = (dow == k + 1).astype("float64")
        if weather:
            for col in ("temp", "rh", "ws"):
                f[col] = g.set_index("t")[col].reindex(hours).values
        f["target"] = p.shift(-1).values
        frames.append(f.dropna())
    feats = pd.concat(frames)
    hours = np.sort(feats["t"].unique())
    n_train = 4 * len(hours) // 5
    test_start = hours[n_train]
    train, test = feats[feats["t"] < test_start], feats[feats["t"] >= test_start]
    model = Ridge(alpha=alpha) if alpha > 0 else LinearRegression()
    model.fit(train[features], train["target"])

    def metrics(y, pred):
        return {"mae": float(mean_absolute_error(y, pred)),
                "rmse": float(np.sqrt(mean_squared_error(y, pred))),
                "r2": float(r2_score(y, pred))}

    m = metrics(test["target"], model.predict(test[features]))
    p = metrics(test["target"], test["pm25"])
    print(json.dumps({
        "features": {"rows": len(feats), "distinct_hours": len(hours),
                     "train_hours": int(n_train), "train_rows": len(train),
                     "test_rows": len(test),
                     "test_start_utc": pd.Timestamp(int(test_start) * 3600, unit="s")
                     .strftime("%Y-%m-%dT%H:%M:%SZ")},
        "model": {"intercept": float(model.intercept_),
                  "coefficients": {f: float(c) for f, c in zip(features, model.coef_)}},
        "metrics": {"model": m, "persistence": p,
                    "model_beats_persistence_r2": m["r2"] > p["r2"]},
    }, indent=1))


main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.0,
     len(sys.argv) > 3 and sys.argv[3] == "weather")
