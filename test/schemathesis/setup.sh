#!/usr/bin/env bash
# Sets up Schemathesis's virtual environment at test/schemathesis/.venv (pinned requirements, pip cache).
# Usage: bash test/schemathesis/setup.sh     (idempotent; CI runs it before `npm run test:schema`)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$HOME/.cache/pip}"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "schemathesis venv up to date: $venv"
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" -c 'import schemathesis'
echo "$want" > "$stamp"
echo "schemathesis venv ready: $venv"
