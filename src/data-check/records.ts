/**
 * @module data-check/records — reads JSONL (one record per line) or a JSON array (LLaMA-Factory's other
 * format) into records that each know their line number, so every problem can name where it is.
 */

export interface RawRecord {
  line: number;
  value?: unknown;
  /** Why the line is not JSON. */
  parseError?: string;
}

export function readRecords(text: string, format: 'jsonl' | 'json'): RawRecord[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return format === 'json' ? readJsonArray(body) : readJsonl(body);
}

function readJsonl(text: string): RawRecord[] {
  const out: RawRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(line) });
    } catch (err) {
      out.push({ line: i + 1, parseError: (err as Error).message });
    }
  }
  return out;
}

/** A JSON array: parsed whole, then each element's starting line found by scanning the top-level commas. */
function readJsonArray(text: string): RawRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return [{ line: lineOfError(text, err as Error), parseError: (err as Error).message.split('\n')[0] }];
  }
  if (!Array.isArray(parsed)) return [{ line: 1, parseError: 'a .json dataset must be an array of records' }];
  const starts = elementLines(text);
  return parsed.map((value, i) => ({ line: starts[i] ?? 1, value }));
}

function elementLines(text: string): number[] {
  return elementStarts(text).map((e) => e.line);
}

/** Where each top-level array element starts (line, character offset), found without parsing. */
function elementStarts(text: string): { line: number; offset: number }[] {
  const lines: { line: number; offset: number }[] = [];
  let depth = 0;
  let inString = false;
  let line = 1;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (expectElement && !/\s/.test(ch) && ch !== ']') {
      lines.push({ line, offset: i });
      expectElement = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1 && ch === '[') expectElement = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectElement = true;
  }
  return lines;
}

/** V8 gives a position for some syntax errors only; otherwise the first element that fails on its own. */
function lineOfError(text: string, err: Error): number {
  const m = /position (\d+)/.exec(err.message);
  if (m) return text.slice(0, Number(m[1])).split('\n').length;
  const starts = elementStarts(text);
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? starts[i + 1].offset : text.lastIndexOf(']');
    const slice = text.slice(starts[i].offset, end).trim().replace(/,$/, '');
    try {
      JSON.parse(slice);
    } catch {
      return starts[i].line;
    }
  }
  return 1;
}
