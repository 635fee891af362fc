#!/usr/bin/env python3
"""Check that a pm25 clean summary carries the peer's numbers.

    same-numbers.py PEER.json PM25.json

The spec's input, dedup, validation, grid and output objects must have
the same keys in the same order and the same values (counts exact, the
quality score within 1e-12). Prints one line per object, "same" or the
difference, and exits 1 on any difference.
"""
import json
import sys

peer = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
bad = 0
for key in ["input", "dedup", "validation", "grid", "output"]:
    a, b = peer[key], ours.get(key)
    same = b is not None and list(a) == list(b)
    if same:
        for k in a:
            if isinstance(a[k], float):
                same = same and abs(a[k] - b[k]) <= 1e-12
            else:
                same = same and a[k] == b[k]
    if key == "validation" and same:
        same = list(a["rejected_by_rule"]) == list(b["rejected_by_rule"])
    print(key, "same" if same else "DIFFERENT: peer %s, pm25 %s" % (a, b))
    bad += not same
sys.exit(1 if bad else 0)
