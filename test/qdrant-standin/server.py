"""A Qdrant REST stand-in for tests: the routes lorag uses, served by Qdrant Edge (the same Rust core as the
server), with every request body validated against Qdrant's OpenAPI spec and errors in Qdrant's shape
(`{"status": {"error": "..."}, "time": ...}`, with Qdrant's status codes).

Usage: .venv/bin/python server.py [--port 0] [--data DIR]   (prints "LISTENING <port>" once ready)
"""
import argparse
import json
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import qdrant_edge as q

import convert
from validate import Spec

SPEC = Spec()
LOCK = threading.Lock()
COLLECTIONS = {}  # name -> {"shard": EdgeShard, "config": create body, "indexes": {field: schema}}
DATA = Path(tempfile.mkdtemp(prefix="qdrant-standin-"))


class QdrantError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def collection(name):
    c = COLLECTIONS.get(name)
    if c is None:
        raise QdrantError(404, f"Not found: Collection `{name}` doesn't exist!")
    return c


def create_collection(name, body):
    if name in COLLECTIONS:
        raise QdrantError(409, f"Wrong input: Collection `{name}` already exists!")
    path = DATA / name.encode().hex()
    shutil.rmtree(path, ignore_errors=True)
    shard = q.EdgeShard.create(str(path), convert.edge_config(body))
    COLLECTIONS[name] = {"shard": shard, "config": body, "indexes": {}}
    return True


def collection_info(name):
    c = collection(name)
    info = c["shard"].info()
    schema = {}
    for field, fs in c["indexes"].items():
        kind = fs if isinstance(fs, str) else fs.get("type")
        schema[field] = {"data_type": kind, "params": fs if isinstance(fs, dict) else None, "points": info.points_count}
    cfg = c["config"]
    return {
        "status": "green",
        "optimizer_status": "ok",
        "segments_count": info.segments_count,
        "points_count": info.points_count,
        "indexed_vectors_count": info.indexed_vectors_count,
        "config": {
            "params": {"vectors": cfg.get("vectors", {}), "sparse_vectors": cfg.get("sparse_vectors"), "shard_number": 1,
                       "replication_factor": 1, "write_consistency_factor": 1, "on_disk_payload": True},
            "hnsw_config": {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000},
            "optimizer_config": {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000, "default_segment_number": 0,
                                 "flush_interval_sec": 5},
            "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0},
        },
        "payload_schema": schema,
    }


def update_result():
    return {"operation_id": int(time.time() * 1000) % 2**31, "status": "completed"}


