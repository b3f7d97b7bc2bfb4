/**
 * @module rag/templates — the instruction and numbered-source block given to the model, per tenant language
 * (`tenants.X.rag.template`: en | zh). Each source is one line starting with `[n] `, so the model can cite
 * it as [n] and rag/annotate can map the markers back to citations.
 */
import type { TenantRag } from '../config/rag-section.ts';

const instructions: Record<TenantRag['template'], { intro: string; heading: string }> = {
  en: {
    intro:
      'Answer using the numbered sources below. Cite every source you use with its number in square brackets, ' +
      'like [1] or [2][3], right after the statement it supports. If the sources do not contain the answer, say so.',
    heading: 'Sources:',
  },
  zh: {
    intro:
      '请根据下面编号的资料回答问题。每使用一条资料，就在相应语句后用方括号标注它的编号，例如 [1] 或 [2][3]。如果资料中没有答案，请直接说明。',
    heading: '资料：',
  },
};

export interface SourceLine {
  index: number;
  title: string | null;
  section: string | null;
  text: string;
}

/**
 * One source on one line: `[n] Title › Section: passage text`, whitespace collapsed; the label's parts are
 * deduplicated and the chunk's leading heading lines dropped, since the label already names them.
 */
export function sourceLine(s: SourceLine): string {
  const parts = [s.title, ...(s.section ? s.section.split(' › ') : [])].filter((p): p is string => Boolean(p));
  const label = [...new Set(parts)].join(' › ');
  let text = s.text;
  if (label) while (/^#{1,6}\s[^\n]*(\n|$)/.test(text)) text = text.replace(/^#{1,6}\s[^\n]*(\n|$)/, '').trimStart();
  text = text.replace(/\s+/g, ' ').trim();
  return `[${s.index}] ${label ? `${label}: ` : ''}${text}`;
}

export function contextBlock(template: TenantRag['template'], sources: SourceLine[]): string {
  const t = instructions[template];
  return `${t.intro}\n\n${t.heading}\n${sources.map(sourceLine).join('\n')}`;
}

/** The block with no sources: its size is the fixed overhead of the template in the budget. */
export function templateOverhead(template: TenantRag['template']): string {
  return contextBlock(template, []);
}
