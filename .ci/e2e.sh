#!/usr/bin/env bash
# The real-vLLM lane (called by .ci/run): the engine venv from the pip wheelhouse (~/.cache/lorag-pip, kept
# between runs on the same machine), the tiny model and its LoRA adapters (engine/prepare.py), then
# `npm run test:e2e` (starts vLLM and the gateway itself). Each step is a no-op when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
bash engine/setup.sh
echo "== e2e: engine venv ready ($((SECONDS - t0))s)"
engine/.venv/bin/python engine/prepare.py
echo "== e2e: tiny model and adapters ready ($((SECONDS - t0))s)"
npm run test:e2e
echo "== e2e: passed ($((SECONDS - t0))s)"
