/**
 * @module eval/score — the per-case scores of one answer: quality against the reference (EM, F1, ROUGE-L,
 * BLEU-4 — per character when the reference is Chinese/Japanese), citations and retrieval against
 * `gold_documents`, refusal, tokens and latency. Pure; a refused request scores as an empty answer.
 */
import type { EvalCase } from '../data-check/schemas.ts';
import { mostlyCjk } from '../embeddings/answer-normalize.ts';
import type { AnswerRecord } from './answer-record.ts';
import { type BleuStats, bleuStats, charBleu, sentenceBleu, tokenize13a } from './metrics/bleu.ts';
import { isRefusal } from './metrics/refusal.ts';
import { answerInContext, citationPrecisionRecall, recallAtK, reciprocalRank } from './metrics/retrieval.ts';
import { rougeL } from './metrics/rouge-l.ts';
import { exactMatch, tokenF1 } from './metrics/squad.ts';

export interface CaseScore {
  caseId: string;
  kind: EvalCase['kind'];
  tags: string[];
  em: number;
  f1: number;
  rougeL: number;
  /** Sentence BLEU-4 (13a) or character BLEU-4 (CJK), 0..100. */
  bleu: number;
  /** For corpus BLEU (13a) over a resample. */
  bleuStats: BleuStats;
  citationPrecision: number | null;
  citationRecall: number | null;
  recallAtK: number | null;
  mrr: number | null;
  answerInContext: number | null;
  /** The optional LLM judge's verdict: supported by the passages (1) or not (0). */
  grounded: number | null;
  refused: boolean;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
  error: boolean;
}

export function scoreCase(c: EvalCase, a: AnswerRecord, k: number, grounded: number | null = null): CaseScore {
  const refs = (Array.isArray(c.reference) ? c.reference : [c.reference]).filter((r) => r.trim() !== '');
  const answer = a.error ? '' : a.answer;
  const scored = refs.length > 0;
  const cjk = scored && mostlyCjk(refs[0]);
  const gold = c.gold_documents ?? [];
  const retrievedDocs = a.retrieved.map((r) => r.document_id);
  const usedRetrieval = a.strategy === 'rag' || a.strategy === 'hybrid';
  const citations = citationPrecisionRecall(a.cited_documents, gold);
  return {
    caseId: c.id,
    kind: c.kind,
    tags: c.tags,
    em: scored ? exactMatch(answer, refs) : 0,
    f1: scored ? tokenF1(answer, refs) : 0,
    rougeL: scored ? rougeL(answer, refs) : 0,
    bleu: scored ? (cjk ? charBleu(answer, refs) : sentenceBleu(answer, refs)) : 0,
    bleuStats: bleuStats(
      tokenize13a(answer),
      refs.map((r) => tokenize13a(r)),
    ),
    citationPrecision: usedRetrieval ? citations.precision : null,
    citationRecall: usedRetrieval ? citations.recall : null,
    recallAtK: usedRetrieval ? recallAtK(retrievedDocs, gold, k) : null,
    mrr: usedRetrieval ? reciprocalRank(retrievedDocs, gold) : null,
    answerInContext:
      usedRetrieval && c.kind !== 'unanswerable'
        ? answerInContext(
            a.retrieved.map((r) => r.text),
            refs,
          )
        : null,
    grounded,
    refused: isRefusal(answer),
    promptTokens: a.prompt_tokens,
    completionTokens: a.completion_tokens,
    latencyMs: a.latency_ms,
    error: a.error !== null,
  };
}
