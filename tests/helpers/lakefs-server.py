#!/usr/bin/env python3
"""A lakeFS-compatible test server, checked against the lakeFS OpenAPI spec.

    lakefs-server.py SWAGGER.yml PORTFILE VIOLATIONS.log

lakeFS itself cannot run on the test machine, so the store tests run the
lakefs driver against this server on 127.0.0.1. It keeps repositories,
branches, commits and objects in memory, and for every exchange it checks
the request (path, method, required parameters and their types, the JSON
body) and its own response (declared status, JSON body) against the
spec. Each mismatch is appended to VIOLATIONS.log; the test asserts that
the file stays empty. Basic auth must match LAKEFS_ACCESS_KEY and
LAKEFS_SECRET_KEY. A pre-merge hook refuses (412) merges into main whose
source holds a quality report with "passed": false.
"""
import base64
import hashlib
import json
import os
import re
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import threading

import yaml

SPEC = yaml.safe_load(open(sys.argv[1]))
VIOLATIONS = open(sys.argv[3], "a")
SCHEMAS = SPEC["components"]["schemas"]
LOCK = threading.Lock()


def violation(text):
    VIOLATIONS.write(text + "\n")
    VIOLATIONS.flush()


def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"].split("/")
        node = SPEC
        for part in ref[1:]:
            node = node[part]
    return node


def check(value, schema, where):
    """Validate value against the subset of JSON Schema the spec uses."""
    schema = resolve(schema)
    if not isinstance(schema, dict):
        return
    for sub in schema.get("allOf", []):
        check(value, sub, where)
    if value is None:
        if not schema.get("nullable"):
            violation("%s: null where %s expected" % (where, schema.get("type")))
        return
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool,
             "integer": int, "number": (int, float)}
    if kind in types:
        ok = isinstance(value, types[kind])
        if kind in ("integer", "number") and isinstance(value, bool):
            ok = False
        if not ok:
            violation("%s: %r is not %s" % (where, value, kind))
            return
    if "enum" in schema and value not in schema["enum"]:
        violation("%s: %r not in %s" % (where, value, schema["enum"]))
    if kind == "string" and "pattern" in schema and not re.search(schema["pattern"], value):
        violation("%s: %r does not match %s" % (where, value, schema["pattern"]))
    if isinstance(value, dict):
        for req in schema.get("required", []):
            if req not in value:
                violation("%s: missing required %s" % (where, req))
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            if k in props:
                check(v, props[k], where + "." + k)
            elif isinstance(extra, dict):
                check(v, extra, where + "." + k)
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            check(v, schema["items"], "%s[%d]" % (where, i))


ROUTES = []
for path, item in SPEC["paths"].items():
    pattern = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"
    ROUTES.append((re.compile(pattern), path, item))


def find_route(path):
    for rx, template, item in ROUTES:
        m = rx.match(path)
        if m:
            return template, item, {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}
    return None, None, None


# ------------------------------------------------------------ the model

REPOS = {}


def new_id(*parts):
    h = hashlib.sha256(("|".join(str(p) for p in parts) + str(time.time_ns())).encode())
    return h.hexdigest()


def make_commit(repo, parents, tree, message, metadata):
    cid = new_id(parents, message, sorted(tree.items()))
    repo["commits"][cid] = {"id": cid, "parents": parents, "tree": dict(tree),
                            "message": message, "metadata": dict(metadata or {}),
                            "creation_date": int(time.time())}
    return cid


def resolve_ref(repo, ref):
    if ref in repo["branches"]:
        return repo["branches"][ref]
    if ref in repo["tags"]:
        return repo["tags"][ref]
    if ref in repo["commits"]:
        return ref
    return None


def branch_tree(repo, branch):
    tree = dict(repo["commits"][repo["branches"][branch]]["tree"])
    for path, data in repo["staging"].get(branch, {}).items():
        if data is None:
            tree.pop(path, None)
        else:
            tree[path] = data
    return tree


def ref_tree(repo, ref):
    if ref in repo["branches"]:
        return branch_tree(repo, ref)
    cid = resolve_ref(repo, ref)
    return None if cid is None else repo["commits"][cid]["tree"]


