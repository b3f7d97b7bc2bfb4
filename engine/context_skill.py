"""A generated reading skill for the tiny base: answer a question from the numbered sources lorag's RAG stage puts
in the system message (src/rag/templates.ts, `en`), by quoting the top source's first sentence and citing it.

The facts are synthetic — random words and numbers from engine/data/words.txt, never a department's eval set or
knowledge — so the base learns *how* to read a context, not *what* a department knows. The prompt is the exact
shape the gateway sends: system = instruction + "Sources:" + one `[n] title: text` line per passage; user = the
question; target = "<first sentence of [1]> [1]."
"""

from __future__ import annotations

import random
from pathlib import Path

from lora_train import encode_messages

# Same words as src/rag/templates.ts (en); a test in engine/ would be overkill, prepare.py checks it at start.
RAG_INTRO = (
    "Answer using the numbered sources below. Cite every source you use with its number in square brackets, "
    "like [1] or [2][3], right after the statement it supports. If the sources do not contain the answer, say so."
)
RAG_HEADING = "Sources:"

NUMBERS = [
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen",
    "twenty", "thirty", "forty", "fifty", "sixty", "ninety", "hundred",
]  # fmt: skip
UNITS = ["days", "weeks", "months", "years", "hours", "minutes", "copies", "signatures", "people", "percent"]
WH = ["What", "Which", "Who", "How", "When", "Where"]


def context_block(sources: list[tuple[str, str]]) -> str:
    lines = [f"[{i + 1}] {title}: {text}" for i, (title, text) in enumerate(sources)]
    return f"{RAG_INTRO}\n\n{RAG_HEADING}\n" + "\n".join(lines)


def _words(rng: random.Random, pool: list[str], lo: int, hi: int) -> list[str]:
    return [rng.choice(pool) for _ in range(rng.randint(lo, hi))]


def _answer(rng: random.Random, pool: list[str]) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"{rng.choice(NUMBERS)} {rng.choice(UNITS)} " + " ".join(_words(rng, pool, 0, 2))
    if kind == 1:
        return "the " + " ".join(_words(rng, pool, 1, 3))
    if kind == 2:
        return f"{rng.randint(2, 99999)} " + " ".join(_words(rng, pool, 1, 2))
    return " ".join(_words(rng, pool, 1, 3))


def synthetic_fact(rng: random.Random, pool: list[str]) -> dict:
    """One fact: a title, its passage (answer-first sentence + a filler sentence) and a question about it."""
    answer = _answer(rng, pool).strip()
    predicate = _words(rng, pool, 3, 7)
    first = f"{answer} {' '.join(predicate)}"
    first = first[0].upper() + first[1:]
    filler = " ".join(_words(rng, pool, 4, 10))
    text = f"{first}. {filler[0].upper()}{filler[1:]}."
    title = "-".join(_words(rng, pool, 1, 2))
    question = f"{rng.choice(WH)} {' '.join(rng.sample(predicate, len(predicate)))}?"
    return {"title": title, "text": text, "first": first, "question": question}


def context_rows(n: int, seed: int, pool: list[str], distractors: int = 1) -> list[dict]:
    """Chat rows {system, user, output}: the relevant fact at [1], then `distractors` unrelated ones."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        fact = synthetic_fact(rng, pool)
        others = [synthetic_fact(rng, pool) for _ in range(rng.randint(0, distractors))]
        sources = [(fact["title"], fact["text"])] + [(o["title"], o["text"]) for o in others]
        rows.append({"system": context_block(sources), "user": fact["question"], "output": f"{fact['first']} [1]."})
    return rows


def read_words(path: Path) -> list[str]:
    return [w for w in path.read_text().split() if w]


def encode_chat(tok, rows: list[dict], cutoff: int) -> list[tuple[list[int], list[int]]]:
    """Rows {system?, user, output} through the chat template; loss on the output only."""
    return [
        encode_messages(
            tok,
            ([{"role": "system", "content": r["system"]}] if r.get("system") else [])
            + [{"role": "user", "content": r["user"]}],
            r["output"],
            cutoff,
        )
        for r in rows
    ]


def repeat_rows(n: int, seed: int, pool: list[str]) -> list[dict]:
    """Short "Repeat: <words>" rows: the same copying on a few dozen tokens, where it is learned much sooner than
    across a whole sources block (a curriculum without stages: both kinds are mixed in every epoch)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        words = " ".join(rng.choice(pool) for _ in range(rng.randint(3, 10)))
        rows.append({"user": f"Repeat: {words}", "output": words})
    return rows

