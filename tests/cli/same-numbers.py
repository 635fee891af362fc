#!/usr/bin/env python3
"""Check that a pm25 summary carries the peer's numbers.

    same-numbers.py PEER.json PM25.json [all|fit]

The spec's input, dedup, validation, grid and output objects (and with
"all" also features, model and metrics; with "fit" only those three)
must have the same keys in the
same order. Counts and strings must be equal; floats may differ by
1e-6 of the larger value plus 1e-9, the backfill workload's agreement
rule; the model-beats-persistence flag may differ only when the two R2
values are that close. Prints one line per object and exits 1 on any
difference.
"""
import json
import sys


def close(a, b):
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b)) + 1e-9


def same(a, b, path, bad):
    if isinstance(a, dict):
        if not isinstance(b, dict) or list(a) != list(b):
            bad.append("%s: keys %s vs %s" % (path, list(a), list(b) if isinstance(b, dict) else b))
            return
        for k in a:
            same(a[k], b[k], path + "." + k, bad)
    elif isinstance(a, bool) or isinstance(a, str) or isinstance(a, int) and not isinstance(b, float):
        if a != b:
            bad.append("%s: %r vs %r" % (path, a, b))
    elif not close(float(a), float(b)):
        bad.append("%s: %r vs %r" % (path, a, b))


peer = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
keys = ["input", "dedup", "validation", "grid", "output"]
if len(sys.argv) > 3 and sys.argv[3] == "all":
    keys += ["features", "model", "metrics"]
elif len(sys.argv) > 3 and sys.argv[3] == "fit":
    keys = ["features", "model", "metrics"]
failed = 0
for key in keys:
    bad = []
    a, b = peer[key], ours.get(key)
    if key == "metrics" and b is not None:
        # the flag may flip only when the R2 values are within tolerance
        if close(a["model"]["r2"], a["persistence"]["r2"]) or close(b["model"]["r2"], b["persistence"]["r2"]):
            b = dict(b, model_beats_persistence_r2=a["model_beats_persistence_r2"])
    if b is None:
        bad.append("missing")
    else:
        same(a, b, key, bad)
    print(key, "same" if not bad else "DIFFERENT: " + "; ".join(bad[:3]))
    failed += bool(bad)
sys.exit(1 if failed else 0)