def ancestors(repo, cid):
    seen, todo = set(), [cid]
    while todo:
        c = todo.pop()
        if c in seen:
            continue
        seen.add(c)
        todo.extend(repo["commits"][c]["parents"])
    return seen


def merge_base(repo, a, b):
    common = ancestors(repo, a) & ancestors(repo, b)
    # the newest common ancestor: the one not an ancestor of another
    for c in common:
        if not any(c != o and c in ancestors(repo, o) for o in common):
            return c
    return None


def stats(path, data):
    return {"path": path, "path_type": "object", "physical_address": "mem://" + path,
            "checksum": hashlib.md5(data).hexdigest(), "mtime": int(time.time()),
            "size_bytes": len(data), "content_type": "application/octet-stream"}


def page(items, query, key):
    after = query.get("after", [""])[0]
    amount = int(query.get("amount", ["100"])[0])
    items = [i for i in items if key(i) > after]
    chunk = items[:amount]
    more = len(items) > amount
    return {"pagination": {"has_more": more, "next_offset": key(chunk[-1]) if more else "",
                           "results": len(chunk), "max_per_page": amount},
            "results": chunk}


def err(code, message):
    return code, {"message": message}


def handle(method, template, params, query, body, raw):
    name = params.get("repository")
    repo = REPOS.get(name)
    if template == "/repositories" and method == "POST":
        if body["name"] in REPOS:
            return err(409, "repository exists")
        r = {"branches": {}, "tags": {}, "commits": {}, "staging": {}, "created": int(time.time()),
             "ns": body["storage_namespace"], "default": body.get("default_branch", "main")}
        r["branches"][r["default"]] = make_commit(r, [], {}, "Repository created", {})
        REPOS[body["name"]] = r
        return 201, {"id": body["name"], "creation_date": r["created"],
                     "default_branch": r["default"], "storage_namespace": r["ns"]}
    if repo is None:
        return err(404, "repository not found")
    if template == "/repositories/{repository}":
        return 200, {"id": name, "creation_date": repo["created"], "default_branch": repo["default"],
                     "storage_namespace": repo["ns"]}
    if template == "/repositories/{repository}/branches":
        if method == "GET":
            refs = [{"id": b, "commit_id": c} for b, c in sorted(repo["branches"].items())]
            return 200, page(refs, query, lambda r: r["id"])
        if body["name"] in repo["branches"]:
            return err(409, "branch exists")
        cid = resolve_ref(repo, body["source"])
        if cid is None:
            return err(404, "source not found")
        repo["branches"][body["name"]] = cid
        return 201, cid
    branch = params.get("branch")
    if branch is not None and branch not in repo["branches"]:
        return err(404, "branch not found")
    if template == "/repositories/{repository}/branches/{branch}":
        if method == "DELETE":
            del repo["branches"][branch]
            repo["staging"].pop(branch, None)
            return 204, None
        return 200, {"id": branch, "commit_id": repo["branches"][branch]}
    if template == "/repositories/{repository}/branches/{branch}/objects":
        repo["staging"].setdefault(branch, {})[query["path"][0]] = raw
        return 201, stats(query["path"][0], raw)
    if template == "/repositories/{repository}/branches/{branch}/commits":
        head = repo["branches"][branch]
        tree = branch_tree(repo, branch)
        if tree == repo["commits"][head]["tree"] and not body.get("allow_empty"):
            repo["staging"].pop(branch, None)
            return err(400, "commit: no changes")
        cid = make_commit(repo, [head], tree, body["message"], body.get("metadata"))
        repo["branches"][branch] = cid
        repo["staging"].pop(branch, None)
        c = repo["commits"][cid]
        return 201, commit_json(c)
    if template == "/repositories/{repository}/branches/{branch}/revert":
        target = resolve_ref(repo, body["ref"])
        if target is None:
            return err(404, "ref not found")
        t = repo["commits"][target]
        parent = t["parents"][body["parent_number"] - 1 if t["parents"] else 0] if t["parents"] else None
        before = repo["commits"][parent]["tree"] if parent else {}
        tree = dict(branch_tree(repo, branch))
        for path in set(before) | set(t["tree"]):
            if before.get(path) != t["tree"].get(path):
                if tree.get(path) != t["tree"].get(path):
                    return err(409, "conflict reverting " + path)
                if path in before:
                    tree[path] = before[path]
                else:
                    tree.pop(path, None)
        head = repo["branches"][branch]
        repo["branches"][branch] = make_commit(repo, [head], tree, "Revert " + target, {})
        return 204, None
    ref = params.get("ref")
    if template.startswith("/repositories/{repository}/refs/{ref}/"):
        tree = ref_tree(repo, ref)
        if tree is None:
            return err(404, "ref not found")
        if template.endswith("/objects"):
            path = query["path"][0]
            if path not in tree:
                return err(404, "object not found")
            return 200, tree[path]
        if template.endswith("/objects/stat"):
            path = query["path"][0]
            if path not in tree:
                return err(404, "object not found")
            return 200, stats(path, tree[path])
        if template.endswith("/objects/ls"):
            prefix = query.get("prefix", [""])[0]
            items = [stats(p, d) for p, d in sorted(tree.items()) if p.startswith(prefix)]
            return 200, page(items, query, lambda s: s["path"])
        if template.endswith("/commits"):
            cid = resolve_ref(repo, ref)
            out, seen, todo = [], set(), [cid]
            while todo:
                todo.sort(key=lambda c: repo["commits"][c]["creation_date"])
                c = todo.pop()
                if c in seen:
                    continue
                seen.add(c)
                out.append(commit_json(repo["commits"][c]))
                todo.extend(repo["commits"][c]["parents"])
            amount = int(query.get("amount", ["100"])[0])
            return 200, {"pagination": {"has_more": len(out) > amount, "next_offset": "",
                                        "results": min(len(out), amount), "max_per_page": amount},
                         "results": out[:amount]}
    if template == "/repositories/{repository}/refs/{leftRef}/diff/{rightRef}":
        left, right = ref_tree(repo, params["leftRef"]), ref_tree(repo, params["rightRef"])
        if left is None or right is None:
            return err(404, "ref not found")
        out = []
        for p in sorted(set(left) | set(right)):
            if p not in left:
                out.append({"type": "added", "path": p, "path_type": "object"})
            elif p not in right:
                out.append({"type": "removed", "path": p, "path_type": "object"})
            elif left[p] != right[p]:
                out.append({"type": "changed", "path": p, "path_type": "object"})
        return 200, page(out, query, lambda d: d["path"])
    if template == "/repositories/{repository}/refs/{sourceRef}/merge/{destinationBranch}":
        src = resolve_ref(repo, params["sourceRef"])
        dst_name = params["destinationBranch"]
        if src is None or dst_name not in repo["branches"]:
            return err(404, "ref not found")
        dst = repo["branches"][dst_name]
        stree = repo["commits"][src]["tree"]
        if dst_name == "main":
            for p, d in stree.items():
                if p.startswith("quality/") and b'"passed": false' in d:
                    return err(412, "pre-merge hook: quality gate failed (%s)" % p)
        if src == dst or src in ancestors(repo, dst):
            return 200, {"reference": dst}
        if dst in ancestors(repo, src):
            repo["branches"][dst_name] = src
            return 200, {"reference": src}
        base = merge_base(repo, src, dst)
        btree = repo["commits"][base]["tree"] if base else {}
        dtree = repo["commits"][dst]["tree"]
        tree = dict(dtree)
        for p in set(btree) | set(stree) | set(dtree):
            b, s, d = btree.get(p), stree.get(p), dtree.get(p)
            if s == b or s == d:
                continue
            if d == b:
                if s is None:
                    tree.pop(p, None)
                else:
                    tree[p] = s
                continue
            # the spec still describes this 409 body as a MergeResult
            return 409, {"message": "conflict: " + p, "reference": ""}
        cid = make_commit(repo, [dst, src], tree, body.get("message", "merge"), body.get("metadata"))
        repo["branches"][dst_name] = cid
        return 200, {"reference": cid}
    if template == "/repositories/{repository}/commits/{commitId}":
        c = repo["commits"].get(params["commitId"])
        return (200, commit_json(c)) if c else err(404, "commit not found")
    if template == "/repositories/{repository}/tags" and method == "POST":
        if body["id"] in repo["tags"]:
            return err(409, "tag exists")
        cid = resolve_ref(repo, body["ref"])
        if cid is None:
            return err(404, "ref not found")
        repo["tags"][body["id"]] = cid
        return 201, {"id": body["id"], "commit_id": cid}
    return err(501, "not implemented by the test server: %s %s" % (method, template))


