#!/usr/bin/python3
"""Stand-in for Slack's incoming webhook and Loki's push API, which cannot
run here. Listens on 127.0.0.1 only, checks the wire format of every
request, and records what it took.

usage: push-receiver.py slack|loki PORTFILE RECORD [SCRIPT]

  RECORD  one JSON line per request that passed the checks: the message
          (slack) or the decoded push body (loki)
  SCRIPT  optional file of HTTP statuses, one per line, answered to the
          requests in turn (then 200 or 204); "-" answers as usual,
          "hang" waits 5 s first, "silent" never answers
Every request, a scripted failure's too, is checked first; a violation is
answered 400 and written to RECORD.violations.
"""
import gzip
import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KIND, PORTFILE, RECORD = sys.argv[1], sys.argv[2], sys.argv[3]
SCRIPT = []
if len(sys.argv) > 4:
    with open(sys.argv[4]) as f:
        SCRIPT = [l.strip() for l in f if l.strip()]
SLACK_PATH = "/services/T000/B000/s3cr3tw3bh00k"
LOKI_PATH = "/loki/api/v1/push"
LABELS = {"app", "env", "flow", "level"}


def slack_check(body, headers):
    """Slack incoming-webhook rules that a client can get wrong."""
    if not headers.get("Content-Type", "").startswith("application/json"):
        return "Content-Type is not application/json"
    try:
        m = json.loads(body)
    except ValueError as e:
        return "invalid JSON: %s" % e
    if not isinstance(m, dict) or not isinstance(m.get("text"), str) or not m["text"]:
        return "no text (the notification fallback)"
    if len(m["text"]) > 40000:
        return "text longer than 40000"
    blocks = m.get("blocks", [])
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "blocks is not a list of at most 50"
    texts = [m["text"]]
    for b in blocks:
        t = b.get("type")
        if t == "header":
            if b["text"]["type"] != "plain_text" or len(b["text"]["text"]) > 150:
                return "header: plain_text of at most 150 characters"
        elif t == "section":
            if b["text"]["type"] not in ("mrkdwn", "plain_text") or not 0 < len(b["text"]["text"]) <= 3000:
                return "section: text of 1 to 3000 characters"
            texts.append(b["text"]["text"])
        elif t == "context":
            els = b.get("elements", [])
            if not 0 < len(els) <= 10:
                return "context: 1 to 10 elements"
            texts += [e["text"] for e in els]
        else:
            return "unknown block type %r" % t
    for s in texts:
        # mrkdwn: & < > must be escaped; we send no links
        if "<" in s or ">" in s or re.search(r"&(?!amp;|lt;|gt;)", s):
            return "unescaped mrkdwn control character in %r" % s[:80]
    return m


def loki_check(body, headers):
    """The JSON form of Loki's push API, gzipped."""
    if headers.get("Content-Type") != "application/json":
        return "Content-Type is not application/json"
    if headers.get("Content-Encoding") != "gzip":
        return "body is not gzipped (Content-Encoding)"
    try:
        m = json.loads(gzip.decompress(body))
    except (OSError, ValueError) as e:
        return "not gzipped JSON: %s" % e
    if not isinstance(m.get("streams"), list) or not m["streams"]:
        return "no streams"
    for s in m["streams"]:
        labels = s.get("stream")
        if not isinstance(labels, dict) or set(labels) - LABELS or not labels:
            return "labels must be among app, env, flow, level: %r" % labels
        if not all(isinstance(v, str) and v for v in labels.values()):
            return "label values are non-empty strings"
        for v in s.get("values", []):
            if not isinstance(v, list) or len(v) not in (2, 3):
                return "a value is [ts, line] or [ts, line, metadata]"
            if not isinstance(v[0], str) or not re.fullmatch(r"[0-9]{19}", v[0]):
                return "timestamp is not a nanosecond string: %r" % v[0]
            if not isinstance(v[1], str):
                return "line is not a string"
            if len(v) == 3 and not (isinstance(v[2], dict) and
                                    all(isinstance(x, str) for x in v[2].values())):
                return "structured metadata is an object of strings"
        if not s.get("values"):
            return "a stream without values"
    return m


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    n = 0

    def log_message(self, *a):
        pass

    def answer(self, code, text=""):
        data = text.encode()
        self.send_response(code)
        if code == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = SLACK_PATH if KIND == "slack" else LOKI_PATH
        Handler.n += 1
        step = SCRIPT[Handler.n - 1] if Handler.n <= len(SCRIPT) else None
        if step == "hang":
            time.sleep(5)
        if step == "silent":
            # takes the request and never answers
            with open(RECORD + ".silent", "a") as f:
                f.write("1\n")
            time.sleep(600)
            return
        if step in ("hang", "-"):
            step = None
        # every request is checked, the ones answered with a scripted
        # failure too: a retry must be as well-formed as the first try
        if self.path != path:
            bad = "wrong path"
        else:
            m = (slack_check if KIND == "slack" else loki_check)(body, self.headers)
            bad = m if isinstance(m, str) else None
        if bad:
            with open(RECORD + ".violations", "a") as f:
                f.write(bad + "\n")
            return self.answer(400, "invalid_payload" if KIND == "slack" else bad)
        if step:
            with open(RECORD + ".refused", "a") as f:
                f.write("%s\n" % step)
            return self.answer(int(step), "scripted failure")
        if self.headers.get("X-Scope-OrgID"):
            m["_tenant"] = self.headers["X-Scope-OrgID"]
        with open(RECORD, "a") as f:
            f.write(json.dumps(m) + "\n")
        self.answer(200, "ok") if KIND == "slack" else self.answer(204)


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
