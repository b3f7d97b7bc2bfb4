/**
 * @module rag/annotate — turns `[n]` markers in an answer into OpenAI-style `url_citation` annotations.
 * Indices count Unicode code points (design.md "Citations"); markers that point to no source are reported,
 * never invented into citations.
 */
import type { Citation, UrlCitationAnnotation } from '../openai/responses.ts';

export interface Annotated {
  annotations: UrlCitationAnnotation[];
  /** Marker numbers present in the text that match no source. */
  unknownMarkers: number[];
}

const marker = /\[(\d{1,3})\]/g;

export function annotate(text: string, citations: Citation[]): Annotated {
  const byIndex = new Map(citations.map((c) => [c.index, c]));
  const annotations: UrlCitationAnnotation[] = [];
  const unknown = new Set<number>();
  // JS string indices are UTF-16 units; count code points up to each match instead.
  let codePoints = 0;
  let lastUnit = 0;
  for (const match of text.matchAll(marker)) {
    const unit = match.index;
    codePoints += countCodePoints(text, lastUnit, unit);
    lastUnit = unit;
    const n = Number(match[1]);
    const source = byIndex.get(n);
    const length = match[0].length; // ASCII: units == code points
    if (!source) {
      unknown.add(n);
      continue;
    }
    annotations.push({
      type: 'url_citation',
      url_citation: {
        start_index: codePoints,
        end_index: codePoints + length,
        title: source.title ?? source.document_id,
        url: source.url,
      },
    });
  }
  return { annotations, unknownMarkers: [...unknown].sort((a, b) => a - b) };
}

function countCodePoints(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
