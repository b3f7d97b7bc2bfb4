#!/usr/bin/env bash
# Sets up the Qdrant stand-in's virtual environment at test/qdrant-standin/.venv (pinned requirements, pip cache).
# Usage: bash test/qdrant-standin/setup.sh     (idempotent; CI runs it before `npm test`)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/pip}"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "qdrant stand-in venv up to date: $venv"
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" -c 'import qdrant_edge, jsonschema' 
echo "$want" > "$stamp"
echo "qdrant stand-in venv ready: $venv"
