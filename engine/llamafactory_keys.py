"""Regenerates src/train/llamafactory-keys.json: every argument LLaMA-Factory's parser accepts in a training YAML,
read from its own argument dataclasses (llamafactory/hparams/*_args.py, by AST, so LLaMA-Factory's heavy
dependencies need not be installed) plus Hugging Face's Seq2SeqTrainingArguments (which LLaMA-Factory's
TrainingArguments extends), with the allowed values of Literal-typed fields.

  python3 -m pip download llamafactory==0.9.5 --no-deps -d /tmp/lf && (cd /tmp/lf && python3 -m zipfile -e *.whl x)
  engine/.venv/bin/python engine/llamafactory_keys.py /tmp/lf/x/llamafactory > src/train/llamafactory-keys.json
"""

from __future__ import annotations

import ast
import dataclasses
import json
import sys
from pathlib import Path


def literal_values(node: ast.AST) -> list | None:
    # Literal["a", "b"] or Optional[Literal[...]]
    if isinstance(node, ast.Subscript):
        name = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", "")
        if name == "Literal":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return [e.value for e in elts if isinstance(e, ast.Constant)]
        if name in ("Optional", "Union"):
            inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            for e in inner:
                v = literal_values(e)
                if v:
                    return v
    return None


def main() -> None:
    root = Path(sys.argv[1])
    keys: dict[str, dict] = {}
    for f in sorted((root / "hparams").glob("*_args.py")):
        for cls in ast.parse(f.read_text()).body:
            if not isinstance(cls, ast.ClassDef):
                continue
            for stmt in cls.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    entry = {"from": f"llamafactory.hparams.{f.stem}.{cls.name}"}
                    values = literal_values(stmt.annotation)
                    if values:
                        entry["values"] = values
                    keys[stmt.target.id] = entry
    from transformers import Seq2SeqTrainingArguments

    for field in dataclasses.fields(Seq2SeqTrainingArguments):
        keys.setdefault(field.name, {"from": "transformers.Seq2SeqTrainingArguments"})
    version = (root.parent / "llamafactory-0.9.5.dist-info").exists() and "0.9.5" or "unknown"
    print(json.dumps({"llamafactory": version, "keys": dict(sorted(keys.items()))}, indent=1))


if __name__ == "__main__":
    main()
