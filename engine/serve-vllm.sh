#!/usr/bin/env bash
# Start vLLM's OpenAI server (CPU build, engine/.venv) on the tiny base model with LoRA enabled:
# `legal@1` preloaded with --lora-modules, every other adapter left for the gateway to load at run time.
#
#   engine/serve-vllm.sh [--port 8000] [--log FILE] [--detach] [--wait-s 600]
#
# Foreground (default): exec's vLLM, so killing this process kills the server (what the e2e tests do).
# --detach: starts it in the background, waits for GET /health, prints "pid url" and exits 0 (or 1 with the log tail).
# Needs `engine/setup.sh` and `engine/prepare.py` to have run. Environment overrides: ENGINE_VLLM_PRELOAD (adapter
# name to preload, default legal; empty for none), VLLM_CPU_KVCACHE_SPACE (GiB, default 1), ENGINE_VLLM_DTYPE,
# ENGINE_VLLM_MAX_MODEL_LEN (default 512). (Not LORAG_*: lorag reads every LORAG_* variable as a config override.)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$here/work"
port=8000
log=""
detach=0
wait_s=600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --log) log="$2"; shift 2 ;;
    --detach) detach=1; shift ;;
    --wait-s) wait_s="$2"; shift 2 ;;
    *) echo "serve-vllm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
log="${log:-$work/vllm-$port.log}"
py="$here/.venv/bin/python"
[[ -x "$py" ]] || { echo "serve-vllm.sh: $py missing; run engine/setup.sh" >&2; exit 1; }
[[ -f "$work/prepared.json" ]] || { echo "serve-vllm.sh: $work/prepared.json missing; run engine/prepare.py" >&2; exit 1; }

preload="${ENGINE_VLLM_PRELOAD-legal}"
lora_modules=()
if [[ -n "$preload" ]]; then
  lora_modules=(--lora-modules "{\"name\":\"$preload@1\",\"path\":\"$work/adapters/$preload\"}")
fi

# Runtime /v1/load_lora_adapter and /v1/unload_lora_adapter (the gateway loads adapters on first use).
export VLLM_ALLOW_RUNTIME_LORA_UPDATING=true
# KV cache size in GiB; the docs disagree on the default, so always set it (the tiny model needs very little).
export VLLM_CPU_KVCACHE_SPACE="${VLLM_CPU_KVCACHE_SPACE:-1}"
# Two-core machines: do not pin OpenMP threads to cores the API server and the gateway also need.
export VLLM_CPU_OMP_THREADS_BIND="${VLLM_CPU_OMP_THREADS_BIND:-nobind}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
# Intel OpenMP comes with the intel-openmp wheel; tcmalloc only if the Debian package is installed.
preloads=()
[[ -f "$here/.venv/lib/libiomp5.so" ]] && preloads+=("$here/.venv/lib/libiomp5.so")
tcm="$(ls /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 2>/dev/null || true)"
[[ -n "$tcm" ]] && preloads+=("$tcm")
if [[ ${#preloads[@]} -gt 0 ]]; then
  LD_PRELOAD="$(IFS=:; echo "${preloads[*]}")${LD_PRELOAD:+:$LD_PRELOAD}"
  export LD_PRELOAD
fi

args=(
  -m vllm.entrypoints.openai.api_server
  --model "$work/base"
  --served-model-name tiny-base
  --host 127.0.0.1 --port "$port"
  --dtype "${ENGINE_VLLM_DTYPE:-float32}"
  --max-model-len "${ENGINE_VLLM_MAX_MODEL_LEN:-512}"
  --max-num-seqs 8
  --enable-lora --max-loras 1 --max-cpu-loras 4 --max-lora-rank 8
  "${lora_modules[@]}"
)
mkdir -p "$(dirname "$log")"
if [[ $detach -eq 0 ]]; then
  exec "$py" "${args[@]}" >>"$log" 2>&1
fi

nohup "$py" "${args[@]}" >>"$log" 2>&1 &
pid=$!
deadline=$((SECONDS + wait_s))
until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
  if ! kill -0 "$pid" 2>/dev/null || [[ $SECONDS -ge $deadline ]]; then
    echo "serve-vllm.sh: vLLM did not become healthy (log: $log)" >&2
    tail -n 40 "$log" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 2
done
echo "$pid http://127.0.0.1:$port"
