"""Request-body validation against Qdrant's own OpenAPI spec (qdrant-openapi.json beside this file, v1.19.0).

OpenAPI 3.0 is turned into JSON Schema draft 4: `nullable: true` becomes a union with null. Formats that
matter for correctness are checked: `uuid` and the unsigned integer formats.
"""
import json
import re
import uuid
from pathlib import Path

import jsonschema

SPEC_PATH = Path(__file__).with_name("qdrant-openapi.json")


def _nullable(node):
    if isinstance(node, list):
        return [_nullable(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items()}
    if out.pop("nullable", False):
        if not out:
            # schemars writes Option<T> as anyOf: [T, {nullable: true}]: the bare branch means "null".
            return {"type": "null"}
        t = out.get("type")
        if isinstance(t, str) and not any(k in out for k in ("anyOf", "oneOf", "allOf", "$ref", "enum")):
            out["type"] = [t, "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _format_checker():
    checker = jsonschema.FormatChecker()

    @checker.checks("uuid", raises=ValueError)
    def _uuid(value):
        if not isinstance(value, str):
            return True
        uuid.UUID(value)
        return True

    for name in ("uint", "uint8", "uint16", "uint32", "uint64"):
        checker.checks(name)(lambda v: not isinstance(v, int) or isinstance(v, bool) or v >= 0)
    return checker


class Spec:
    def __init__(self, path=SPEC_PATH):
        self.raw = json.loads(Path(path).read_text())
        self.components = _nullable(self.raw["components"])
        self.checker = _format_checker()
        self.routes = []  # (method, regex, template, body schema or None)
        for template, ops in self.raw["paths"].items():
            pattern = "^" + re.sub(r"\{[^/]+\}", "([^/]+)", template) + "$"
            for method, op in ops.items():
                body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
                self.routes.append((method.upper(), re.compile(pattern), template, body))

    def match(self, method, path):
        """Returns (template, params, body schema) for a route in the spec, or None."""
        for m, rx, template, body in self.routes:
            if m == method:
                hit = rx.match(path)
                if hit:
                    return template, list(hit.groups()), body
        return None

    def validate(self, schema, body):
        """Returns a list of error messages (empty when the body is valid)."""
        root = dict(_nullable(schema))
        root["components"] = self.components
        validator = jsonschema.Draft4Validator(root, format_checker=self.checker)
        errors = []
        for err in sorted(validator.iter_errors(body), key=lambda e: list(e.path)):
            where = ".".join(str(p) for p in err.absolute_path) or "(body)"
            errors.append(f"{where}: {err.message[:300]}")
        return errors
