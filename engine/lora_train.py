"""Training primitives shared by engine/prepare.py (the test adapters) and engine/train_adapter.py (`lorag train`'s
peft backend): Alpaca rows → chat-template examples with loss on the answer only, shuffled padded batches,
an AdamW loop with early stop and a per-step hook (progress and the loss curve), greedy generation for probes.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

import torch


def log(msg: str) -> None:
    print(f"[engine {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def read_jsonl(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for i, r in enumerate(rows):
        missing = {"instruction", "input", "output"} - r.keys()
        if missing:
            raise SystemExit(f"{path}:{i + 1}: missing Alpaca fields {sorted(missing)}")
    return rows


def user_text(row: dict) -> str:
    # Same join as LLaMA-Factory's Alpaca converter: instruction, newline, input.
    return row["instruction"] + ("\n" + row["input"] if row["input"] else "")


def encode_messages(tok, messages: list[dict], output: str, cutoff: int) -> tuple[list[int], list[int]]:
    """Prompt via the chat template, target = output + <|end|>; loss only on the target."""
    prompt = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
    t_ids = tok(output + "<|end|>", add_special_tokens=False)["input_ids"]
    return (p_ids + t_ids)[:cutoff], ([-100] * len(p_ids) + t_ids)[:cutoff]


def encode(tok, rows: list[dict], cutoff: int) -> list[tuple[list[int], list[int]]]:
    """Alpaca rows as one user turn each (encode_messages)."""
    return [encode_messages(tok, [{"role": "user", "content": user_text(r)}], r["output"], cutoff) for r in rows]


def batches(examples, batch_size: int, pad_id: int, rng: random.Random):
    while True:
        order = list(range(len(examples)))
        rng.shuffle(order)
        for i in range(0, len(order) - batch_size + 1, batch_size):
            chunk = [examples[j] for j in order[i : i + batch_size]]
            width = max(len(ids) for ids, _ in chunk)
            ids = torch.full((len(chunk), width), pad_id)
            labels = torch.full((len(chunk), width), -100)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for k, (a, b) in enumerate(chunk):
                ids[k, : len(a)] = torch.tensor(a)
                labels[k, : len(b)] = torch.tensor(b)
                mask[k, : len(a)] = 1
            yield ids, labels, mask


@torch.no_grad()
def generate(model, tok, text: str, max_new_tokens: int = 16) -> str:
    prompt = tok.apply_chat_template([{"role": "user", "content": text}], add_generation_prompt=True, tokenize=False)
    ids = tok(prompt, add_special_tokens=False, return_tensors="pt").to(model.device)
    out = model.generate(
        **ids,
        max_new_tokens=max_new_tokens,
        do_sample=False,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    return tok.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)


def train(
    model,
    tok,
    examples,
    *,
    lr: float,
    max_steps: int,
    batch_size: int,
    seed: int,
    done,
    label: str,
    stop_loss: float = 0.05,
    on_step=None,
    check_every: int = 25,
    warmup_steps: int = 0,
    cosine: bool = False,
) -> int:
    """AdamW on the trainable parameters; every `check_every` steps, stop once the loss is under `stop_loss` and
    `done()` (a probe) holds. `on_step(step, loss)` sees every step (progress bar, loss curve). Optional linear
    warm-up and cosine decay (to a tenth of `lr` at `max_steps`): the base's copy skill needs both to settle."""
    rng = random.Random(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)

    def factor(step: int) -> float:
        warm = min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0
        return warm * (0.1 + 0.45 * (1 + math.cos(math.pi * min(1.0, step / max_steps)))) if cosine else warm

    schedule = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    model.train()
    it = batches(examples, min(batch_size, len(examples)), tok.pad_token_id, rng)
    for step in range(1, max_steps + 1):
        # CPU tensors from batches(); on a GPU the model's device takes them.
        ids, labels, mask = (t.to(model.device) for t in next(it))
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        schedule.step()
        opt.zero_grad()
        if on_step:
            on_step(step, loss.item())
        if step % check_every == 0:
            model.eval()
            ok = loss.item() < stop_loss and done()
            log(f"{label} step {step} loss {loss.item():.4f}{' (done)' if ok else ''}")
            model.train()
            if ok:
                model.eval()
                return step
    model.eval()
    return max_steps
