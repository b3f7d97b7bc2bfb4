/**
 * @module ingest/chunker — Markdown-ish text → chunks under a token budget (rag/token-estimate). Headings
 * start a new chunk and are tracked as the section path; paragraphs are packed until the budget; a
 * paragraph over the budget is split at sentence ends, then hard-split. A chunk closed by the budget (not
 * by a heading) hands its last `overlapTokens` worth of sentences to the next, so an answer that straddles
 * the cut is still found whole.
 */
import { estimateTokens } from '../openai/token-estimate.ts';

export interface ChunkOptions {
  maxTokens: number;
  overlapTokens: number;
}

export interface TextChunk {
  text: string;
  /** Heading path, e.g. "Leave › Annual leave", or null before the first heading. */
  section: string | null;
}

const headingLine = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** Splits a paragraph that is over budget: at sentence ends (Latin and CJK), then by characters. */
export function splitLong(text: string, maxTokens: number): string[] {
  const sentences = text.match(/[^.!?。！？；\n]+(?:[.!?。！？；]+["'”’)\]]*|\n|$)\s*/g) ?? [text];
  const out: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    if (!sentence) continue;
    if (estimateTokens(sentence) > maxTokens) {
      if (current) out.push(current.trim());
      current = '';
      out.push(...hardSplit(sentence, maxTokens));
      continue;
    }
    if (current && estimateTokens(current + sentence) > maxTokens) {
      out.push(current.trim());
      current = '';
    }
    current += sentence;
  }
  if (current.trim()) out.push(current.trim());
  return out.filter(Boolean);
}

function hardSplit(text: string, maxTokens: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of text) {
    if (estimateTokens(current + ch) > maxTokens) {
      out.push(current);
      current = '';
    }
    current += ch;
  }
  if (current.trim()) out.push(current);
  return out.map((s) => s.trim()).filter(Boolean);
}

function tailForOverlap(pieces: string[], overlapTokens: number): string[] {
  if (overlapTokens <= 0) return [];
  const last = pieces[pieces.length - 1];
  if (!last) return [];
  const sentences = splitLong(last, Math.max(1, overlapTokens));
  const tail: string[] = [];
  let used = 0;
  for (let i = sentences.length - 1; i >= 0; i--) {
    const t = estimateTokens(sentences[i]);
    if (used + t > overlapTokens) break;
    tail.unshift(sentences[i]);
    used += t;
  }
  return tail.length ? [tail.join(' ')] : [];
}

export function chunkText(text: string, options: ChunkOptions): TextChunk[] {
  const { maxTokens, overlapTokens } = options;
  const chunks: TextChunk[] = [];
  const path: string[] = [];
  let pieces: string[] = [];
  let overlap: string[] = [];
  let section: string | null = null;

  const flush = (byBudget: boolean) => {
    const own = pieces.filter((p) => !overlap.includes(p) && !headingLine.test(p));
    if (own.length) chunks.push({ text: pieces.join('\n\n'), section });
    overlap = byBudget ? tailForOverlap(own, overlapTokens) : [];
    pieces = [...overlap];
  };

  const blocks = text.replace(/\r\n?/g, '\n').split(/\n\s*\n/);
  for (const raw of blocks) {
    const block = raw.trim();
    if (!block) continue;
    const lines = block.split('\n');
    const heading = headingLine.exec(lines[0]);
    if (heading) {
      flush(false);
      const level = heading[1].length;
      path.splice(level - 1, path.length, heading[2].trim());
      section = path.filter(Boolean).join(' › ');
      pieces.push(lines[0]);
      const rest = lines.slice(1).join('\n').trim();
      if (!rest) continue;
      addParagraph(rest);
      continue;
    }
    addParagraph(block);
  }
  flush(false);
  return chunks;

  function addParagraph(paragraph: string) {
    for (const part of estimateTokens(paragraph) > maxTokens ? splitLong(paragraph, maxTokens) : [paragraph]) {
      const fits = () => estimateTokens([...pieces, part].join('\n\n')) <= maxTokens;
      if (!fits() && pieces.some((p) => !overlap.includes(p) && !headingLine.test(p))) flush(true);
      if (!fits()) {
        // What is left (overlap, a heading line) plus this part would not fit: drop it rather than exceed.
        overlap = [];
        pieces = [];
      }
      pieces.push(part);
    }
  }
}
