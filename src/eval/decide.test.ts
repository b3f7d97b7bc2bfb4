import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EvalCase } from '../data-check/schemas.ts';
import type { AnswerRecord, EvalSystem } from './answer-record.ts';
import { analyse } from './compare.ts';
import { decide } from './decide.ts';

const systems: EvalSystem[] = [
  { label: 'base', model: 'tiny', strategy: 'base', adapter: null },
  { label: 'lora(legal@1)', model: 'legal@1', strategy: 'lora', adapter: 'legal@1' },
  { label: 'rag', model: 'tiny', strategy: 'rag', adapter: null },
  { label: 'hybrid(legal@1)', model: 'legal@1', strategy: 'hybrid', adapter: 'legal@1' },
];
const domain: EvalCase[] = Array.from({ length: 30 }, (_, i) => ({
  id: `d${i}`,
  question: `q${i}?`,
  reference: `answer number ${i}`,
  kind: 'domain',
  tags: [],
}));
const general: EvalCase[] = Array.from({ length: 20 }, (_, i) => ({
  id: `g${i}`,
  question: `g${i}?`,
  reference: `fact ${i}`,
  kind: 'general',
  tags: [],
}));

/** right(system, case) says whether that system answers that case correctly. */
function run(right: (s: EvalSystem, c: EvalCase, i: number) => boolean, promptTokens: Record<string, number>) {
  const cases = [...domain, ...general];
  const answers: AnswerRecord[] = systems.flatMap((s) =>
    cases.map((c, i) => ({
      system: s.label,
      case_id: c.id,
      model: s.model,
      adapter: s.adapter ?? 'base',
      strategy: s.strategy,
      request_id: null,
      response_id: null,
      answer: right(s, c, i) ? (c.reference as string) : 'something else entirely',
      cited_documents: [],
      retrieved: [],
      prompt_tokens: promptTokens[s.strategy],
      completion_tokens: 10,
      latency_ms: 5,
      cache: 'miss',
      error: null,
    })),
  );
  return analyse(cases, systems, answers, 4);
}
const tokens = { base: 30, lora: 30, rag: 250, hybrid: 250 };
const generalRight = (c: EvalCase, i: number) => c.kind === 'general' && i % 2 === 0;

test('hybrid clearly best: a win over the runner-up with its interval, the token cost and no forgetting', () => {
  const a = run(
    (s, c, i) =>
      generalRight(c, i) ||
      (c.kind === 'domain' && (s.strategy === 'hybrid' ? i < 27 : s.strategy === 'rag' ? i < 12 : i < 3)),
    tokens,
  );
  const d = decide(a, { department: 'legal' });
  assert.equal(d.recommended, 'hybrid(legal@1)');
  assert.match(
    d.text,
    /^hybrid\(legal@1\): \+0\.50 F1 over rag \[0\.\d\d, 0\.\d\d\] at the same tokens per answer; no forgetting measurable \(\+0\.00 F1 on general \[0\.00, 0\.00\] vs rag\)$/,
  );
});

test('a cheaper system inside the interval wins: "no measurable difference", never a win', () => {
  // lora and hybrid differ on one case out of 30: inside the interval; lora needs ~220 fewer tokens.
  const a = run(
    (s, c, i) =>
      generalRight(c, i) ||
      (c.kind === 'domain' && (s.strategy === 'hybrid' ? i < 20 : s.strategy === 'lora' ? i < 19 : i < 2)),
    tokens,
  );
  const d = decide(a, { department: 'legal' });
  assert.equal(d.recommended, 'lora(legal@1)');
  assert.match(
    d.text,
    /^lora\(legal@1\): no measurable difference from hybrid\(legal@1\) \(-0\.03 F1 \[-0\.\d\d, 0\.\d\d\]\) at -220 tokens per answer; \+0\.57 F1 over base \[0\.\d\d, 0\.\d\d\] at the same tokens per answer; no forgetting/,
  );
});

test('measurable forgetting moves the choice to an alternative that is not measurably worse', () => {
  const a = run(
    (s, c, i) =>
      c.kind === 'general'
        ? s.adapter
          ? false
          : i % 2 === 0 || i < 40
        : s.strategy === 'lora'
          ? i < 20
          : s.strategy === 'hybrid'
            ? i < 20
            : s.strategy === 'rag'
              ? i < 19
              : i < 2,
    { base: 30, lora: 30, rag: 30, hybrid: 30 },
  );
  const lora = a.forgetting.find((c) => c.system === 'lora(legal@1)')!;
  assert.equal(lora.measurable, true);
  const d = decide(a, { department: 'legal' });
  assert.equal(d.recommended, 'rag');
  assert.match(d.notes.join('\n'), /lora\(legal@1\) made general answers worse \(-0\.\d\d F1/);
});

test('traceable answers required: only retrieval strategies; low quality everywhere is said', () => {
  const a = run((s, c, i) => c.kind === 'domain' && s.strategy === 'lora' && i < 6, tokens);
  const d = decide(a, { department: 'legal', requireCitations: true });
  assert.ok(d.strategy === 'rag' || d.strategy === 'hybrid');
  assert.match(d.notes.join('\n'), /only retrieval strategies/);
  assert.match(d.notes.join('\n'), /Even the best system stays low/);
});
