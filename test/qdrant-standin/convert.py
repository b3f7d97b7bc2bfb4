"""Qdrant REST JSON → Qdrant Edge objects (only the shapes lorag's Qdrant store sends, plus a few neighbours).

Anything else raises Unsupported, which the server answers as 501 in Qdrant's error shape, so a test never
passes by the stand-in quietly ignoring part of a request.
"""
import uuid

import qdrant_edge as q

DISTANCES = {"Cosine": q.Distance.Cosine, "Euclid": q.Distance.Euclid, "Dot": q.Distance.Dot, "Manhattan": q.Distance.Manhattan}


class Unsupported(Exception):
    pass


def point_id(value):
    if isinstance(value, int):
        return value
    return uuid.UUID(value)


def id_out(value):
    return str(value) if isinstance(value, uuid.UUID) else value


def edge_config(body):
    vectors = body.get("vectors")
    dense = None
    if isinstance(vectors, dict) and "size" in vectors:
        dense = q.EdgeVectorParams(size=vectors["size"], distance=DISTANCES[vectors["distance"]])
    elif isinstance(vectors, dict):
        dense = {n: q.EdgeVectorParams(size=v["size"], distance=DISTANCES[v["distance"]]) for n, v in vectors.items()}
    sparse = {}
    for name, params in (body.get("sparse_vectors") or {}).items():
        modifier = (params or {}).get("modifier")
        sparse[name] = q.EdgeSparseVectorParams(modifier=q.Modifier.Idf if modifier == "idf" else None)
    return q.EdgeConfig(vectors=dense, sparse_vectors=sparse or None)


def index_schema(field_schema):
    kind = field_schema if isinstance(field_schema, str) else field_schema.get("type")
    if kind == "keyword":
        params = field_schema if isinstance(field_schema, dict) else {}
        return q.KeywordIndexParams(is_tenant=params.get("is_tenant"), on_disk=params.get("on_disk"))
    simple = {"integer": q.PayloadSchemaType.Integer, "float": q.PayloadSchemaType.Float, "bool": q.PayloadSchemaType.Bool,
              "uuid": q.PayloadSchemaType.Uuid, "datetime": q.PayloadSchemaType.Datetime}
    if isinstance(field_schema, str) and kind in simple:
        return simple[kind]
    raise Unsupported(f"payload index schema {field_schema!r}")


def vector_value(value):
    if isinstance(value, dict):
        if "indices" in value:
            return q.SparseVector(list(value["indices"]), [float(x) for x in value["values"]])
        raise Unsupported("vector input other than a dense list or a sparse vector")
    return [float(x) for x in value]


def vectors(value):
    if isinstance(value, dict):
        return {name: vector_value(v) for name, v in value.items()}
    return vector_value(value)


def points(body):
    if "points" not in body:
        raise Unsupported("batch upserts (only `points` lists)")
    return [q.Point(point_id(p["id"]), vectors(p.get("vector", {})), p.get("payload")) for p in body["points"]]


def _match(match):
    if "value" in match:
        return q.MatchValue(match["value"])
    if "any" in match:
        return q.MatchAny(match["any"])
    if "except" in match:
        return q.MatchExcept(match["except"])
    raise Unsupported(f"match {match!r}")


def condition(c):
    if "has_id" in c:
        return q.HasIdCondition({point_id(x) for x in c["has_id"]})
    if "is_empty" in c:
        return q.IsEmptyCondition(c["is_empty"]["key"])
    if "is_null" in c:
        return q.IsNullCondition(c["is_null"]["key"])
    if any(k in c for k in ("must", "should", "must_not")):
        return filter_(c)
    if "key" in c:
        if c.get("match") is not None:
            return q.FieldCondition(c["key"], match=_match(c["match"]))
        if c.get("range") is not None:
            return q.FieldCondition(c["key"], range=q.RangeFloat(**{k: v for k, v in c["range"].items() if v is not None}))
    raise Unsupported(f"condition {c!r}")


def _conditions(value):
    if value is None:
        return None
    return [condition(c) for c in (value if isinstance(value, list) else [value])]


def filter_(f):
    if f is None:
        return None
    return q.Filter(must=_conditions(f.get("must")), should=_conditions(f.get("should")), must_not=_conditions(f.get("must_not")))


def scoring_query(query, using):
    if query is None:
        return None
    if isinstance(query, dict):
        if "nearest" in query:
            return q.Query.Nearest(vector_value(query["nearest"]), using=using)
        if "fusion" in query:
            return q.Fusion.Rrf(k=2) if query["fusion"] == "rrf" else q.Fusion.Dbsf()
        if "rrf" in query:
            rrf = query["rrf"] or {}
            return q.Fusion.Rrf(k=rrf.get("k") or 2, weights=rrf.get("weights"))
        if "indices" in query:
            return q.Query.Nearest(vector_value(query), using=using)
        raise Unsupported(f"query {sorted(query)}")
    if isinstance(query, list):
        return q.Query.Nearest(vector_value(query), using=using)
    raise Unsupported("query by point id")


def search_params(params):
    if not params:
        return None
    return q.SearchParams(hnsw_ef=params.get("hnsw_ef"), exact=bool(params.get("exact", False)))


def prefetch(p):
    prefetches = p.get("prefetch")
    nested = [prefetch(x) for x in (prefetches if isinstance(prefetches, list) else [prefetches])] if prefetches else None
    return q.Prefetch(
        limit=p.get("limit") or 10,
        query=scoring_query(p.get("query"), p.get("using")),
        prefetches=nested,
        params=search_params(p.get("params")),
        filter=filter_(p.get("filter")),
        score_threshold=p.get("score_threshold"),
    )


def with_payload(value, default):
    if value is None:
        return default
    if isinstance(value, dict):
        if "include" in value:
            return q.PayloadSelector.Include(value["include"])
        if "exclude" in value:
            return q.PayloadSelector.Exclude(value["exclude"])
    return value


def query_request(body):
    if body.get("lookup_from") or body.get("shard_key"):
        raise Unsupported("lookup_from / shard_key")
    prefetches = body.get("prefetch")
    nested = [prefetch(x) for x in (prefetches if isinstance(prefetches, list) else [prefetches])] if prefetches else None
    if body.get("query") is None and not nested:
        raise Unsupported("query without query or prefetch")
    return q.QueryRequest(
        limit=body.get("limit") or 10,
        offset=body.get("offset"),
        query=scoring_query(body.get("query"), body.get("using")),
        prefetches=nested,
        with_vector=body.get("with_vector") or False,
        # /points/query defaults to no payload, like the server.
        with_payload=with_payload(body.get("with_payload"), False),
        filter=filter_(body.get("filter")),
        score_threshold=body.get("score_threshold"),
        params=search_params(body.get("params")),
    )


def vector_out(v):
    if v is None:
        return None
    if isinstance(v, dict):
        return {k: vector_out(x) for k, x in v.items()}
    if isinstance(v, q.SparseVector):
        return {"indices": list(v.indices), "values": list(v.values)}
    return list(v)


def record_out(r, with_vector):
    out = {"id": id_out(r.id), "payload": r.payload}
    if with_vector:
        out["vector"] = vector_out(r.vector)
    return out
