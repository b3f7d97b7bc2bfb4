/**
 * @module eval/report/table — the per-system metric table (rows of strings), shared by the Markdown summary
 * and the HTML page so both show the same numbers.
 */
import type { Analysis } from '../compare.ts';
import { num, withInterval } from './format.ts';

export function metricTable(a: Analysis): { header: string[]; rows: string[][] } {
  const judged = a.systems.some((s) => s.groundedness !== null);
  const bleu = a.bleu === 'char' ? 'BLEU-4 (char)' : 'BLEU-4';
  const header = [
    'system',
    'served',
    'F1',
    'EM',
    'ROUGE-L',
    bleu,
    'citation P',
    'citation R',
    `recall@${a.k}`,
    'MRR',
    'answer in context',
    ...(judged ? ['grounded (judge)'] : []),
    'refusal acc.',
    'general F1',
    'p50 ms',
    'p95 ms',
    'prompt tok',
    'completion tok',
  ];
  const rows = a.systems.map((s) => [
    s.label,
    s.served.join(', ') || '–',
    withInterval(s.quality.f1),
    withInterval(s.quality.em),
    withInterval(s.quality.rouge_l),
    withInterval(s.quality.bleu, 1),
    withInterval(s.citation_precision),
    withInterval(s.citation_recall),
    withInterval(s.recall_at_k),
    withInterval(s.mrr),
    withInterval(s.answer_in_context),
    ...(judged ? [withInterval(s.groundedness)] : []),
    withInterval(s.refusal_accuracy),
    withInterval(s.general_f1),
    num(s.latency_p50_ms, 0),
    num(s.latency_p95_ms, 0),
    num(s.prompt_tokens, 0),
    num(s.completion_tokens, 0),
  ]);
  return { header, rows };
}
