#!/usr/bin/python3
"""A stand-in for the Air4Thai API, on 127.0.0.1, for tests and benchmarks.

No test calls the real API. This server answers as it does, in the shapes
recorded in data/air4thai/ (see data/README.md):

  /services/getNewAQI_JSON.php       the station feed: every station with
                                     its metadata and AQILast, numbers as
                                     strings, "-1" and color_id "0" for none
  /forweb/getHistoryData.php?stationID=ID&param=...&sdate=D&edate=D
                                     the hourly history of one station in
                                     the forweb shape: hours labelled by
                                     their end, missing values null

The stations (187) and their metadata are the real ones of a recorded feed
(data/air4thai/dsi321_...csv). Each station's hourly values are a real
recorded series (data/history/air4thai_08t_...csv), shifted per station.

Its clock is PM25_NOW_MS: the file given with --clock holds it (a test
writes the value it runs pm25 with), else the environment's, else the
wall clock. Only hours that have ended by then are served.

Faults come from the JSON file given with --faults, read at each request:
  {"faults": [{"kind": "500"|"html"|"slow"|"down", "station": "ID" or "*",
               "from_ms": N, "to_ms": N}],
   "revisions": [{"station": "ID", "hour": "YYYY-MM-DD HH:00:00",
                  "pm25": X, "from_ms": N}]}
A fault's station is an id, "*" (every station's history), "feed", "-"
(a request with no station, as a health check's probe is) or "all"
(everything). "down" answers 503; "slow" answers after --slow-s seconds. --latency-ms adds a delay to every answer.
Every request is logged to --log as: clock_ms path station status.
"""
import argparse
import csv
import datetime
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ICT = datetime.timezone(datetime.timedelta(hours=7))
PARAMS = ["PM25", "PM10", "O3", "CO", "NO2", "SO2", "WS", "TEMP", "RH", "WD"]


def load_stations(path):
    seen = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            seen.setdefault(r["stationID"], r)
    return list(seen.values())


def load_series(path):
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["stationID"] != "02t":
                continue
            rows.append({p: (float(r[p]) if r[p] != "" else None) for p in PARAMS})
    return rows


