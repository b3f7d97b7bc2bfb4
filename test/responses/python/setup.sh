#!/usr/bin/env bash
# The venv for test/responses/python_client.py at test/responses/python/.venv (pinned requirements, pip cache).
# Usage: bash test/responses/python/setup.sh   (idempotent; CI runs it before `npm test`)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/pip}"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "responses python venv up to date: $venv"
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" -c 'import openai, pydantic'
echo "$want" > "$stamp"
echo "responses python venv ready: $venv"
