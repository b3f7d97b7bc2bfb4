"""`lorag train ADAPTER --backend peft`: trains one PEFT LoRA adapter on an Alpaca JSONL file with the training
primitives engine/prepare.py uses (engine/lora_train.py), on CPU (the tiny model) or a GPU when there is one.

Reads one JSON job file (written by src/train/peft-backend.ts):
  {"base_dir", "base_name", "data", "out", "lora": {r, alpha, dropout, target_modules},
   "train": {learning_rate, max_steps, batch_size, cutoff_len, seed, stop_loss}, "probe": {prompt, expect_prefix} | null}
and writes JSON lines on stdout: {"event":"start",...}, {"event":"step","step","loss"} for every step, then
{"event":"done","steps","final_loss","probe":{...}}. Other stdout lines are logs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from lora_train import encode, generate, read_jsonl, train


def emit(event: dict) -> None:
    print(json.dumps(event), flush=True)


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    lora, hp, probe = job["lora"], job["train"], job.get("probe")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(hp["seed"])
    tok = AutoTokenizer.from_pretrained(job["base_dir"])
    base = AutoModelForCausalLM.from_pretrained(job["base_dir"], dtype=torch.float32).to(device)
    model = get_peft_model(
        base,
        LoraConfig(
            r=lora["r"],
            lora_alpha=lora["alpha"],
            lora_dropout=lora["dropout"],
            target_modules=lora["target_modules"],
            bias="none",
            task_type="CAUSAL_LM",
        ),
    )
    rows = read_jsonl(Path(job["data"]))
    examples = encode(tok, rows, hp["cutoff_len"])
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    emit({"event": "start", "device": device, "examples": len(examples), "trainable_params": trainable, "max_steps": hp["max_steps"]})

    last = {"loss": float("nan")}

    def on_step(step: int, loss: float) -> None:
        last["loss"] = loss
        emit({"event": "step", "step": step, "loss": round(loss, 6)})

    def probe_ok() -> bool:
        return probe is None or generate(model, tok, probe["prompt"]).startswith(probe["expect_prefix"])

    steps = train(
        model,
        tok,
        examples,
        lr=hp["learning_rate"],
        max_steps=hp["max_steps"],
        batch_size=hp["batch_size"],
        seed=hp["seed"],
        label=job.get("label", "adapter"),
        stop_loss=hp.get("stop_loss", 0.5),
        done=probe_ok,
        on_step=on_step,
    )
    out = Path(job["out"])
    model.save_pretrained(out, safe_serialization=True)
    # vLLM's resolver compares base_model_name_or_path with the model it serves (--model): write that name.
    cfg_path = out / "adapter_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["base_model_name_or_path"] = job["base_name"]
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n")
    result = None
    if probe:
        answer = generate(model, tok, probe["prompt"])
        with model.disable_adapter():
            base_answer = generate(model, tok, probe["prompt"])
        result = {
            "prompt": probe["prompt"],
            "expect_prefix": probe["expect_prefix"],
            "answer": answer,
            "ok": answer.startswith(probe["expect_prefix"]),
            "base_answer": base_answer,
            "base_differs": not base_answer.startswith(probe["expect_prefix"]),
        }
    emit({"event": "done", "steps": steps, "final_loss": round(last["loss"], 6), "probe": result})


if __name__ == "__main__":
    main()