class Standin:
    def __init__(self, a):
        self.a = a
        self.stations = load_stations(a.stations)
        self.index = {s["stationID"]: i for i, s in enumerate(self.stations)}
        self.series = load_series(a.series)
        self.lock = threading.Lock()

    def now_ms(self):
        if self.a.clock:
            try:
                with open(self.a.clock) as f:
                    return int(f.read().strip())
            except (OSError, ValueError):
                pass
        if os.environ.get("PM25_NOW_MS"):
            return int(os.environ["PM25_NOW_MS"])
        return int(time.time() * 1000)

    def faults(self):
        if not self.a.faults:
            return {}
        try:
            with open(self.a.faults) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def fault(self, fs, now, station):
        for x in fs.get("faults", []):
            want = x.get("station", "all")
            if not x["from_ms"] <= now < x["to_ms"]:
                continue
            if want == "all" or want == station or (want == "*" and station not in ("-", "feed")):
                return x["kind"]
        return None

    def value(self, k, hour_end, param):
        """Station k's value of param for the hour ending at hour_end (UTC s)."""
        n = len(self.series)
        i = (hour_end // 3600 + 37 * k) % n
        v = self.series[i][param]
        if v is None or param != "PM25":
            return v
        return round(v * (0.8 + (k % 5) * 0.1), 1)

    def history_rows(self, sid, sdate, edate, now, fs):
        k = self.index[sid]
        last = (now // 1000) // 3600 * 3600  # the newest hour that ended
        d0 = datetime.date.fromisoformat(sdate)
        d1 = datetime.date.fromisoformat(edate)
        revised = {(r["station"], r["hour"]): r["pm25"]
                   for r in fs.get("revisions", []) if r["from_ms"] <= now}
        out = []
        d = d0
        while d <= d1:
            for h in range(24):
                local = datetime.datetime(d.year, d.month, d.day, h, tzinfo=ICT)
                end = int(local.timestamp())
                if end > last:
                    break
                label = local.strftime("%Y-%m-%d %H:%M:%S")
                row = {"DATETIMEDATA": label}
                for p in PARAMS:
                    row[p] = self.value(k, end, p)
                if (sid, label) in revised:
                    row["PM25"] = revised[(sid, label)]
                out.append(row)
            d += datetime.timedelta(days=1)
        return out

    def feed(self, now):
        last = (now // 1000) // 3600 * 3600
        local = datetime.datetime.fromtimestamp(last, ICT)
        out = []
        for k, s in enumerate(self.stations):
            pm = self.value(k, last, "PM25")
            blk = lambda v: ({"color_id": "0", "aqi": "-1", "value": "-1"} if v is None else
                             {"color_id": "2", "aqi": str(int(v * 1.5)), "value": "%.1f" % v})
            last_rec = {"date": local.strftime("%Y-%m-%d"), "time": local.strftime("%H:00"),
                        "PM25": blk(pm), "PM10": blk(self.value(k, last, "PM10")),
                        "O3": blk(None), "CO": blk(None), "NO2": blk(None), "SO2": blk(None),
                        "AQI": {"color_id": "2", "aqi": str(int((pm or 0) * 1.5)), "param": "PM25"}}
            out.append({"stationID": s["stationID"], "nameTH": s["nameTH"], "nameEN": s["nameEN"],
                        "areaTH": s["areaTH"], "areaEN": s["areaEN"],
                        "stationType": s["stationType"], "lat": s["lat"], "long": s["long"],
                        "forecast": [], "AQILast": last_rec})
        return {"stations": out}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # headers and body are two writes: without this, Nagle's
        # algorithm and the client's delayed ACK add 40 ms to each
        # answer on a kept-alive connection
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        s = self.server.standin
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        now = s.now_ms()
        fs = s.faults()
        sid = q.get("stationID", "")
        if url.path.endswith("/getNewAQI_JSON.php"):
            sid = "feed"
        status = 200
        if s.a.latency_ms:
            time.sleep(s.a.latency_ms / 1000)
        kind = s.fault(fs, now, sid or "-")
        try:
            if kind == "down":
                status = 503
                self.send(503, "<html><body>Service Unavailable</body></html>", "text/html")
            elif url.path.endswith("/getNewAQI_JSON.php"):
                self.send(200, json.dumps(s.feed(now), ensure_ascii=False))
            elif url.path.endswith("/getHistoryData.php"):
                if kind == "500":
                    status = 500
                    self.send(500, "Internal Server Error", "text/plain")
                elif kind == "html":
                    self.send(200, "<!DOCTYPE html><html><head><title>Air4Thai</title></head>"
                                   "<body>ระบบกำลังปรับปรุง (maintenance)</body></html>", "text/html")
                else:
                    if kind == "slow":
                        time.sleep(s.a.slow_s)
                    if sid not in s.index or "sdate" not in q or "edate" not in q:
                        body = {"result": "Error", "error": "stationID, sdate and edate are needed",
                                "stations": []}
                    else:
                        rows = s.history_rows(sid, q["sdate"], q["edate"], now, fs)
                        body = {"result": "OK", "error": "",
                                "stations": [{"stationID": sid, "params": PARAMS, "data": rows}]}
                    self.send(200, json.dumps(body, separators=(",", ":")))
            else:
                status = 404
                self.send(404, "not found", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            status = 499
        if s.a.log:
            with s.lock, open(s.a.log, "a") as f:
                f.write("%d %s %s %d\n" % (now, url.path, sid or "-", status))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(here, "..", "..", "data")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--clock")
    p.add_argument("--faults")
    p.add_argument("--log")
    p.add_argument("--latency-ms", type=float, default=0)
    p.add_argument("--slow-s", type=float, default=5)
    p.add_argument("--stations", default=os.path.join(
        data, "air4thai", "dsi321_panggpb_getNewAQI_flattened_2025-05-15_2025-05-18.csv"))
    p.add_argument("--series", default=os.path.join(
        data, "history", "air4thai_08t_2023-09-01_2024-02-27.csv"))
    a = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.standin = Standin(a)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
