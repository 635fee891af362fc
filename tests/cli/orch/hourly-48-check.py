"""The end state of tests/cli/orch/hourly-48.sh, read back through pm25.

Usage: hourly-48-check.py SRC START_MS. Prints what it found; exits 1
with the reason when an assertion fails.
"""
import collections
import csv
import datetime
import importlib.util
import io
import json
import subprocess
import sys

SRC, START = sys.argv[1], int(sys.argv[2])
H = 3600000
FAULTY = {"02t": "HTTP 500", "03t": "HTTP 500", "100t": "HTTP 500",
          "08t": "expected JSON", "101t": "timed out"}


def pm(*args):
    return subprocess.run(["pm25", *args], check=True, capture_output=True,
                          text=True).stdout


def fail(why):
    print("FAILED:", why, file=sys.stderr)
    sys.exit(1)


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


# what the stand-in served: its own code, with no faults
spec = importlib.util.spec_from_file_location(
    "standin", SRC + "/tests/helpers/air4thai-standin.py")
standin = importlib.util.module_from_spec(spec)
spec.loader.exec_module(standin)


class Args:
    stations = SRC + "/data/air4thai/dsi321_panggpb_getNewAQI_flattened_2025-05-15_2025-05-18.csv"
    series = SRC + "/data/history/air4thai_08t_2023-09-01_2024-02-27.csv"
    clock = faults = None


served = standin.Standin(Args())
stations = [s["stationID"] for s in served.stations]
# hours that ended from the first run's window (24 h before slot 0)
# to the last slot (47)
hours = [START + h * H for h in range(-23, 48)]

# -- main: every hour of every station, once, with the revised value
rows = collections.Counter()
value = {}
for path in pm("data", "ls", "main", "clean/hourly/").split():
    for r in csv.DictReader(io.StringIO(pm("data", "cat", "main", path))):
        key = (r["station_id"], r["time_utc"])
        rows[key] += 1
        value[key] = r["pm25"]
want = {(s, iso(t)) for s in stations for t in hours}
twice = [k for k, n in rows.items() if n > 1]
if twice:
    fail("rows on main twice: %s" % twice[:5])
if set(rows) != want:
    fail("main has %d rows, not the %d served: missing %s, extra %s" % (
        len(rows), len(want), sorted(want - set(rows))[:5], sorted(set(rows) - want)[:5]))
print("main:", len(stations), "stations x", len(hours), "hours, each once")
same = total = 0
for k, s in enumerate(stations):
    for t in hours:
        v = served.value(k, t // 1000, "PM25")
        if v is None:
            continue
        total += 1
        got = value[(s, iso(t))]
        same += got != "" and abs(float(got) - v) < 0.051
revised = value[("102t", "2026-11-20T03:00:00Z")]
print("revised value on main:", revised)
print("values as served:", same == total - 1 and "all but the revised one" or "%d of %d" % (same, total))

# -- the runs
runs = json.loads(pm("flow-run", "ls", "--limit", "1000", "--json"))
print("states:", dict(sorted(collections.Counter(r["state"] for r in runs).items())))
left = [r["id"] for r in runs if r["state"] in ("Running", "Pending")]
if left:
    fail("runs left Running or Pending: %s" % left)
hourly = [r for r in runs if r["deployment"] == "ingest-clean/hourly" and r["state"] != "Scheduled"]
slots = sorted((r["slot_ms"] - START) // H for r in hourly)
print("hourly slots run:", len(slots), "missing:", [s for s in range(48) if s not in slots])
print("missed-slot runs:", [(r["slot_ms"] - START) // H for r in hourly
                            if "missed" in (r["state_reason"] or "") or any(
                                "missed" in (x["reason"] or "")
                                for x in json.loads(pm("flow-run", "inspect", r["id"], "--json"))["states"])])
print("eda:", sorted(r["state"] for r in runs if r["flow"] == "eda"))

# -- each run's window is its slot's; each fault is in runs and reports
seen = collections.defaultdict(set)
outage = []
for r in sorted(hourly, key=lambda r: r["slot_ms"]):
    ins = json.loads(pm("flow-run", "inspect", r["id"], "--json"))
    if any("does not answer" in (x["reason"] or "") for x in ins["states"]):
        outage.append(((r["slot_ms"] - START) // H, r["state"], r["attempt"]))
        continue
    logs = [json.loads(json.loads(l)["message"])
            for l in pm("flow-run", "logs", r["id"], "--json").splitlines()]
    fetch = [l for l in logs if l["task"] == "fetch" and l["state"] == "Completed"]
    valid = [l for l in logs if l["task"] == "validate" and l["state"] == "Completed"]
    if r["state"] != "Completed" or not fetch or not valid:
        fail("run of slot %d: %s" % ((r["slot_ms"] - START) // H, r["state"]))
    parse = [l for l in logs if l["task"] == "parse" and l["state"] == "Completed"]
    f = fetch[-1]
    # who did not answer: the fetch's failures, then the parse's too
    unanswered = set(f["unanswered"]) | set(parse[-1].get("unanswered", []))
    for s in unanswered:
        seen[s].add("run")
    answered = f["stations"] - len(unanswered)
    if valid[-1]["rows"] != 24 * answered:
        fail("run of slot %d: %d rows, not 24 x %d" % ((r["slot_ms"] - START) // H,
                                                      valid[-1]["rows"], answered))
    q = [p for p in pm("data", "ls", "main", "quality/").split() if r["id"] in p]
    if len(q) != 1:
        fail("run %s: %d quality reports" % (r["id"], len(q)))
    rep = json.loads(pm("data", "cat", "main", q[0]))
    newest = iso(r["slot_ms"] // H * H)
    if rep["newest_utc"] != newest:
        fail("run of slot %d: newest %s, not its slot's %s" % (
            (r["slot_ms"] - START) // H, rep["newest_utc"], newest))
    for u in rep.get("unanswered_stations", []):
        s, why = u.split(": ", 1)
        if FAULTY.get(s, "?") in why:
            seen[s].add("report")
print("each run: 24 hours before its slot, for every station that answered")
for s in sorted(FAULTY):
    print("fault %s (%s): in %s" % (s, FAULTY[s], " and ".join(sorted(seen[s])) or "nothing"))
print("runs that met the outage (slot, state, attempts):", outage)

# -- alerts: one for the outage, one per station episode
alerts = json.loads(pm("alert", "ls", "--limit", "1000", "--json"))
print("alerts:", dict(sorted(collections.Counter(
    a["kind"] for a in alerts if a["status"] != "folded").items())))
print("folded into the outage's:", sum(1 for a in alerts if a["status"] == "folded"))
