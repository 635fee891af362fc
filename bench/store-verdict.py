#!/usr/bin/env python3
"""Compare pm25's backfill-into-the-store job with the peer.

    store-verdict.py PEER.json BACKFILL.json ARTEFACT.json

The store flow cleans one local day at a time, as hourly ingestion does,
so a PM2.5 gap that spans midnight is not interpolated and each day's
grid spans that day only; the peer grids and interpolates each station
in one piece. Accepted rows must be equal; the model is reported by its
test RMSE beside the peer's. Prints the verdict.
"""
import json
import sys

peer = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
art = json.load(open(sys.argv[3]))
accepted = peer["validation"]["accepted_rows"]
pairs = [(peer["model"]["intercept"], art["intercept"])]
pairs += [(peer["model"]["coefficients"][k], art["coefficients"][k])
          for k in peer["model"]["coefficients"]]
for side in ("model", "persistence"):
    pairs += [(peer["metrics"][side][k], art["metrics"][side][k]) for k in ("mae", "rmse", "r2")]
worst = max(abs(a - b) / max(abs(a), abs(b), 1e-12) for a, b in pairs)
if ours["accepted_rows"] != accepted:
    print("DISAGREE: %d accepted rows, the peer %d" % (ours["accepted_rows"], accepted))
    sys.exit(1)
if worst <= 1e-6:
    print("AGREE")
else:
    print("rows AGREE; test RMSE %.4f, the peer's %.4f (day-by-day cleaning)"
          % (art["metrics"]["model"]["rmse"], peer["metrics"]["model"]["rmse"]))
