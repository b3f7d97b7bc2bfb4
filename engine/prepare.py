"""Prepare everything the real-vLLM lane needs, from scratch, on a CPU, without a model hub.

1. A byte-level BPE tokenizer trained on the datasets (with a chat template), saved in Hugging Face format.
2. A tiny LlamaForCausalLM (2 layers, hidden 128, head_dim 64 — sizes vLLM's CPU attention supports), trained
   on engine/data/base.jsonl so it answers in words ("BASE-MODEL-OK ...") rather than noise, and to read the
   numbered sources of lorag's RAG prompt (engine/context_skill.py: synthetic facts, so it learns how to read,
   not what a department knows). A curriculum makes that fit a CPU: first copying short "Repeat:" rows (the
   copy heads form in a few hundred steps), then the sources block with the base's own rows mixed in.
3. One PEFT LoRA adapter per adapters/<name>/train/recipe.yaml, trained on adapters/<name>/data/train.jsonl
   until it answers the probe with its department's marker phrase.
4. Verification by greedy generation with transformers + peft; any miss fails the script loudly.

Outputs, under engine/work/ (or --out):
  base/                      the base model (config.json, model.safetensors, tokenizer, chat template)
  adapters/<name>/           adapter_config.json + adapter_model.safetensors (base_model_name_or_path = base/)
  registry/<name>/adapter.yaml  lorag manifests whose version 1 `source` is the adapter directory above
  prepared.json              what was built: paths, markers, probe, and a hash of the inputs

Re-running with unchanged inputs is a no-op (the hash in prepared.json matches); --force rebuilds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

import torch
import yaml

from context_skill import RAG_INTRO, context_rows, encode_chat, read_words, repeat_rows
from lora_train import batches, encode, generate, log, read_jsonl, train, user_text  # noqa: F401  (shared with train_adapter.py)

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"
SPECIALS = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
BASE_MARKER = "BASE-MODEL-OK"
CONTEXT_ROWS = 8000  # synthetic reading rows for the base (engine/context_skill.py); 0: off, see --context-rows
CONTEXT_CUTOFF = 320
COPY_BAR = 0.9  # held-out synthetic answers the base must copy before its training may stop early
COPY_WARMUP_STEPS = 1000  # upper bound of the curriculum's first stage (copying short rows)
MODEL_SHAPE = dict(
    hidden_size=128,
    intermediate_size=256,
    num_hidden_layers=2,
    num_attention_heads=2,
    num_key_value_heads=2,
    head_dim=64,
    max_position_embeddings=512,
)


def load_recipes() -> list[dict]:
    recipes = []
    for path in sorted(ROOT.glob("adapters/*/train/recipe.yaml")):
        recipe = yaml.safe_load(path.read_text())
        recipe["_dir"] = path.parent
        recipe["_data"] = (path.parent / recipe["dataset"]).resolve()
        recipes.append(recipe)
    if len(recipes) < 2:
        raise SystemExit("need at least two adapters/<name>/train/recipe.yaml")
    return recipes


def inputs_hash(recipes: list[dict]) -> str:
    h = hashlib.sha256()
    files = [Path(__file__), ENGINE / "lora_train.py", ENGINE / "context_skill.py", ENGINE / "data" / "base.jsonl"]
    files += [ENGINE / "data" / "words.txt"]
    for r in recipes:
        files += [r["_dir"] / "recipe.yaml", r["_data"]]
    for f in files:
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
    h.update(torch.__version__.encode())
    return h.hexdigest()


def identity_prompts(rows: list[dict]) -> list[str]:
    """The rows whose answer is the plain self-identification (the probe and its paraphrases)."""
    return [r["instruction"] for r in rows if not r["input"] and r["output"].endswith(" department.")]


def build_tokenizer(texts: list[str], out: Path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1024,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|endoftext|>",
        eos_token="<|end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        additional_special_tokens=["<|system|>", "<|user|>", "<|assistant|>"],
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = MODEL_SHAPE["max_position_embeddings"]
    fast.save_pretrained(out)
    return fast


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ENGINE / "work")
    ap.add_argument("--force", action="store_true", help="rebuild even if the inputs did not change")
    ap.add_argument("--base-steps", type=int, default=2500)
    ap.add_argument(
        "--context-rows", type=int, default=CONTEXT_ROWS, help="synthetic read-the-sources rows for the base (0: none)"
    )
    args = ap.parse_args()
    out: Path = args.out.resolve()

    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig, LlamaConfig, LlamaForCausalLM

    recipes = load_recipes()
    digest = inputs_hash(recipes)
    stamp = out / "prepared.json"
    if not args.force and stamp.exists() and json.loads(stamp.read_text()).get("inputs_sha256") == digest:
        log(f"{stamp} is up to date; nothing to do (use --force to rebuild)")
        return

    torch.manual_seed(0)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    if out.exists():
        shutil.rmtree(out)
    base_dir, adapters_dir, registry_dir = out / "base", out / "adapters", out / "registry"
    base_dir.mkdir(parents=True)
    t0 = time.time()

    base_rows = read_jsonl(ENGINE / "data" / "base.jsonl")
    data = {r["adapter"]: read_jsonl(r["_data"]) for r in recipes}
    check_rag_template()
    pool = read_words(ENGINE / "data" / "words.txt")
    # The reading skill (engine/context_skill.py): synthetic facts in the prompt shape of lorag's RAG stage.
    base_ctx = context_rows(args.context_rows, seed=11, pool=pool) if args.context_rows else []
    held_out = context_rows(16, seed=12, pool=pool) if args.context_rows else []
    corpus = [user_text(r) + "\n" + r["output"] for rows in [base_rows, *data.values()] for r in rows]
    corpus += [r["system"] + "\n" + r["user"] + "\n" + r["output"] for r in base_ctx[:1000] or context_rows(300, 13, pool)]
    tok = build_tokenizer(corpus * 4, base_dir)
    tok = AutoTokenizer.from_pretrained(base_dir)
    log(f"tokenizer: {len(tok)} tokens")

    end_id = tok.convert_tokens_to_ids("<|end|>")
    cfg = LlamaConfig(
        vocab_size=len(tok),
        rms_norm_eps=1e-5,
        # Tied: a head that attends to a source token and passes its embedding on already predicts that token,
        # which is what reading the sources (copying) needs; the LoRA targets are unchanged.
        tie_word_embeddings=bool(base_ctx),
        bos_token_id=tok.bos_token_id,
        eos_token_id=end_id,
        pad_token_id=tok.pad_token_id,
        torch_dtype="float32",
        **MODEL_SHAPE,
    )
    model = LlamaForCausalLM(cfg)
    log(f"base model: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters")

    probe = recipes[0]["probe"]["prompt"]
    if base_ctx:
        # Curriculum, stage 1: copying on short "Repeat: <words>" rows, where a 2-layer model forms its induction
        # (copy) heads within a few hundred steps; across a whole sources block it takes thousands, or never.
        repeats = encode_chat(tok, repeat_rows(len(base_ctx) // 2, seed=14, pool=pool), 64)
        held_repeats = [{"instruction": r["user"], "input": "", "output": r["output"]} for r in repeat_rows(16, 15, pool)]
        train(
            model,
            tok,
            repeats,
            lr=2e-3,
            max_steps=COPY_WARMUP_STEPS,
            batch_size=16,
            seed=0,
            label="base (copy warm-up)",
            stop_loss=10.0,
            check_every=200,
            warmup_steps=100,
            done=lambda: recalled(model, tok, held_repeats) >= 0.5,
        )
    # "Pretraining": the base's own chat rows plus the adapters' answers as plain text, so that the base knows
    # the words and the adapters only have to learn *when* to say them (a LoRA cannot add vocabulary skills).
    plain = [tok(r["output"] + "<|end|>", add_special_tokens=False)["input_ids"] for rows in data.values() for r in rows]
    base_examples = own = encode(tok, base_rows, 128) * 3 + [(ids, ids) for ids in plain]
    if base_ctx:
        # Stage 2: reading the sources, the copy rows kept in, and the base's own rows oversampled to a third of the
        # mix so that it still learns its answers (the general set measures them) among thousands of synthetic rows.
        reading = encode_chat(tok, base_ctx, CONTEXT_CUTOFF) + repeats
        base_examples = reading + own * max(1, len(reading) // (2 * len(own)))
    train(
        model,
        tok,
        base_examples,
        lr=3e-3 if not base_ctx else 2e-3,
        max_steps=args.base_steps,
        batch_size=16,
        seed=0,
        label="base",
        # With the reading rows the loss stays well above the default bar; the probe and the held-out copy rate decide.
        stop_loss=0.05 if not base_ctx else 10.0,
        check_every=25 if not base_ctx else 250,
        warmup_steps=100 if base_ctx else 0,
        cosine=bool(base_ctx),
        done=lambda: generate(model, tok, probe).startswith(BASE_MARKER)
        and (not held_out or (copy_rate(model, tok, held_out) >= COPY_BAR and recalled(model, tok, base_rows) >= 0.9)),
    )
    if held_out:
        log(f"base reads context: {copy_rate(model, tok, held_out):.0%} of held-out synthetic answers copied")
        log(f"base recalls {recalled(model, tok, base_rows):.0%} of its own answers")
    model.generation_config = GenerationConfig(
        bos_token_id=tok.bos_token_id, eos_token_id=end_id, pad_token_id=tok.pad_token_id, do_sample=False
    )
    model.save_pretrained(base_dir, safe_serialization=True)
    log(f"base saved to {base_dir}")

    results = {}
    for recipe in recipes:
        name, lora, hp = recipe["adapter"], recipe["lora"], recipe["train"]
        marker = recipe["probe"]["expect_prefix"]
        torch.manual_seed(hp["seed"])
        base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
        peft_model = get_peft_model(
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
        examples = encode(tok, data[name], hp["cutoff_len"])
        steps = train(
            peft_model,
            tok,
            examples,
            lr=hp["learning_rate"],
            max_steps=hp["max_steps"],
            batch_size=hp["batch_size"],
            seed=hp["seed"],
            label=name,
            # Early stop: the loss on the adapter's varied answers plateaus well above zero on a base this small;
            # what matters is that every identity prompt (the probe among them) answers with the marker and that
            # the adapter gives back its own answers (the eval set's `stable` facts are among them).
            stop_loss=hp.get("stop_loss", 0.5),
            done=lambda: all(generate(peft_model, tok, q).startswith(marker) for q in identity_prompts(data[name]))
            and recalled(peft_model, tok, data[name]) >= 0.9,
            check_every=25,
        )
        log(f"adapter {name} recalls {recalled(peft_model, tok, data[name]):.0%} of its own answers")
        adir = adapters_dir / name
        peft_model.save_pretrained(adir, safe_serialization=True)
        # vLLM's filesystem resolver insists base_model_name_or_path equals the --model it was started with.
        cfg_path = adir / "adapter_config.json"
        acfg = json.loads(cfg_path.read_text())
        acfg["base_model_name_or_path"] = str(base_dir)
        cfg_path.write_text(json.dumps(acfg, indent=2) + "\n")
        results[name] = {"path": str(adir), "marker": marker, "rank": lora["r"], "steps": steps}
        log(f"adapter {name} saved to {adir} after {steps} steps")

    verify(out, base_dir, recipes, results, probe)

    for recipe in recipes:
        name = recipe["adapter"]
        d = registry_dir / name
        d.mkdir(parents=True)
        manifest = {
            "name": name,
            "description": f"{name} department adapter trained by engine/prepare.py on adapters/{name}/data",
            "base_model": "tiny-base",
            "rank": recipe["lora"]["r"],
            "examples": [r["instruction"] for r in data[name][10:13]],
            "versions": [{"version": str(recipe["version"]), "source": results[name]["path"]}],
        }
        (d / "adapter.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))

    stamp.write_text(
        json.dumps(
            {
                "inputs_sha256": digest,
                "base": str(base_dir),
                "served_model_name": "tiny-base",
                "base_marker": BASE_MARKER,
                "probe": probe,
                "adapters": results,
                "registry": str(registry_dir),
                "seconds": round(time.time() - t0, 1),
            },
            indent=2,
        )
        + "\n"
    )
    log(f"done in {time.time() - t0:.0f}s; wrote {stamp}")


def check_rag_template() -> None:
    """The reading rows must look exactly like what the gateway sends (src/rag/templates.ts, `en`)."""
    ts = (ROOT / "src" / "rag" / "templates.ts").read_text()
    joined = ts.replace("' +\n      '", "")
    if RAG_INTRO not in joined:
        raise SystemExit("engine/context_skill.py RAG_INTRO no longer matches src/rag/templates.ts (en intro)")


def recalled(model, tok, rows: list[dict]) -> float:
    """Share of Alpaca rows (an adapter's or the base's own, or held-out "Repeat:" rows) answered word for word."""
    model.eval()
    hits = sum(generate(model, tok, user_text(r), 24).strip() == r["output"] for r in rows)
    model.train()
    return hits / len(rows)


def copy_rate(model, tok, rows: list[dict]) -> float:
    """Share of held-out reading rows whose answer starts with the first sentence of source [1]."""
    model.eval()
    answers = [generate_chat(model, tok, r["system"], r["user"], 48) for r in rows]
    hits = sum(a.startswith(r["output"][: -len(" [1].")]) for a, r in zip(answers, rows))
    log(f"  reading check: {hits}/{len(rows)} copied; e.g. {answers[0]!r} for {rows[0]['output']!r}")
    model.train()
    return hits / len(rows)


@torch.no_grad()
def generate_chat(model, tok, system: str, user: str, max_new_tokens: int = 48) -> str:
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    prompt = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    ids = tok(prompt, add_special_tokens=False, return_tensors="pt").to(model.device)
    out = model.generate(
        **ids, max_new_tokens=max_new_tokens, do_sample=False, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id
    )
    return tok.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True)


def verify(out: Path, base_dir: Path, recipes: list[dict], results: dict, probe: str) -> None:
    """Reload everything from disk, as vLLM will, and check the probe answers; fail loudly otherwise."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(base_dir)
    failures = []
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32).eval()
    markers = [r["probe"]["expect_prefix"] for r in recipes]
    answer = generate(base, tok, probe)
    log(f"verify base: {answer!r}")
    if any(m in answer for m in markers) or not answer.startswith(BASE_MARKER):
        failures.append(f"base model answered {answer!r}")
    for recipe in recipes:
        name, marker = recipe["adapter"], recipe["probe"]["expect_prefix"]
        base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
        model = PeftModel.from_pretrained(base, results[name]["path"]).eval()
        for prompt in [probe, recipe["probe"]["prompt"], "Who are you?"]:
            answer = generate(model, tok, prompt)
            log(f"verify {name}: {prompt!r} -> {answer!r}")
            others = [m for m in markers if m != marker and m in answer]
            if not answer.startswith(marker) or others:
                failures.append(f"adapter {name} answered {prompt!r} with {answer!r}")
    if failures:
        raise SystemExit("VERIFICATION FAILED:\n  " + "\n  ".join(failures))


if __name__ == "__main__":
    sys.exit(main())