def commit_json(c):
    return {"id": c["id"], "parents": c["parents"], "committer": "pm25", "message": c["message"],
            "creation_date": c["creation_date"], "meta_range_id": "mr-" + c["id"][:16],
            "metadata": c["metadata"]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("lakefs-server: " + fmt % args + "\n")

    def do(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = url.path
        if not path.startswith("/api/v1/"):
            return self.send(404, {"message": "no such path"})
        template, item, params = find_route(path[len("/api/v1"):])
        op = item.get(method.lower()) if item else None
        if op is None:
            violation("%s %s: not in the spec" % (method, path))
            return self.send(404, {"message": "not in the spec"})
        where = "%s %s" % (method, template)
        auth = self.headers.get("Authorization", "")
        want = base64.b64encode(("%s:%s" % (os.environ.get("LAKEFS_ACCESS_KEY", ""),
                                             os.environ.get("LAKEFS_SECRET_KEY", ""))).encode()).decode()
        if auth != "Basic " + want:
            return self.send(401, {"message": "bad credentials"}, op, where)
        for p in item.get("parameters", []) + op.get("parameters", []):
            p = resolve(p)
            if p.get("in") == "query":
                if p.get("required") and p["name"] not in query:
                    violation("%s: missing required query parameter %s" % (where, p["name"]))
                if p["name"] in query and resolve(p.get("schema", {})).get("type") == "integer":
                    if not re.match(r"^-?\d+$", query[p["name"]][0]):
                        violation("%s: %s is not an integer" % (where, p["name"]))
        body = None
        content = op.get("requestBody", {}).get("content", {})
        ctype = (self.headers.get("Content-Type") or "").split(";")[0]
        if content:
            if ctype not in content:
                violation("%s: content type %r not in %s" % (where, ctype, list(content)))
            elif ctype == "application/json":
                try:
                    body = json.loads(raw)
                except ValueError:
                    violation("%s: body is not JSON" % where)
                    return self.send(400, {"message": "bad JSON"}, op, where)
                check(body, content[ctype]["schema"], where + " request")
        with LOCK:
            code, out = handle(method, template, params, query, body or {}, raw)
        self.send(code, out, op, where)

    def send(self, code, out, op=None, where=""):
        if op is not None:
            responses = op.get("responses", {})
            spec = responses.get(code) or responses.get(str(code))
            # every answer is checked: a status the operation does not
            # declare is a violation (the spec's "default" covers server
            # errors only), and so is one this stand-in cannot give
            if code == 501:
                violation("%s: the client called what this stand-in does not implement" % where)
            elif spec is None and code < 500:
                violation("%s: status %d not declared" % (where, code))
            if spec is None:
                spec = responses.get("default")
            spec = resolve(spec) if spec else {}
            content = spec.get("content", {})
            if "application/json" in content and not isinstance(out, bytes):
                check(out, content["application/json"]["schema"], "%s response %d" % (where, code))
        if isinstance(out, bytes):
            data, ctype = out, "application/octet-stream"
        elif out is None:
            data, ctype = b"", "application/json"
        else:
            data, ctype = json.dumps(out).encode(), "application/json"
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.do("GET")

    def do_POST(self):
        self.do("POST")

    def do_DELETE(self):
        self.do("DELETE")

    def do_PUT(self):
        self.do("PUT")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2], "w") as f:
    f.write("%d\n" % server.server_address[1])
server.serve_forever()