def handle(method, template, params, body):
    name = unquote(params[0]) if params else None
    if template == "/" and method == "GET":
        return {"title": "qdrant - vector search engine (lorag test stand-in on qdrant-edge)", "version": "1.19.0"}
    if template == "/collections" and method == "GET":
        return {"collections": [{"name": n} for n in sorted(COLLECTIONS)]}
    if template == "/collections/{collection_name}/exists":
        return {"exists": name in COLLECTIONS}
    if template == "/collections/{collection_name}":
        if method == "PUT":
            return create_collection(name, body)
        if method == "GET":
            return collection_info(name)
        if method == "DELETE":
            c = COLLECTIONS.pop(name, None)
            if c:
                c["shard"].close()
            return c is not None
    if template == "/collections/{collection_name}/index" and method == "PUT":
        c = collection(name)
        c["shard"].update(q.UpdateOperation.create_field_index(body["field_name"], convert.index_schema(body["field_schema"])))
        c["indexes"][body["field_name"]] = body["field_schema"]
        return update_result()
    if template == "/collections/{collection_name}/points" and method == "PUT":
        collection(name)["shard"].update(q.UpdateOperation.upsert_points(convert.points(body)))
        return update_result()
    if template == "/collections/{collection_name}/points" and method == "POST":
        ids = [convert.point_id(x) for x in body["ids"]]
        wv = bool(body.get("with_vector"))
        records = collection(name)["shard"].retrieve(ids, with_payload=convert.with_payload(body.get("with_payload"), True), with_vector=wv)
        return [convert.record_out(r, wv) for r in records]
    if template == "/collections/{collection_name}/points/delete":
        shard = collection(name)["shard"]
        if body.get("points") is not None:
            shard.update(q.UpdateOperation.delete_points([convert.point_id(x) for x in body["points"]]))
        elif body.get("filter") is not None:
            shard.update(q.UpdateOperation.delete_points_by_filter(convert.filter_(body["filter"])))
        else:
            raise convert.Unsupported("delete without points or filter")
        return update_result()
    if template == "/collections/{collection_name}/points/count":
        n = collection(name)["shard"].count(q.CountRequest(exact=body.get("exact", True), filter=convert.filter_(body.get("filter"))))
        return {"count": n}
    if template == "/collections/{collection_name}/points/scroll":
        if body.get("order_by"):
            raise convert.Unsupported("scroll order_by")
        wv = bool(body.get("with_vector"))
        offset = body.get("offset")
        records, next_offset = collection(name)["shard"].scroll(q.ScrollRequest(
            offset=None if offset is None else convert.point_id(offset),
            limit=body.get("limit") or 10,
            filter=convert.filter_(body.get("filter")),
            with_payload=convert.with_payload(body.get("with_payload"), True),
            with_vector=wv,
        ))
        return {"points": [convert.record_out(r, wv) for r in records],
                "next_page_offset": None if next_offset is None else convert.id_out(next_offset)}
    if template == "/collections/{collection_name}/points/query":
        wv = bool(body.get("with_vector"))
        hits = collection(name)["shard"].query(convert.query_request(body))
        points = []
        for h in hits:
            p = {"id": convert.id_out(h.id), "version": h.version, "score": h.score, "payload": h.payload}
            if wv:
                p["vector"] = convert.vector_out(h.vector)
            points.append(p)
        return {"points": points}
    raise convert.Unsupported(f"{method} {template}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, payload, started):
        data = json.dumps({**payload, "time": time.perf_counter() - started}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def dispatch(self, method):
        started = time.perf_counter()
        path = urlsplit(self.path).path
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        route = SPEC.match(method, path)
        if route is None:
            return self.reply(404, {"status": {"error": f"Not found: {method} {path}"}}, started)
        template, params, schema = route
        body = None
        if schema is not None:
            try:
                body = json.loads(raw or b"null")
            except ValueError as err:
                return self.reply(400, {"status": {"error": f"Format error in JSON body: {err}"}}, started)
            errors = SPEC.validate(schema, body)
            if errors:
                return self.reply(400, {"status": {"error": "Format error in JSON body: " + "; ".join(errors)}}, started)
        try:
            with LOCK:
                result = handle(method, template, params, body)
            return self.reply(200, {"result": result, "status": "ok"}, started)
        except QdrantError as err:
            return self.reply(err.status, {"status": {"error": str(err)}}, started)
        except convert.Unsupported as err:
            return self.reply(501, {"status": {"error": f"Not supported by the lorag test stand-in: {err}"}}, started)
        except (ValueError, KeyError, TypeError) as err:
            return self.reply(400, {"status": {"error": f"Wrong input: {err}"}}, started)
        except Exception as err:  # noqa: BLE001 - every failure must reach the client in Qdrant's shape
            if type(err) is Exception:
                # Qdrant Edge raises plain Exceptions carrying the core's OperationError text, which the server
                # renders as 400 "Wrong input: …" (e.g. "Vector dimension error: expected dim: 3, got 2").
                return self.reply(400, {"status": {"error": f"Wrong input: {err}"}}, started)
            traceback.print_exc(file=sys.stderr)
            return self.reply(500, {"status": {"error": f"Service internal error: {err}"}}, started)

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")


def main():
    global DATA
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    if args.data:
        DATA = Path(args.data)
        DATA.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"LISTENING {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        shutil.rmtree(DATA, ignore_errors=True)


if __name__ == "__main__":
    main()
