#!/usr/bin/python3
"""Air4Thai station-feed responses (getNewAQI_JSON.php) for a benchmark.

Usage: bench/hourly-response.py DATASET FIRST_HOUR N OUT_DIR

Writes N responses, OUT_DIR/hour-K.json for the local hours FIRST_HOUR
("YYYY-MM-DD HH:00", Asia/Bangkok), FIRST_HOUR + 1 h, ...: one entry per
station of DATASET (a bench/make_dataset.py folder, whose files are
named air4thai_<station>_...csv), in the shape of the recorded feed
(data/air4thai/getNewAQI_JSON_*.json): numbers as strings, "-1" for
none. Values are made up, reproducibly; the benchmark times ingestion,
not the data.
"""
import datetime
import json
import os
import random
import sys

data, first, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ids = sorted({f.split("_")[1] for f in os.listdir(data) if f.startswith("air4thai_")})
t0 = datetime.datetime.strptime(first, "%Y-%m-%d %H:%M")
rnd = random.Random(42)
os.makedirs(out, exist_ok=True)


def block(v):
    if v is None:
        return {"color_id": "0", "aqi": "-1", "value": "-1"}
    return {"color_id": "2", "aqi": str(int(v * 1.5)), "value": "%.1f" % v}


for k in range(n):
    t = t0 + datetime.timedelta(hours=k)
    stations = []
    for i, sid in enumerate(ids):
        pm = round(rnd.uniform(5, 80), 1)
        stations.append({
            "stationID": sid, "nameTH": "สถานี %s" % sid, "nameEN": "Station %s" % sid,
            "areaTH": "พื้นที่ %d" % i, "areaEN": "Area %d" % i, "stationType": "GROUND",
            "lat": "%.6f" % (13.0 + i * 0.01), "long": "%.6f" % (100.0 + i * 0.01),
            "forecast": [],
            "AQILast": {"date": t.strftime("%Y-%m-%d"), "time": t.strftime("%H:00"),
                        "PM25": block(pm), "PM10": block(round(pm * 1.6, 1)),
                        "O3": block(None), "CO": block(None), "NO2": block(None),
                        "SO2": block(None),
                        "AQI": {"color_id": "2", "aqi": str(int(pm * 1.5)), "param": "PM25"}}})
    with open(os.path.join(out, "hour-%d.json" % k), "w", encoding="utf-8") as f:
        json.dump({"stations": stations}, f, ensure_ascii=False, indent=1)
